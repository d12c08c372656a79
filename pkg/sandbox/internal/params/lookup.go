package params

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// The errors for missing parameters and resolving names, ARNs and selectors.

// errParameterNotFound is how AWS answers GetParameter and DeleteParameter
// for a missing name: with no message.
func errParameterNotFound() *protocol.APIError {
	return &protocol.APIError{Status: http.StatusBadRequest, Type: "ParameterNotFound"}
}

func errParameterVersionNotFound(version, name string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "ParameterVersionNotFound", "Systems Manager could not find version %s of %s. Verify the version and try again.", version, name)
}

var digits = lazyre.New(`^[0-9]+$`)

// lookup resolves a name as GetParameter takes it: a name or an ARN of
// this account and region, optionally with a :VERSION or :LABEL selector.
// It returns the selector as AWS echoes it (":3", ":prod").
func (a *Area) lookup(st *state, raw string, now time.Time) (*parameter, *paramVersion, string, *protocol.APIError) {
	name := cleanName(raw)
	arnPrefix := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/", area.Partition(a.h.Region), a.h.Region, a.h.AccountID)
	var candidates []string
	if strings.HasPrefix(name, "arn:") {
		if !strings.HasPrefix(name, arnPrefix) {
			return nil, nil, "", errParameterNotFound()
		}
		rest := strings.TrimPrefix(name, arnPrefix)
		name = "/" + rest
		candidates = []string{"/" + rest, rest}
	}
	base, sel, hasSel := name, "", false
	if i := strings.LastIndex(name, ":"); i >= 0 {
		base, sel, hasSel = name[:i], name[i+1:], true
	}
	if candidates == nil {
		candidates = []string{base}
	} else if hasSel {
		candidates = []string{base, strings.TrimPrefix(base, "/")}
	}
	var p *parameter
	for _, c := range candidates {
		if strings.Contains(c, ":") {
			continue
		}
		if p = st.liveParam(c, now); p != nil {
			break
		}
	}
	if p == nil {
		return nil, nil, "", errParameterNotFound()
	}
	if !hasSel {
		return p, p.latest(), "", nil
	}
	if digits.MatchString(sel) {
		n, err := strconv.ParseInt(sel, 10, 64)
		v := p.version(n)
		if err != nil || v == nil {
			return nil, nil, "", errParameterVersionNotFound(sel, p.Name)
		}
		return p, v, ":" + sel, nil
	}
	v := p.labelled(sel)
	if v == nil {
		return nil, nil, "", errParameterNotFound()
	}
	return p, v, ":" + sel, nil
}

// historyTarget resolves GetParameterHistory's and the label operations'
// Name: a name or an ARN, no selector.
func (a *Area) historyTarget(st *state, raw string, now time.Time) (*parameter, *protocol.APIError) {
	name := cleanName(raw)
	arnPrefix := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/", area.Partition(a.h.Region), a.h.Region, a.h.AccountID)
	candidates := []string{name}
	if strings.HasPrefix(name, arnPrefix) {
		rest := strings.TrimPrefix(name, arnPrefix)
		candidates = []string{"/" + rest, rest}
	}
	for _, c := range candidates {
		if p := st.liveParam(c, now); p != nil {
			return p, nil
		}
	}
	return nil, protocol.Errorf(http.StatusBadRequest, "ParameterNotFound", "Parameter %s not found.", name)
}
