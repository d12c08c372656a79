package commands

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// CommandFilters of ListCommands and ListCommandInvocations.

// commandFilters validates Filters for ListCommands (execStage true) or
// ListCommandInvocations.
type parsedCommandFilters struct {
	after, before *time.Time
	statuses      []string
	documentNames []string
	stage         string
}

func parseCommandFilters(v *protocol.Validator, filters []commandFilter, listCommands bool) (*parsedCommandFilters, error) {
	if filters != nil {
		v.Count("filters", len(filters), 1, 5)
	}
	for i, f := range filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName")
		}
		if v.Required(p+".value", f.Value != nil) {
			v.Length(p+".value", *f.Value, 1, 128)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &parsedCommandFilters{}
	for _, f := range filters {
		val := *f.Value
		switch *f.Key {
		case "InvokedAfter", "InvokedBefore":
			t, err := protocol.ParseFilterTime(val)
			if err != nil {
				return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s: %q is not a timestamp such as 2024-07-07T00:00:00Z.", *f.Key, val))
			}
			if *f.Key == "InvokedAfter" {
				out.after = &t
			} else {
				out.before = &t
			}
		case "Status":
			allowed := invocationStatusFilterValues
			if listCommands {
				allowed = commandStatusFilterValues
			}
			if !slices.Contains(allowed, val) {
				return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s is not a valid value for the Status filter. Valid values: %s.", val, strings.Join(allowed, ", ")))
			}
			out.statuses = append(out.statuses, val)
		case "DocumentName":
			out.documentNames = append(out.documentNames, val)
		case "ExecutionStage":
			// CommandFilter key documentation: "The ExecutionStage filter
			// can't be used with the ListCommandInvocations operation".
			if !listCommands {
				return nil, protocol.ErrInvalidFilterKey("The ExecutionStage filter can't be used with ListCommandInvocations, only with ListCommands.")
			}
			if val != "Executing" && val != "Complete" {
				return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s is not a valid value for the ExecutionStage filter. Valid values: Executing, Complete.", val))
			}
			out.stage = val
		}
	}
	return out, nil
}

func (f *parsedCommandFilters) matchCommon(c *command) bool {
	if f.after != nil && c.Requested.Before(*f.after) {
		return false
	}
	if f.before != nil && c.Requested.After(*f.before) {
		return false
	}
	if len(f.documentNames) > 0 && !slices.Contains(f.documentNames, c.DocumentName) {
		return false
	}
	return true
}

// statusMatches reports whether a Status filter value names a status or a
// status detail (TimedOut covers DeliveryTimedOut and ExecutionTimedOut).
func statusMatches(values []string, status, details string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		if v == status || v == details {
			return true
		}
	}
	return false
}
