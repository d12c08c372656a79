package opsitems

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// The values ssmctl checks before any call, with AWS's rules
// (docs/opsitem.md lists them and their sources).

// Limits.
const (
	MaxTitle       = 1024
	MaxDescription = 2048
	MaxSource      = 128
	MaxCategory    = 64
	MaxDataKey     = 128
	MaxDataValue   = 20 * 1024
	MaxRelated     = 10
	MaxResources   = 100
)

// Statuses are the statuses of an OpsItem that is not a change request.
var Statuses = []string{"Open", "InProgress", "Resolved"}

// Reserved operational data keys AWS defines.
const (
	DedupKey     = "/aws/dedup"
	ResourcesKey = "/aws/resources"
)

// NoteKey is the operational data key resolve --note records its note
// under (docs/opsitem.md).
const NoteKey = "resolutionNote"

var idPattern = lazyre.New(`^oi-[0-9a-f]{12}$`)

func usage(format string, args ...any) error { return exitcode.Usagef(format, args...) }

// CheckID checks an OpsItem ID: oi- and 12 hexadecimal digits.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return usage("invalid OpsItem ID %q: want oi- and 12 hexadecimal digits (oi-1a2b3c4d5e6f)", id)
	}
	return nil
}

// CheckPriority checks a priority, 1 (highest) to 5.
func CheckPriority(n int) error {
	if n < 1 || n > 5 {
		return usage("invalid priority %d: want 1 (highest) to 5", n)
	}
	return nil
}

// CheckSeverity checks a severity, 1 (critical) to 4.
func CheckSeverity(n int) error {
	if n < 1 || n > 4 {
		return usage("invalid severity %d: want 1 (critical) to 4", n)
	}
	return nil
}

// CheckStatus returns the status spelled as AWS does (case-insensitively
// matched), or a usage error.
func CheckStatus(s string) (string, error) {
	for _, st := range Statuses {
		if strings.EqualFold(s, st) {
			return st, nil
		}
	}
	return "", usage("invalid status %q: want one of %s", s, strings.Join(Statuses, ", "))
}

// checkText checks a one-line member (title, source, category): not
// blank, no line break, at most max characters.
func checkText(what, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return usage("%s must not be empty", what)
	}
	if strings.ContainsAny(s, "\r\n") {
		return usage("%s must be one line", what)
	}
	if n := len([]rune(s)); n > max {
		return usage("%s has %d characters; at most %d", what, n, max)
	}
	return nil
}

// CheckTitle, CheckSource and CheckCategory check those members.
func CheckTitle(s string) error { return checkText("the title", s, MaxTitle) }

func CheckSource(s string) error {
	if err := checkText("the source", s, MaxSource); err != nil {
		return err
	}
	ls := strings.ToLower(s)
	for _, w := range []string{"aws", "amazon", "amzn"} {
		if strings.Contains(ls, w) {
			return usage("invalid source %q: AWS refuses sources that contain aws, amazon or amzn", s)
		}
	}
	return nil
}

func CheckCategory(s string) error { return checkText("the category", s, MaxCategory) }

// CheckDescription checks a description: not blank, at most 2,048
// characters (it may span lines).
func CheckDescription(s string) error {
	if strings.TrimSpace(s) == "" {
		return usage("the description must not be empty")
	}
	if n := len([]rune(s)); n > MaxDescription {
		return usage("the description has %d characters; at most %d", n, MaxDescription)
	}
	return nil
}

// Data is one operational data value.
type Data struct {
	Value      string
	Searchable bool
}

// ParseData reads --data key=value[:searchable].
func ParseData(s string) (string, Data, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return "", Data{}, usage("invalid --data %q: want key=value or key=value:searchable", s)
	}
	d := Data{Value: v}
	if rest, found := strings.CutSuffix(v, ":searchable"); found {
		d = Data{Value: rest, Searchable: true}
	}
	if err := CheckDataKey(k); err != nil {
		return "", Data{}, err
	}
	if strings.TrimSpace(d.Value) == "" {
		return "", Data{}, usage("invalid --data %q: the value must not be empty", s)
	}
	if len(d.Value) > MaxDataValue {
		return "", Data{}, usage("invalid --data %s=...: the value has %d bytes; at most 20 KB", k, len(d.Value))
	}
	return k, d, nil
}

// CheckDataKey checks an operational data key a user gives: 1 to 128
// characters, not beginning with amazon, aws, amzn or ssm (with or
// without a leading /), which AWS reserves.
func CheckDataKey(k string) error {
	if strings.TrimSpace(k) == "" {
		return usage("an operational data key must not be empty")
	}
	if len([]rune(k)) > MaxDataKey {
		return usage("operational data key %q has more than %d characters", k, MaxDataKey)
	}
	lk := strings.ToLower(strings.TrimPrefix(k, "/"))
	for _, p := range []string{"amazon", "aws", "amzn", "ssm"} {
		if strings.HasPrefix(lk, p) {
			return usage("invalid operational data key %q: keys beginning with amazon, aws, amzn or ssm (or /amazon, /aws, ...) are reserved", k)
		}
	}
	return nil
}

// CheckSNSTopic checks a --notify value: an SNS topic's ARN.
func CheckSNSTopic(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5] == "" {
		return usage("invalid --notify %q: want an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)", arn)
	}
	return nil
}

// CheckARN checks a --resource value.
func CheckARN(arn string) error {
	if parts := strings.SplitN(arn, ":", 6); len(parts) != 6 || parts[0] != "arn" || parts[2] == "" || parts[5] == "" {
		return usage("invalid resource %q: want an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", arn)
	}
	return nil
}

// dedupValue is /aws/dedup's value for a deduplication string.
func dedupValue(s string) string {
	b, _ := json.Marshal(map[string]string{"dedupString": s})
	return string(b)
}

// resourcesValue is /aws/resources's value for ARNs.
func resourcesValue(arns []string) string {
	list := make([]map[string]string, 0, len(arns))
	for _, a := range arns {
		list = append(list, map[string]string{"arn": a})
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// resourceARNs reads /aws/resources's value.
func resourceARNs(value string) []string {
	var list []struct {
		ARN string `json:"arn"`
	}
	if json.Unmarshal([]byte(value), &list) != nil {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, r := range list {
		out = append(out, r.ARN)
	}
	return out
}

// Severity is a severity's string ("1".."4").
func Severity(n int) string { return strconv.Itoa(n) }

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
