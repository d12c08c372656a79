package documents

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"gopkg.in/yaml.v3"
)

// GetDocument and converting content between formats.

// convertContent renders content in another format (GetDocument's
// DocumentFormat).
func convertContent(content, from, to string) (string, error) {
	if from == to {
		return content, nil
	}
	raw, err := decodeDocument(content, from)
	if err != nil {
		return "", err
	}
	if to == "YAML" {
		b, err := yaml.Marshal(raw)
		return string(b), err
	}
	b, err := json.MarshalIndent(raw, "", "  ")
	return string(b), err
}

func (a *Area) getDocument(in *getDocumentInput) (*getDocumentOutput, error) {
	var v protocol.Validator
	validateDocumentRef(&v, in.Name, in.DocumentVersion, in.VersionName, DocumentARNPattern)
	if in.DocumentFormat != nil {
		v.Enum("documentFormat", *in.DocumentFormat, documentFormats...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *getDocumentOutput
	var err error
	a.view(func(st *state) {
		d := st.findDocument(*in.Name)
		if d == nil {
			err = ErrInvalidDocument(fmt.Sprintf("Document with name %s does not exist.", *in.Name))
			return
		}
		var ver *documentVersion
		if ver, err = resolveVersion(d, protocol.Deref(in.DocumentVersion), protocol.Deref(in.VersionName)); err != nil {
			return
		}
		format := "JSON"
		if ver.Format == "TEXT" {
			format = "TEXT"
		}
		if in.DocumentFormat != nil {
			format = *in.DocumentFormat
		}
		if ferr := formatError(d.DocumentType, ver.Format, format); ferr != nil {
			err = ferr
			return
		}
		content, cerr := convertContent(ver.Content, ver.Format, format)
		if cerr != nil {
			err = fmt.Errorf("converting document %s: %w", d.Name, cerr)
			return
		}
		out = &getDocumentOutput{
			Name: d.Name, CreatedDate: protocol.Epoch(ver.Created), DisplayName: ver.DisplayName, VersionName: ver.VersionName,
			DocumentVersion: strconv.Itoa(ver.Version), Status: "Active", Content: content,
			DocumentType: d.DocumentType, DocumentFormat: format,
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
