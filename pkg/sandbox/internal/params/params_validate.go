package params

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Parameter Store's rules for names, labels, values, data types and
// policies. Each rule's source is in docs/sandbox-parameters.md.

const (
	// PutParameter's Name documentation: 1011 characters at most,
	// counting the ARN that precedes the name.
	maxParamNameWithARN = 1011
	// "Parameter hierarchies are limited to a maximum depth of fifteen
	// levels" (PutParameter Name; HierarchyLevelLimitExceededException).
	maxHierarchyLevels = 15
	// Value limits by tier: 4 KB standard, 8 KB advanced (PutParameter
	// Value and Tier documentation), counted in bytes.
	maxStandardValue = 4096
	maxAdvancedValue = 8192
	// Account limits per region (PutParameter Tier documentation).
	maxStandardParams = 10000
	maxAdvancedParams = 100000
	// ParameterMaxVersionLimitExceeded: "Parameter Store retains the 100
	// most recently created versions of a parameter."
	maxParamVersions = 100
	// LabelParameterVersion: "A version of a parameter can have a maximum
	// of 10 labels"; "A label can have a maximum of 100 characters".
	maxLabelsPerVersion = 10
	maxLabelLength      = 100
	// PoliciesLimitExceededException: "The maximum is 10."
	maxPolicies = 10
)

const (
	tierStandard    = "Standard"
	tierAdvanced    = "Advanced"
	tierIntelligent = "Intelligent-Tiering"

	typeString       = "String"
	typeStringList   = "StringList"
	typeSecureString = "SecureString"

	dataTypeText        = "text"
	dataTypeEC2Image    = "aws:ec2:image"
	dataTypeIntegration = "aws:ssm:integration"
)

var (
	paramTypes = []string{typeString, typeStringList, typeSecureString}
	paramTiers = []string{tierStandard, tierAdvanced, tierIntelligent}
	dataTypes  = []string{dataTypeText, dataTypeEC2Image, dataTypeIntegration}

	// "Parameter names can include only the following symbols and
	// letters: a-zA-Z0-9_.-", and / between hierarchy levels.
	paramNameChars = lazyre.New(`^[a-zA-Z0-9_.\-/]+$`)
	// ParameterKeyId pattern.
	keyIDPattern = lazyre.New(`^([a-zA-Z0-9:/_-]+)$`)
	// Labels "can contain letters (case sensitive), numbers, periods (.),
	// hyphens (-), or underscores (_)".
	labelChars = lazyre.New(`^[a-zA-Z0-9_.\-]+$`)
	// An AMI ID as EC2 issues them: ami- and 8 or 17 hex digits.
	amiIDPattern = lazyre.New(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// The messages AWS answers for names it refuses.
const (
	msgReservedPrefix = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`
	msgBadPathName    = `Parameter name: can't be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`
	msgBadPath        = `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`
)

// cleanName removes the spaces AWS removes ("The service removes any
// spaces specified for the beginning or end of a parameter name").
func cleanName(name string) string { return strings.TrimSpace(name) }

// wellFormedName checks the characters and the shape of a hierarchy:
// hierarchical names begin with / and have no empty level.
func wellFormedName(name string) bool {
	if !paramNameChars.MatchString(name) {
		return false
	}
	if strings.Contains(name, "/") {
		if !strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//") {
			return false
		}
	}
	return true
}

func hierarchyLevels(name string) int {
	return len(strings.Split(strings.TrimPrefix(name, "/"), "/"))
}

// paramARNFor is the ARN of a parameter name: parameter/NAME for a plain
// name, parameter/A/B for /A/B.
func (a *Area) paramARN(name string) string {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	return fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s", area.Partition(a.h.Region), a.h.Region, a.h.AccountID, name)
}

// checkNewName applies the rules for a name PutParameter creates or
// updates.
func (a *Area) checkNewName(name string) *protocol.APIError {
	if strings.ContainsAny(name, " \t") {
		return protocol.ErrValidation(msgBadPathName)
	}
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	isPath := strings.Count(name, "/") > 1
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		if strings.HasPrefix(strings.ToLower(name), "/aws") && isPath {
			return protocol.Errorf(http.StatusBadRequest, "AccessDeniedException", "No access to reserved parameter name: %s.", name)
		}
		if isPath {
			return protocol.ErrValidation(msgBadPathName)
		}
		return protocol.ErrValidation(msgReservedPrefix)
	}
	if !wellFormedName(name) {
		return protocol.ErrValidation(msgBadPathName)
	}
	if n := len(a.paramARN(name)); n > maxParamNameWithARN {
		return protocol.ErrValidation(fmt.Sprintf("Parameter name: the name with its ARN prefix is %d characters long; the maximum is %d, ARN prefix included.", n, maxParamNameWithARN))
	}
	if hierarchyLevels(name) > maxHierarchyLevels {
		return protocol.Errorf(http.StatusBadRequest, "HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels. The parameter %s has %d.", name, hierarchyLevels(name))
	}
	return nil
}

// checkPath applies the rules for a Path (GetParametersByPath, the Path
// filter): it begins with /, and its levels are well formed.
func checkPath(path string) *protocol.APIError {
	if path == "/" {
		return nil
	}
	p := strings.TrimSuffix(path, "/")
	if !strings.HasPrefix(p, "/") || !wellFormedName(p) {
		return protocol.ErrValidation(msgBadPath)
	}
	if hierarchyLevels(p) > maxHierarchyLevels {
		return protocol.Errorf(http.StatusBadRequest, "HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.")
	}
	return nil
}

