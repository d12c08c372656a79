package documents

import (
	"fmt"
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// DeleteDocument.

func (a *Area) deleteDocument(in *deleteDocumentInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateDocumentRef(&v, in.Name, in.DocumentVersion, in.VersionName, documentNamePattern)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := a.mutate(func(st *state) error {
		d, err := ownDocument(st, *in.Name)
		if err != nil {
			return err
		}
		if in.DocumentVersion == nil && in.VersionName == nil {
			st.Documents = slices.DeleteFunc(st.Documents, func(x *document) bool { return x == d })
			return nil
		}
		ver, err := resolveVersion(d, protocol.Deref(in.DocumentVersion), protocol.Deref(in.VersionName))
		if err != nil {
			return err
		}
		if ver.Version == d.DefaultVersion {
			return errInvalidDocumentOperation(fmt.Sprintf("Version %d is the default version of document %s: make another version the default before deleting it.", ver.Version, d.Name))
		}
		d.Versions = slices.DeleteFunc(d.Versions, func(x *documentVersion) bool { return x == ver })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}
