package params

import (
	"slices"
	"time"
)

// The stored parameters, their versions and the state's bookkeeping.

// Parameter Store: PutParameter, GetParameter, GetParameters,
// GetParametersByPath, DescribeParameters, GetParameterHistory,
// LabelParameterVersion, UnlabelParameterVersion, DeleteParameter and
// DeleteParameters. Limits and error names come from botocore's
// ssm/2014-11-06 model and AWS's documentation; docs/sandbox-parameters.md
// lists each rule with its source and the decisions the sandbox made.

type parameter struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags,omitempty"`
	// Versions, oldest first; at most maxParamVersions.
	Versions []*paramVersion `json:"versions"`
}

type paramVersion struct {
	Version int64  `json:"version"`
	Type    string `json:"type"`
	// Value is the plaintext of a String or StringList and the ciphertext
	// blob (base64) of a SecureString.
	Value          string    `json:"value"`
	KeyID          string    `json:"keyId,omitempty"`
	Description    string    `json:"description,omitempty"`
	AllowedPattern string    `json:"allowedPattern,omitempty"`
	Tier           string    `json:"tier"`
	DataType       string    `json:"dataType"`
	Policies       []policy  `json:"policies,omitempty"`
	Labels         []string  `json:"labels,omitempty"`
	Modified       time.Time `json:"modified"`
	User           string    `json:"user"`
}

func (p *parameter) latest() *paramVersion { return p.Versions[len(p.Versions)-1] }

// expiry is when the parameter's Expiration policy deletes it (zero:
// never). Policies belong to the parameter: the latest version's count.
func (p *parameter) expiry() time.Time {
	for _, pol := range p.latest().Policies {
		if !pol.Expires.IsZero() {
			return pol.Expires
		}
	}
	return time.Time{}
}

func (p *parameter) version(n int64) *paramVersion {
	for _, v := range p.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

func (p *parameter) labelled(label string) *paramVersion {
	for _, v := range p.Versions {
		if slices.Contains(v.Labels, label) {
			return v
		}
	}
	return nil
}

// liveParam finds a parameter that exists and has not expired.
func (st *state) liveParam(name string, now time.Time) *parameter {
	p := st.paramByName[name]
	if p == nil {
		return nil
	}
	if e := p.expiry(); !e.IsZero() && !now.Before(e) {
		return nil
	}
	return p
}

func (st *state) addParam(p *parameter) {
	st.Parameters = append(st.Parameters, p)
	st.paramByName[p.Name] = p
	i, _ := slices.BinarySearch(st.paramNames, p.Name)
	st.paramNames = slices.Insert(st.paramNames, i, p.Name)
}

func (st *state) removeParam(name string) {
	if st.paramByName[name] == nil {
		return
	}
	delete(st.paramByName, name)
	if i, ok := slices.BinarySearch(st.paramNames, name); ok {
		st.paramNames = slices.Delete(st.paramNames, i, i+1)
	}
	st.Parameters = slices.DeleteFunc(st.Parameters, func(p *parameter) bool { return p.Name == name })
}

// sweepExpired deletes the parameters whose Expiration policy has come,
// as Parameter Store does when "the expiration time is reached".
func (st *state) sweepExpired(now time.Time) {
	var gone []string
	for _, p := range st.Parameters {
		if e := p.expiry(); !e.IsZero() && !now.Before(e) {
			gone = append(gone, p.Name)
		}
	}
	for _, name := range gone {
		st.removeParam(name)
	}
}

// tierCounts counts the live parameters per tier, for the account limits.
func (st *state) tierCounts() (standard, advanced int) {
	for _, p := range st.Parameters {
		if p.latest().Tier == tierAdvanced {
			advanced++
		} else {
			standard++
		}
	}
	return standard, advanced
}
