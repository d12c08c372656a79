package params

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/ssmctl/ssmctl/pkg/envexec"
)

// Formats export writes and import reads.
var Formats = []string{"dotenv", "env", "json", "yaml", "tfvars"}

// Entry is one key and value of an export or import file. Keys are
// relative to the exported path ("db/url"); dotenv and env files carry
// environment names (DB_URL) and tfvars files Terraform names (db_url).
type Entry struct {
	Key   string
	Value string
}

// NormalizeFormat checks a format name.
func NormalizeFormat(f string) (string, error) {
	f = strings.ToLower(f)
	if f == "yml" {
		f = "yaml"
	}
	return normalizeEnum("format", f, Formats)
}

// EnvName maps a relative key to an environment variable name: letters
// upper-cased, every other character but digits and underscores (/, -, .)
// an underscore, and a leading digit preceded by an underscore:
// "db/url" -> DB_URL, "api-key.v2" -> API_KEY_V2.
func EnvName(key string) string { return envexec.Name(key) }

// TerraformName maps a relative key to a Terraform variable name: EnvName
// in lower case.
func TerraformName(key string) string { return strings.ToLower(EnvName(key)) }

// KeyFor maps a relative key to the key format uses.
func KeyFor(format, key string) string {
	switch format {
	case "dotenv", "env":
		return EnvName(key)
	case "tfvars":
		return TerraformName(key)
	}
	return key
}

// Collision is two parameters that map to the same key in a format.
type Collision struct {
	Key      string
	Kept     string // the relative key whose value is used (the later in name order)
	Replaced string
}

// MapKeys maps relative keys to format's keys, keeping entries in order;
// when two map to one key the later wins and the collision is reported.
func MapKeys(format string, entries []Entry) ([]Entry, []Collision) {
	index := map[string]int{}
	from := map[string]string{}
	var out []Entry
	var coll []Collision
	for _, e := range entries {
		k := KeyFor(format, e.Key)
		if i, ok := index[k]; ok {
			coll = append(coll, Collision{Key: k, Kept: e.Key, Replaced: from[k]})
			out[i].Value = e.Value
			from[k] = e.Key
			continue
		}
		index[k] = len(out)
		from[k] = e.Key
		out = append(out, Entry{Key: k, Value: e.Value})
	}
	return out, coll
}

// Encode writes entries (already keyed for the format) in format.
//
//   - dotenv: KEY='value' when the value has no single quote, newline or
//     carriage return (single quotes are literal in dotenv loaders), else
//     KEY="value" with \\, \", \n, \r and \$ escaped.
//   - env: export KEY='value' for a POSIX shell (eval or source); a single
//     quote is written '\” and newlines stay literal inside the quotes.
//   - json: one object, keys sorted, values strings.
//   - yaml: one mapping, keys sorted, values strings (block scalars for
//     multi-line values).
//   - tfvars: key = "value" with HCL escapes (\\, \", \n, \r, \t, $${,
//     %%{).
func Encode(format string, entries []Entry) ([]byte, error) {
	var buf bytes.Buffer
	switch format {
	case "dotenv":
		for _, e := range entries {
			buf.WriteString(e.Key + "=" + dotenvQuote(e.Value) + "\n")
		}
	case "env":
		for _, e := range entries {
			buf.WriteString("export " + e.Key + "=" + shellQuote(e.Value) + "\n")
		}
	case "json":
		m := map[string]string{}
		for _, e := range entries {
			m[e.Key] = e.Value
		}
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			return nil, err
		}
	case "yaml":
		node := &yaml.Node{Kind: yaml.MappingNode}
		sorted := append([]Entry(nil), entries...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key })
		for _, e := range sorted {
			v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.Value}
			if strings.ContainsAny(e.Value, "\n\r\t") || strings.TrimSpace(e.Value) != e.Value {
				v.Style = yaml.DoubleQuotedStyle
			}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.Key}, v)
		}
		if len(entries) == 0 {
			buf.WriteString("{}\n")
			break
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(node); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	case "tfvars":
		for _, e := range entries {
			buf.WriteString(e.Key + " = " + hclQuote(e.Value) + "\n")
		}
	default:
		return nil, usagef("unknown format %q", format)
	}
	return buf.Bytes(), nil
}

