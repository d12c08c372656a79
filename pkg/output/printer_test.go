package output

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"gopkg.in/yaml.v3"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type testTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// testNode is a view value like the ones commands print; its field order is
// deliberately not alphabetical so order preservation shows.
type testNode struct {
	ID       string    `json:"InstanceId"`
	Name     string    `json:"Name"`
	Ping     string    `json:"PingStatus"`
	Platform string    `json:"Platform"`
	Agent    string    `json:"AgentVersion"`
	Sequence uint64    `json:"Sequence"`
	Load     float64   `json:"Load"`
	Online   bool      `json:"Online"`
	Note     string    `json:"Note"`
	Tags     []testTag `json:"Tags"`
}

func testNodes() []testNode {
	return []testNode{
		{
			ID: "i-0123456789abcdef0", Name: "web-1", Ping: "Online", Platform: "Linux",
			Agent: "3.3.40.0", Sequence: 12345678901234567890, Load: 0.5, Online: true,
			Note: "<b>&ok</b>", Tags: []testTag{{"Role", "web"}},
		},
		{
			ID: "mi-0123456789abcdef1", Name: "db primary with a rather long name for truncation",
			Ping: "ConnectionLost", Platform: "Windows", Agent: "1.0", Sequence: 42, Load: 1.25,
			Note: "line1\nline2\tend\\x\r", Tags: []testTag{},
		},
		{
			ID: "i-0fedcba9876543210", Name: "true", Ping: "Online", Platform: "Linux",
			Agent: "null", Sequence: 7, Online: true, Note: "0123",
		},
	}
}

func nodeTable(nodes []testNode) func() Table {
	return func() Table {
		t := Table{Headers: []string{"id", "Name", "PING", "platform", "agent", "note"}}
		for _, n := range nodes {
			t.Rows = append(t.Rows, []string{n.ID, n.Name, n.Ping, n.Platform, n.Agent, n.Note})
		}
		return t
	}
}

