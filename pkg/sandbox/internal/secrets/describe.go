package secrets

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// DescribeSecret, ListSecrets (filters, sorting, paging) and
// ListSecretVersionIds.

func (a *Area) describeSecret(in *secretIDInput) (*describeSecretOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out describeSecretOutput
	err := errNotFound()
	a.view(func(st *state) {
		if s := st.find(*in.SecretId); s != nil {
			e := a.entry(s)
			out = describeSecretOutput{secretFields: e.secretFields, VersionIdsToStages: e.SecretVersionsToStages}
			err = nil
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// entry is a secret as DescribeSecret and ListSecrets show it: never the
// value; only the versions that have staging labels.
func (a *Area) entry(s *secret) secretListEntry {
	e := secretListEntry{secretFields: secretFields{ARN: s.ARN, Name: s.Name, Description: s.Description, KmsKeyId: s.KmsKeyID,
		LastChangedDate: protocol.Epoch(s.Changed), CreatedDate: protocol.Epoch(s.Created), PrimaryRegion: a.h.Region}}
	if len(s.Tags) > 0 {
		e.Tags = slices.Clone(s.Tags)
	}
	if s.Accessed != nil {
		e.LastAccessedDate = protocol.Epoch(*s.Accessed)
	}
	if s.DeletedDate != nil {
		e.DeletedDate = protocol.Epoch(*s.DeletedDate)
	}
	if r := s.Rotation; r != nil {
		enabled := r.Enabled
		e.RotationEnabled = &enabled
		e.RotationLambdaARN = r.LambdaARN
		e.RotationRules = r.rules()
		if r.LastRotated != nil {
			e.LastRotatedDate = protocol.Epoch(*r.LastRotated)
		}
		if next, ok := r.next(s.Created); ok && r.Enabled {
			e.NextRotationDate = protocol.Epoch(next)
		}
	} else {
		f := false
		e.RotationEnabled = &f
	}
	for _, v := range s.Versions {
		if len(v.Stages) > 0 {
			if e.SecretVersionsToStages == nil {
				e.SecretVersionsToStages = map[string][]string{}
			}
			e.SecretVersionsToStages[v.ID] = slices.Clone(v.Stages)
		}
	}
	return e
}

// filterKeys is the model's FilterNameStringType.
var filterKeys = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

// filterValuePattern is FilterValueStringType's pattern.
var filterValuePattern = lazyre.New(`^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`)

func validateFilters(v *protocol.Validator, fs []filterWire) {
	for i, f := range fs {
		p := "filters." + itoa(i+1) + ".member"
		if f.Key != nil {
			v.Enum(p+".key", *f.Key, filterKeys...)
		}
		if f.Values != nil {
			v.Count(p+".values", len(f.Values), 1, 10)
		}
		for j, val := range f.Values {
			vp := p + ".values." + itoa(j+1) + ".member"
			v.Length(vp, val, 0, 512)
			v.Pattern(vp, val, filterValuePattern)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// filter keeps the secrets every filter matches: for each filter, any of
// its values; a value starting with ! negates. Matching is by prefix,
// case-sensitive, except description and all, which ignore case; all
// matches any word of the name, description, tag keys and values.
func (st *state) filter(fs []filterWire, includeDeleted bool) []*secret {
	var out []*secret
	for _, s := range st.Secrets {
		if s.DeletedDate != nil && !includeDeleted {
			continue
		}
		if matchAll(s, fs) {
			out = append(out, s)
		}
	}
	return out
}

func matchAll(s *secret, fs []filterWire) bool {
	for _, f := range fs {
		key := protocol.Deref(f.Key)
		any := false
		for _, val := range f.Values {
			neg := strings.HasPrefix(val, "!")
			val = strings.TrimPrefix(val, "!")
			if matchOne(s, key, val) != neg {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return true
}

func matchOne(s *secret, key, val string) bool {
	var fields []string
	fold := false
	switch key {
	case "name":
		fields = []string{s.Name}
	case "description":
		fields, fold = []string{s.Description}, true
	case "tag-key":
		for _, t := range s.Tags {
			fields = append(fields, t.Key)
		}
	case "tag-value":
		for _, t := range s.Tags {
			fields = append(fields, t.Value)
		}
	case "primary-region":
		fields = []string{regionOf(s.ARN)}
	case "owning-service":
		return false
	case "all":
		fold = true
		for _, f := range append([]string{s.Name, s.Description}, tagStrings(s)...) {
			fields = append(fields, strings.FieldsFunc(f, func(r rune) bool { return strings.ContainsRune(" /_-.:", r) })...)
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		if fold && strings.HasPrefix(strings.ToLower(f), strings.ToLower(val)) || !fold && strings.HasPrefix(f, val) {
			return true
		}
	}
	return false
}

func tagStrings(s *secret) []string {
	var out []string
	for _, t := range s.Tags {
		out = append(out, t.Key, t.Value)
	}
	return out
}

func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

var sortKeys = []string{"created-date", "last-accessed-date", "last-changed-date", "name"}

func (a *Area) listSecrets(in *listSecretsInput) (*listSecretsOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 100)
	v.Count("filters", len(in.Filters), 0, 10)
	validateFilters(&v, in.Filters)
	if in.SortOrder != nil {
		v.Enum("sortOrder", *in.SortOrder, "asc", "desc")
	}
	if in.SortBy != nil {
		v.Enum("sortBy", *in.SortBy, sortKeys...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := 100
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	incl := in.IncludePlannedDeletion != nil && *in.IncludePlannedDeletion
	var out listSecretsOutput
	ok := true
	a.view(func(st *state) {
		matched := st.filter(in.Filters, incl)
		sortSecrets(matched, protocol.Deref(in.SortBy), protocol.Deref(in.SortOrder))
		fp := protocol.PageFingerprint("ListSecrets", in.Filters, incl, protocol.Deref(in.SortBy), protocol.Deref(in.SortOrder))
		out.SecretList, out.NextToken, ok = protocol.PageOf(matched, protocol.Deref(in.NextToken), fp, size, a.entry)
	})
	if !ok {
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken value is not valid.")
	}
	return &out, nil
}

// sortSecrets orders a listing: by creation date (the default), name,
// last change or last access; ascending unless desc. The sandbox's
// default order is an assumption (docs/sandbox-secrets.md).
func sortSecrets(ss []*secret, by, order string) {
	key := func(s *secret) (time.Time, string) {
		switch by {
		case "name":
			return time.Time{}, s.Name
		case "last-changed-date":
			return s.Changed, s.Name
		case "last-accessed-date":
			if s.Accessed != nil {
				return *s.Accessed, s.Name
			}
			return time.Time{}, s.Name
		}
		return s.Created, s.Name
	}
	sort.SliceStable(ss, func(i, j int) bool {
		ti, ni := key(ss[i])
		tj, nj := key(ss[j])
		less := ti.Before(tj) || ti.Equal(tj) && ni < nj
		if order == "desc" {
			return !less && !(ti.Equal(tj) && ni == nj)
		}
		return less
	})
}

func (a *Area) listSecretVersionIds(in *listSecretVersionIdsInput) (*listSecretVersionIdsOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	v.IntRange("maxResults", in.MaxResults, 1, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := 100
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	incl := in.IncludeDeprecated != nil && *in.IncludeDeprecated
	var out listSecretVersionIdsOutput
	var err error
	a.view(func(st *state) {
		s := st.find(*in.SecretId)
		if s == nil {
			err = errNotFound()
			return
		}
		var vs []*version
		for i := len(s.Versions) - 1; i >= 0; i-- { // newest first
			if ver := s.Versions[i]; incl || len(ver.Stages) > 0 {
				vs = append(vs, ver)
			}
		}
		out.ARN, out.Name = s.ARN, s.Name
		var ok bool
		out.Versions, out.NextToken, ok = protocol.PageOf(vs, protocol.Deref(in.NextToken), protocol.PageFingerprint("ListSecretVersionIds", s.ARN, incl), size, func(ver *version) versionEntry {
			e := versionEntry{VersionId: ver.ID, VersionStages: slices.Clone(ver.Stages), CreatedDate: protocol.Epoch(ver.Created)}
			if ver.Accessed != nil {
				e.LastAccessedDate = protocol.Epoch(*ver.Accessed)
			}
			if s.KmsKeyID != "" {
				e.KmsKeyIds = []string{s.KmsKeyID}
			} else {
				e.KmsKeyIds = []string{"DefaultEncryptionKey"}
			}
			return e
		})
		if !ok {
			err = protocol.Errorf(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken value is not valid.")
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
