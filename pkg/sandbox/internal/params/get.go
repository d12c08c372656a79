package params

import (
	"sort"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetParameter and GetParameters.

func (a *Area) getParameter(in *getParameterInput) (*getParameterOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	var out getParameterOutput
	var err error
	a.view(func(st *state) {
		p, pv, sel, lerr := a.lookup(st, *in.Name, now)
		if lerr != nil {
			err = lerr
			return
		}
		out.Parameter, err = a.parameterWire(st, p, pv, sel, in.WithDecryption != nil && *in.WithDecryption)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) getParameters(in *getParametersInput) (*getParametersOutput, error) {
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
	out := getParametersOutput{Parameters: []parameterWire{}, InvalidParameters: []string{}}
	var err error
	a.view(func(st *state) {
		seen := map[string]bool{}
		for _, n := range in.Names {
			if seen[n] {
				continue
			}
			seen[n] = true
			p, pv, sel, lerr := a.lookup(st, n, now)
			if lerr != nil {
				out.InvalidParameters = append(out.InvalidParameters, n)
				continue
			}
			w, werr := a.parameterWire(st, p, pv, sel, in.WithDecryption != nil && *in.WithDecryption)
			if werr != nil {
				err = werr
				return
			}
			out.Parameters = append(out.Parameters, w)
		}
	})
	if err != nil {
		return nil, err
	}
	// "The results for GetParameters requests are listed in alphabetical
	// order."
	sort.SliceStable(out.Parameters, func(i, j int) bool { return out.Parameters[i].Name < out.Parameters[j].Name })
	return &out, nil
}
