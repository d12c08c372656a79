package params

import (
	"sort"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetParameterHistory.

func (a *Area) getParameterHistory(in *getParameterHistoryInput) (*getParameterHistoryOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := defaultHistoryPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	now := a.h.Clock()
	decrypt := in.WithDecryption != nil && *in.WithDecryption
	out := getParameterHistoryOutput{Parameters: []parameterHistory{}}
	var err error
	a.view(func(st *state) {
		p, perr := a.historyTarget(st, *in.Name, now)
		if perr != nil {
			err = perr
			return
		}
		fp := protocol.PageFingerprint("GetParameterHistory", p.Name)
		token := ""
		if in.NextToken != nil {
			token = *in.NextToken
		}
		// The offset counts from the first version the token was issued
		// against, so versions dropped meanwhile do not shift a page.
		offset, ok := protocol.DecodePageToken(token, fp, int(p.latest().Version))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		var start int
		if offset > 0 {
			start = sort.Search(len(p.Versions), func(i int) bool { return p.Versions[i].Version > int64(offset) })
		}
		end := min(start+size, len(p.Versions))
		for _, pv := range p.Versions[start:end] {
			val, verr := a.renderValue(st, p, pv, decrypt)
			if verr != nil {
				err = verr
				return
			}
			labels := append([]string{}, pv.Labels...)
			out.Parameters = append(out.Parameters, parameterHistory{
				Name: p.Name, Type: pv.Type, KeyId: pv.KeyID, LastModifiedDate: protocol.Epoch(pv.Modified),
				LastModifiedUser: pv.User, Description: pv.Description, Value: val,
				AllowedPattern: pv.AllowedPattern, Version: pv.Version, Labels: labels, Tier: pv.Tier,
				Policies: inlinePolicies(pv.Policies), DataType: pv.DataType,
			})
		}
		if end < len(p.Versions) {
			out.NextToken = protocol.EncodePageToken(fp, int(p.Versions[end-1].Version))
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
