package documents

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Automation runbooks (DocumentType Automation, schema 0.3): their steps
// with the step properties AWS defines ("Runbook properties" and
// "Automation actions reference", AWS Systems Manager User Guide). The
// automation area runs them.

// AutomationStep is one mainSteps entry of a runbook.
type AutomationStep struct {
	Name           string
	Action         string
	Description    string
	Inputs         map[string]any
	MaxAttempts    int // default 1
	TimeoutSeconds int // 0: the action's own limit
	OnFailure      string
	OnCancel       string
	IsEnd          bool
	NextStep       string
	IsCritical     bool // default true
	Outputs        []AutomationOutput
}

// AutomationOutput is one declared step output: a JSONPath-like selector
// into the action's response.
type AutomationOutput struct {
	Name     string
	Selector string
	Type     string
}

// AutomationContent is a parsed runbook's own parts.
type AutomationContent struct {
	AssumeRole string
	Outputs    []string
	Steps      []AutomationStep
}

// Step returns the step called name, or nil.
func (c *AutomationContent) Step(name string) *AutomationStep {
	for i := range c.Steps {
		if c.Steps[i].Name == name {
			return &c.Steps[i]
		}
	}
	return nil
}

// AutomationActions are the actions AWS documents for schema 0.3; the
// automation area runs some and fails the others when they run.
var AutomationActions = []string{
	"aws:approve", "aws:assertAwsResourceProperty", "aws:branch", "aws:changeInstanceState",
	"aws:copyImage", "aws:createImage", "aws:createStack", "aws:createTags", "aws:deleteImage",
	"aws:deleteStack", "aws:executeAutomation", "aws:executeAwsApi", "aws:executeScript",
	"aws:executeStateMachine", "aws:invokeLambdaFunction", "aws:invokeWebhook", "aws:loop",
	"aws:pause", "aws:runCommand", "aws:runInstances", "aws:sleep", "aws:updateVariable",
	"aws:waitForAwsResourceProperty",
}

// parseAutomationContent parses and checks a runbook.
func parseAutomationContent(content, format string) (*Content, *protocol.APIError) {
	raw, err := decodeDocument(content, format)
	if err != nil {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The content is not valid %s: %v", format, err))
	}
	c := &Content{Automation: &AutomationContent{}}
	c.SchemaVersion, _ = raw["schemaVersion"].(string)
	c.Description, _ = raw["description"].(string)
	if c.SchemaVersion != "0.3" {
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Automation documents support schema version 0.3 only, not %q.", c.SchemaVersion)
	}
	if aerr := c.parseParams(raw, content, format); aerr != nil {
		return nil, aerr
	}
	ac := c.Automation
	ac.AssumeRole, _ = raw["assumeRole"].(string)
	if outs, ok := raw["outputs"].([]any); ok {
		for _, o := range outs {
			s, _ := o.(string)
			ac.Outputs = append(ac.Outputs, s)
		}
	}
	steps, ok := raw["mainSteps"].([]any)
	if !ok || len(steps) == 0 {
		return nil, errInvalidDocumentContent("mainSteps is required and must list at least one step.")
	}
	for i, s := range steps {
		m, ok := s.(map[string]any)
		if !ok {
			return nil, errInvalidDocumentContent(fmt.Sprintf("Step %d must be an object.", i+1))
		}
		st, aerr := parseAutomationStep(i, m)
		if aerr != nil {
			return nil, aerr
		}
		if ac.Step(st.Name) != nil {
			return nil, errInvalidDocumentContent(fmt.Sprintf("Step name %s is used twice.", st.Name))
		}
		ac.Steps = append(ac.Steps, st)
	}
	for _, st := range ac.Steps {
		for _, ref := range stepRefs(st) {
			if ac.Step(ref) == nil {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s refers to step %s, which the document does not have.", st.Name, ref))
			}
		}
	}
	// A {{ name }} without a dot or colon names a parameter; the others
	// are step outputs ({{ step.Output }}) and automation variables
	// ({{ automation:EXECUTION_ID }}, {{ global:REGION }}).
	var undeclared []string
	walkStrings(raw["mainSteps"], func(s string) {
		for _, m := range placeholderPattern.FindAllStringSubmatch(s, -1) {
			if !strings.ContainsAny(m[1], ".:") && c.Param(m[1]) == nil && !slices.Contains(undeclared, m[1]) {
				undeclared = append(undeclared, m[1])
			}
		}
	})
	if len(undeclared) > 0 {
		return nil, errInvalidDocumentContent(fmt.Sprintf("Parameters used in the document are not declared: %s.", strings.Join(undeclared, ", ")))
	}
	return c, nil
}

