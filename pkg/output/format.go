package output

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmespath/go-jmespath"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Format is a value of -o/--output.
type Format string

// The output formats, in the order help text lists them. The table format's
// constant is TableFormat because Table is the layout type commands return.
// Wide is the table with every column, never fitted to the terminal.
const (
	TableFormat Format = "table"
	Wide        Format = "wide"
	JSON        Format = "json"
	YAML        Format = "yaml"
	Text        Format = "text"
)

var formats = []Format{TableFormat, Wide, JSON, YAML, Text}

// Formats lists the output formats for the flag's help text and completion.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return names
}

// ParseFormat checks a value of -o/--output. The empty string is valid and
// means "the default for this terminal" (see NewPrinter). The error is a
// usage error (exit code 252).
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return "", nil
	}
	for _, f := range formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", exitcode.Usagef("invalid output format %q: want one of %s", s, strings.Join(Formats(), ", "))
}

// ValidateQuery compiles a --query expression. The empty string is no query.
// The error is one line and a usage error (exit code 252).
func ValidateQuery(q string) error {
	_, err := compileQuery(q)
	return err
}

func compileQuery(q string) (*jmespath.JMESPath, error) {
	if q == "" {
		return nil, nil
	}
	expr := legacyLiterals(q)
	jp, err := jmespath.Compile(expr)
	if err != nil {
		return nil, exitcode.Usagef("invalid --query %s: %s", strconv.Quote(q), queryErrorReason(err))
	}
	if swallowedSyntaxError(expr) {
		return nil, exitcode.Usagef("invalid --query %s: syntax error in an index or slice: want [N], [start:stop:step] or [*] closed by ']'", strconv.Quote(q))
	}
	return jp, nil
}

// swallowedSyntaxError reports whether go-jmespath accepted a broken
// expression: its parser drops the error of a bad index after "[" ("[0.id")
// and leaves an empty node, which fails only when the query runs ("Unknown
// AST node: ASTEmpty"). No valid expression has an empty node.
func swallowedSyntaxError(expr string) bool {
	ast, err := jmespath.NewParser().Parse(expr)
	return err == nil && strings.Contains(ast.PrettyPrint(0), "ASTEmpty {")
}

// queryErrorReason makes go-jmespath's error one line and says where the
// expression went wrong.
func queryErrorReason(err error) string {
	if se, ok := err.(jmespath.SyntaxError); ok {
		msg := strings.TrimPrefix(se.Error(), "SyntaxError: ")
		return fmt.Sprintf("syntax error at column %d: %s", se.Offset+1, tokenNames.Replace(oneLine(msg)))
	}
	return oneLine(err.Error())
}

// tokenNames turns go-jmespath's token type names into what the user typed.
// Longer names come first so tLTE is not read as tLT.
var tokenNames = strings.NewReplacer(
	"tUnquotedIdentifier", "identifier", "tQuotedIdentifier", "quoted identifier",
	"tJSONLiteral", "`literal`", "tStringLiteral", "'string'", "tNumber", "number",
	"tFlatten", "'[]'", "tFilter", "'[?'", "tLbracket", "'['", "tRbracket", "']'",
	"tLbrace", "'{'", "tRbrace", "'}'", "tLparen", "'('", "tRparen", "')'",
	"tStar", "'*'", "tDot", "'.'", "tComma", "','", "tColon", "':'",
	"tLTE", "'<='", "tGTE", "'>='", "tLT", "'<'", "tGT", "'>'", "tEQ", "'=='", "tNE", "'!='",
	"tOr", "'||'", "tAnd", "'&&'", "tNot", "'!'", "tPipe", "'|'", "tCurrent", "'@'",
	"tExpref", "'&'", "tEOF", "end of expression", "tUnknown", "unknown token",
)

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// legacyLiterals rewrites JSON literals that are not valid JSON, such as
// `Windows`, into JSON strings (`"Windows"`). The AWS CLI's JMESPath accepts
// them that way (the JMESPath spec's deprecated literal form), AWS's own
// documentation uses them, and go-jmespath alone would refuse them. Raw
// strings ('...') and quoted identifiers ("...") are left untouched.
func legacyLiterals(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch c {
		case '\'', '"':
			j := skipQuoted(q, i, c)
			b.WriteString(q[i:j])
			i = j - 1
		case '`':
			j := skipQuoted(q, i, '`')
			if j > len(q) || q[j-1] != '`' || j-i < 2 {
				b.WriteString(q[i:])
				return b.String()
			}
			body := q[i+1 : j-1]
			lit := strings.ReplaceAll(body, "\\`", "`")
			if json.Valid([]byte(lit)) {
				b.WriteString(q[i:j])
			} else {
				enc, _ := json.Marshal(strings.TrimSpace(lit))
				b.WriteString("`" + strings.ReplaceAll(string(enc), "`", "\\`") + "`")
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipQuoted returns the index just past the quoted run that starts at
// q[start] with quote, honouring backslash escapes; len(q) when unclosed.
func skipQuoted(q string, start int, quote byte) int {
	for j := start + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			j++
		case quote:
			return j + 1
		}
	}
	return len(q)
}
