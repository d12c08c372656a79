package output

import (
	"bytes"
	"strings"
)

// textEscaper keeps a text field on one line and reversible: a backslash is
// doubled, and tab, newline and carriage return become \t, \n and \r.
var textEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

// writeText writes one record per line, fields separated by tabs.
func writeText(buf *bytes.Buffer, rows [][]string) {
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				buf.WriteByte('\t')
			}
			buf.WriteString(textEscaper.Replace(cell))
		}
		buf.WriteByte('\n')
	}
}

// textRows lays a query result out as records, as the AWS CLI's text output
// does: a list gives one record per element, an object one record of its
// values, a scalar one record of itself, null nothing.
func textRows(tree any) [][]string {
	switch v := tree.(type) {
	case nil:
		return nil
	case []any:
		rows := make([][]string, 0, len(v))
		for _, e := range v {
			rows = append(rows, rowOf(e))
		}
		return rows
	default:
		return [][]string{rowOf(v)}
	}
}

// rowOf is the fields of one record: an object's values in key order, a
// list's elements, or a scalar alone. Nested objects and lists are compact
// JSON.
func rowOf(v any) []string {
	switch v := v.(type) {
	case object:
		row := make([]string, len(v))
		for i, m := range v {
			row[i] = scalarString(m.Value)
		}
		return row
	case []any:
		row := make([]string, len(v))
		for i, e := range v {
			row[i] = scalarString(e)
		}
		return row
	default:
		return []string{scalarString(v)}
	}
}
