package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// The actions the sandbox runs ("Automation actions reference"). Each
// returns the action's outputs (the names AWS documents for it) or a
// failure; ctx ends at the step's timeout or the execution's cancel.

// approveDefaultTimeout is aws:approve's default timeout: 7 days
// ("aws:approve": "The default timeout for this action is 7 days").
const approveDefaultTimeout = 604800

func (a *Area) act(ctx context.Context, e *execution, se *stepExec, st *documents.AutomationStep, in map[string]any) (map[string]any, error) {
	switch st.Action {
	case "aws:sleep":
		return nil, a.sleep(ctx, in)
	case "aws:pause":
		a.setStatus(e, se, "Waiting", "Waiting")
		_, err := a.waitSignal(ctx, e, func(s signal) bool {
			return s.Type == "Resume" && (len(s.Payload["StepName"]) == 0 || first(s.Payload["StepName"]) == st.Name)
		})
		a.setStatus(e, se, "InProgress", "InProgress")
		return nil, err
	case "aws:approve":
		return a.approve(ctx, e, se, in)
	case "aws:branch":
		return nil, nil // the choice is made after the step (branchTarget)
	case "aws:runCommand":
		return a.runCommand(ctx, in)
	case "aws:changeInstanceState":
		return a.changeInstanceState(ctx, in)
	case "aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty":
		return a.resourceProperty(ctx, st.Action, in)
	case "aws:executeAutomation":
		return a.executeAutomation(ctx, e, in)
	case "aws:executeAwsApi":
		return a.executeAwsAPI(in)
	}
	return nil, fail("UnsupportedAction", "The sandbox does not run %s: it runs aws:approve, aws:assertAwsResourceProperty, aws:branch, aws:changeInstanceState, aws:executeAutomation, aws:executeAwsApi (SSM), aws:pause, aws:runCommand, aws:sleep and aws:waitForAwsResourceProperty.", st.Action)
}

