package opsitems

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// DescribeOpsItems.

// OpsItemFilterKey, in the model's order.
var filterKeys = []string{"Status", "CreatedBy", "Source", "Priority", "Title", "OpsItemId", "CreatedTime",
	"LastModifiedTime", "ActualStartTime", "ActualEndTime", "PlannedStartTime", "PlannedEndTime", "OperationalData",
	"OperationalDataKey", "OperationalDataValue", "ResourceId", "AutomationId", "Category", "Severity", "OpsItemType",
	"AccessRequestByRequesterArn", "AccessRequestByRequesterId", "AccessRequestByApproverArn",
	"AccessRequestByApproverId", "AccessRequestBySourceAccountId", "AccessRequestBySourceOpsItemId",
	"AccessRequestBySourceRegion", "AccessRequestByIsReplica", "AccessRequestByTargetResourceId",
	"ChangeRequestByRequesterArn", "ChangeRequestByRequesterName", "ChangeRequestByApproverArn",
	"ChangeRequestByApproverName", "ChangeRequestByTemplate", "ChangeRequestByTargetsResourceGroup",
	"InsightByType", "AccountId"}

var filterOperators = []string{"Equal", "Contains", "GreaterThan", "LessThan"}

// keyOperators are the operators each key allows: the API reference's
// list (DescribeOpsItems, OpsItemFilters) and, for the keys it leaves
// out, Equal (Category, Severity, OpsItemType, CreatedBy, the change and
// access request keys) or GreaterThan/LessThan (the other times).
var keyOperators = map[string][]string{
	"CreatedTime":          {"GreaterThan", "LessThan"},
	"LastModifiedTime":     {"GreaterThan", "LessThan"},
	"ActualStartTime":      {"GreaterThan", "LessThan"},
	"ActualEndTime":        {"GreaterThan", "LessThan"},
	"PlannedStartTime":     {"GreaterThan", "LessThan"},
	"PlannedEndTime":       {"GreaterThan", "LessThan"},
	"Source":               {"Equal", "Contains"},
	"Title":                {"Equal", "Contains"},
	"OperationalDataValue": {"Equal", "Contains"},
	"ResourceId":           {"Contains"},
}

func operatorsOf(key string) []string {
	if ops, ok := keyOperators[key]; ok {
		return ops
	}
	return []string{"Equal"}
}

type filterWire struct {
	Key      *string  `json:"Key"`
	Values   []string `json:"Values"`
	Operator *string  `json:"Operator"`
}

type describeInput struct {
	OpsItemFilters []filterWire `json:"OpsItemFilters"`
	MaxResults     *int32       `json:"MaxResults"`
	NextToken      *string      `json:"NextToken"`
}

type summaryWire struct {
	CreatedBy        string              `json:"CreatedBy"`
	CreatedTime      *protocol.EpochTime `json:"CreatedTime"`
	LastModifiedBy   string              `json:"LastModifiedBy"`
	LastModifiedTime *protocol.EpochTime `json:"LastModifiedTime"`
	Priority         *int32              `json:"Priority,omitempty"`
	Source           string              `json:"Source"`
	Status           string              `json:"Status"`
	OpsItemId        string              `json:"OpsItemId"`
	Title            string              `json:"Title"`
	OperationalData  map[string]dataWire `json:"OperationalData"`
	Category         string              `json:"Category,omitempty"`
	Severity         string              `json:"Severity,omitempty"`
	OpsItemType      string              `json:"OpsItemType"`
	ActualStartTime  *protocol.EpochTime `json:"ActualStartTime,omitempty"`
	ActualEndTime    *protocol.EpochTime `json:"ActualEndTime,omitempty"`
	PlannedStartTime *protocol.EpochTime `json:"PlannedStartTime,omitempty"`
	PlannedEndTime   *protocol.EpochTime `json:"PlannedEndTime,omitempty"`
}

type describeOutput struct {
	NextToken        string        `json:"NextToken,omitempty"`
	OpsItemSummaries []summaryWire `json:"OpsItemSummaries"`
}

// match is one filter, parsed.
type match func(it *opsItem) bool

