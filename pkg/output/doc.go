// Package output owns what ssmctl writes and where: the IO streams and their
// TTY, colour and prompt rules, the progress spinner, and the table, json,
// yaml and text renderers with --query (JMESPath) applied to the JSON
// document first, as the AWS CLI does.
//
// Rules the renderers follow (docs/ should quote these):
//
//   - json: the view value marshalled with its JSON tags, indented two spaces,
//     HTML characters not escaped, a trailing newline. A nil top-level slice
//     or map prints [] or {}, never null. Field order is the struct's.
//     Times are *Time: RFC 3339 in UTC with exactly three fractional
//     digits; a view holding a time.Time is refused.
//   - yaml: the same document, same key order, built from the JSON so that
//     strings that look like numbers, booleans or null ("true", "0123",
//     "1.0", "yes") are quoted and the document round-trips.
//   - table: the command's headers (upper-cased) and rows, borderless,
//     columns separated by at least two spaces, no trailing spaces. On a
//     terminal the header is bold (when colour is allowed). On a terminal,
//     or in a pipe with COLUMNS set, the table is fitted to the width: the
//     columns in Table.DropOrder are left out, least useful first, while the
//     table would not fit with its cuttable columns at their narrowest;
//     then the widest columns are cut with "…". A header, the first column
//     and the columns in Table.NoTruncate are never cut. wide is the table
//     with every column, never fitted.
//     Tabs, newlines and other control characters in a cell are shown as
//     \t, \n, \r and \xNN so a record stays on one line and cannot drive
//     the terminal. An empty table prints nothing.
//   - text: one record per line, fields separated by a tab, no header.
//     Inside a field a backslash is written \\, a tab \t, a newline \n and a
//     carriage return \r, so every record is exactly one line and the
//     original value can be recovered.
//   - --query: the JMESPath result is rendered generically. JSON object keys
//     in a query result are sorted (as go-jmespath and the AWS CLI's text
//     output do). For table and text: a list of objects is one row per
//     object (a table's columns are the union of the keys, first seen
//     first); a list of lists is one row per inner list; a list of scalars
//     is one value per line; an object is its values on one line (a table
//     shows KEY/VALUE rows); a scalar is its value; null prints nothing.
//     Non-scalar values inside a row are compact JSON; null is empty.
//   - Numbers keep their exact JSON text (json.Number). Numbers that a
//     float64 holds exactly are given to JMESPath as float64 so comparisons
//     and functions work; integers beyond 2^53 stay exact but JMESPath
//     cannot compare them numerically.
package output
