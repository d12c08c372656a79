package params

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Parameter filters of DescribeParameters and GetParametersByPath.

type paramFilter struct {
	key, option string
	values      []string
}

// ParameterStringFilter's model constraints.
var paramFilterKeyPattern = lazyre.New(`^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$`)

func validateStringFilters(v *protocol.Validator, fs []parameterStringFilter) {
	for i, f := range fs {
		p := fmt.Sprintf("parameterFilters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Length(p+".key", *f.Key, 1, 132)
			if !paramFilterKeyPattern.MatchString(*f.Key) {
				v.Add(protocol.QuoteValue(*f.Key), p+".key", "Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType")
			}
		}
		if f.Option != nil {
			v.Length(p+".option", *f.Option, 1, 10)
		}
		if f.Values != nil {
			v.Count(p+".values", len(f.Values), 1, 50)
			for _, val := range f.Values {
				v.Length(p+".values.member", val, 1, 1024)
			}
		}
	}
}

// parseParamFilters applies the rules the ParameterStringFilter
// documentation gives: which keys each operation takes, which options
// each key takes, and values where a key needs them.
func parseParamFilters(fs []parameterStringFilter, byPath bool) ([]paramFilter, *protocol.APIError) {
	var out []paramFilter
	seen := map[string]bool{}
	for _, f := range fs {
		key := *f.Key
		isTag := strings.HasPrefix(key, "tag:")
		if byPath && key != "Type" && key != "KeyId" && key != "Label" {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterKey", "The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId, Label].", key)
		}
		if !byPath && key == "Label" {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterKey", "The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier, DataType, tag:KEY].")
		}
		if seen[key] {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterKey", "The following filter is duplicated in the request: %s. A request can contain only one occurrence of a specific filter.", key)
		}
		seen[key] = true
		option := "Equals"
		if key == "Path" {
			option = "OneLevel"
		}
		if f.Option != nil {
			option = *f.Option
		}
		switch {
		case key == "Path":
			if option != "Recursive" && option != "OneLevel" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", option)
			}
		case key == "Label":
			if option != "Equals" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Equals].", option)
			}
		case key == "Name":
			if option != "Equals" && option != "BeginsWith" && option != "Contains" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [BeginsWith, Contains, Equals].", option)
			}
		default:
			if option != "Equals" && option != "BeginsWith" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals].", option)
			}
		}
		if len(f.Values) == 0 && !isTag {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterValue", "The following filter values are missing : null for filter key %s.", key)
		}
		for _, val := range f.Values {
			switch key {
			case "Type":
				if option == "Equals" && !slices.Contains(paramTypes, val) {
					return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterValue", "The following filter value is not valid: %s. Valid values include: [String, StringList, SecureString].", val)
				}
			case "Tier":
				if option == "Equals" && !slices.Contains(paramTiers, val) {
					return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterValue", "The following filter value is not valid: %s. Valid values include: [Standard, Advanced, Intelligent-Tiering].", val)
				}
			case "Path":
				lower := strings.ToLower(val)
				if strings.HasPrefix(lower, "/aws") || strings.HasPrefix(lower, "/ssm") {
					return nil, protocol.ErrValidation(`Filters for common parameters can't be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.`)
				}
				if err := checkPath(val); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, paramFilter{key: key, option: option, values: f.Values})
	}
	return out, nil
}

func matchValue(option, have string, values []string) bool {
	for _, v := range values {
		switch option {
		case "Equals":
			if have == v {
				return true
			}
		case "BeginsWith":
			if strings.HasPrefix(have, v) {
				return true
			}
		case "Contains":
			if strings.Contains(have, v) {
				return true
			}
		}
	}
	return false
}

func pathMatches(name, option string, values []string) bool {
	for _, v := range values {
		if v != "/" {
			v = strings.TrimSuffix(v, "/")
		}
		prefix := v + "/"
		if v == "/" {
			prefix = "/"
		}
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		if option == "Recursive" || !strings.Contains(name[len(prefix):], "/") {
			return true
		}
	}
	return false
}

func matchDescribeFilters(p *parameter, fs []paramFilter) bool {
	v := p.latest()
	for _, f := range fs {
		ok := false
		switch {
		case f.key == "Path":
			ok = pathMatches(p.Name, f.option, f.values)
		case f.key == "Name":
			ok = matchValue(f.option, p.Name, f.values)
		case f.key == "Type":
			ok = matchValue(f.option, v.Type, f.values)
		case f.key == "KeyId":
			ok = v.Type == typeSecureString && matchValue(f.option, v.KeyID, f.values)
		case f.key == "Tier":
			ok = matchValue(f.option, v.Tier, f.values)
		case f.key == "DataType":
			ok = matchValue(f.option, v.DataType, f.values)
		case strings.HasPrefix(f.key, "tag:"):
			val, has := p.Tags[strings.TrimPrefix(f.key, "tag:")]
			ok = has && (len(f.values) == 0 || matchValue(f.option, val, f.values))
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchByPathFilters returns the version GetParametersByPath reports for
// a parameter, or nil when the filters exclude it: the latest version,
// or with a Label filter the version carrying the label.
func matchByPathFilters(p *parameter, fs []paramFilter) *paramVersion {
	v := p.latest()
	for _, f := range fs {
		if f.key == "Label" {
			var found *paramVersion
			for _, l := range f.values {
				if lv := p.labelled(l); lv != nil {
					found = lv
					break
				}
			}
			if found == nil {
				return nil
			}
			v = found
		}
	}
	for _, f := range fs {
		switch f.key {
		case "Type":
			if !matchValue(f.option, v.Type, f.values) {
				return nil
			}
		case "KeyId":
			if v.Type != typeSecureString || !matchValue(f.option, v.KeyID, f.values) {
				return nil
			}
		}
	}
	return v
}
