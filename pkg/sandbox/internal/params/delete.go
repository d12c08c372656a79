package params

import (
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// DeleteParameter and DeleteParameters.

func (a *Area) deleteParameter(in *deleteParameterInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	name := cleanName(*in.Name)
	now := a.h.Clock()
	err := a.mutate(func(st *state) error {
		st.sweepExpired(now)
		if st.paramByName[name] == nil {
			return errParameterNotFound()
		}
		st.removeParam(name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (a *Area) deleteParameters(in *deleteParametersInput) (*deleteParametersOutput, error) {
	var v protocol.Validator
	if v.Required("names", in.Names != nil) {
		v.Count("names", len(in.Names), 1, 10)
		for _, n := range in.Names {
			v.Length("names.member", n, 1, 2048)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := deleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	err := a.mutate(func(st *state) error {
		st.sweepExpired(now)
		for _, raw := range in.Names {
			name := cleanName(raw)
			if st.paramByName[name] == nil {
				if !slices.Contains(out.InvalidParameters, raw) && !slices.Contains(out.DeletedParameters, raw) {
					out.InvalidParameters = append(out.InvalidParameters, raw)
				}
				continue
			}
			st.removeParam(name)
			out.DeletedParameters = append(out.DeletedParameters, raw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
