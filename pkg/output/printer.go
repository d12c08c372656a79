package output

import (
	"bytes"
	"fmt"

	"github.com/jmespath/go-jmespath"
)

// Table is how a command lays out its document for the table and text
// formats: one row per record, cells in header order.
type Table struct {
	Headers []string
	Rows    [][]string
	// NoTruncate lists columns (by index) that are never cut to fit the
	// terminal, such as IDs a user will copy. The first column, by
	// convention the record's identity, is never cut either.
	NoTruncate []int
	// DropOrder is the columns' priority: the columns (by index) that may
	// be left out when the table does not fit the terminal, least useful
	// first. Columns not listed are always shown. -o wide shows every
	// column, and so does a table that is not fitted (a pipe).
	DropOrder []int
}

// Printer renders command results on stdout in one format, after --query.
type Printer struct {
	streams *Streams
	format  Format
	query   string
	jp      *jmespath.JMESPath
}

// NewPrinter returns a printer for format and query. An empty format is table
// when stdout is a terminal and text when it is not. Errors are usage errors.
func NewPrinter(s *Streams, format Format, query string) (*Printer, error) {
	if format == "" {
		format = Text
		if s.IsStdoutTTY() {
			format = TableFormat
		}
	}
	if _, err := ParseFormat(string(format)); err != nil {
		return nil, err
	}
	jp, err := compileQuery(query)
	if err != nil {
		return nil, err
	}
	return &Printer{streams: s, format: format, query: query, jp: jp}, nil
}

// Format is the format the printer renders, never empty.
func (p *Printer) Format() Format { return p.format }

// TerminalTable reports whether the output is a table (or wide table) on a
// terminal, read by a person: then times are relative ("5m ago", TimeLabel's
// tty) and principals short. Text, even on a terminal, and a table in a
// pipe show RFC 3339 times and whole values.
func (p *Printer) TerminalTable() bool {
	return (p.format == TableFormat || p.format == Wide) && p.streams.IsStdoutTTY()
}

// Print writes doc, a view value with JSON tags, on stdout. table lays the
// document out for the table and text formats; it is called only for those
// formats and only without --query (a query result is laid out generically).
// A nil table lays the document out generically too.
//
// The output is written with one Write, so a closed pipe is one error.
func (p *Printer) Print(doc any, table func() Table) error {
	var buf bytes.Buffer
	if err := p.render(&buf, doc, table); err != nil {
		return err
	}
	if buf.Len() == 0 {
		return nil
	}
	if _, err := p.streams.Out.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func (p *Printer) render(buf *bytes.Buffer, doc any, table func() Table) error {
	if p.jp == nil && table != nil && (p.format == TableFormat || p.format == Wide || p.format == Text) {
		t := table()
		if p.format == Text {
			writeText(buf, t.Rows)
			return nil
		}
		return p.writeTable(buf, t)
	}

	raw, err := marshalDocument(doc)
	if err != nil {
		return err
	}
	if p.jp != nil {
		if raw, err = applyQuery(p.jp, p.query, raw); err != nil {
			return err
		}
	}
	if p.format == JSON {
		buf.Write(raw)
		return nil
	}
	tree, err := decodeOrdered(raw)
	if err != nil {
		return err
	}
	switch p.format {
	case YAML:
		return writeYAML(buf, tree)
	case Text:
		writeText(buf, textRows(tree))
		return nil
	default:
		return p.writeTable(buf, genericTable(tree))
	}
}

// Structured reports whether the printer prints one document (json, yaml
// or a --query result) rather than rows, so a command that streams rows
// as they come collects them instead.
func (p *Printer) Structured() bool {
	return p.format == JSON || p.format == YAML || p.query != ""
}
