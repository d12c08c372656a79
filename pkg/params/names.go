package params

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Limits from the SSM API model (botocore ssm/2014-11-06) and the
// Parameter Store user guide; docs/params.md lists them.
const (
	// MaxNameLength is the longest name a user may give: the model says
	// 2,048, of which AWS keeps 1,037 for its own use.
	MaxNameLength = 1011
	// MaxDepth is the deepest hierarchy: fifteen levels.
	MaxDepth = 15
	// MaxLabelLength is the longest label.
	MaxLabelLength = 100
	// MaxDescriptionLength and MaxAllowedPatternLength bound PutParameter's
	// Description and AllowedPattern.
	MaxDescriptionLength    = 1024
	MaxAllowedPatternLength = 1024
	// MaxPoliciesLength bounds the Policies JSON.
	MaxPoliciesLength = 4096
	// BatchSize is how many names GetParameters and DeleteParameters take,
	// and how many labels one LabelParameterVersion call takes.
	BatchSize = 10
	// StandardValueLimit and AdvancedValueLimit are the value sizes, in
	// bytes, of the Standard and Advanced tiers.
	StandardValueLimit = 4096
	AdvancedValueLimit = 8192
)

// Parameter types, tiers and data types, spelt as AWS spells them.
var (
	Types     = []string{"String", "StringList", "SecureString"}
	Tiers     = []string{"Standard", "Advanced", "Intelligent-Tiering"}
	DataTypes = []string{"text", "aws:ec2:image", "aws:ssm:integration"}
)

func usagef(format string, args ...any) error { return exitcode.Usagef(format, args...) }

// normalizeEnum accepts an enum value in any case and returns AWS's
// spelling.
func normalizeEnum(what, v string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", usagef("invalid %s %q: want one of %s", what, v, strings.Join(allowed, ", "))
}

// NormalizeType checks a parameter type (any case) and returns AWS's spelling.
func NormalizeType(v string) (string, error) { return normalizeEnum("type", v, Types) }

// NormalizeTier checks a tier (any case) and returns AWS's spelling.
func NormalizeTier(v string) (string, error) { return normalizeEnum("tier", v, Tiers) }

// NormalizeDataType checks a data type; these are lower case in AWS and
// compared exactly.
func NormalizeDataType(v string) (string, error) {
	for _, a := range DataTypes {
		if v == a {
			return a, nil
		}
	}
	return "", usagef("invalid data type %q: want one of %s", v, strings.Join(DataTypes, ", "))
}

func nameChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-'
}

// ValidateName checks a parameter name that will be read: allowed
// characters (a-zA-Z0-9_.- and / between levels), length, a leading slash
// on hierarchical names, no empty level, and the depth limit. Names under
// /aws/ (public parameters, Secrets Manager references) may be read.
func ValidateName(name string) error {
	if name == "" {
		return usagef("empty parameter name")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return usagef("parameter name is %d characters long, more than the %d AWS allows", n, MaxNameLength)
	}
	for _, r := range name {
		if r != '/' && !nameChar(r) {
			return usagef("invalid parameter name %q: %q is not allowed (names use a-z A-Z 0-9 _ . - and / between levels)", name, r)
		}
	}
	if strings.Contains(name, "/") {
		if !strings.HasPrefix(name, "/") {
			return usagef("invalid parameter name %q: a name with levels must begin with /", name)
		}
		if strings.HasSuffix(name, "/") {
			return usagef("invalid parameter name %q: a name cannot end with /", name)
		}
		if strings.Contains(name, "//") {
			return usagef("invalid parameter name %q: empty level", name)
		}
		if d := strings.Count(name, "/"); d > MaxDepth {
			return usagef("invalid parameter name %q: %d levels, more than the %d AWS allows", name, d, MaxDepth)
		}
	}
	return nil
}

// ValidateWriteName checks a name that will be created or changed: the read
// rules, and the reserved prefixes: a name may not begin with "aws" or
// "ssm" in any case, with or without the leading slash.
func ValidateWriteName(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	first := strings.ToLower(strings.TrimPrefix(name, "/"))
	if strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return usagef("invalid parameter name %q: names beginning with \"aws\" or \"ssm\" are reserved", name)
	}
	return nil
}

// ValidatePath checks a hierarchy path for listing: "/" or a name with
// levels, optionally ending in "/". It returns the path without the
// trailing slash ("/" stays "/").
func ValidatePath(path string) (string, error) {
	if path == "" || path == "/" {
		return "/", nil
	}
	if !strings.HasPrefix(path, "/") {
		return "", usagef("invalid path %q: a path begins with /", path)
	}
	p := strings.TrimSuffix(path, "/")
	if err := ValidateName(p); err != nil {
		return "", err
	}
	return p, nil
}

