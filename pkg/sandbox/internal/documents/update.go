package documents

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// UpdateDocument.

func (a *Area) updateDocument(in *updateDocumentInput) (*documentDescriptionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, documentNamePattern)
	}
	validateContentFields(&v, in.Content, in.DisplayName, in.VersionName, in.DocumentFormat, in.TargetType)
	if in.DocumentVersion != nil {
		v.Pattern("documentVersion", *in.DocumentVersion, VersionPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	docType := "Command"
	a.view(func(st *state) {
		if d := st.findDocument(*in.Name); d != nil {
			docType = d.DocumentType
		}
	})
	ver, aerr := newVersion(docType, *in.Content, in.DocumentFormat, a.h.Clock())
	if aerr != nil {
		return nil, aerr
	}
	var out documentDescriptionOutput
	err := a.mutate(func(st *state) error {
		d, err := ownDocument(st, *in.Name)
		if err != nil {
			return err
		}
		if d.DocumentType != docType {
			return errInvalidDocumentContent(fmt.Sprintf("Document %s changed type while it was being updated.", d.Name))
		}
		latest := d.latest()
		// UpdateDocument's DocumentVersion documentation: "Systems Manager
		// supports updating only the latest version of the document."
		if in.DocumentVersion != nil && *in.DocumentVersion != "$LATEST" && *in.DocumentVersion != strconv.Itoa(latest.Version) {
			return errInvalidDocumentVersion(fmt.Sprintf("You can update only the latest version (%d) of document %s.", latest.Version, d.Name))
		}
		if latest.Hash == ver.Hash {
			return protocol.Errorf(http.StatusBadRequest, "DuplicateDocumentContent", "The content of the association document matches another document. Change the content of the document and try again.")
		}
		if in.VersionName != nil {
			for _, x := range d.Versions {
				if x.VersionName == *in.VersionName {
					return protocol.Errorf(http.StatusBadRequest, "DuplicateDocumentVersionName", "Version name %s is already used by version %d.", *in.VersionName, x.Version)
				}
			}
			ver.VersionName = *in.VersionName
		}
		if len(d.Versions) >= maxDocumentVersions {
			return protocol.Errorf(http.StatusBadRequest, "DocumentVersionLimitExceeded", "Document %s has the maximum of %d versions: delete one first.", d.Name, maxDocumentVersions)
		}
		ver.DisplayName = latest.DisplayName
		if in.DisplayName != nil {
			ver.DisplayName = *in.DisplayName
		}
		if in.TargetType != nil {
			d.TargetType = *in.TargetType
		}
		ver.Version = latest.Version + 1
		d.Versions = append(d.Versions, ver)
		out.DocumentDescription = a.describe(d, ver, "Updating")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