// env is a fake environment for Streams.lookupEnv.
func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestPrintGolden(t *testing.T) {
	t.Parallel()
	nodes := testNodes()
	tests := []struct {
		name   string
		format Format
		query  string
		tty    bool
		width  int
		env    []string // NO_COLOR etc.; nil is an empty environment
		doc    any
		table  func() Table
	}{
		// Default format: table on a terminal, text otherwise.
		{name: "default-tty", tty: true, width: 200},
		{name: "default-pipe"},

		{name: "json", format: JSON},
		{name: "json-tty", format: JSON, tty: true},
		{name: "json-query", format: JSON, query: "[?PingStatus=='Online'].{id: InstanceId, seq: Sequence, load: Load}"},
		{name: "json-query-null", format: JSON, query: "missing"},
		{name: "json-empty-nil", format: JSON, doc: []testNode(nil)},
		{name: "json-empty-map", format: JSON, doc: map[string]string(nil)},

		{name: "yaml", format: YAML},
		{name: "yaml-query", format: YAML, query: "[0].{id: InstanceId, seq: Sequence}"},
		{name: "yaml-empty-nil", format: YAML, doc: []testNode(nil)},

		{name: "text", format: Text},
		{name: "text-tty", format: Text, tty: true},
		{name: "text-empty", format: Text, doc: []testNode{}, table: nodeTable(nil)},
		{name: "text-query-objects", format: Text, query: "[].{id: InstanceId, name: Name, tags: Tags}"},
		{name: "text-query-lists", format: Text, query: "[].[InstanceId, Note, Sequence]"},
		{name: "text-query-scalars", format: Text, query: "[].InstanceId"},
		{name: "text-query-scalar", format: Text, query: "[1].Note"},
		{name: "text-query-object", format: Text, query: "[0]"},
		{name: "text-query-null", format: Text, query: "missing"},
		{name: "text-query-count", format: Text, query: "length([?Load > `0.4`])"},
		{name: "text-empty-table", format: Text, table: func() Table { return Table{Headers: []string{"ID"}} }, doc: []testNode{}},

		{name: "table-tty", format: TableFormat, tty: true, width: 200},
		{name: "table-tty-color", format: TableFormat, tty: true, width: 200, env: []string{"TERM", "xterm-256color"}},
		{name: "table-tty-no-color-env", format: TableFormat, tty: true, width: 200, env: []string{"NO_COLOR", "1"}},
		{name: "table-tty-term-dumb", format: TableFormat, tty: true, width: 200, env: []string{"TERM", "dumb"}},
		{name: "table-tty-narrow", format: TableFormat, tty: true, width: 72},
		{name: "table-tty-very-narrow", format: TableFormat, tty: true, width: 20},
		{name: "table-pipe", format: TableFormat, width: 20},
		{name: "table-empty-tty", format: TableFormat, tty: true, doc: []testNode{}, table: nodeTable(nil)},
		{name: "table-empty-pipe", format: TableFormat, doc: []testNode{}, table: nodeTable(nil)},
		{name: "table-query-objects", format: TableFormat, tty: true, width: 200, query: "[].{id: InstanceId, seq: Sequence, tags: Tags}"},
		{name: "table-query-ragged", format: TableFormat, tty: true, width: 200, query: "[].{id: InstanceId, extra: Tags[0].Value}"},
		{name: "table-query-lists", format: TableFormat, tty: true, width: 200, query: "[].[InstanceId, Name]"},
		{name: "table-query-object", format: TableFormat, tty: true, width: 200, query: "[1]"},
		{name: "table-query-scalar", format: TableFormat, tty: true, width: 200, query: "[0].Sequence"},
		{name: "table-query-null", format: TableFormat, tty: true, width: 200, query: "missing"},
		{name: "table-query-empty", format: TableFormat, tty: true, width: 200, query: "[?PingStatus=='Stopped']"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _, out, errOut := Test()
			s.lookupEnv = env(tt.env...)
			s.SetStdoutTTY(tt.tty)
			s.SetTerminalWidth(tt.width)
			doc, table := any(nodes), nodeTable(nodes)
			if tt.doc != nil {
				doc = tt.doc
			}
			if tt.table != nil {
				table = tt.table
			}
			p, err := NewPrinter(s, tt.format, tt.query)
			if err != nil {
				t.Fatalf("NewPrinter: %v", err)
			}
			if err := p.Print(doc, table); err != nil {
				t.Fatalf("Print: %v", err)
			}
			got := out.String()
			golden(t, filepath.Join("testdata", tt.name+".golden"), got)

			if errOut.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", errOut.String())
			}
			if strings.Contains(got, "\x1b") && !(p.Format() == TableFormat && s.ColorEnabled()) {
				t.Errorf("escape sequence in %s output without colour: %q", p.Format(), got)
			}
			switch p.Format() {
			case JSON:
				if !json.Valid(out.Bytes()) {
					t.Errorf("output is not JSON: %q", got)
				}
				if !strings.HasSuffix(got, "\n") {
					t.Errorf("JSON output does not end in a newline")
				}
			case YAML:
				var v any
				if err := yaml.Unmarshal(out.Bytes(), &v); err != nil {
					t.Errorf("output is not YAML: %v", err)
				}
			case TableFormat:
				for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					plain := sgr.ReplaceAllString(line, "")
					if strings.HasSuffix(plain, " ") {
						t.Errorf("trailing space in %q", line)
					}
					if strings.Contains(plain, "\t") {
						t.Errorf("tab in table line %q", line)
					}
				}
			}
		})
	}
}

// golden compares got with a golden file, or rewrites it under -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// render prints nodes with a printer on fresh test streams.
func render(t *testing.T, format Format, query string, setup func(*Streams)) (string, *Printer) {
	t.Helper()
	s, _, out, _ := Test()
	s.lookupEnv = env()
	if setup != nil {
		setup(s)
	}
	p, err := NewPrinter(s, format, query)
	if err != nil {
		t.Fatalf("NewPrinter: %v", err)
	}
	nodes := testNodes()
	if err := p.Print(nodes, nodeTable(nodes)); err != nil {
		t.Fatalf("Print: %v", err)
	}
	return out.String(), p
}

func TestDefaultFormat(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{true, false} {
		_, p := render(t, "", "", func(s *Streams) { s.SetStdoutTTY(tty) })
		want := Text
		if tty {
			want = TableFormat
		}
		if p.Format() != want {
			t.Errorf("stdout TTY %v: format %q, want %q", tty, p.Format(), want)
		}
	}
}