// ValidateLabel checks a label: 1 to 100 characters of a-zA-Z0-9_.-, not
// beginning with a digit, "aws" or "ssm" (any case).
func ValidateLabel(label string) error {
	if label == "" {
		return usagef("empty label")
	}
	if n := utf8.RuneCountInString(label); n > MaxLabelLength {
		return usagef("label %q is %d characters long, more than %d", label, n, MaxLabelLength)
	}
	for _, r := range label {
		if !nameChar(r) {
			return usagef("invalid label %q: %q is not allowed (labels use a-z A-Z 0-9 _ . -)", label, r)
		}
	}
	if label[0] >= '0' && label[0] <= '9' {
		return usagef("invalid label %q: a label cannot begin with a digit", label)
	}
	lower := strings.ToLower(label)
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		return usagef("invalid label %q: labels beginning with \"aws\" or \"ssm\" are reserved", label)
	}
	return nil
}

// Selector is a name with an optional version or label: NAME, NAME:3,
// NAME:prod.
type Selector struct {
	Name    string
	Version int64  // 0: none
	Label   string // "": none
}

// String is the selector as AWS takes it in GetParameter(s).
func (s Selector) String() string {
	switch {
	case s.Version > 0:
		return s.Name + ":" + strconv.FormatInt(s.Version, 10)
	case s.Label != "":
		return s.Name + ":" + s.Label
	}
	return s.Name
}

// ParseSelector parses NAME, NAME:VERSION or NAME:LABEL. Names cannot
// contain ':', so the first one separates the selector.
func ParseSelector(s string) (Selector, error) {
	name, sel, has := strings.Cut(s, ":")
	if err := ValidateName(name); err != nil {
		return Selector{}, err
	}
	if !has {
		return Selector{Name: name}, nil
	}
	if sel == "" {
		return Selector{}, usagef("invalid selector %q: nothing after ':' (want NAME:VERSION or NAME:LABEL)", s)
	}
	if sel[0] >= '0' && sel[0] <= '9' {
		v, err := strconv.ParseInt(sel, 10, 64)
		if err != nil || v < 1 {
			return Selector{}, usagef("invalid version in %q: want a number from 1", s)
		}
		return Selector{Name: name, Version: v}, nil
	}
	if err := ValidateLabel(sel); err != nil {
		return Selector{}, err
	}
	return Selector{Name: name, Label: sel}, nil
}

// ValueLimit is the largest value, in bytes, that tier accepts. An empty
// tier is taken as Standard unless the parameter is known to be Advanced;
// Intelligent-Tiering takes up to the Advanced limit (AWS promotes).
func ValueLimit(tier string) int {
	if tier == "Advanced" || tier == "Intelligent-Tiering" {
		return AdvancedValueLimit
	}
	return StandardValueLimit
}

// ValidateValue checks a value's size against its tier. Values may not be
// empty, and must be UTF-8 text (the SDK would send other bytes as U+FFFD,
// storing something else than was given).
func ValidateValue(name, value, tier string) error {
	if value == "" {
		return usagef("empty value for %s: Parameter Store does not store empty values", name)
	}
	if !utf8.ValidString(value) {
		at := 0
		for at < len(value) {
			r, n := utf8.DecodeRuneInString(value[at:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			at += n
		}
		return usagef("value of %s is not UTF-8 text (byte %d is not): Parameter Store holds text; base64-encode binary values", name, at+1)
	}
	if limit := ValueLimit(tier); len(value) > limit {
		hint := ""
		if limit == StandardValueLimit {
			hint = " (use --tier Advanced or Intelligent-Tiering for up to 8 KB)"
		}
		return usagef("value of %s is %d bytes, more than the %s tier's %d%s", name, len(value), tierName(tier), limit, hint)
	}
	return nil
}

func tierName(t string) string {
	if t == "" {
		return "Standard"
	}
	return t
}

// ValidateKeyID checks a KMS key ID, ARN or alias by the model's pattern.
func ValidateKeyID(id string) error {
	if id == "" || len(id) > 256 {
		return usagef("invalid KMS key ID %q: 1 to 256 characters", id)
	}
	for _, r := range id {
		if !(nameChar(r) && r != '.' || r == ':' || r == '/') {
			return usagef("invalid KMS key ID %q: %q is not allowed", id, r)
		}
	}
	return nil
}

// ParseTag parses KEY=VALUE and checks it against the model's tag rules.
func ParseTag(s string) (key, value string, err error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return "", "", usagef("invalid tag %q: want KEY=VALUE", s)
	}
	if utf8.RuneCountInString(key) > 128 || utf8.RuneCountInString(value) > 256 {
		return "", "", usagef("invalid tag %q: keys have at most 128 characters, values 256", s)
	}
	for _, r := range key + value {
		if !tagChar(r) {
			return "", "", usagef("invalid tag %q: %q is not allowed in tags", s, r)
		}
	}
	if strings.HasPrefix(strings.ToLower(key), "aws:") {
		return "", "", usagef("invalid tag %q: keys beginning with aws: are reserved", s)
	}
	return key, value, nil
}

// tagChar is the model's tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$:
// letters, separators (spaces), numbers and _.:/=+-@.
func tagChar(r rune) bool {
	switch r {
	case '_', '.', ':', '/', '=', '+', '-', '@':
		return true
	}
	return unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r)
}
