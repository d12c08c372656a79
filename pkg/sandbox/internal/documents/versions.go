package documents

import (
	"fmt"
	"strconv"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// ListDocumentVersions and UpdateDocumentDefaultVersion.

func (a *Area) listDocumentVersions(in *listDocumentVersionsInput) (*listDocumentVersionsOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, DocumentARNPattern)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := defaultListDocumentPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListDocumentVersions", *in.Name)
	var out listDocumentVersionsOutput
	var err error
	a.view(func(st *state) {
		d := st.findDocument(*in.Name)
		if d == nil {
			err = ErrInvalidDocument(fmt.Sprintf("Document with name %s does not exist.", *in.Name))
			return
		}
		off, ok := protocol.DecodePageToken(protocol.Deref(in.NextToken), fp, len(d.Versions))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		from, to, next := protocol.Page(len(d.Versions), off, size, fp)
		for _, ver := range d.Versions[from:to] {
			out.DocumentVersions = append(out.DocumentVersions, documentVersionInfo{
				Name: d.Name, DisplayName: ver.DisplayName, DocumentVersion: strconv.Itoa(ver.Version),
				VersionName: ver.VersionName, CreatedDate: protocol.Epoch(ver.Created),
				IsDefaultVersion: ver.Version == d.DefaultVersion, DocumentFormat: ver.Format, Status: "Active",
			})
		}
		out.NextToken = next
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) updateDocumentDefaultVersion(in *updateDocumentDefaultVersionInput) (*updateDocumentDefaultVersionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, documentNamePattern)
	}
	if v.Required("documentVersion", in.DocumentVersion != nil) {
		v.Pattern("documentVersion", *in.DocumentVersion, versionNumberPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out updateDocumentDefaultVersionOutput
	err := a.mutate(func(st *state) error {
		d, err := ownDocument(st, *in.Name)
		if err != nil {
			return err
		}
		ver, err := resolveVersion(d, *in.DocumentVersion, "")
		if err != nil {
			return err
		}
		d.DefaultVersion = ver.Version
		out.Description = documentDefaultVersionDescription{Name: d.Name, DefaultVersion: strconv.Itoa(ver.Version), DefaultVersionName: ver.VersionName}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
