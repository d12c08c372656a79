package commands

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"gopkg.in/yaml.v3"
)

// aws:runDocument steps.

// runDocumentStep runs another SSM document on the node (aws:runDocument
// with documentType SSMDocument): its steps run in order, their output
// appended to this step's, their statuses merged; at most three levels
// deep, as the agent allows.
func (r *runner) runDocumentStep(step documents.Step, depth int) stepResult {
	fail := func(msg string) stepResult {
		return stepResult{status: "Failed", code: 1, stderr: msg}
	}
	if depth+1 > documents.MaxRunDocumentDepth {
		return fail(fmt.Sprintf("Maximum depth for document execution exceeded. Maximum depth permitted - %d and current depth - %d", documents.MaxRunDocumentDepth, depth+1))
	}
	docType, _ := step.Inputs["documentType"].(string)
	path, _ := step.Inputs["documentPath"].(string)
	if docType != "SSMDocument" {
		return fail("invalid input: the sandbox runs aws:runDocument with documentType SSMDocument only, not " + docType)
	}
	if path == "AWS-Noop" {
		return stepResult{status: "Success"}
	}
	// documentPath may name a version: "Name:Version".
	name, version := path, ""
	if i := strings.LastIndex(path, ":"); i > 0 && !strings.HasPrefix(path, "arn:") {
		name, version = path[:i], path[i+1:]
	}
	var content *documents.Content
	var docName string
	var lookupErr error
	switch d, found, err := r.a.area.documents.Find(name, version, ""); {
	case !found:
		lookupErr = fmt.Errorf("InvalidDocument: Document with name %s does not exist", name)
	case err != nil:
		lookupErr = err
	default:
		content, docName = d.Content, d.Name
	}
	if lookupErr != nil {
		return fail(lookupErr.Error())
	}
	params := map[string]any{}
	switch x := step.Inputs["documentParameters"].(type) {
	case nil:
	case string:
		if strings.TrimSpace(x) != "" {
			if err := json.Unmarshal([]byte(x), &params); err != nil {
				var y any
				if yerr := yaml.Unmarshal([]byte(x), &y); yerr != nil {
					return fail(fmt.Sprintf("There was an error while preparing documents - Unmarshalling document parameters failed. Please make sure the parameters are specified in the right format. JSON format error - %v, YAML format error - %v.", err, yerr))
				}
				m, _ := documents.NormalizeYAML(y).(map[string]any)
				params = m
			}
		}
	case map[string]any:
		params = x
	default:
		return fail("There was an error while preparing documents - parameter type specified to run document is unknown")
	}
	resolved := map[string]any{}
	for k, v := range params {
		p := content.Param(k)
		if p == nil {
			return fail(fmt.Sprintf("There was an error while preparing documents - parameter %s is not defined in document %s", k, docName))
		}
		if v == nil {
			continue
		}
		tv, err := p.TypedValue(v)
		if err != nil {
			return fail(fmt.Sprintf("There was an error while preparing documents - parameter %s: %v", k, err))
		}
		resolved[k] = tv
	}
	for _, p := range content.Params {
		if _, ok := resolved[p.Name]; ok {
			continue
		}
		if !p.HasDefault {
			return fail(fmt.Sprintf("There was an error while preparing documents - parameter %s of document %s is required", p.Name, docName))
		}
		resolved[p.Name], _ = p.TypedValue(p.Default)
	}
	steps := make([]documents.Step, len(content.Steps))
	for i, st := range content.Steps {
		st.Inputs = documents.Substitute(st.Inputs, resolved).(map[string]any)
		steps[i] = st
	}
	var results []stepResult
	statuses := r.runStepsInto(steps, nil, depth+1, &results)
	out := stepResult{status: mergeStatus(statuses)}
	var stdout, stderr []string
	for _, res := range results {
		if res.stdout != "" {
			stdout = append(stdout, res.stdout)
		} else if res.message != "" {
			stdout = append(stdout, res.message)
		}
		if res.stderr != "" {
			stderr = append(stderr, res.stderr)
		}
		if out.code == 0 && res.code != 0 {
			out.code = res.code
		}
	}
	out.stdout, out.stderr = strings.Join(stdout, "\n"), strings.Join(stderr, "\n")
	if out.status == "Failed" && out.code == 0 {
		out.code = 1
	}
	return out
}