func dotenvQuote(v string) string {
	if !strings.ContainsAny(v, "'\n\r") {
		return "'" + v + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, `$`, `\$`)
	return `"` + r.Replace(v) + `"`
}

func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func hclQuote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "${", "$${", "%{", "%%{")
	return `"` + r.Replace(v) + `"`
}

// Decode reads entries from data in format. dotenv, env and tfvars read
// what Encode writes and the common hand-written forms (unquoted values,
// comments, blank lines); json and yaml read an object, with nested
// objects flattened into keys joined by "/".
//
// Values are taken as written, never altered (docs/params.md, "Import
// takes values as written"): a number or boolean is its text as it appears
// in the file (yaml's 010 and 1.10 stay 010 and 1.10), a list of scalars
// is StringList text (a,b) when no item holds a comma. A list that holds
// an object, a list, null or an item with a comma, and any value that is
// not UTF-8 text, is refused (252) naming its key. An empty value (KEY=,
// "", null, []) comes back as an entry with an empty value: Parameter
// Store cannot hold one, and the importer decides what to do with it.
func Decode(format string, data []byte) ([]Entry, error) {
	entries, err := decode(format, data)
	if err != nil {
		return nil, err
	}
	if err := checkUTF8(format, data, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func decode(format string, data []byte) ([]Entry, error) {
	switch format {
	case "dotenv", "env":
		return decodeDotenv(string(data))
	case "tfvars":
		return decodeTfvars(string(data))
	case "json":
		// json and yaml would replace bytes that are not UTF-8 (or refuse
		// the file without saying where): checkUTF8 finds the key.
		data = bytes.ToValidUTF8(data, []byte(string(utf8.RuneError)))
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, usagef("invalid JSON: %v", err)
		}
		if m == nil {
			return nil, usagef("invalid JSON: want an object of keys and values")
		}
		return flatten("", m)
	case "yaml":
		data = bytes.ToValidUTF8(data, []byte(string(utf8.RuneError)))
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, usagef("invalid YAML: %v", err)
		}
		if len(doc.Content) == 0 {
			return nil, nil
		}
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			return nil, usagef("invalid YAML: want a mapping of keys and values")
		}
		return flattenYAML("", root)
	}
	return nil, usagef("unknown format %q", format)
}

// checkUTF8 refuses entries whose key or value is not UTF-8 text, naming
// the first. For json and yaml, which were decoded with such bytes
// replaced by U+FFFD, an entry holding U+FFFD is one, unless the file
// itself holds that character; then the line is named instead.
func checkUTF8(format string, data []byte, entries []Entry) error {
	if utf8.Valid(data) {
		return nil
	}
	replaced := format == "json" || format == "yaml"
	genuine := bytes.Contains(data, []byte(string(utf8.RuneError)))
	for _, e := range entries {
		bad := !utf8.ValidString(e.Key) || !utf8.ValidString(e.Value)
		if replaced && !genuine {
			bad = strings.ContainsRune(e.Key, utf8.RuneError) || strings.ContainsRune(e.Value, utf8.RuneError)
		}
		if bad {
			return usagef("key %q: the value is not UTF-8 text; Parameter Store holds text (base64-encode binary values)", strings.ToValidUTF8(e.Key, "?"))
		}
	}
	if replaced {
		off := len(data)
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				off = i
				break
			}
			i += n
		}
		return usagef("line %d: bytes that are not UTF-8 text; Parameter Store holds text", 1+bytes.Count(data[:off], []byte("\n")))
	}
	// dotenv and tfvars keep the bytes: only comments were not UTF-8.
	return nil
}

