package sessions

import (
	"strings"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "echo hi", want: []string{"echo", "hi"}},
		{in: `sh -c 'echo a; exit 3'`, want: []string{"sh", "-c", "echo a; exit 3"}},
		{in: `printf "%s\n" "a \"b\""  x\ y`, want: []string{"printf", `%s\n`, `a "b"`, "x y"}},
		{in: "ls # comment", want: []string{"ls"}},
		{in: `echo 'open`, err: true},
		{in: "   ", want: nil},
	}
	for _, tc := range tests {
		got, err := splitCommand(tc.in)
		if (err != nil) != tc.err || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitCommand(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestSplitUTF8(t *testing.T) {
	t.Parallel()
	euro := "€" // e2 82 ac
	for _, tc := range []struct{ in, complete, rest string }{
		{"abc", "abc", ""},
		{"ab" + euro[:2], "ab", euro[:2]},
		{"ab" + euro[:1], "ab", euro[:1]},
		{"ab" + euro, "ab" + euro, ""},
		{"ab\xff", "ab\xff", ""},
	} {
		c, r := splitUTF8([]byte(tc.in))
		if string(c) != tc.complete || string(r) != tc.rest {
			t.Errorf("splitUTF8(%q) = %q, %q", tc.in, c, r)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
		ok   bool
	}{
		{"3.3.2299.0", "3.0.196.0", 1, true},
		{"3.0.196.0", "3.0.196.0", 0, true},
		{"1.2.331.0", "1.2.332.0", -1, true},
		{"1.1.70", "1.1.70.0", 0, true},
		{"", "1.0", 0, false},
		{"x.1", "1.0", 0, false},
	} {
		got, ok := compareVersions(tc.a, tc.b)
		if got != tc.want || ok != tc.ok {
			t.Errorf("compareVersions(%q, %q) = %d, %v", tc.a, tc.b, got, ok)
		}
	}
}
