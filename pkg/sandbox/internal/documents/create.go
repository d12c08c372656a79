package documents

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// CreateDocument and the validation shared with UpdateDocument.

// validateDocumentRef applies the model's rules to a Name / DocumentVersion
// / VersionName triple.
func validateDocumentRef(v *protocol.Validator, name, version, versionName *string, namePattern protocol.Pattern) {
	if v.Required("name", name != nil) {
		v.Pattern("name", *name, namePattern)
	}
	if version != nil {
		v.Pattern("documentVersion", *version, VersionPattern)
	}
	if versionName != nil {
		v.Pattern("versionName", *versionName, versionNamePattern)
	}
}

func validateContentFields(v *protocol.Validator, content, displayName, versionName, format, targetType *string) {
	if v.Required("content", content != nil) {
		v.Length("content", *content, 1, -1)
	}
	if displayName != nil {
		v.Length("displayName", *displayName, 0, 1024)
		v.Pattern("displayName", *displayName, displayNamePattern)
	}
	if versionName != nil {
		v.Pattern("versionName", *versionName, versionNamePattern)
	}
	if format != nil {
		v.Enum("documentFormat", *format, documentFormats...)
	}
	if targetType != nil {
		v.Length("targetType", *targetType, 0, 200)
		v.Pattern("targetType", *targetType, targetTypePattern)
	}
}

// newVersion parses content into a document version.
func newVersion(docType, content string, format *string, now time.Time) (*documentVersion, *protocol.APIError) {
	f := "JSON"
	if format != nil {
		f = *format
	}
	if f == "TEXT" && docType != ChangeCalendar {
		return nil, errInvalidDocumentContent(fmt.Sprintf("TEXT is not a format for %s documents: use JSON or YAML.", docType))
	}
	if len(content) > maxDocumentSize {
		return nil, protocol.Errorf(http.StatusBadRequest, "MaxDocumentSizeExceeded", "The content exceeds the maximum size of 64 KB.")
	}
	c, err := parseContent(docType, content, f)
	if err != nil {
		return nil, err
	}
	if c.Legacy {
		// AWS no longer creates schema 1.2 documents.
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Schema version 1.2 is no longer supported for new documents: use 2.2.")
	}
	return &documentVersion{Format: f, Content: content, Created: now.UTC(), Hash: documentHash(content), parsed: c}, nil
}

func (a *Area) createDocument(in *createDocumentInput) (*documentDescriptionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, documentNamePattern)
	}
	validateContentFields(&v, in.Content, in.DisplayName, in.VersionName, in.DocumentFormat, in.TargetType)
	if in.DocumentType != nil {
		v.Enum("documentType", *in.DocumentType, documentTypes...)
	}
	v.Count("tags", len(in.Tags), 0, 1000)
	for i, t := range in.Tags {
		p := fmt.Sprintf("tags.%d.member", i+1)
		if v.Required(p+".key", t.Key != nil) {
			v.Length(p+".key", *t.Key, 1, 128)
			v.Pattern(p+".key", *t.Key, tags.KeyPattern)
		}
		if v.Required(p+".value", t.Value != nil) {
			v.Length(p+".value", *t.Value, 0, 256)
			v.Pattern(p+".value", *t.Value, tags.ValuePattern)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, pre := range reservedDocumentPrefixes {
		if strings.HasPrefix(strings.ToLower(*in.Name), strings.ToLower(pre)) {
			return nil, protocol.ErrValidation(fmt.Sprintf("Document name %s is invalid: names can't begin with %s (reserved by AWS).", *in.Name, pre))
		}
	}
	docType := "Command"
	if in.DocumentType != nil {
		docType = *in.DocumentType
	}
	if docType != "Command" && docType != "Session" && docType != ChangeCalendar && docType != "Automation" {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The sandbox stores Command, Session, ChangeCalendar and Automation documents only, not %s documents.", docType))
	}
	ver, aerr := newVersion(docType, *in.Content, in.DocumentFormat, a.h.Clock())
	if aerr != nil {
		return nil, aerr
	}
	ver.Version = 1
	if in.VersionName != nil {
		ver.VersionName = *in.VersionName
	}
	if in.DisplayName != nil {
		ver.DisplayName = *in.DisplayName
	}
	d := &document{Name: *in.Name, Owner: "Self", DocumentType: docType, DefaultVersion: 1, Versions: []*documentVersion{ver}}
	if in.TargetType != nil {
		d.TargetType = *in.TargetType
	}
	if len(in.Tags) > 0 {
		d.Tags = map[string]string{}
		for _, t := range in.Tags {
			d.Tags[*t.Key] = *t.Value
		}
	}
	var out documentDescriptionOutput
	err := a.mutate(func(st *state) error {
		if st.findDocument(d.Name) != nil {
			return protocol.Errorf(http.StatusBadRequest, "DocumentAlreadyExists", "Document with same name %s already exists.", d.Name)
		}
		if len(st.Documents) >= maxOwnDocuments {
			return protocol.Errorf(http.StatusBadRequest, "DocumentLimitExceeded", "You can create at most %d documents.", maxOwnDocuments)
		}
		st.Documents = append(st.Documents, d)
		// CreateDocument answers while AWS is still creating the document.
		out.DocumentDescription = a.describe(d, ver, "Creating")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ownDocument finds a document the account may change.
func ownDocument(st *state, name string) (*document, error) {
	d := st.findDocument(name)
	if d == nil {
		return nil, ErrInvalidDocument(fmt.Sprintf("Document %s does not exist in your account.", name))
	}
	if d.Owner == "Amazon" {
		return nil, errInvalidDocumentOperation(fmt.Sprintf("Document %s is owned by Amazon: you can't change or delete it.", d.Name))
	}
	return d, nil
}
