package output

import (
	"strings"
	"testing"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	if got := strings.Join(Formats(), ","); got != "table,wide,json,yaml,text" {
		t.Errorf("Formats() = %s", got)
	}
	for _, name := range Formats() {
		f, err := ParseFormat(name)
		if err != nil || string(f) != name {
			t.Errorf("ParseFormat(%q) = %q, %v", name, f, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{in: "", want: ""},
		{in: "table", want: TableFormat},
		{in: "wide", want: Wide},
		{in: "json", want: JSON},
		{in: "yaml", want: YAML},
		{in: "text", want: Text},
		{in: "x", wantErr: `invalid output format "x": want one of table, wide, json, yaml, text`},
		{in: "JSON", wantErr: `invalid output format "JSON": want one of table, wide, json, yaml, text`},
		{in: "yml", wantErr: `invalid output format "yml": want one of table, wide, json, yaml, text`},
		{in: " json", wantErr: `invalid output format " json": want one of table, wide, json, yaml, text`},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			if code := exitcode.Code(err); code != exitcode.Usage {
				t.Errorf("ParseFormat(%q) exit code %d, want %d", tt.in, code, exitcode.Usage)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateQuery(t *testing.T) {
	t.Parallel()
	valid := []string{"", "Nodes", "[].InstanceId", "[?PingStatus=='Online'].{id: InstanceId}", "length(@)", "sort_by(@, &Name)[0]"}
	for _, q := range valid {
		if err := ValidateQuery(q); err != nil {
			t.Errorf("ValidateQuery(%q) = %v", q, err)
		}
	}
	invalid := []struct{ q, want string }{
		{"[?", `invalid --query "[?": syntax error at column 3: `},
		{"Nodes[", `invalid --query "Nodes[": syntax error at column 7: `},
		{"a.\"b", `invalid --query "a.\"b": `},
		{"foo bar", `invalid --query "foo bar": syntax error at column 5: `},
		{"[0.id", `invalid --query "[0.id": syntax error in an index or slice: `},
		{"[2", `invalid --query "[2": syntax error in an index or slice: `},
	}
	for _, tt := range invalid {
		err := ValidateQuery(tt.q)
		if err == nil {
			t.Errorf("ValidateQuery(%q) = nil, want an error", tt.q)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, tt.want) || strings.ContainsAny(msg, "\r\n") || len(msg) <= len(tt.want) {
			t.Errorf("ValidateQuery(%q) = %q, want one line starting %q with a reason", tt.q, msg, tt.want)
		}
		if code := exitcode.Code(err); code != exitcode.Usage {
			t.Errorf("ValidateQuery(%q) exit code %d, want %d", tt.q, code, exitcode.Usage)
		}
	}
}

// The AWS CLI accepts `Windows` (not valid JSON) as the string "Windows";
// so does ssmctl, leaving valid literals, raw strings and quoted names alone.
func TestLegacyLiterals(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[?platform==`Windows`]", "[?platform==`\"Windows\"`]"},
		{"[?n==`3`]", "[?n==`3`]"},
		{"[?s==`\"x\"`]", "[?s==`\"x\"`]"},
		{"[?a==`[1, 2]`]", "[?a==`[1, 2]`]"},
		{"[?a=='`Windows`']", "[?a=='`Windows`']"},
		{"\"`odd`\"", "\"`odd`\""},
		{"[?a==`unclosed", "[?a==`unclosed"},
		{"[?a==`Amazon Linux`]", "[?a==`\"Amazon Linux\"`]"},
	}
	for _, tt := range tests {
		if got := legacyLiterals(tt.in); got != tt.want {
			t.Errorf("legacyLiterals(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := ValidateQuery(tt.in); err != nil && !strings.Contains(tt.in, "unclosed") {
			t.Errorf("ValidateQuery(%q): %v", tt.in, err)
		}
	}
}
