package documents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"gopkg.in/yaml.v3"
)

// Parsing document content (JSON or YAML) into Content.

// decodeDocument decodes JSON or YAML content into plain Go values
// (map[string]any, []any, string, float64/int, bool).
func decodeDocument(content, format string) (map[string]any, error) {
	var raw any
	if format == "YAML" {
		if err := yaml.Unmarshal([]byte(content), &raw); err != nil {
			return nil, err
		}
	} else {
		dec := json.NewDecoder(strings.NewReader(content))
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if dec.More() {
			return nil, fmt.Errorf("content after the end of the JSON document")
		}
	}
	m, ok := NormalizeYAML(raw).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not an object")
	}
	return m, nil
}

// NormalizeYAML turns yaml.v3's values into encoding/json's shapes.
func NormalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = NormalizeYAML(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = NormalizeYAML(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = NormalizeYAML(e)
		}
		return x
	case int:
		return float64(x)
	}
	return v
}

// parameterOrder returns the keys of the document's "parameters" object in
// the order the author wrote them (DescribeDocument lists them so).
func parameterOrder(content, format string) []string {
	var keys []string
	if format == "YAML" {
		var root yaml.Node
		if yaml.Unmarshal([]byte(content), &root) != nil || len(root.Content) == 0 {
			return nil
		}
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "parameters" && m.Content[i+1].Kind == yaml.MappingNode {
				p := m.Content[i+1]
				for j := 0; j+1 < len(p.Content); j += 2 {
					keys = append(keys, p.Content[j].Value)
				}
			}
		}
		return keys
	}
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(content), &top) != nil || top["parameters"] == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(top["parameters"]))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		if k, ok := t.(string); ok {
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func intField(m map[string]any, key string) (*int, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case float64:
		n := int(x)
		return &n, nil
	case string:
		n, err := strconv.Atoi(x)
		if err == nil {
			return &n, nil
		}
	}
	return nil, fmt.Errorf("%s must be a number", key)
}

// parseDocumentContent parses and checks a Command document. Schema 2.2
// (and 2.0) documents have mainSteps; the AWS-owned 1.2 documents have a
// runtimeConfig.
func parseDocumentContent(content, format string) (*Content, *protocol.APIError) {
	raw, err := decodeDocument(content, format)
	if err != nil {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The content is not valid %s: %v", format, err))
	}
	c := &Content{}
	c.SchemaVersion, _ = raw["schemaVersion"].(string)
	c.Description, _ = raw["description"].(string)
	switch c.SchemaVersion {
	case "1.2", "2.0", "2.2":
	case "1.0":
		if _, ok := raw["sessionType"]; ok {
			return nil, errInvalidDocumentContent("A document with a sessionType is a Session document: create it with DocumentType Session.")
		}
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Schema version 1.0 is not supported for Command documents: use 2.2.")
	case "":
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "The document has no schemaVersion.")
	default:
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Schema version %s is not supported for Command documents: use 2.2.", c.SchemaVersion)
	}
	if err := c.parseParams(raw, content, format); err != nil {
		return nil, err
	}

	if c.SchemaVersion == "1.2" {
		c.Legacy = true
		rc, _ := raw["runtimeConfig"].(map[string]any)
		if len(rc) == 0 {
			return nil, errInvalidDocumentContent("A schema 1.2 document needs a runtimeConfig.")
		}
		names := make([]string, 0, len(rc))
		for k := range rc {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, plugin := range names {
			cfg, _ := rc[plugin].(map[string]any)
			props, _ := cfg["properties"].([]any)
			for _, p := range props {
				in, _ := p.(map[string]any)
				c.Steps = append(c.Steps, Step{Action: plugin, Name: plugin, Inputs: in})
			}
		}
	} else {
		steps, ok := raw["mainSteps"].([]any)
		if !ok || len(steps) == 0 {
			return nil, errInvalidDocumentContent("mainSteps is required and must list at least one step.")
		}
		seen := map[string]bool{}
		for i, s := range steps {
			m, ok := s.(map[string]any)
			if !ok {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %d must be an object.", i+1))
			}
			st := Step{}
			st.Action, _ = m["action"].(string)
			st.Name, _ = m["name"].(string)
			st.Inputs, _ = m["inputs"].(map[string]any)
			st.Precondition, _ = m["precondition"].(map[string]any)
			if st.Name == "" || !versionNamePattern.MatchString(st.Name) {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %d: name %q is missing or invalid (letters, digits, _ . - only).", i+1, st.Name))
			}
			if seen[st.Name] {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step name %s is used twice.", st.Name))
			}
			seen[st.Name] = true
			if !slices.Contains(knownPlugins, st.Action) {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: action %q is not a Command document plugin.", st.Name, st.Action))
			}
			if st.Inputs == nil {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s has no inputs.", st.Name))
			}
			if st.Action == "aws:runShellScript" || st.Action == "aws:runPowerShellScript" {
				if _, ok := st.Inputs["runCommand"]; !ok {
					return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: %s needs runCommand.", st.Name, st.Action))
				}
			}
			if st.Action == "aws:runDocument" {
				if dt, _ := st.Inputs["documentType"].(string); dt != "SSMDocument" && dt != "LocalPath" && !placeholderPattern.MatchString(dt) {
					return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: documentType must be SSMDocument or LocalPath.", st.Name))
				}
				if dp, _ := st.Inputs["documentPath"].(string); dp == "" {
					return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: documentPath is required.", st.Name))
				}
			}
			c.Steps = append(c.Steps, st)
		}
	}
	// Every {{ name }} must name a declared parameter (ssm: and ssm-secure:
	// references to Parameter Store are not supported by the sandbox).
	var undeclared []string
	walkStrings(raw["mainSteps"], func(s string) {
		for _, m := range placeholderPattern.FindAllStringSubmatch(s, -1) {
			if c.Param(m[1]) == nil && !slices.Contains(undeclared, m[1]) {
				undeclared = append(undeclared, m[1])
			}
		}
	})
	if len(undeclared) > 0 {
		return nil, errInvalidDocumentContent(fmt.Sprintf("Parameters used in the document are not declared: %s.", strings.Join(undeclared, ", ")))
	}
	return c, nil
}

