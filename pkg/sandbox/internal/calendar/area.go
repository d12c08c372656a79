// Package calendar is the sandbox's Change Calendar: GetCalendarState,
// computed from the events of ChangeCalendar documents (the documents
// area stores and parses them). It has no state of its own.
package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/ical"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// Area is the Change Calendar operations.
type Area struct {
	h    *area.Host
	docs *documents.Area
}

// New registers GetCalendarState.
func New(h *area.Host, docs *documents.Area) *Area {
	a := &Area{h: h, docs: docs}
	h.Router.Register(router.SSM, "GetCalendarState", router.Handle(a.getCalendarState))
	return a
}

type getCalendarStateInput struct {
	CalendarNames []string `json:"CalendarNames"`
	AtTime        *string  `json:"AtTime"`
}

type getCalendarStateOutput struct {
	State              string `json:"State"`
	AtTime             string `json:"AtTime"`
	NextTransitionTime string `json:"NextTransitionTime,omitempty"`
}

// isoLayouts are the ISO 8601 forms AtTime is read in: a date and time
// with a zone (Z or an offset), seconds and fractions optional, or a date
// alone (midnight UTC).
var isoLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z0700", "2006-01-02"}

func parseISO(s string) (time.Time, bool) {
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isoFormat is how AWS writes the times it answers: UTC, to the second.
func isoFormat(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (a *Area) getCalendarState(in *getCalendarStateInput) (*getCalendarStateOutput, error) {
	var v protocol.Validator
	v.Required("calendarNames", in.CalendarNames != nil)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(in.CalendarNames) == 0 {
		return nil, protocol.ErrValidation("CalendarNames must name at least one calendar.")
	}
	at := a.h.Clock()
	if in.AtTime != nil {
		t, ok := parseISO(strings.TrimSpace(*in.AtTime))
		if !ok {
			return nil, protocol.ErrValidation(fmt.Sprintf("AtTime %q is not an ISO 8601 time (e.g. 2026-12-24T18:00:00Z).", *in.AtTime))
		}
		at = t
	}
	at = at.Truncate(time.Second)
	cals := make([]*ical.Calendar, 0, len(in.CalendarNames))
	for _, name := range in.CalendarNames {
		f, ok, err := a.docs.Find(name, "", "")
		switch {
		case !ok:
			return nil, documents.ErrInvalidDocument(fmt.Sprintf("Calendar %s does not exist.", name))
		case err != nil:
			return nil, err
		case f.DocumentType != documents.ChangeCalendar:
			return nil, protocol.Errorf(400, "InvalidDocumentType", "Document %s is a %s document, not a ChangeCalendar.", f.Name, f.DocumentType)
		case f.Content == nil || f.Content.Calendar == nil:
			return nil, protocol.Errorf(400, "UnsupportedCalendarException", "The calendar entry in document %s isn't supported.", f.Name)
		}
		cals = append(cals, f.Content.Calendar)
	}
	open, next := ical.State(cals, at)
	out := &getCalendarStateOutput{State: "CLOSED", AtTime: isoFormat(at)}
	if open {
		out.State = "OPEN"
	}
	if !next.IsZero() {
		out.NextTransitionTime = isoFormat(next)
	}
	return out, nil
}
