package params

import (
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetParametersByPath.

func (a *Area) getParametersByPath(in *getParametersByPathInput) (*getParametersByPathOutput, error) {
	var v protocol.Validator
	if v.Required("path", in.Path != nil) {
		v.Length("path", *in.Path, 1, 2048)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 10)
	validateStringFilters(&v, in.ParameterFilters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	filters, ferr := parseParamFilters(in.ParameterFilters, true)
	if ferr != nil {
		return nil, ferr
	}
	path := cleanName(*in.Path)
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	recursive := in.Recursive != nil && *in.Recursive
	size := defaultByPathPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("GetParametersByPath", path, recursive, in.ParameterFilters)
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		last, ok := decodeCursorToken(*in.NextToken, fp)
		if !ok {
			return nil, protocol.ErrInvalidNextToken()
		}
		after = last
	}
	prefix := path + "/"
	if path == "/" {
		prefix = "/"
	}
	now := a.h.Clock()
	decrypt := in.WithDecryption != nil && *in.WithDecryption
	out := getParametersByPathOutput{Parameters: []parameterWire{}}
	var err error
	a.view(func(st *state) {
		limit := pageLimit(after+"\x00"+path, size)
		i, _ := slices.BinarySearch(st.paramNames, prefix)
		if after != "" {
			j, found := slices.BinarySearch(st.paramNames, after)
			if found {
				j++
			}
			i = max(i, j)
		}
		last := ""
		for ; i < len(st.paramNames); i++ {
			name := st.paramNames[i]
			if !strings.HasPrefix(name, prefix) {
				break
			}
			if len(out.Parameters) == limit {
				out.NextToken = encodeCursorToken(fp, last)
				return
			}
			last = name
			if !recursive && strings.Contains(name[len(prefix):], "/") {
				continue
			}
			p := st.liveParam(name, now)
			if p == nil {
				continue
			}
			pv := matchByPathFilters(p, filters)
			if pv == nil {
				continue
			}
			w, werr := a.parameterWire(st, p, pv, "", decrypt)
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
	return &out, nil
}
