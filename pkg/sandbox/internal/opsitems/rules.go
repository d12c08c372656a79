package opsitems

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// The rules of the OpsItem members, from botocore's ssm model (lengths,
// patterns, enums) and from the API reference and the OpsCenter user
// guide (reserved words and keys, severity values, limits):
// docs/sandbox-opsitems.md gives each its source.

// Limits.
const (
	maxRelatedOpsItems = 10        // related OpsItems per OpsItem (docs/sandbox-opsitems.md)
	maxDataValueBytes  = 20 * 1024 // "The value has a maximum size of 20 KB."
	maxResourceARNs    = 100       // "Each OpsItem can list a maximum of 100 related resource ARNs."
	maxTitleEqual      = 100       // "The Equals operator for Title matches the first 100 characters."
	defaultPage        = 50
)

// AWS-defined operational data keys.
const (
	keyDedup       = "/aws/dedup"
	keyResources   = "/aws/resources"
	keyAutomations = "/aws/automations"
)

// The operational data types (OpsItemDataType).
const (
	searchable = "SearchableString"
	plain      = "String"
)

// OpsItemStatus, in the model's order.
var statuses = []string{"Open", "InProgress", "Resolved", "Pending", "TimedOut", "Cancelling", "Cancelled", "Failed",
	"CompletedWithSuccess", "CompletedWithFailure", "Scheduled", "RunbookInProgress", "PendingChangeCalendarOverride",
	"ChangeCalendarOverrideApproved", "ChangeCalendarOverrideRejected", "PendingApproval", "Approved", "Revoked",
	"Rejected", "Closed"}

// issueStatuses are the statuses an OpsItem that is not a change request
// takes ("Editing OpsItem details": Open, In progress, Resolved).
var issueStatuses = []string{"Open", "InProgress", "Resolved"}

const typeChangeRequest = "/aws/changerequest"

