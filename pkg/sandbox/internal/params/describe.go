package params

import (
	"fmt"
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// DescribeParameters.

func (a *Area) describeParameters(in *describeParametersInput) (*describeParametersOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "Name", "Type", "KeyId")
		}
		if v.Required(p+".values", f.Values != nil) {
			v.Count(p+".values", len(f.Values), 1, 50)
			for _, val := range f.Values {
				v.Length(p+".values.member", val, 1, 1024)
			}
		}
	}
	validateStringFilters(&v, in.ParameterFilters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, protocol.ErrValidation("You can use either Filters or ParameterFilters in a single request.")
	}
	filters, ferr := parseParamFilters(in.ParameterFilters, false)
	if ferr != nil {
		return nil, ferr
	}
	for _, f := range in.Filters {
		// The legacy filters: Name matches names that begin with a value,
		// Type and KeyId match exactly.
		opt := "Equals"
		if *f.Key == "Name" {
			opt = "BeginsWith"
		}
		filters = append(filters, paramFilter{key: *f.Key, option: opt, values: f.Values})
	}
	size := defaultDescribePage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeParameters", in.Filters, in.ParameterFilters, in.Shared)
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		last, ok := decodeCursorToken(*in.NextToken, fp)
		if !ok {
			return nil, protocol.ErrInvalidNextToken()
		}
		after = last
	}
	out := describeParametersOutput{Parameters: []parameterMetadata{}}
	if in.Shared != nil && *in.Shared {
		// No other account shares parameters with the sandbox's.
		return &out, nil
	}
	now := a.h.Clock()
	a.view(func(st *state) {
		limit := pageLimit(after+"\x00describe", size)
		i := 0
		if after != "" {
			j, found := slices.BinarySearch(st.paramNames, after)
			if found {
				j++
			}
			i = j
		}
		last := ""
		for ; i < len(st.paramNames); i++ {
			name := st.paramNames[i]
			if len(out.Parameters) == limit {
				out.NextToken = encodeCursorToken(fp, last)
				return
			}
			last = name
			p := st.liveParam(name, now)
			if p == nil || !matchDescribeFilters(p, filters) {
				continue
			}
			out.Parameters = append(out.Parameters, a.metadata(p))
		}
	})
	return &out, nil
}
