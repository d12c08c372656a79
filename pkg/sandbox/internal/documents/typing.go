package documents

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Parameter typing, resolution and {{ placeholder }} substitution.

// typedValue checks a value (from the document's default or a caller) and
// returns it in the shape the agent substitutes.
func (p *Param) TypedValue(v any) (any, error) {
	checkString := func(s string) error {
		n := len([]rune(s))
		if p.MinChars != nil && n < *p.MinChars {
			return fmt.Errorf("%q is shorter than %d characters", s, *p.MinChars)
		}
		if p.MaxChars != nil && n > *p.MaxChars {
			return fmt.Errorf("a value is longer than %d characters", *p.MaxChars)
		}
		if len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, s) {
			return fmt.Errorf("%q is not one of the allowed values %s", s, strings.Join(p.AllowedValues, ", "))
		}
		// AWS matches allowedPattern against the whole value (the
		// AWS-owned documents' unanchored executionTimeout pattern would
		// otherwise accept "0x"); the sandbox anchors it.
		if p.AllowedPattern != "" {
			if !regexp.MustCompile(`^(?:` + p.AllowedPattern + `)$`).MatchString(s) {
				return fmt.Errorf("%q does not match the allowed pattern %s", s, p.AllowedPattern)
			}
		}
		return nil
	}
	switch p.Type {
	case "String":
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string")
		}
		return s, checkString(s)
	case "StringList":
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want a list of strings")
		}
		if p.MinItems != nil && len(list) < *p.MinItems {
			return nil, fmt.Errorf("at least %d items are required", *p.MinItems)
		}
		if p.MaxItems != nil && len(list) > *p.MaxItems {
			return nil, fmt.Errorf("at most %d items are allowed", *p.MaxItems)
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings")
			}
			if err := checkString(s); err != nil {
				return nil, err
			}
		}
		return list, nil
	case "Integer":
		switch x := v.(type) {
		case float64:
			if x != float64(int64(x)) {
				return nil, fmt.Errorf("%v is not an integer", x)
			}
			return x, checkString(strconv.FormatInt(int64(x), 10))
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not an integer", x)
			}
			return float64(n), checkString(x)
		}
		return nil, fmt.Errorf("want an integer")
	case "Boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
				return b, nil
			}
			return nil, fmt.Errorf("%q is not true or false", x)
		}
		return nil, fmt.Errorf("want true or false")
	case "StringMap":
		switch x := v.(type) {
		case map[string]any:
			return x, nil
		case string:
			var m map[string]any
			if err := json.Unmarshal([]byte(x), &m); err != nil {
				return nil, fmt.Errorf("want a JSON object")
			}
			return m, nil
		}
		return nil, fmt.Errorf("want a map")
	case "MapList":
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if _, ok := e.(map[string]any); !ok {
					return nil, fmt.Errorf("want a list of maps")
				}
			}
			return x, nil
		case string:
			var l []any
			if err := json.Unmarshal([]byte(x), &l); err != nil {
				return nil, fmt.Errorf("want a JSON list of objects")
			}
			return p.TypedValue(l)
		}
		return nil, fmt.Errorf("want a list of maps")
	}
	return nil, fmt.Errorf("unknown type %s", p.Type)
}

// ResolveParameters validates SendCommand's Parameters (every value a list
// of strings on the wire) against the document and fills in defaults. The
// result maps each parameter to its typed value.
func ResolveParameters(docName string, c *Content, given map[string][]string) (map[string]any, *protocol.APIError) {
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]any, len(c.Params))
	for _, name := range names {
		p := c.Param(name)
		if p == nil {
			return nil, errInvalidParameters(fmt.Sprintf("Parameter %q is not defined in document %s.", name, docName))
		}
		vals := given[name]
		var v any
		switch p.Type {
		case "StringList":
			l := make([]any, len(vals))
			for i, s := range vals {
				l[i] = s
			}
			v = l
		case "MapList":
			if len(vals) == 1 && strings.HasPrefix(strings.TrimSpace(vals[0]), "[") {
				v = vals[0]
			} else {
				l := make([]any, 0, len(vals))
				for _, s := range vals {
					var m map[string]any
					if err := json.Unmarshal([]byte(s), &m); err != nil {
						return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s: want a list of JSON objects.", name, docName))
					}
					l = append(l, m)
				}
				v = l
			}
		default:
			if len(vals) != 1 {
				return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s is a %s: give exactly one value, not %d.", name, docName, p.Type, len(vals)))
			}
			v = vals[0]
		}
		tv, err := p.TypedValue(v)
		if err != nil {
			return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s is invalid: %v.", name, docName, err))
		}
		out[name] = tv
	}
	for _, p := range c.Params {
		if _, ok := out[p.Name]; ok {
			continue
		}
		if !p.HasDefault {
			return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s is required: it has no default value.", p.Name, docName))
		}
		out[p.Name], _ = p.TypedValue(p.Default)
	}
	return out, nil
}

// substitute replaces {{ name }} placeholders as the agent does
// (docparser/parameters.ReplaceParameters): a string that is only a
// placeholder becomes the parameter's typed value; placeholders inside a
// longer string are replaced by the value, JSON-encoded unless a string.
func Substitute(v any, params map[string]any) any {
	switch x := v.(type) {
	case string:
		if m := placeholderPattern.FindStringSubmatch(x); m != nil && m[0] == strings.TrimSpace(x) && strings.TrimSpace(x) == x {
			if pv, ok := params[m[1]]; ok {
				return pv
			}
		}
		return placeholderPattern.ReplaceAllStringFunc(x, func(tok string) string {
			name := placeholderPattern.FindStringSubmatch(tok)[1]
			pv, ok := params[name]
			if !ok {
				return tok
			}
			if s, ok := pv.(string); ok {
				return s
			}
			b, _ := json.Marshal(pv)
			return string(b)
		})
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Substitute(e, params)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Substitute(e, params)
		}
		return out
	}
	return v
}