func parseAutomationStep(i int, m map[string]any) (AutomationStep, *protocol.APIError) {
	st := AutomationStep{MaxAttempts: 1, IsCritical: true, OnFailure: "Abort", OnCancel: "Abort"}
	st.Name, _ = m["name"].(string)
	st.Action, _ = m["action"].(string)
	st.Description, _ = m["description"].(string)
	st.Inputs, _ = m["inputs"].(map[string]any)
	if st.Name == "" || !versionNamePattern.MatchString(st.Name) {
		return st, errInvalidDocumentContent(fmt.Sprintf("Step %d: name %q is missing or invalid (letters, digits, _ . - only).", i+1, st.Name))
	}
	if !slices.Contains(AutomationActions, st.Action) {
		return st, errInvalidDocumentContent(fmt.Sprintf("Step %s: action %q is not an Automation action.", st.Name, st.Action))
	}
	if st.Inputs == nil && st.Action != "aws:pause" {
		return st, errInvalidDocumentContent(fmt.Sprintf("Step %s has no inputs.", st.Name))
	}
	for key, dst := range map[string]*int{"maxAttempts": &st.MaxAttempts, "timeoutSeconds": &st.TimeoutSeconds} {
		n, err := intField(m, key)
		if err != nil {
			return st, errInvalidDocumentContent(fmt.Sprintf("Step %s: %v.", st.Name, err))
		}
		if n != nil {
			*dst = *n
		}
	}
	if st.MaxAttempts < 1 {
		return st, errInvalidDocumentContent(fmt.Sprintf("Step %s: maxAttempts must be at least 1.", st.Name))
	}
	for key, dst := range map[string]*string{"onFailure": &st.OnFailure, "onCancel": &st.OnCancel, "nextStep": &st.NextStep} {
		if v, ok := m[key]; ok {
			s, _ := v.(string)
			*dst = s
		}
	}
	for _, f := range []struct{ key, v string }{{"onFailure", st.OnFailure}, {"onCancel", st.OnCancel}} {
		if f.v != "Abort" && f.v != "Continue" && !strings.HasPrefix(f.v, "step:") {
			return st, errInvalidDocumentContent(fmt.Sprintf("Step %s: %s must be Abort, Continue or step:NAME, not %q.", st.Name, f.key, f.v))
		}
	}
	for key, dst := range map[string]*bool{"isEnd": &st.IsEnd, "isCritical": &st.IsCritical} {
		switch v := m[key].(type) {
		case bool:
			*dst = v
		case string:
			*dst = strings.EqualFold(v, "true")
		}
	}
	if _, given := m["isCritical"]; !given && st.OnFailure == "Continue" {
		// "If onFailure is set to Continue, the value defaults to false."
		st.IsCritical = false
	}
	if outs, ok := m["outputs"].([]any); ok {
		for _, o := range outs {
			om, _ := o.(map[string]any)
			var out AutomationOutput
			out.Name, _ = om["Name"].(string)
			out.Selector, _ = om["Selector"].(string)
			out.Type, _ = om["Type"].(string)
			if out.Name == "" || out.Selector == "" {
				return st, errInvalidDocumentContent(fmt.Sprintf("Step %s: each output needs a Name and a Selector.", st.Name))
			}
			st.Outputs = append(st.Outputs, out)
		}
	}
	return st, nil
}

// stepRefs are the steps a step can go to: nextStep, onFailure and
// onCancel's step:NAME, and an aws:branch's choices and default.
func stepRefs(st AutomationStep) []string {
	var refs []string
	if st.NextStep != "" {
		refs = append(refs, st.NextStep)
	}
	for _, v := range []string{st.OnFailure, st.OnCancel} {
		if name, ok := strings.CutPrefix(v, "step:"); ok {
			refs = append(refs, name)
		}
	}
	if st.Action == "aws:branch" {
		choices, _ := st.Inputs["Choices"].([]any)
		for _, ch := range choices {
			if m, ok := ch.(map[string]any); ok {
				if s, ok := m["NextStep"].(string); ok {
					refs = append(refs, s)
				}
			}
		}
		if s, ok := st.Inputs["Default"].(string); ok {
			refs = append(refs, s)
		}
	}
	return refs
}
