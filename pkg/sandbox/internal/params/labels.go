package params

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// LabelParameterVersion and UnlabelParameterVersion.

func validateLabels(v *protocol.Validator, labels []string) {
	if v.Required("labels", labels != nil) {
		v.Count("labels", len(labels), 1, maxLabelsPerVersion)
		for _, l := range labels {
			v.Length("labels.member", l, 1, maxLabelLength)
		}
	}
}

func (a *Area) labelParameterVersion(in *labelParameterVersionInput) (*labelParameterVersionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	validateLabels(&v, in.Labels)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := labelParameterVersionOutput{InvalidLabels: []string{}}
	err := a.mutate(func(st *state) error {
		p, perr := a.historyTarget(st, *in.Name, now)
		if perr != nil {
			return perr
		}
		pv := p.latest()
		if in.ParameterVersion != nil {
			if pv = p.version(*in.ParameterVersion); pv == nil {
				return errParameterVersionNotFound(strconv.FormatInt(*in.ParameterVersion, 10), p.Name)
			}
		}
		var add []string
		for _, l := range in.Labels {
			switch {
			case !validLabel(l):
				if !slices.Contains(out.InvalidLabels, l) {
					out.InvalidLabels = append(out.InvalidLabels, l)
				}
			case !slices.Contains(pv.Labels, l) && !slices.Contains(add, l):
				add = append(add, l)
			}
		}
		if len(pv.Labels)+len(add) > maxLabelsPerVersion {
			return protocol.Errorf(http.StatusBadRequest, "ParameterVersionLabelLimitExceeded", "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.")
		}
		// A label names one version: attaching it here moves it.
		for _, other := range p.Versions {
			if other != pv {
				other.Labels = slices.DeleteFunc(other.Labels, func(l string) bool { return slices.Contains(add, l) })
			}
		}
		pv.Labels = append(pv.Labels, add...)
		out.ParameterVersion = pv.Version
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) unlabelParameterVersion(in *unlabelParameterVersionInput) (*unlabelParameterVersionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	v.Required("parameterVersion", in.ParameterVersion != nil)
	validateLabels(&v, in.Labels)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := unlabelParameterVersionOutput{RemovedLabels: []string{}, InvalidLabels: []string{}}
	err := a.mutate(func(st *state) error {
		p, perr := a.historyTarget(st, *in.Name, now)
		if perr != nil {
			return perr
		}
		pv := p.version(*in.ParameterVersion)
		if pv == nil {
			return errParameterVersionNotFound(strconv.FormatInt(*in.ParameterVersion, 10), p.Name)
		}
		for _, l := range in.Labels {
			if slices.Contains(pv.Labels, l) {
				pv.Labels = slices.DeleteFunc(pv.Labels, func(x string) bool { return x == l })
				out.RemovedLabels = append(out.RemovedLabels, l)
			} else if !slices.Contains(out.RemovedLabels, l) && !slices.Contains(out.InvalidLabels, l) {
				out.InvalidLabels = append(out.InvalidLabels, l)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