// isoDuration is aws:sleep's Duration: ISO 8601 (PT10M, P1DT2H, PT0.5S).
var isoDuration = lazyre.New(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

func (a *Area) sleep(ctx context.Context, in map[string]any) error {
	var d time.Duration
	switch {
	case in["Duration"] != nil:
		s, _ := in["Duration"].(string)
		m := isoDuration.FindStringSubmatch(s)
		if m == nil || s == "P" || s == "PT" {
			return fail("Verification", "Duration %q is not an ISO 8601 duration (for example PT10M).", s)
		}
		days, _ := strconv.Atoi(m[1])
		hours, _ := strconv.Atoi(m[2])
		mins, _ := strconv.Atoi(m[3])
		secs, _ := strconv.ParseFloat(m[4], 64)
		d = time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour + time.Duration(mins)*time.Minute + time.Duration(secs*float64(time.Second))
	case in["Timestamp"] != nil:
		s, _ := in["Timestamp"].(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fail("Verification", "Timestamp %q is not an ISO 8601 time.", s)
		}
		d = t.Sub(a.h.Clock())
	default:
		return fail("Verification", "aws:sleep needs Duration or Timestamp.")
	}
	// "The maximum sleep duration is 604800 seconds (7 days)."
	if d > 7*24*time.Hour {
		return fail("Verification", "The sleep duration exceeds 604800 seconds (7 days).")
	}
	t := time.NewTimer(max(0, d))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// approve waits for approvals from the Approvers (IAM user names or
// ARNs, role ARNs) until MinRequiredApprovals are reached, or for one
// rejection.
func (a *Area) approve(ctx context.Context, e *execution, se *stepExec, in map[string]any) (map[string]any, error) {
	approvers := stringList(in["Approvers"])
	if len(approvers) == 0 {
		return nil, fail("Verification", "aws:approve needs Approvers.")
	}
	minApprovals := 1
	if v, ok := in["MinRequiredApprovals"]; ok {
		n, err := strconv.Atoi(scalar(v))
		if err != nil || n < 1 {
			return nil, fail("Verification", "MinRequiredApprovals must be a positive integer.")
		}
		minApprovals = n
	}
	a.setStatus(e, se, "Waiting", "Pending")
	defer a.setStatus(e, se, "InProgress", "InProgress")
	var decisions []map[string]any
	approved := map[string]bool{}
	for len(approved) < minApprovals {
		sig, err := a.waitSignal(ctx, e, func(s signal) bool { return s.Type == "Approve" || s.Type == "Reject" })
		if err != nil {
			return map[string]any{"ApprovalStatus": "Pending"}, err
		}
		d := map[string]any{"Approver": sig.Caller, "Action": sig.Type + "d", "ApprovalDate": a.h.Clock().UTC().Format(time.RFC3339)}
		if c := first(sig.Payload["Comment"]); c != "" {
			d["Comment"] = c
		}
		if sig.Type == "Reject" {
			d["Action"] = "Rejected"
		}
		decisions = append(decisions, d)
		b, _ := json.Marshal(decisions)
		out := map[string]any{"ApprovalStatus": "Pending", "ApproverDecisions": string(b)}
		if sig.Type == "Reject" {
			out["ApprovalStatus"] = "Rejected"
			return out, fail("Verification", "Step execution was rejected by %s.", sig.Caller)
		}
		approved[sig.Caller] = true
		if len(approved) >= minApprovals {
			out["ApprovalStatus"] = "Approved"
			return out, nil
		}
	}
	return nil, nil
}

// isApprover says whether the caller (an IAM user ARN) is one of the
// approvers: its ARN or its user name.
func isApprover(approvers []string, caller string) bool {
	name := caller[strings.LastIndex(caller, "/")+1:]
	return slices.Contains(approvers, caller) || slices.Contains(approvers, name)
}

// runCommand sends a command through Run Command and follows it to its
// end; a command that does not end Success fails the step.
func (a *Area) runCommand(ctx context.Context, in map[string]any) (map[string]any, error) {
	req := commands.SendRequest{
		DocumentName: scalarOr(in["DocumentName"]), DocumentVersion: scalarOr(in["DocumentVersion"]),
		InstanceIDs: stringList(in["InstanceIds"]), Comment: scalarOr(in["Comment"]),
		MaxConcurrency: scalarOr(in["MaxConcurrency"]), MaxErrors: scalarOr(in["MaxErrors"]),
	}
	if t, ok := in["TimeoutSeconds"]; ok {
		req.TimeoutSeconds, _ = strconv.Atoi(scalar(t))
	}
	if ts, ok := in["Targets"].([]any); ok {
		for _, t := range ts {
			m, _ := t.(map[string]any)
			req.Targets = append(req.Targets, commands.Target{Key: scalarOr(m["Key"]), Values: stringList(m["Values"])})
		}
	}
	if p, ok := in["Parameters"].(map[string]any); ok {
		req.Parameters = map[string][]string{}
		for k, v := range p {
			req.Parameters[k] = stringList(v)
		}
	}
	if req.DocumentName == "" {
		return nil, fail("Verification", "aws:runCommand needs DocumentName.")
	}
	id, err := a.commands.Send(req)
	if err != nil {
		return nil, fail("Invocation", "SendCommand failed: %v", err)
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		r, _ := a.commands.Result(id)
		if r.Done {
			out := map[string]any{"CommandId": id, "Status": r.Status}
			if len(r.Invocations) == 1 {
				out["ResponseCode"] = float64(r.Invocations[0].ResponseCode)
				out["Output"] = r.Invocations[0].Output
			}
			if r.Status != "Success" {
				var parts []string
				for _, inv := range r.Invocations {
					parts = append(parts, fmt.Sprintf("%s: Status=[%s], ResponseCode=[%d], Output=[%s]", inv.InstanceID, inv.Status, inv.ResponseCode, strings.TrimSpace(inv.Output)))
				}
				return out, fail("CommandFailed", "Command %s returns unexpected invocation result: %s.", id, strings.Join(parts, "; "))
			}
			return out, nil
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			a.commands.Cancel(id)
			return map[string]any{"CommandId": id, "Status": "Cancelled"}, ctx.Err()
		}
	}
}

// changeInstanceState moves EC2 nodes to running, stopped or terminated
// (DesiredState); CheckStateOnly only checks. A hybrid (mi-) node is not
// an EC2 instance.
func (a *Area) changeInstanceState(ctx context.Context, in map[string]any) (map[string]any, error) {
	ids := stringList(in["InstanceIds"])
	want := scalarOr(in["DesiredState"])
	if len(ids) == 0 {
		return nil, fail("Verification", "aws:changeInstanceState needs InstanceIds.")
	}
	if !slices.Contains([]string{"running", "stopped", "terminated"}, want) {
		return nil, fail("Verification", "DesiredState %q is not running, stopped or terminated.", want)
	}
	checkOnly := strings.EqualFold(scalarOr(in["CheckStateOnly"]), "true")
	for _, id := range ids {
		n, ok := a.nodes.Get(id)
		if !ok || n.Hybrid() {
			return nil, fail("Invocation", "An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID '%s' does not exist", id)
		}
		if n.InstanceState() == "terminated" && want != "terminated" {
			return nil, fail("Invocation", "Instance %s is terminated.", id)
		}
		if checkOnly {
			if n.InstanceState() != want {
				return nil, fail("Verification", "Instance %s is %s, not %s.", id, n.InstanceState(), want)
			}
			continue
		}
		if err := a.nodes.SetInstanceState(id, want); err != nil {
			return nil, fail("Invocation", "%v", err)
		}
	}
	return nil, ctx.Err()
}

// resourceProperty is aws:waitForAwsResourceProperty and
// aws:assertAwsResourceProperty on EC2 instance state: Service ec2, Api
// DescribeInstances or DescribeInstanceStatus, InstanceIds, a
// PropertySelector that ends in State.Name or InstanceState.Name, and
// DesiredValues.
func (a *Area) resourceProperty(ctx context.Context, action string, in map[string]any) (map[string]any, error) {
	svc, api, sel := scalarOr(in["Service"]), scalarOr(in["Api"]), scalarOr(in["PropertySelector"])
	if strings.EqualFold(svc, "ssm") {
		return a.ssmProperty(ctx, action, in)
	}
	if svc != "ec2" || (api != "DescribeInstances" && api != "DescribeInstanceStatus") || !(strings.HasSuffix(sel, "State.Name") || strings.HasSuffix(sel, "InstanceState.Name")) {
		return nil, fail("UnsupportedAction", "The sandbox answers %s on EC2 instance state only (Service ec2, Api DescribeInstances or DescribeInstanceStatus, a PropertySelector ending in State.Name), not %s %s %s.", action, svc, api, sel)
	}
	ids := stringList(in["InstanceIds"])
	desired := stringList(in["DesiredValues"])
	if len(ids) == 0 || len(desired) == 0 {
		return nil, fail("Verification", "%s needs InstanceIds and DesiredValues.", action)
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		n, ok := a.nodes.Get(ids[0])
		if !ok || n.Hybrid() {
			return nil, fail("Invocation", "An error occurred (InvalidInstanceID.NotFound) when calling the %s operation: The instance ID '%s' does not exist", api, ids[0])
		}
		state := n.InstanceState()
		if slices.Contains(desired, state) {
			return nil, nil
		}
		if action == "aws:assertAwsResourceProperty" {
			return nil, fail("Verification", "Asserted value %s is not in the DesiredValues %v.", state, desired)
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ssmProperty is aws:waitForAwsResourceProperty and
// aws:assertAwsResourceProperty on an SSM operation the sandbox serves
// (DescribeInstanceInformation's PlatformType or PingStatus, for
// example): the operation is called in-process with the other inputs as
// its request, PropertySelector picks the value, and it must be one of
// DesiredValues.
func (a *Area) ssmProperty(ctx context.Context, action string, in map[string]any) (map[string]any, error) {
	sel, desired := scalarOr(in["PropertySelector"]), stringList(in["DesiredValues"])
	if sel == "" || len(desired) == 0 {
		return nil, fail("Verification", "%s needs PropertySelector and DesiredValues.", action)
	}
	req := map[string]any{}
	for k, v := range in {
		if k != "PropertySelector" && k != "DesiredValues" {
			req[k] = v
		}
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		out, err := a.executeAwsAPI(req)
		if err != nil {
			return nil, err
		}
		got := scalarOr(selectPath(out["Response"], sel))
		if slices.Contains(desired, got) {
			return nil, nil
		}
		if action == "aws:assertAwsResourceProperty" {
			return nil, fail("Verification", "Asserted value %s is not in the DesiredValues %v.", got, desired)
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// executeAutomation starts a child execution and waits for its end.
func (a *Area) executeAutomation(ctx context.Context, e *execution, in map[string]any) (map[string]any, error) {
	name := scalarOr(in["DocumentName"])
	if name == "" {
		return nil, fail("Verification", "aws:executeAutomation needs DocumentName.")
	}
	req := &startAutomationExecutionInput{DocumentName: &name}
	if v := scalarOr(in["DocumentVersion"]); v != "" {
		req.DocumentVersion = &v
	}
	if p, ok := in["RuntimeParameters"].(map[string]any); ok {
		req.Parameters = map[string][]string{}
		for k, v := range p {
			req.Parameters[k] = stringList(v)
		}
	}
	if err := validateStart(req); err != nil {
		return nil, fail("Verification", "%v", err)
	}
	id, err := a.start(startRequest{in: req, parentID: e.ID})
	if err != nil {
		return nil, fail("Invocation", "%v", err)
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		status := a.statusOf(id)
		if terminal(status) {
			out := map[string]any{"ExecutionId": id, "Status": status}
			var outputs map[string][]string
			a.view(func(st *state) { outputs = st.byID[id].Outputs })
			if len(outputs) > 0 {
				b, _ := json.Marshal(outputs)
				out["Output"] = string(b)
			}
			if status != "Success" {
				return out, fail("Invocation", "The child automation execution %s ended %s.", id, status)
			}
			return out, nil
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			a.stopChild(id)
			return map[string]any{"ExecutionId": id}, ctx.Err()
		}
	}
}

// executeAwsAPI calls one of the SSM operations the sandbox serves, as
// the execution's caller; the step's outputs are selected from the
// answer. Other services are not emulated.
func (a *Area) executeAwsAPI(in map[string]any) (map[string]any, error) {
	svc, api := strings.ToLower(scalarOr(in["Service"])), scalarOr(in["Api"])
	if svc != "ssm" {
		return nil, fail("UnsupportedAction", "The sandbox serves aws:executeAwsApi for Service ssm only, not %q.", svc)
	}
	params := map[string]any{}
	for k, v := range in {
		if k != "Service" && k != "Api" {
			params[k] = v
		}
	}
	body, _ := json.Marshal(params)
	resp, err := a.h.Router.Call(router.SSM, upperFirst(api), body)
	if err != nil {
		return nil, fail("Invocation", "An error occurred when calling the %s operation: %v", api, err)
	}
	b, _ := json.Marshal(resp)
	var out map[string]any
	json.Unmarshal(b, &out)
	return map[string]any{"Response": out}, nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// branchTarget is the step an aws:branch step goes to: the first choice
// that holds, else Default; "" for another action.
func (a *Area) branchTarget(e *execution, st *documents.AutomationStep) string {
	if st.Action != "aws:branch" {
		return ""
	}
	in, _ := documents.Substitute(st.Inputs, a.variables(e)).(map[string]any)
	choices, _ := in["Choices"].([]any)
	for _, c := range choices {
		m, _ := c.(map[string]any)
		if choiceHolds(m) {
			return scalarOr(m["NextStep"])
		}
	}
	return scalarOr(in["Default"])
}

// choiceHolds evaluates one aws:branch choice: the string, numeric and
// boolean operators on Variable, and And, Or, Not.
func choiceHolds(m map[string]any) bool {
	if l, ok := m["And"].([]any); ok {
		for _, x := range l {
			if xm, _ := x.(map[string]any); !choiceHolds(xm) {
				return false
			}
		}
		return true
	}
	if l, ok := m["Or"].([]any); ok {
		for _, x := range l {
			if xm, _ := x.(map[string]any); choiceHolds(xm) {
				return true
			}
		}
		return false
	}
	if x, ok := m["Not"].(map[string]any); ok {
		return !choiceHolds(x)
	}
	v := scalarOr(m["Variable"])
	for op, want := range m {
		w := scalarOr(want)
		switch op {
		case "StringEquals":
			return v == w
		case "EqualsIgnoreCase":
			return strings.EqualFold(v, w)
		case "StartsWith":
			return strings.HasPrefix(v, w)
		case "EndsWith":
			return strings.HasSuffix(v, w)
		case "Contains":
			return strings.Contains(v, w)
		case "BooleanEquals":
			return strings.EqualFold(v, w)
		case "NumericEquals", "NumericGreater", "NumericLesser", "NumericGreaterOrEquals", "NumericLesserOrEquals":
			x, err1 := strconv.ParseFloat(v, 64)
			y, err2 := strconv.ParseFloat(w, 64)
			if err1 != nil || err2 != nil {
				return false
			}
			switch op {
			case "NumericEquals":
				return x == y
			case "NumericGreater":
				return x > y
			case "NumericLesser":
				return x < y
			case "NumericGreaterOrEquals":
				return x >= y
			default:
				return x <= y
			}
		}
	}
	return false
}

// selectOutputs evaluates a step's declared outputs: Selector is a path
// into the action's outputs ($.Payload.x, $.Response.Parameter.Value,
// $.Status).
func selectOutputs(st *documents.AutomationStep, outputs map[string]any) map[string]any {
	out := map[string]any{}
	for _, o := range st.Outputs {
		var root any = outputs
		if r, ok := outputs["Response"]; ok && !strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(o.Selector, "$"), "."), "Response") {
			root = r // aws:executeAwsApi selects in the API's answer
		}
		cur := selectPath(root, o.Selector)
		if cur != nil {
			out[o.Name] = cur
		}
	}
	return out
}

// selectPath follows a selector ($.A.B[0].C) into decoded JSON; nil
// when a part is missing.
func selectPath(cur any, selector string) any {
	path := strings.TrimPrefix(strings.TrimPrefix(selector, "$"), ".")
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			continue
		}
		key, idx := part, -1
		if i := strings.Index(part, "["); i >= 0 && strings.HasSuffix(part, "]") {
			key = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		m, _ := cur.(map[string]any)
		cur = m[key]
		if idx >= 0 {
			l, _ := cur.([]any)
			if idx < len(l) {
				cur = l[idx]
			} else {
				cur = nil
			}
		}
	}
	return cur
}

// stringList reads a StringList input: a list, or one string.
func stringList(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, scalar(e))
		}
		return out
	case string:
		if strings.HasPrefix(strings.TrimSpace(x), "[") {
			var l []string
			if json.Unmarshal([]byte(x), &l) == nil {
				return l
			}
		}
		return []string{x}
	}
	return []string{scalar(v)}
}

func scalarOr(v any) string {
	if v == nil {
		return ""
	}
	return scalar(v)
}
