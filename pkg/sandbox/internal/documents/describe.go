package documents

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// DescribeDocument and the document description shared by the handlers.

func (a *Area) documentOwner(d *document) string {
	if d.Owner == "Amazon" {
		return "Amazon"
	}
	return a.h.AccountID
}

func defaultValueString(v any) *string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	return &s
}

func (a *Area) describe(d *document, v *documentVersion, status string) documentDescription {
	c := v.parsed
	params := make([]documentParameterWire, 0, len(c.Params))
	for _, p := range c.Params {
		w := documentParameterWire{Name: p.Name, Type: p.Type, Description: p.Description}
		if p.HasDefault {
			w.DefaultValue = defaultValueString(p.Default)
		}
		params = append(params, w)
	}
	return documentDescription{
		Hash: v.Hash, HashType: "Sha256",
		Name: d.Name, DisplayName: v.DisplayName, VersionName: v.VersionName,
		Owner: a.documentOwner(d), CreatedDate: protocol.Epoch(v.Created), Status: status,
		DocumentVersion: strconv.Itoa(v.Version), Description: c.Description,
		Parameters: params, PlatformTypes: c.PlatformTypes(), DocumentType: d.DocumentType,
		SchemaVersion: c.SchemaVersion, LatestVersion: strconv.Itoa(d.latest().Version),
		DefaultVersion: strconv.Itoa(d.DefaultVersion), DocumentFormat: v.Format,
		TargetType: d.TargetType, Tags: tags.List(d.Tags),
	}
}

func (a *Area) describeDocument(in *describeDocumentInput) (*describeDocumentOutput, error) {
	var v protocol.Validator
	validateDocumentRef(&v, in.Name, in.DocumentVersion, in.VersionName, DocumentARNPattern)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out describeDocumentOutput
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
		out.Document = a.describe(d, ver, "Active")
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