func TestJSONKeepsLargeIntegers(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"", "[0]", "[0].Sequence", "[?Sequence > `40`].InstanceId"} {
		for _, f := range []Format{JSON, YAML, Text} {
			if f == Text && q == "" {
				continue // the command's table has no Sequence column
			}
			got, _ := render(t, f, q, nil)
			want := "12345678901234567890"
			if strings.HasSuffix(q, "InstanceId") {
				// Numbers beyond 2^53 cannot take part in comparisons, so
				// only the node with Sequence 42 matches.
				want = "mi-0123456789abcdef1"
				if strings.Contains(got, "i-0123456789abcdef0") {
					t.Errorf("%s %q: large integer compared as a float: %q", f, q, got)
				}
			}
			if !strings.Contains(got, want) {
				t.Errorf("%s %q: %q not in output %q", f, q, want, got)
			}
			if strings.Contains(got, "e+19") || strings.Contains(got, "12345678901234567000") {
				t.Errorf("%s %q: large integer went through float64: %q", f, q, got)
			}
		}
	}
}

func TestJSONFieldOrderAndHTML(t *testing.T) {
	t.Parallel()
	got, _ := render(t, JSON, "", nil)
	first, _, _ := strings.Cut(got, "},\n  {") // the first node's object
	want := []string{"InstanceId", "Name", "PingStatus", "Platform", "AgentVersion", "Sequence", "Load", "Online", "Note", "Tags"}
	last := -1
	for _, k := range want {
		i := strings.Index(first, `"`+k+`":`)
		if i <= last {
			t.Fatalf("key %s out of struct order in %s", k, first)
		}
		last = i
	}
	if !strings.Contains(got, `"<b>&ok</b>"`) {
		t.Errorf("HTML characters escaped: %s", got)
	}
	if !strings.HasPrefix(got, "[\n  {\n    \"InstanceId\"") {
		t.Errorf("not indented two spaces: %q", got[:30])
	}
}

func TestYAMLOrderAndQuoting(t *testing.T) {
	t.Parallel()
	got, _ := render(t, YAML, "", nil)
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(got), &root); err != nil {
		t.Fatal(err)
	}
	first := root.Content[0].Content[0]
	var keys []string
	for i := 0; i < len(first.Content); i += 2 {
		keys = append(keys, first.Content[i].Value)
	}
	want := []string{"InstanceId", "Name", "PingStatus", "Platform", "AgentVersion", "Sequence", "Load", "Online", "Note", "Tags"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("YAML key order %v, want %v", keys, want)
	}

	// Round trip: the YAML document decodes to what the JSON one does.
	var fromYAML []map[string]any
	if err := yaml.Unmarshal([]byte(got), &fromYAML); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		node int
		key  string
		want any
	}{
		{2, "Name", "true"},
		{2, "Note", "0123"},
		{1, "AgentVersion", "1.0"},
		{2, "AgentVersion", "null"},
		{1, "Note", "line1\nline2\tend\\x\r"},
		{0, "Sequence", uint64(12345678901234567890)},
		{1, "Sequence", 42},
		{1, "Load", 1.25},
		{0, "Online", true},
		{2, "Tags", nil},
		{1, "Tags", []any{}},
	}
	for _, c := range checks {
		v := fromYAML[c.node][c.key]
		if !equalJSONish(v, c.want) {
			t.Errorf("node %d %s = %#v (%T), want %#v (%T)", c.node, c.key, v, v, c.want, c.want)
		}
	}
}

func equalJSONish(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb) && (a == nil) == (b == nil)
}

func TestTableHeaderColour(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		tty       bool
		noColor   bool
		env       []string
		wantColor bool
	}{
		{"tty", true, false, nil, true},
		{"pipe", false, false, nil, false},
		{"flag", true, true, nil, false},
		{"NO_COLOR", true, false, []string{"NO_COLOR", "1"}, false},
		{"NO_COLOR empty", true, false, []string{"NO_COLOR", ""}, true},
		{"TERM dumb", true, false, []string{"TERM", "dumb"}, false},
	}
	for _, c := range cases {
		got, _ := render(t, TableFormat, "", func(s *Streams) {
			s.SetStdoutTTY(c.tty)
			s.SetNoColor(c.noColor)
			s.lookupEnv = env(c.env...)
		})
		first, _, _ := strings.Cut(got, "\n")
		if bold := strings.HasPrefix(first, boldOn) && strings.HasSuffix(first, boldOff); bold != c.wantColor {
			t.Errorf("%s: header line %q, bold = %v, want %v", c.name, first, bold, c.wantColor)
		}
		if strings.Count(got, "\x1b") > 0 && !c.wantColor {
			t.Errorf("%s: escape sequences without colour: %q", c.name, got)
		}
		if !strings.HasPrefix(sgr.ReplaceAllString(first, ""), "ID  ") {
			t.Errorf("%s: header not upper-case or not first: %q", c.name, first)
		}
	}
}