func flatten(prefix string, m map[string]any) ([]Entry, error) {
	var out []Entry
	for _, k := range sortedKeys(m) {
		key := k
		if prefix != "" {
			key = prefix + "/" + k
		}
		switch v := m[k].(type) {
		case map[string]any:
			sub, err := flatten(key, v)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case []any:
			parts := make([]string, len(v))
			for i, e := range v {
				s, ok := jsonScalar(e)
				if !ok {
					return nil, nestedList(key, e == nil)
				}
				parts[i] = s
			}
			val, err := listValue(key, parts)
			if err != nil {
				return nil, err
			}
			out = append(out, Entry{Key: key, Value: val})
		case nil:
			out = append(out, Entry{Key: key})
		default:
			s, ok := jsonScalar(v)
			if !ok {
				return nil, usagef("key %q: unsupported value %T", key, v)
			}
			out = append(out, Entry{Key: key, Value: s})
		}
	}
	return out, nil
}

// jsonScalar is a JSON string, number (its text as written) or boolean as
// text.
func jsonScalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return fmt.Sprint(v), true
	}
	return "", false
}

func flattenYAML(prefix string, m *yaml.Node) ([]Entry, error) {
	type pair struct {
		key string
		val *yaml.Node
	}
	var pairs []pair
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			return nil, usagef("invalid YAML: line %d: keys must be plain text (no merge keys or complex keys)", k.Line)
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "/" + key
		}
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		pairs = append(pairs, pair{key, v})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	var out []Entry
	for _, p := range pairs {
		switch p.val.Kind {
		case yaml.MappingNode:
			sub, err := flattenYAML(p.key, p.val)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case yaml.SequenceNode:
			parts := make([]string, len(p.val.Content))
			for i, e := range p.val.Content {
				for e.Kind == yaml.AliasNode {
					e = e.Alias
				}
				if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
					return nil, nestedList(p.key, e.Kind == yaml.ScalarNode)
				}
				parts[i] = e.Value
			}
			val, err := listValue(p.key, parts)
			if err != nil {
				return nil, err
			}
			out = append(out, Entry{Key: p.key, Value: val})
		case yaml.ScalarNode:
			if p.val.Tag == "!!null" {
				out = append(out, Entry{Key: p.key})
				continue
			}
			// The text as written: 010 and 1.10 are not numbers to convert.
			out = append(out, Entry{Key: p.key, Value: p.val.Value})
		default:
			return nil, usagef("invalid YAML: line %d: unsupported value", p.val.Line)
		}
	}
	return out, nil
}

// listValue is a list's StringList text, refused when an item holds a
// comma (it would read back as two).
func listValue(key string, parts []string) (string, error) {
	for _, p := range parts {
		if strings.Contains(p, ",") {
			return "", usagef("key %q: a list item holds a comma, which StringList text (a,b) cannot keep apart; give the value as one string", key)
		}
		if p == "" {
			return "", usagef("key %q: a list holds an empty item, which StringList text cannot hold; give the value as one string", key)
		}
	}
	return strings.Join(parts, ","), nil
}

func nestedList(key string, null bool) error {
	what := "an object or a list"
	if null {
		what = "null"
	}
	return usagef("key %q: a list that holds %s; only lists of strings, numbers and booleans become values (a,b): give a nested value as one string to store it as text", key, what)
}

// decodeDotenv reads KEY=VALUE lines, optionally after "export ": 'single'
// (literal; a shell's '\” is understood), "double" (with \\ \" \n \r \t
// \$ escapes; may span lines) or bare values (trailing " #comment" and
// surrounding spaces dropped).
func decodeDotenv(s string) ([]Entry, error) {
	var out []Entry
	line := 1
	for len(s) > 0 {
		// Skip blank lines and comments.
		trimmed := strings.TrimLeft(s, " \t")
		if trimmed == "" {
			break
		}
		if trimmed[0] == '\n' || trimmed[0] == '\r' || trimmed[0] == '#' {
			i := strings.IndexByte(trimmed, '\n')
			if i < 0 {
				break
			}
			s = trimmed[i+1:]
			line++
			continue
		}
		s = strings.TrimPrefix(trimmed, "export ")
		s = strings.TrimLeft(s, " \t")
		eq := strings.IndexByte(s, '=')
		nl := strings.IndexByte(s, '\n')
		if eq < 0 || (nl >= 0 && nl < eq) {
			return nil, usagef("line %d: want KEY=VALUE", line)
		}
		key := strings.TrimSpace(s[:eq])
		if key == "" {
			return nil, usagef("line %d: empty key", line)
		}
		s = s[eq+1:]
		var val string
		var err error
		val, s, line, err = dotenvValue(s, line)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Key: key, Value: val})
	}
	return out, nil
}

