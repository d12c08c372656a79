package output

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
)

const (
	// columnGap is the space between columns.
	columnGap = 2
	// minCutWidth is the narrowest a cut column gets (unless its header is
	// wider, which is never cut).
	minCutWidth = 4
	ellipsis    = "…"
	boldOn      = "\x1b[1m"
	boldOff     = "\x1b[0m"
)

// genericTable lays a query result out as a table. A list of objects gets
// the union of their keys as columns, first seen first; an object is KEY
// VALUE rows without a header; anything else is textRows without a header.
func genericTable(tree any) Table {
	switch v := tree.(type) {
	case object:
		rows := make([][]string, len(v))
		for i, m := range v {
			rows[i] = []string{m.Key, scalarString(m.Value)}
		}
		return Table{Rows: rows}
	case []any:
		if len(v) == 0 || !allObjects(v) {
			return Table{Rows: textRows(v)}
		}
		var headers []string
		index := map[string]int{}
		for _, e := range v {
			for _, m := range e.(object) {
				if _, ok := index[m.Key]; !ok {
					index[m.Key] = len(headers)
					headers = append(headers, m.Key)
				}
			}
		}
		rows := make([][]string, len(v))
		for i, e := range v {
			row := make([]string, len(headers))
			for _, m := range e.(object) {
				row[index[m.Key]] = scalarString(m.Value)
			}
			rows[i] = row
		}
		return Table{Headers: headers, Rows: rows}
	default:
		return Table{Rows: textRows(v)}
	}
}

func allObjects(v []any) bool {
	for _, e := range v {
		if _, ok := e.(object); !ok {
			return false
		}
	}
	return true
}

// writeTable renders a borderless, left-aligned table in the style of
// `kubectl get`: upper-case headers, columns two spaces apart, no trailing
// spaces. On a terminal (or with COLUMNS set) it fits the terminal's width,
// leaving out the least useful columns and then cutting the widest (-o wide
// does neither), and bolds the header when colour is allowed. No rows, no
// output.
func (p *Printer) writeTable(buf *bytes.Buffer, t Table) error {
	if len(t.Rows) == 0 {
		return nil
	}
	ncols := len(t.Headers)
	for _, r := range t.Rows {
		ncols = max(ncols, len(r))
	}
	if ncols == 0 {
		return nil
	}
	var headers []string
	if len(t.Headers) > 0 {
		headers = make([]string, ncols)
		for i, h := range t.Headers {
			headers[i] = escapeCell(strings.ToUpper(h))
		}
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		row := make([]string, ncols)
		for j, c := range r {
			row[j] = escapeCell(c)
		}
		rows[i] = row
	}
	if p.format != Wide && p.streams.FitTables() {
		keep := map[int]bool{0: true}
		for _, j := range t.NoTruncate {
			keep[j] = true
		}
		cols := fitWidth(headers, rows, keep, t.DropOrder, p.streams.TerminalWidth())
		if len(cols) < ncols {
			if headers != nil {
				headers = pick(headers, cols)
			}
			for i, r := range rows {
				rows[i] = pick(r, cols)
			}
		}
	}

	var out bytes.Buffer
	table := tablewriter.NewTable(&out,
		tablewriter.WithRendition(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Lines: tw.LinesNone, Separators: tw.SeparatorsNone},
		}),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: strings.Repeat(" ", columnGap), Overwrite: true}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	)
	if headers != nil {
		table.Header(headers)
	}
	if err := table.Bulk(rows); err != nil {
		return fmt.Errorf("render table: %w", err)
	}
	if err := table.Render(); err != nil {
		return fmt.Errorf("render table: %w", err)
	}

	bold := headers != nil && p.streams.ColorEnabled()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, " ")
		if i == 0 && bold {
			line = boldOn + line + boldOff
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	return nil
}

// fitWidth fits the table to width columns and returns the columns to show,
// in order. First it leaves out columns in dropOrder, least useful first,
// while the table would not fit even with every cuttable column cut to its
// floor (the larger of its header and minCutWidth); then, while the table is
// too wide, the widest cuttable column loses one column (the rightmost of
// equals, as the leftmost columns usually identify the row). Columns in keep
// are never cut. Cut cells end in "…". If the table still does not fit it is
// left wider than the terminal rather than made unreadable.
func fitWidth(headers []string, rows [][]string, keep map[int]bool, dropOrder []int, width int) []int {
	ncols := len(rows[0])
	natural := make([]int, ncols)
	floor := make([]int, ncols)
	for j := range ncols {
		hw := 0
		if headers != nil {
			hw = twwidth.Width(headers[j])
		}
		natural[j] = hw
		for _, r := range rows {
			natural[j] = max(natural[j], twwidth.Width(r[j]))
		}
		floor[j] = min(natural[j], max(hw, minCutWidth))
		if keep[j] {
			floor[j] = natural[j]
		}
	}
	shown := make([]bool, ncols)
	for j := range shown {
		shown[j] = true
	}
	sum := func(w []int) int {
		total, n := 0, 0
		for j := range ncols {
			if shown[j] {
				total += w[j]
				n++
			}
		}
		return total + columnGap*max(n-1, 0)
	}
	for _, j := range dropOrder {
		if sum(floor) <= width {
			break
		}
		if j > 0 && j < ncols { // the first column is the row's identity
			shown[j] = false
		}
	}
	widths := append([]int(nil), natural...)
	for total := sum(widths); total > width; total-- {
		widest := -1
		for j, w := range widths {
			if shown[j] && w > floor[j] && (widest < 0 || w >= widths[widest]) {
				widest = j
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
	}
	var cols []int
	for j, w := range widths {
		if !shown[j] {
			continue
		}
		cols = append(cols, j)
		if w == natural[j] {
			continue
		}
		for _, r := range rows {
			if twwidth.Width(r[j]) > w {
				r[j] = twwidth.Truncate(r[j], w, ellipsis)
			}
		}
	}
	return cols
}

// pick is the cells of row in cols.
func pick(row []string, cols []int) []string {
	out := make([]string, len(cols))
	for i, j := range cols {
		out[i] = row[j]
	}
	return out
}

// escapeCell keeps a cell on one line and keeps control characters from
// reaching the terminal: tab, newline and carriage return become \t, \n and
// \r, other control characters \xNN. Backslashes are left alone; the table is
// for reading, and text is the format for machines.
func escapeCell(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}