func TestTableFitsTerminal(t *testing.T) {
	t.Parallel()
	for _, width := range []int{56, 60, 72, 100} {
		got, _ := render(t, TableFormat, "", func(s *Streams) {
			s.SetStdoutTTY(true)
			s.SetTerminalWidth(width)
		})
		cut := false
		for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if w := twwidth.Width(line); w > width {
				t.Errorf("width %d: line is %d wide: %q", width, w, line)
			}
			cut = cut || strings.Contains(line, "…")
		}
		if !cut {
			t.Errorf("width %d: nothing was cut: %q", width, got)
		}
		if !strings.Contains(got, "i-0123456789abcdef0") {
			t.Errorf("width %d: the first (ID) column was cut: %q", width, got)
		}
	}
	// Off a terminal nothing is cut, whatever the width.
	got, _ := render(t, TableFormat, "", func(s *Streams) { s.SetTerminalWidth(20) })
	if strings.Contains(got, "…") || !strings.Contains(got, "db primary with a rather long name for truncation") {
		t.Errorf("table off a terminal was cut: %q", got)
	}
}

// dropTable is a table whose least useful columns may be left out: IP and
// AGENT are never cut, so at a narrow width they are dropped (AGENT first)
// rather than shown as "10.…"; PLATFORM is cut.
func dropTable() Table {
	return Table{
		Headers:    []string{"ID", "NAME", "PLATFORM", "AGENT", "IP"},
		NoTruncate: []int{1, 3, 4},
		DropOrder:  []int{3, 4, 2},
		Rows: [][]string{
			{"i-0123456789abcdef0", "web-1", "Amazon Linux 2023", "3.3.987.0", "10.0.0.1"},
			{"mi-0123456789abcdef1", "edge-router", "Microsoft Windows Server 2022", "3.3.987.0", "192.168.1.10"},
		},
	}
}

func renderTable(t *testing.T, format Format, tbl Table, setup func(*Streams)) string {
	t.Helper()
	s, _, out, _ := Test()
	s.lookupEnv = env()
	s.SetNoColor(true)
	setup(s)
	p, err := NewPrinter(s, format, "")
	if err != nil {
		t.Fatalf("NewPrinter: %v", err)
	}
	if err := p.Print([]string{}, func() Table { return tbl }); err != nil {
		t.Fatalf("Print: %v", err)
	}
	return out.String()
}

func TestTableDropsLeastUsefulColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		width int
		want  string // the header line
	}{
		{200, "ID                    NAME         PLATFORM                       AGENT      IP"},
		// Too narrow by a little: PLATFORM is cut, nothing is dropped.
		{80, "ID                    NAME         PLATFORM              AGENT      IP"},
		// AGENT goes first, and IP stays whole.
		{60, "ID                    NAME         PLATFORM     IP"},
		// Then IP; PLATFORM is last and cut.
		{48, "ID                    NAME         PLATFORM"},
		// Nothing left to drop: PLATFORM goes too, and the rest is wider
		// than the terminal rather than cut.
		{30, "ID                    NAME"},
	}
	for _, tt := range tests {
		got := renderTable(t, TableFormat, dropTable(), func(s *Streams) {
			s.SetStdoutTTY(true)
			s.SetTerminalWidth(tt.width)
		})
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if lines[0] != tt.want {
			t.Errorf("width %d: header %q, want %q\n%s", tt.width, lines[0], tt.want, got)
		}
		for _, line := range lines {
			if w := twwidth.Width(line); w > tt.width && tt.width >= 48 {
				t.Errorf("width %d: line is %d wide: %q", tt.width, w, line)
			}
			if strings.Contains(line, "10.…") || strings.Contains(line, "3.3.…") {
				t.Errorf("width %d: a never-cut column was cut: %q", tt.width, line)
			}
		}
	}
}

func TestWideAndPipeShowEveryColumn(t *testing.T) {
	t.Parallel()
	full := renderTable(t, TableFormat, dropTable(), func(s *Streams) { s.SetTerminalWidth(200) })
	for name, setup := range map[string]func(*Streams){
		"wide on a narrow terminal": func(s *Streams) { s.SetStdoutTTY(true); s.SetTerminalWidth(40) },
		"table in a pipe":           func(s *Streams) { s.SetTerminalWidth(40) },
	} {
		format := Wide
		if !strings.HasPrefix(name, "wide") {
			format = TableFormat
		}
		if got := renderTable(t, format, dropTable(), setup); got != full {
			t.Errorf("%s:\n%s\nwant every column uncut:\n%s", name, got, full)
		}
	}
	if !strings.Contains(full, "Microsoft Windows Server 2022") || !strings.Contains(full, "AGENT") {
		t.Errorf("full table is not full:\n%s", full)
	}
}