func dotenvValue(s string, line int) (string, string, int, error) {
	var b strings.Builder
	switch {
	case strings.HasPrefix(s, "'"):
		// Single-quoted pieces, possibly joined by \' as a shell writes them.
		for strings.HasPrefix(s, "'") {
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", "", line, usagef("line %d: unterminated single quote", line)
			}
			piece := s[1 : 1+end]
			line += strings.Count(piece, "\n")
			b.WriteString(piece)
			s = s[end+2:]
			if strings.HasPrefix(s, `\''`) {
				b.WriteByte('\'')
				s = s[2:]
			} else if strings.HasPrefix(s, `\'`) {
				b.WriteByte('\'')
				s = s[2:]
				break
			}
		}
	case strings.HasPrefix(s, `"`):
		i := 1
		for ; i < len(s); i++ {
			c := s[i]
			if c == '"' {
				break
			}
			if c == '\n' {
				line++
			}
			if c == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				case 'r':
					b.WriteByte('\r')
				case 't':
					b.WriteByte('\t')
				case '\\', '"', '$', '\'', '`':
					b.WriteByte(s[i])
				default:
					b.WriteByte('\\')
					b.WriteByte(s[i])
				}
				continue
			}
			b.WriteByte(c)
		}
		if i >= len(s) {
			return "", "", line, usagef("line %d: unterminated double quote", line)
		}
		s = s[i+1:]
	default:
		end := strings.IndexByte(s, '\n')
		raw := s
		if end >= 0 {
			raw, s = s[:end], s[end:]
		} else {
			s = ""
		}
		if i := strings.Index(raw, " #"); i >= 0 {
			raw = raw[:i]
		}
		b.WriteString(strings.TrimSpace(strings.TrimSuffix(raw, "\r")))
	}
	// The rest of the line may hold only spaces and a comment.
	rest := s
	end := strings.IndexByte(rest, '\n')
	if end < 0 {
		end = len(rest)
	}
	tail := strings.TrimSpace(strings.TrimSuffix(rest[:end], "\r"))
	if tail != "" && !strings.HasPrefix(tail, "#") {
		return "", "", line, usagef("line %d: unexpected text after the value (quote the whole value)", line)
	}
	if end < len(rest) {
		s = rest[end+1:]
		line++
	} else {
		s = ""
	}
	return b.String(), s, line, nil
}

// decodeTfvars reads name = "string" lines (HCL escapes), with # and //
// comments and blank lines. Other HCL (numbers, lists, heredocs) is not
// read.
func decodeTfvars(s string) ([]Entry, error) {
	var out []Entry
	for n, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			continue
		}
		key, rest, ok := strings.Cut(t, "=")
		key, rest = strings.TrimSpace(key), strings.TrimSpace(rest)
		if !ok || key == "" || !strings.HasPrefix(rest, `"`) {
			return nil, usagef("line %d: want name = \"string\"", n+1)
		}
		var b strings.Builder
		i := 1
		for ; i < len(rest) && rest[i] != '"'; i++ {
			c := rest[i]
			switch {
			case c == '\\' && i+1 < len(rest):
				i++
				switch rest[i] {
				case 'n':
					b.WriteByte('\n')
				case 'r':
					b.WriteByte('\r')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(rest[i])
				}
			case strings.HasPrefix(rest[i:], "$${"), strings.HasPrefix(rest[i:], "%%{"):
				b.WriteString(rest[i+1 : i+3])
				i += 2
			default:
				b.WriteByte(c)
			}
		}
		if i >= len(rest) {
			return nil, usagef("line %d: unterminated string", n+1)
		}
		out = append(out, Entry{Key: key, Value: b.String()})
	}
	return out, nil
}