// parseParams reads a document's parameters, in the order the content
// declares them.
func (c *Content) parseParams(raw map[string]any, content, format string) *protocol.APIError {
	params, _ := raw["parameters"].(map[string]any)
	if raw["parameters"] != nil && params == nil {
		return errInvalidDocumentContent("parameters must be an object.")
	}
	order := parameterOrder(content, format)
	for name := range params {
		if !slices.Contains(order, name) {
			order = append(order, name)
		}
	}
	for _, name := range order {
		spec, ok := params[name].(map[string]any)
		if !ok {
			return errInvalidDocumentContent(fmt.Sprintf("Parameter %s must be an object.", name))
		}
		if !documentParamNamePattern.MatchString(name) {
			return errInvalidDocumentContent(fmt.Sprintf("Parameter name %s is invalid: use letters and digits only.", name))
		}
		p := &Param{Name: name}
		p.Type, _ = spec["type"].(string)
		if !slices.Contains(documentParamTypes, p.Type) {
			return errInvalidDocumentContent(fmt.Sprintf("Parameter %s has type %q: want one of %s.", name, p.Type, strings.Join(documentParamTypes, ", ")))
		}
		p.Description, _ = spec["description"].(string)
		p.AllowedPattern, _ = spec["allowedPattern"].(string)
		if p.AllowedPattern != "" {
			if _, err := regexp.Compile(p.AllowedPattern); err != nil {
				return errInvalidDocumentContent(fmt.Sprintf("Parameter %s: allowedPattern is not a valid regular expression.", name))
			}
		}
		if av, ok := spec["allowedValues"].([]any); ok {
			for _, x := range av {
				p.AllowedValues = append(p.AllowedValues, fmt.Sprint(x))
			}
		}
		for key, dst := range map[string]**int{"minItems": &p.MinItems, "maxItems": &p.MaxItems, "minChars": &p.MinChars, "maxChars": &p.MaxChars} {
			n, err := intField(spec, key)
			if err != nil {
				return errInvalidDocumentContent(fmt.Sprintf("Parameter %s: %v.", name, err))
			}
			*dst = n
		}
		if d, ok := spec["default"]; ok {
			p.Default, p.HasDefault = d, true
			if _, err := p.TypedValue(d); err != nil {
				return errInvalidDocumentContent(fmt.Sprintf("The default value of parameter %s is invalid: %v.", name, err))
			}
		}
		c.Params = append(c.Params, p)
	}
	return nil
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}