func TestColumnsFitsAPipe(t *testing.T) {
	t.Parallel()
	got := renderTable(t, TableFormat, dropTable(), func(s *Streams) { s.lookupEnv = env("COLUMNS", "48") })
	if first := strings.SplitN(got, "\n", 2)[0]; first != "ID                    NAME         PLATFORM" {
		t.Errorf("COLUMNS=48 in a pipe: header %q\n%s", first, got)
	}
	for _, bad := range []string{"", "0", "-3", "wide"} {
		got := renderTable(t, TableFormat, dropTable(), func(s *Streams) { s.lookupEnv = env("COLUMNS", bad) })
		if !strings.Contains(got, "AGENT") || strings.Contains(got, "…") {
			t.Errorf("COLUMNS=%q in a pipe fitted the table:\n%s", bad, got)
		}
	}
}

func TestTextEscaping(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"plain":         "plain",
		"a\tb":          `a\tb`,
		"a\nb":          `a\nb`,
		"a\r\nb":        `a\r\nb`,
		`back\slash`:    `back\\slash`,
		`literal \n`:    `literal \\n`,
		"ünïcode 日本":    "ünïcode 日本",
		"":              "",
		"\x1b[31mred\t": "\x1b[31mred\\t",
	}
	for in, want := range cases {
		var buf bytes.Buffer
		writeText(&buf, [][]string{{in, "x"}})
		if got := buf.String(); got != want+"\tx\n" {
			t.Errorf("text of %q = %q, want %q", in, got, want+"\tx\n")
		}
	}
}

func TestTableEscaping(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"a\tb":         `a\tb`,
		"a\nb":         `a\nb`,
		"\x1b[31mred":  `\x1b[31mred`,
		"bell\a":       `bell\x07`,
		`C:\Windows`:   `C:\Windows`,
		"ünïcode 日本":   "ünïcode 日本",
		"del\x7f":      `del\x7f`,
		"c1\u0085next": `c1\x85next`,
	}
	for in, want := range cases {
		if got := escapeCell(in); got != want {
			t.Errorf("escapeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextTable(t *testing.T) {
	t.Parallel()
	// Text ignores headers and keeps every record on one line.
	got, _ := render(t, Text, "", nil)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3: %q", len(lines), got)
	}
	for _, l := range lines {
		if n := strings.Count(l, "\t"); n != 5 {
			t.Errorf("%d tabs in %q, want 5", n, l)
		}
	}
	if strings.Contains(strings.ToUpper(lines[0]), "PLATFORM") {
		t.Errorf("text output has a header: %q", lines[0])
	}
}

func TestNewPrinterErrors(t *testing.T) {
	t.Parallel()
	s, _, _, _ := Test()
	if _, err := NewPrinter(s, "csv", ""); err == nil || exitcode.Code(err) != exitcode.Usage {
		t.Errorf("format csv: err %v (code %d), want a usage error", err, exitcode.Code(err))
	}
	if _, err := NewPrinter(s, JSON, "[?"); err == nil || exitcode.Code(err) != exitcode.Usage {
		t.Errorf("bad query: err %v (code %d), want a usage error", err, exitcode.Code(err))
	}
}

func TestPrintQueryRuntimeError(t *testing.T) {
	t.Parallel()
	s, _, out, _ := Test()
	p, err := NewPrinter(s, JSON, "abs(Name)")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Print(map[string]string{"Name": "x"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), `--query "abs(Name)": `) || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v, want one line starting --query \"abs(Name)\"", err)
	}
	if out.Len() != 0 {
		t.Errorf("output written despite the error: %q", out.String())
	}
}

// A nil table function lays the document out generically, as a query does.
func TestNilTableFunc(t *testing.T) {
	t.Parallel()
	s, _, out, _ := Test()
	s.lookupEnv = env()
	p, err := NewPrinter(s, Text, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print([]testTag{{"Role", "web"}, {"Env", "prod"}}, nil); err != nil {
		t.Fatal(err)
	}
	if want := "Role\tweb\nEnv\tprod\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestPrintWriteError(t *testing.T) {
	t.Parallel()
	s, _, _, _ := Test()
	s.Out = failingWriter{}
	p, err := NewPrinter(s, JSON, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(testNodes(), nil); err == nil {
		t.Error("Print on a closed stdout returned nil")
	}
}