// validLabel applies LabelParameterVersion's label rules: "Labels can't
// begin with a number, "aws" or "ssm" (not case sensitive)".
func validLabel(l string) bool {
	if len(l) == 0 || len(l) > maxLabelLength || !labelChars.MatchString(l) {
		return false
	}
	if l[0] >= '0' && l[0] <= '9' {
		return false
	}
	lower := strings.ToLower(l)
	return !strings.HasPrefix(lower, "aws") && !strings.HasPrefix(lower, "ssm")
}

// checkDataType checks a DataType and, for aws:ec2:image, the value's
// format. AWS checks the AMI asynchronously; the sandbox has no AMIs to
// look up, so it checks the format at once and answers as a validation
// error (docs/sandbox-parameters.md).
func checkDataType(dataType, typ, value string) *protocol.APIError {
	known := false
	for _, d := range dataTypes {
		known = known || d == dataType
	}
	if !known {
		return protocol.ErrValidation(fmt.Sprintf("The following data type is not supported: %s (Data type names are all lowercase.)", dataType))
	}
	if dataType == dataTypeEC2Image {
		if typ != typeString {
			return protocol.ErrValidation(fmt.Sprintf("The data type %s is only supported for String parameters.", dataType))
		}
		if !amiIDPattern.MatchString(value) {
			return protocol.ErrValidation(fmt.Sprintf("Parameter value, %s, is not a valid AMI ID for data type %s: want ami- followed by 8 or 17 hexadecimal digits.", value, dataType))
		}
	}
	return nil
}

// Parameter policies, as "Assigning parameter policies" documents them:
//
//	[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2027-01-01T00:00:00.000Z"}},
//	 {"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}},
//	 {"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Days"}}]

type policy struct {
	Type string `json:"type"`
	Text string `json:"text"`
	// Expires is the Expiration policy's time (zero for other types).
	Expires time.Time `json:"expires,omitzero"`
}

type policyWire struct {
	Type       *string           `json:"Type"`
	Version    *string           `json:"Version"`
	Attributes map[string]string `json:"Attributes"`
}

func errPolicyAttribute(format string, args ...any) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidPolicyAttributeException", format, args...)
}

// parsePolicies parses PutParameter's Policies. now is the sandbox's
// time: an expiration must lie ahead of it.
func parsePolicies(text string, now time.Time) ([]policy, *protocol.APIError) {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, protocol.ErrValidation("Invalid policies input: the policies must be a JSON array of policy objects.")
	}
	if len(raw) > maxPolicies {
		return nil, protocol.Errorf(http.StatusBadRequest, "PoliciesLimitExceededException", "You specified %d policies; a parameter can have at most %d.", len(raw), maxPolicies)
	}
	seen := map[string]bool{}
	out := make([]policy, 0, len(raw))
	for _, r := range raw {
		var w policyWire
		if err := json.Unmarshal(r, &w); err != nil {
			return nil, protocol.ErrValidation("Invalid policies input: each policy must be a JSON object with Type, Version and Attributes.")
		}
		if w.Type == nil {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidPolicyTypeException", "A policy has no Type. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.")
		}
		typ := *w.Type
		switch typ {
		case "Expiration", "ExpirationNotification", "NoChangeNotification":
		default:
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidPolicyTypeException", "The policy type %s isn't supported. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.", typ)
		}
		if seen[typ] {
			return nil, protocol.Errorf(http.StatusBadRequest, "IncompatiblePolicyException", "There is a conflict in the policies specified for this parameter: more than one %s policy.", typ)
		}
		seen[typ] = true
		if w.Version == nil || *w.Version != "1.0" {
			return nil, errPolicyAttribute("The %s policy must have Version 1.0.", typ)
		}
		p := policy{Type: typ, Text: string(r)}
		switch typ {
		case "Expiration":
			ts, ok := w.Attributes["Timestamp"]
			if !ok || len(w.Attributes) != 1 {
				return nil, errPolicyAttribute("The Expiration policy takes one attribute, Timestamp.")
			}
			t, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				return nil, errPolicyAttribute("The Expiration policy's Timestamp %q is not an ISO 8601 time such as 2027-01-01T00:00:00.000Z.", ts)
			}
			if !t.After(now) {
				return nil, errPolicyAttribute("The Expiration policy's Timestamp %s is in the past.", ts)
			}
			p.Expires = t
		case "ExpirationNotification":
			if err := checkPolicyPeriod(typ, "Before", w.Attributes); err != nil {
				return nil, err
			}
		case "NoChangeNotification":
			if err := checkPolicyPeriod(typ, "After", w.Attributes); err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	if seen["ExpirationNotification"] && !seen["Expiration"] {
		return nil, protocol.Errorf(http.StatusBadRequest, "IncompatiblePolicyException", "An ExpirationNotification policy needs an Expiration policy on the same parameter.")
	}
	return out, nil
}

func checkPolicyPeriod(typ, key string, attrs map[string]string) *protocol.APIError {
	n, ok := attrs[key]
	unit, uok := attrs["Unit"]
	if !ok || !uok || len(attrs) != 2 {
		return errPolicyAttribute("The %s policy takes two attributes, %s and Unit.", typ, key)
	}
	if v, err := strconv.Atoi(n); err != nil || v < 1 {
		return errPolicyAttribute("The %s policy's %s %q is not a positive whole number.", typ, key, n)
	}
	if unit != "Days" && unit != "Hours" {
		return errPolicyAttribute("The %s policy's Unit %q is not Days or Hours.", typ, unit)
	}
	return nil
}