// Patterns of the model.
var (
	notBlankPattern = lazyre.New(`[\s\S]*\S[\s\S]*`) // OpsItemDescription, OpsItemDataValueString
	accountPattern  = lazyre.New(`^[0-9]{12}$`)
	snsTopicPattern = lazyre.New(`^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)
)

// lineNotBlank is the model's `^(?!\s*$).+` (Title, Source, Category,
// Severity, OpsItemDataKey), which Go's regexp cannot say: at least one
// non-space character and, as `.` in AWS's Java patterns, no line break.
const lineNotBlank = `^(?!\s*$).+`

func checkLine(v *protocol.Validator, path, s string, lo, hi int) {
	v.Length(path, s, lo, hi)
	if strings.TrimSpace(s) == "" || strings.ContainsAny(s, "\n\r") {
		v.Add(protocol.QuoteValue(s), path, "Member must satisfy regular expression pattern: "+lineNotBlank)
	}
}

// Errors of the OpsCenter operations (the model's exception names).

func errInvalidParameter(format string, args ...any) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "OpsItemInvalidParameterException", format, args...)
}

func errLimitExceeded(format string, args ...any) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "OpsItemLimitExceededException", format, args...)
}

func errNotFound(id string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "OpsItemNotFoundException", "OpsItem with id %s not found.", id)
}

// wireData is an OpsItemDataValue as a request carries it.
type wireData struct {
	Value *string `json:"Value"`
	Type  *string `json:"Type"`
}

// fields are the members CreateOpsItem and UpdateOpsItem share.
type fields struct {
	Description      *string              `json:"Description"`
	OperationalData  map[string]wireData  `json:"OperationalData"`
	Notifications    []notificationWire   `json:"Notifications"`
	Priority         *int32               `json:"Priority"`
	RelatedOpsItems  []relatedOpsItemWire `json:"RelatedOpsItems"`
	Title            *string              `json:"Title"`
	Category         *string              `json:"Category"`
	Severity         *string              `json:"Severity"`
	ActualStartTime  *protocol.EpochTime  `json:"ActualStartTime"`
	ActualEndTime    *protocol.EpochTime  `json:"ActualEndTime"`
	PlannedStartTime *protocol.EpochTime  `json:"PlannedStartTime"`
	PlannedEndTime   *protocol.EpochTime  `json:"PlannedEndTime"`
}

type notificationWire struct {
	Arn *string `json:"Arn"`
}

type relatedOpsItemWire struct {
	OpsItemId *string `json:"OpsItemId"`
}

// validate applies the model's constraints to the shared members.
func (f *fields) validate(v *protocol.Validator) {
	if f.Description != nil {
		v.Length("description", *f.Description, 1, 2048)
		v.Pattern("description", *f.Description, notBlankPattern)
	}
	if f.Title != nil {
		checkLine(v, "title", *f.Title, 1, 1024)
	}
	if f.Category != nil {
		checkLine(v, "category", *f.Category, 1, 64)
	}
	if f.Severity != nil {
		checkLine(v, "severity", *f.Severity, 1, 64)
	}
	v.IntRange("priority", f.Priority, 1, 5)
	for _, k := range sortedKeys(f.OperationalData) {
		d := f.OperationalData[k]
		checkLine(v, "operationalData.key", k, 1, 128)
		p := "operationalData." + k + ".member"
		if d.Value != nil {
			v.Pattern(p+".value", *d.Value, notBlankPattern)
		}
		if d.Type != nil {
			v.Enum(p+".type", *d.Type, searchable, plain)
		}
	}
	for i, r := range f.RelatedOpsItems {
		v.Required(fmt.Sprintf("relatedOpsItems.%d.member.opsItemId", i+1), r.OpsItemId != nil)
	}
}

// check applies OpsCenter's own rules (OpsItemInvalidParameterException,
// OpsItemLimitExceededException) to the shared members.
func (f *fields) check() error {
	if f.Severity != nil && !(len(*f.Severity) == 1 && (*f.Severity)[0] >= '1' && (*f.Severity)[0] <= '4') {
		return errInvalidParameter("Severity %q isn't valid. Severity options range from 1 to 4.", *f.Severity)
	}
	for _, k := range sortedKeys(f.OperationalData) {
		if err := checkData(k, f.OperationalData[k]); err != nil {
			return err
		}
	}
	for _, n := range f.Notifications {
		if n.Arn == nil || !snsTopicPattern.MatchString(*n.Arn) {
			return errInvalidParameter("Notifications: %q isn't the ARN of an Amazon SNS topic.", protocol.Deref(n.Arn))
		}
	}
	if len(f.RelatedOpsItems) > maxRelatedOpsItems {
		return errLimitExceeded("An OpsItem can have at most %d related OpsItems; the request has %d.", maxRelatedOpsItems, len(f.RelatedOpsItems))
	}
	for _, r := range f.RelatedOpsItems {
		if !opsItemIDPattern.MatchString(*r.OpsItemId) {
			return errInvalidParameter("RelatedOpsItems: %q isn't a valid OpsItem ID.", *r.OpsItemId)
		}
	}
	return nil
}

// reservedPrefixes: "Operational data keys can't begin with the
// following: amazon, aws, amzn, ssm, /amazon, /aws, /amzn, /ssm." The
// keys AWS defines itself (/aws/dedup, /aws/resources, /aws/automations)
// are the exceptions.
var reservedPrefixes = []string{"amazon", "aws", "amzn", "ssm", "/amazon", "/aws", "/amzn", "/ssm"}

func checkData(k string, d wireData) error {
	if d.Value == nil {
		return errInvalidParameter("OperationalData %q has no Value.", k)
	}
	if len(*d.Value) > maxDataValueBytes {
		return errInvalidParameter("OperationalData %q: the value has a maximum size of 20 KB.", k)
	}
	switch k {
	case keyDedup:
		if _, err := dedupString(*d.Value); err != nil {
			return err
		}
		return nil
	case keyResources:
		var arns []struct {
			ARN string `json:"arn"`
		}
		if json.Unmarshal([]byte(*d.Value), &arns) != nil {
			return errInvalidParameter(`OperationalData %q must be a JSON list of {"arn":"..."} objects.`, k)
		}
		if len(arns) > maxResourceARNs {
			return errLimitExceeded("An OpsItem can list a maximum of %d related resource ARNs.", maxResourceARNs)
		}
		return nil
	case keyAutomations:
		return nil
	}
	lk := strings.ToLower(k)
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(lk, p) {
			return errInvalidParameter("OperationalData key %q isn't valid: keys can't begin with amazon, aws, amzn, ssm, /amazon, /aws, /amzn or /ssm.", k)
		}
	}
	return nil
}

// dedupString reads /aws/dedup's value, {"dedupString":"..."}.
func dedupString(value string) (string, error) {
	var d struct {
		DedupString *string `json:"dedupString"`
	}
	if json.Unmarshal([]byte(value), &d) != nil || d.DedupString == nil || strings.TrimSpace(*d.DedupString) == "" {
		return "", errInvalidParameter(`OperationalData "/aws/dedup" must be {"dedupString":"..."} with a non-empty string.`)
	}
	return *d.DedupString, nil
}

// checkSource: "The source name can't contain the following strings:
// aws, amazon, and amzn."
func checkSource(s string) error {
	ls := strings.ToLower(s)
	for _, w := range []string{"aws", "amazon", "amzn"} {
		if strings.Contains(ls, w) {
			return errInvalidParameter("Source %q isn't valid: the source name can't contain aws, amazon or amzn.", s)
		}
	}
	return nil
}

func validateTags(v *protocol.Validator, t []tags.Wire) { tags.ValidateList(v, t) }

func runeLen(s string) int { return utf8.RuneCountInString(s) }
