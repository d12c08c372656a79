package automation

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// StartAutomationExecution: validation, the runbook and its parameters,
// rate control, and the engine.

var (
	// From the model: DocumentARN, DocumentVersion, IdempotencyToken.
	documentARNPattern = lazyre.New(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	versionPattern     = lazyre.New(`([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`)
	tokenPattern       = lazyre.New(`[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}`)
	// ExecutionRoleName.
	roleNamePattern = lazyre.New(`[\w+=,.@/-]+`)
)

// maxRunning is the quota of automations running at once ("Systems
// Manager service quotas": concurrently executing automations, 100 per
// account and Region); StartAutomationExecution answers
// AutomationExecutionLimitExceededException beyond it.
const maxRunning = 100

// Rate control defaults: the model's MaxConcurrency documentation gives
// 10; MaxErrors has no documented default, and the sandbox takes none as
// 0 (stop after the first error), as the console's default of "0 errors".
const (
	defaultMaxConcurrency = "10"
	defaultMaxErrors      = "0"
)

func validateStart(in *startAutomationExecutionInput) error {
	var v protocol.Validator
	if v.Required("documentName", in.DocumentName != nil) {
		v.Pattern("documentName", *in.DocumentName, documentARNPattern)
	}
	if in.DocumentVersion != nil {
		v.Pattern("documentVersion", *in.DocumentVersion, versionPattern)
	}
	validateParamMap(&v, "parameters", in.Parameters)
	if in.ClientToken != nil {
		v.Length("clientToken", *in.ClientToken, 36, 36)
		v.Pattern("clientToken", *in.ClientToken, tokenPattern)
	}
	if in.Mode != nil {
		v.Enum("mode", *in.Mode, "Auto", "Interactive")
	}
	if in.TargetParameterName != nil {
		v.Length("targetParameterName", *in.TargetParameterName, 1, 50)
	}
	v.Count("targets", len(in.Targets), 0, 5)
	for i, t := range in.Targets {
		p := fmt.Sprintf("targets.%d.member", i+1)
		if t.Key != nil {
			v.Length(p+".key", *t.Key, 1, 163)
			v.Pattern(p+".key", *t.Key, commands.TargetKeyPattern)
		}
		v.Count(p+".values", len(t.Values), 0, 50)
	}
	// TargetMaps: 0-300 maps of 1-20 keys (1-50 characters), each with
	// 0-25 values of 1-50 characters.
	v.Count("targetMaps", len(in.TargetMaps), 0, 300)
	for i, m := range in.TargetMaps {
		validateMap(&v, fmt.Sprintf("targetMaps.%d.member", i+1), m, mapLimits{keys: 20, values: 25, valueLen: 50})
	}
	if in.MaxConcurrency != nil {
		v.Length("maxConcurrency", *in.MaxConcurrency, 1, 7)
		v.Pattern("maxConcurrency", *in.MaxConcurrency, commands.MaxConcurrencyPattern)
	}
	if in.MaxErrors != nil {
		v.Length("maxErrors", *in.MaxErrors, 1, 7)
		v.Pattern("maxErrors", *in.MaxErrors, commands.MaxErrorsPattern)
	}
	if in.TargetLocations != nil {
		v.Count("targetLocations", len(in.TargetLocations), 1, 100)
	}
	for i, l := range in.TargetLocations {
		p := fmt.Sprintf("targetLocations.%d.member", i+1)
		v.Count(p+".accounts", len(l.Accounts), 1, 50)
		v.Count(p+".regions", len(l.Regions), 1, 50)
		for _, r := range []struct {
			name string
			val  *string
			re   protocol.Pattern
		}{{"targetLocationMaxConcurrency", l.TargetLocationMaxConcurrency, commands.MaxConcurrencyPattern}, {"targetLocationMaxErrors", l.TargetLocationMaxErrors, commands.MaxErrorsPattern},
			{"targetsMaxConcurrency", l.TargetsMaxConcurrency, commands.MaxConcurrencyPattern}, {"targetsMaxErrors", l.TargetsMaxErrors, commands.MaxErrorsPattern}} {
			if r.val != nil {
				v.Length(p+"."+r.name, *r.val, 1, 7)
				v.Pattern(p+"."+r.name, *r.val, r.re)
			}
		}
		if l.ExecutionRoleName != nil {
			v.Length(p+".executionRoleName", *l.ExecutionRoleName, 1, 64)
			v.Pattern(p+".executionRoleName", *l.ExecutionRoleName, roleNamePattern)
		}
	}
	v.Count("tags", len(in.Tags), 0, 1000)
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

// validateParamMap applies AutomationParameterMap's limits: 1-200 keys of
// 1-50 characters, each with 0-50 values of 1-512 characters.
func validateParamMap(v *protocol.Validator, path string, m map[string][]string) {
	if m == nil {
		return
	}
	validateMap(v, path, m, mapLimits{keys: 200, values: 50, valueLen: 512})
}

// mapLimits are a map's most keys, values per key and value length (keys
// are 1-50 characters in both maps the model defines).
type mapLimits struct{ keys, values, valueLen int }

// validateMap checks a string-list map: 1 to l.keys keys of 1-50
// characters, each with 0 to l.values values of 1 to l.valueLen.
func validateMap(v *protocol.Validator, path string, m map[string][]string, l mapLimits) {
	v.Count(path, len(m), 1, l.keys)
	for k, vals := range m {
		v.Length(path+".key", k, 1, 50)
		v.Count(path+"."+k, len(vals), 0, l.values)
		for _, s := range vals {
			v.Length(path+"."+k+".member", s, 1, l.valueLen)
		}
	}
}

// startRequest is a start from the API or from aws:executeAutomation or
// rate control (a child).
type startRequest struct {
	in       *startAutomationExecutionInput
	parentID string
	target   string
	location *location
	// executedBy is a TargetLocation child's caller: the execution role
	// assumed in its account ("" is the caller's ARN).
	executedBy string
}

func (a *Area) startAutomationExecution(in *startAutomationExecutionInput) (*startAutomationExecutionOutput, error) {
	if err := validateStart(in); err != nil {
		return nil, err
	}
	id, err := a.start(startRequest{in: in})
	if err != nil {
		return nil, err
	}
	return &startAutomationExecutionOutput{AutomationExecutionId: id}, nil
}

// start checks what the model cannot say, resolves the runbook, its
// parameters and targets, stores the execution and starts its engine.
func (a *Area) start(r startRequest) (string, error) {
	in := r.in
	switch {
	case in.TargetLocationsURL != nil:
		return "", protocol.ErrValidation("The sandbox cannot read TargetLocationsURL (an S3 object): give TargetLocations.")
	case len(in.TargetMaps) > 0 && len(in.Targets) > 0:
		// The model: "Both Targets and TargetMaps can't be specified
		// together."
		return "", protocol.ErrValidation("Both Targets and TargetMaps can't be specified together.")
	case len(in.TargetMaps) > 0 && len(in.TargetLocations) > 0:
		return "", protocol.ErrValidation("The sandbox does not combine TargetMaps with TargetLocations: give the locations' Targets.")
	case len(in.TargetLocations) > 0 && r.parentID != "":
		return "", protocol.ErrValidation("A child execution cannot have TargetLocations.")
	case len(in.Targets) > 0 && in.TargetParameterName == nil:
		return "", protocol.ErrValidation("TargetParameterName is required when Targets are given.")
	case in.TargetParameterName != nil && len(in.Targets) == 0 && len(in.TargetMaps) == 0:
		return "", protocol.ErrValidation("Targets are required when TargetParameterName is given.")
	}
	d, found, ferr := a.documents.Find(*in.DocumentName, protocol.Deref(in.DocumentVersion), "")
	switch {
	case !found:
		return "", errDefinitionNotFound(fmt.Sprintf("Automation definition %s was not found.", *in.DocumentName))
	case ferr != nil:
		return "", protocol.Errorf(http.StatusBadRequest, "AutomationDefinitionVersionNotFoundException",
			"Automation definition %s:%s was not found.", d.Name, protocol.Deref(in.DocumentVersion))
	case d.DocumentType != "Automation" || d.Content.Automation == nil:
		return "", errDefinitionNotFound(fmt.Sprintf("Document %s is a %s document, not an Automation runbook.", d.Name, d.DocumentType))
	}
	given := in.Parameters
	var targets []string
	if len(in.TargetMaps) > 0 {
		return a.startTargetMaps(r, d)
	}
	if in.TargetParameterName != nil {
		if d.Content.Param(*in.TargetParameterName) == nil {
			return "", errInvalidParameters(fmt.Sprintf("TargetParameterName %s is not a parameter of %s.", *in.TargetParameterName, d.Name))
		}
		if len(in.TargetLocations) == 0 {
			var err error
			if targets, err = a.resolveTargets(in.Targets); err != nil {
				return "", err
			}
		}
		// Each child gets its target; the parent checks the others.
		given = map[string][]string{}
		for k, v := range in.Parameters {
			given[k] = v
		}
		given[*in.TargetParameterName] = []string{"placeholder"}
	}
	params, aerr := documents.ResolveParameters(d.Name, d.Content, given)
	if aerr != nil {
		return "", errInvalidParameters(aerr.Message)
	}
	e := &execution{
		ID: newID(), DocumentName: d.Name, DocumentVersion: strconv.Itoa(d.Version), Status: "Pending",
		Mode: "Auto", Start: a.h.Clock(), ExecutedBy: cmp.Or(r.executedBy, a.h.CallerARN()), ParentID: r.parentID, Target: r.target,
		content: d.Content.Automation, params: params, wake: make(chan struct{}, 1),
		Locations: in.TargetLocations, Location: r.location,
	}
	e.Parameters = wireParams(params)
	if in.TargetParameterName != nil && len(in.TargetLocations) > 0 {
		// Each location's child does the rate control.
		e.TargetParameterName, e.Targets = *in.TargetParameterName, in.Targets
		e.MaxConcurrency, e.MaxErrors = protocol.Deref(in.MaxConcurrency), protocol.Deref(in.MaxErrors)
	} else if in.TargetParameterName != nil {
		e.TargetParameterName, e.Targets, e.ResolvedTargets = *in.TargetParameterName, in.Targets, targets
		delete(e.Parameters, e.TargetParameterName)
		e.MaxConcurrency, e.MaxErrors = defaultMaxConcurrency, defaultMaxErrors
		if in.MaxConcurrency != nil {
			e.MaxConcurrency = *in.MaxConcurrency
		}
		if in.MaxErrors != nil {
			e.MaxErrors = *in.MaxErrors
		}
	}
	return a.store(e, in)
}

// startTargetMaps starts a parent of TargetMaps: each map, over the
// common Parameters, is one child's parameters, checked against the
// runbook before anything starts ("Targeting parameter value maps" in the
// Automation user guide). A TargetParameterName names the parameter whose
// value is each child's target.
func (a *Area) startTargetMaps(r startRequest, d documents.Found) (string, error) {
	in := r.in
	var params map[string]any
	var targets []string
	for i, m := range in.TargetMaps {
		given := overlay(in.Parameters, m)
		p, aerr := documents.ResolveParameters(d.Name, d.Content, given)
		if aerr != nil {
			return "", errInvalidParameters(fmt.Sprintf("TargetMaps %d: %s", i+1, aerr.Message))
		}
		if params == nil {
			params = p
		}
		if in.TargetParameterName != nil {
			if d.Content.Param(*in.TargetParameterName) == nil {
				return "", errInvalidParameters(fmt.Sprintf("TargetParameterName %s is not a parameter of %s.", *in.TargetParameterName, d.Name))
			}
			targets = append(targets, strings.Join(given[*in.TargetParameterName], ","))
		}
	}
	e := &execution{
		ID: newID(), DocumentName: d.Name, DocumentVersion: strconv.Itoa(d.Version), Status: "Pending",
		Mode: "Auto", Start: a.h.Clock(), ExecutedBy: a.h.CallerARN(), ParentID: r.parentID, Target: r.target,
		content: d.Content.Automation, params: params, wake: make(chan struct{}, 1),
		TargetMaps: in.TargetMaps, Parameters: map[string][]string{},
		MaxConcurrency: defaultMaxConcurrency, MaxErrors: defaultMaxErrors,
	}
	for k, v := range in.Parameters {
		e.Parameters[k] = v
	}
	if in.TargetParameterName != nil {
		e.TargetParameterName, e.ResolvedTargets = *in.TargetParameterName, targets
	}
	if in.MaxConcurrency != nil {
		e.MaxConcurrency = *in.MaxConcurrency
	}
	if in.MaxErrors != nil {
		e.MaxErrors = *in.MaxErrors
	}
	return a.store(e, in)
}

// overlay is base with top's keys laid over it (a new map).
func overlay(base, top map[string][]string) map[string][]string {
	out := make(map[string][]string, len(base)+len(top))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range top {
		out[k] = v
	}
	return out
}

// store takes the request's Mode, Tags and ClientToken, checks the
// idempotency token and the quota, stores the execution and starts its
// engine; it returns its ID (the earlier one for a repeated ClientToken).
func (a *Area) store(e *execution, in *startAutomationExecutionInput) (string, error) {
	if in.Mode != nil {
		e.Mode = *in.Mode
	}
	for _, t := range in.Tags {
		if e.Tags == nil {
			e.Tags = map[string]string{}
		}
		e.Tags[protocol.Deref(t.Key)] = protocol.Deref(t.Value)
	}
	if in.ClientToken != nil {
		e.ClientToken = strings.ToLower(*in.ClientToken)
		e.Fingerprint = protocol.PageFingerprint(in.DocumentName, in.DocumentVersion, in.Parameters, in.Mode, in.Targets, in.TargetParameterName, in.MaxConcurrency, in.MaxErrors, in.TargetMaps)
	}
	id := e.ID
	err := a.mutate(func(st *state) error {
		if a.closed {
			return protocol.ErrValidation("The sandbox is closing.")
		}
		if e.ClientToken != "" {
			if prev := st.byID[st.tokens[e.ClientToken]]; prev != nil {
				if prev.Fingerprint != e.Fingerprint {
					return protocol.Errorf(http.StatusBadRequest, "IdempotentParameterMismatch", "The ClientToken was used with other parameters.")
				}
				id, e = prev.ID, nil
				return nil
			}
		}
		running := 0
		for _, x := range st.Executions {
			if !terminal(x.Status) {
				running++
			}
		}
		if running >= maxRunning {
			return protocol.Errorf(http.StatusBadRequest, "AutomationExecutionLimitExceededException",
				"The number of simultaneously running Automation executions exceeded the allowable limit of %d.", maxRunning)
		}
		st.Executions = append(st.Executions, e)
		st.byID[e.ID] = e
		if e.ClientToken != "" {
			st.tokens[e.ClientToken] = e.ID
		}
		e.ctx, e.cancel = context.WithCancel(a.ctx)
		a.wg.Add(1)
		return nil
	})
	if err != nil {
		return "", err
	}
	if e != nil {
		go a.run(e)
	}
	return id, nil
}

// resolveTargets turns rate control's Targets into the values of the
// target parameter: ParameterValues as given, InstanceIds, and the nodes
// a tag:KEY, tag-key or AWS::EC2::Instance (*) target selects.
func (a *Area) resolveTargets(targets []targetWire) ([]string, error) {
	var out []string
	fleet := a.nodes.All()
	add := func(v string) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, t := range targets {
		key := protocol.Deref(t.Key)
		switch {
		case key == "ParameterValues" || key == "InstanceIds":
			for _, v := range t.Values {
				add(v)
			}
		case key == "AWS::EC2::Instance" && slices.Equal(t.Values, []string{"*"}):
			for _, n := range fleet {
				if !n.Hybrid() {
					add(n.ID)
				}
			}
		case strings.HasPrefix(key, "tag:") || key == "tag-key":
			for _, n := range fleet {
				if nodes.Matches(n, key, t.Values) {
					add(n.ID)
				}
			}
		default:
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidTarget", "Target key %s is not supported by the sandbox: use ParameterValues, InstanceIds, tag:<key>, tag-key or AWS::EC2::Instance.", key)
		}
	}
	if len(out) == 0 {
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidTarget", "The targets resolved to no resources.")
	}
	sort.Strings(out)
	return out, nil
}

// wireParams is the parameters as the API shows them: lists of strings.
func wireParams(params map[string]any) map[string][]string {
	out := make(map[string][]string, len(params))
	for k, v := range params {
		out[k] = strings_(v)
	}
	return out
}

// strings_ renders a typed value as a list of strings: a list item by
// item, a map as JSON, a number or boolean in its plain form.
func strings_(v any) []string {
	switch x := v.(type) {
	case nil:
		return []string{}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, scalar(e))
		}
		return out
	case []string:
		return x
	}
	return []string{scalar(v)}
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
