package documents

import (
	"fmt"

	"github.com/ssmctl/ssmctl/pkg/ical"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// ChangeCalendar documents: iCalendar 2.0 content stored as TEXT, the
// calendar's type (DEFAULT_OPEN or DEFAULT_CLOSED) in its X-CALENDAR-TYPE
// property, as Change Calendar writes it. GetCalendarState (the calendar
// area) reads the parsed calendar through Find.

// ChangeCalendar is the document type of change calendars.
const ChangeCalendar = "ChangeCalendar"

// parseCalendarContent parses and checks a ChangeCalendar document.
func parseCalendarContent(content, format string) (*Content, *protocol.APIError) {
	if format != "TEXT" {
		return nil, errInvalidDocumentContent(fmt.Sprintf("ChangeCalendar documents are iCalendar 2.0 text: give DocumentFormat TEXT, not %s.", format))
	}
	cal, err := ical.Parse(content)
	if err != nil {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The calendar is not valid iCalendar 2.0: %v.", err))
	}
	return &Content{Description: cal.Description, Calendar: cal}, nil
}

// formatError refuses to return a document in a format it can't be
// converted to: TEXT content (calendars) only as TEXT, JSON and YAML
// content never as TEXT.
func formatError(docType, stored, want string) *protocol.APIError {
	switch {
	case stored == "TEXT" && want != "TEXT":
		return errInvalidDocumentOperation(fmt.Sprintf("%s documents can't be returned as %s: use TEXT.", docType, want))
	case stored != "TEXT" && want == "TEXT":
		return errInvalidDocumentOperation(fmt.Sprintf("%s documents can't be returned as TEXT: use JSON or YAML.", docType))
	}
	return nil
}
