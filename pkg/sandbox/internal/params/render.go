package params

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Rendering parameters for the wire.

func (a *Area) renderValue(st *state, p *parameter, v *paramVersion, decrypt bool) (string, error) {
	if v.Type == typeSecureString && decrypt {
		return openValue(st, a.paramARN(p.Name), v.Value)
	}
	return v.Value, nil
}

func (a *Area) parameterWire(st *state, p *parameter, v *paramVersion, selector string, decrypt bool) (parameterWire, error) {
	val, err := a.renderValue(st, p, v, decrypt)
	if err != nil {
		return parameterWire{}, err
	}
	return parameterWire{
		Name: p.Name, Type: v.Type, Value: val, Version: v.Version, Selector: selector,
		LastModifiedDate: protocol.Epoch(v.Modified), ARN: a.paramARN(p.Name), DataType: v.DataType,
	}, nil
}

func inlinePolicies(ps []policy) []parameterInlinePolicy {
	out := make([]parameterInlinePolicy, 0, len(ps))
	for _, p := range ps {
		out = append(out, parameterInlinePolicy{PolicyText: p.Text, PolicyType: p.Type, PolicyStatus: "Pending"})
	}
	return out
}

func (a *Area) metadata(p *parameter) parameterMetadata {
	v := p.latest()
	return parameterMetadata{
		Name: p.Name, ARN: a.paramARN(p.Name), Type: v.Type, KeyId: v.KeyID,
		LastModifiedDate: protocol.Epoch(v.Modified), LastModifiedUser: v.User, Description: v.Description,
		AllowedPattern: v.AllowedPattern, Version: v.Version, Tier: v.Tier,
		Policies: inlinePolicies(v.Policies), DataType: v.DataType,
	}
}