func (a *Area) describeOpsItems(in *describeInput) (*describeOutput, error) {
	var v protocol.Validator
	for i, f := range in.OpsItemFilters {
		p := fmt.Sprintf("opsItemFilters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, filterKeys...)
		}
		v.Required(p+".values", f.Values != nil)
		if v.Required(p+".operator", f.Operator != nil) {
			v.Enum(p+".operator", *f.Operator, filterOperators...)
		}
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var matches []match
	for _, f := range in.OpsItemFilters {
		m, err := parseFilter(*f.Key, *f.Operator, f.Values)
		if err != nil {
			return nil, err
		}
		matches = append(matches, m)
	}
	size := defaultPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeOpsItems", in.OpsItemFilters)
	out := describeOutput{OpsItemSummaries: []summaryWire{}}
	var err error
	a.view(func(st *state) {
		// Newest first; the token holds the creation index the next page
		// starts below, so items created between pages shift nothing.
		start, ok := len(st.Items), true
		if in.NextToken != nil && *in.NextToken != "" {
			start, ok = protocol.DecodePageToken(*in.NextToken, fp, len(st.Items))
		}
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		for i := start - 1; i >= 0; i-- {
			it := st.Items[i]
			if !matchAll(matches, it) {
				continue
			}
			if len(out.OpsItemSummaries) == size {
				out.NextToken = protocol.EncodePageToken(fp, i+1)
				return
			}
			out.OpsItemSummaries = append(out.OpsItemSummaries, summary(it))
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func matchAll(ms []match, it *opsItem) bool {
	for _, m := range ms {
		if !m(it) {
			return false
		}
	}
	return true
}

func summary(it *opsItem) summaryWire {
	return summaryWire{
		CreatedBy: it.CreatedBy, CreatedTime: protocol.Epoch(it.Created), LastModifiedBy: it.LastModifiedBy,
		LastModifiedTime: protocol.Epoch(it.Modified), Priority: it.Priority, Source: it.Source, Status: it.Status,
		OpsItemId: it.ID, Title: it.Title, OperationalData: it.data(true), Category: it.Category, Severity: it.Severity,
		OpsItemType: it.Type, ActualStartTime: epochPtr(it.ActualStartTime), ActualEndTime: epochPtr(it.ActualEndTime),
		PlannedStartTime: epochPtr(it.PlannedStartTime), PlannedEndTime: epochPtr(it.PlannedEndTime),
	}
}

func errFilter(format string, args ...any) error {
	return protocol.ErrValidation(fmt.Sprintf(format, args...))
}

// parseFilter turns one filter into a match: an item matches when it
// matches any of the values.
func parseFilter(key, op string, values []string) (match, error) {
	if !slices.Contains(operatorsOf(key), op) {
		return nil, errFilter("The operator %s isn't valid for the filter key %s: use %s.", op, key, strings.Join(operatorsOf(key), " or "))
	}
	var one []func(it *opsItem) bool
	for _, val := range values {
		m, err := parseValue(key, op, val)
		if err != nil {
			return nil, err
		}
		one = append(one, m)
	}
	return func(it *opsItem) bool {
		for _, m := range one {
			if m(it) {
				return true
			}
		}
		return false
	}, nil
}

func str(op, want string, got func(it *opsItem) string) match {
	if op == "Contains" {
		return func(it *opsItem) bool { return strings.Contains(got(it), want) }
	}
	return func(it *opsItem) bool { return got(it) == want }
}

func when(op string, at time.Time, got func(it *opsItem) *time.Time) match {
	return func(it *opsItem) bool {
		t := got(it)
		if t == nil {
			return false
		}
		if op == "GreaterThan" {
			return t.After(at)
		}
		return t.Before(at)
	}
}

func ptr(t time.Time) *time.Time { return &t }

func parseValue(key, op, val string) (match, error) {
	switch key {
	case "CreatedTime", "LastModifiedTime", "ActualStartTime", "ActualEndTime", "PlannedStartTime", "PlannedEndTime":
		at, err := protocol.ParseFilterTime(val)
		if err != nil {
			return nil, errFilter("The value %q of the filter key %s isn't a timestamp.", val, key)
		}
		get := map[string]func(it *opsItem) *time.Time{
			"CreatedTime":      func(it *opsItem) *time.Time { return ptr(it.Created) },
			"LastModifiedTime": func(it *opsItem) *time.Time { return ptr(it.Modified) },
			"ActualStartTime":  func(it *opsItem) *time.Time { return it.ActualStartTime },
			"ActualEndTime":    func(it *opsItem) *time.Time { return it.ActualEndTime },
			"PlannedStartTime": func(it *opsItem) *time.Time { return it.PlannedStartTime },
			"PlannedEndTime":   func(it *opsItem) *time.Time { return it.PlannedEndTime },
		}[key]
		return when(op, at, get), nil
	case "Priority":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 5 {
			return nil, errFilter("The value %q of the filter key Priority isn't a priority from 1 to 5.", val)
		}
		return func(it *opsItem) bool { return it.Priority != nil && int(*it.Priority) == n }, nil
	case "Title":
		if op == "Equal" && runeLen(val) > maxTitleEqual {
			return nil, errFilter("The value of the filter key Title exceeds the length limit of %d characters for the Equal operator.", maxTitleEqual)
		}
		return str(op, val, func(it *opsItem) string {
			if op == "Equal" {
				return firstRunes(it.Title, maxTitleEqual)
			}
			return it.Title
		}), nil
	case "Status":
		return str(op, val, func(it *opsItem) string { return it.Status }), nil
	case "Source":
		return str(op, val, func(it *opsItem) string { return it.Source }), nil
	case "OpsItemId":
		return str(op, val, func(it *opsItem) string { return it.ID }), nil
	case "CreatedBy":
		return str(op, val, func(it *opsItem) string { return it.CreatedBy }), nil
	case "Category":
		return str(op, val, func(it *opsItem) string { return it.Category }), nil
	case "Severity":
		return str(op, val, func(it *opsItem) string { return it.Severity }), nil
	case "OpsItemType":
		return str(op, val, func(it *opsItem) string { return it.Type }), nil
	case "AccountId":
		return func(it *opsItem) bool { return strings.Contains(it.CreatedBy, ":"+val+":") }, nil
	case "OperationalData":
		// {"key":"key_name","value":"a_value"}
		var kv struct {
			Key   *string `json:"key"`
			Value *string `json:"value"`
		}
		if json.Unmarshal([]byte(val), &kv) != nil || kv.Key == nil || kv.Value == nil {
			return nil, errFilter(`The value of the filter key OperationalData must be {"key":"key_name","value":"a_value"}.`)
		}
		return func(it *opsItem) bool {
			d, ok := it.OperationalData[*kv.Key]
			return ok && d.Type == searchable && d.Value == *kv.Value
		}, nil
	case "OperationalDataKey":
		return func(it *opsItem) bool { d, ok := it.OperationalData[val]; return ok && d.Type == searchable }, nil
	case "OperationalDataValue":
		return func(it *opsItem) bool {
			for _, d := range it.OperationalData {
				if d.Type == searchable && (d.Value == val || op == "Contains" && strings.Contains(d.Value, val)) {
					return true
				}
			}
			return false
		}, nil
	case "ResourceId":
		return func(it *opsItem) bool {
			for _, arn := range it.jsonList(keyResources, "arn") {
				if strings.Contains(arn, val) {
					return true
				}
			}
			return false
		}, nil
	case "AutomationId":
		return func(it *opsItem) bool { return slices.Contains(it.jsonList(keyAutomations, "automationId"), val) }, nil
	}
	// The change request, access request and insight keys: the sandbox
	// keeps none of those fields, so no OpsItem matches.
	return func(*opsItem) bool { return false }, nil
}

// jsonList reads a JSON list of objects in an operational data value
// (/aws/resources, /aws/automations) and returns one member of each.
func (it *opsItem) jsonList(key, member string) []string {
	d, ok := it.OperationalData[key]
	if !ok {
		return nil
	}
	var list []map[string]any
	if json.Unmarshal([]byte(d.Value), &list) != nil {
		return nil
	}
	var out []string
	for _, o := range list {
		if s, ok := o[member].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
