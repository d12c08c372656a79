package target

import (
	"fmt"
	"path"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestParse(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		raw     string
		want    Spec
		wantErr string // substring of the error; "" means valid
	}{
		{raw: "i-0123456789abcdef0", want: Spec{Kind: KindID, ID: "i-0123456789abcdef0"}},
		{raw: "i-0123abcd", want: Spec{Kind: KindID, ID: "i-0123abcd"}},
		{raw: "mi-0123456789abcdef0", want: Spec{Kind: KindID, ID: "mi-0123456789abcdef0"}},
		{raw: "i-xyz", wantErr: "not a valid node ID"},
		{raw: "i-0123", wantErr: "not a valid node ID"},
		{raw: "i-0123456789ABCDEF0", wantErr: "not a valid node ID"},
		{raw: "I-0123456789abcdef0", wantErr: "not a valid node ID"},
		{raw: "mi-0123abcd", wantErr: "not a valid node ID"},
		{raw: "i-0123456789abcdef01", wantErr: "not a valid node ID"},
		{raw: "i-web", wantErr: "write [i]-web"},
		{raw: "[i]-web", want: Spec{Kind: KindName, Pattern: "[i]-web"}},
		{raw: "i-am-web", want: Spec{Kind: KindName, Pattern: "i-am-web"}},
		{raw: "i-*", want: Spec{Kind: KindName, Pattern: "i-*"}},
		{raw: "web-1", want: Spec{Kind: KindName, Pattern: "web-1"}},
		{raw: "web-*", want: Spec{Kind: KindName, Pattern: "web-*"}},
		{raw: "web-[0-9]?", want: Spec{Kind: KindName, Pattern: "web-[0-9]?"}},
		{raw: "web-[", wantErr: "invalid glob"},
		{raw: `web\`, wantErr: "invalid glob"},
		{raw: "Ünïcödé-名前", want: Spec{Kind: KindName, Pattern: "Ünïcödé-名前"}},
		{raw: "db primary", want: Spec{Kind: KindName, Pattern: "db primary"}},
		{raw: long(256), want: Spec{Kind: KindName, Pattern: long(256)}},
		{raw: long(257), wantErr: "longer than 256"},
		{raw: "", wantErr: "empty target spec"},
		{raw: "   ", wantErr: "empty target spec"},
		{raw: "web\n1", wantErr: "control character"},
		{raw: "web\xff", wantErr: "UTF-8"},
		{raw: "tag:Env=prod", want: Spec{Kind: KindTag, TagKey: "Env", TagValues: []string{"prod"}}},
		{raw: "tag:Env=prod,staging", want: Spec{Kind: KindTag, TagKey: "Env", TagValues: []string{"prod", "staging"}}},
		{raw: "tag:Env=prod,prod", want: Spec{Kind: KindTag, TagKey: "Env", TagValues: []string{"prod"}}},
		{raw: "tag:Env=", want: Spec{Kind: KindTag, TagKey: "Env", TagValues: []string{""}}},
		{raw: "tag:Env=a=b", want: Spec{Kind: KindTag, TagKey: "Env", TagValues: []string{"a=b"}}},
		{raw: "tag:aws:cloudformation:stack-name=web", want: Spec{Kind: KindTag, TagKey: "aws:cloudformation:stack-name", TagValues: []string{"web"}}},
		{raw: "tag:Équipe=données", want: Spec{Kind: KindTag, TagKey: "Équipe", TagValues: []string{"données"}}},
		{raw: "tag:Owner=a b", want: Spec{Kind: KindTag, TagKey: "Owner", TagValues: []string{"a b"}}},
		{raw: "tag:Env", wantErr: "missing =VALUE"},
		{raw: "tag:", wantErr: "missing =VALUE"},
		{raw: "tag:=prod", wantErr: "missing tag key"},
		{raw: "tag:Env=a,,b", wantErr: "empty value"},
		{raw: "tag:Env=a,", wantErr: "empty value"},
		{raw: "tag:" + strings.Repeat("k", 128) + "=v", want: Spec{Kind: KindTag, TagKey: strings.Repeat("k", 128), TagValues: []string{"v"}}},
		{raw: "tag:" + strings.Repeat("k", 129) + "=v", wantErr: "key longer than 128"},
		{raw: "tag:K=" + long(256), want: Spec{Kind: KindTag, TagKey: "K", TagValues: []string{long(256)}}},
		{raw: "tag:K=" + long(257), wantErr: "value longer than 256"},
		{raw: "tag:K=" + values(51), wantErr: "more than 50"},
		{raw: "tag:K=" + values(50), want: Spec{Kind: KindTag, TagKey: "K", TagValues: strings.Split(values(50), ",")}},
		{raw: "Tag:Env=prod", wantErr: "must be lower-case"},
		{raw: "tag-key:Env", wantErr: "unknown prefix"},
		{raw: "group:web-servers", want: Spec{Kind: KindGroup, Group: "web-servers"}},
		{raw: "group:a.b_c-1", want: Spec{Kind: KindGroup, Group: "a.b_c-1"}},
		{raw: "group:" + strings.Repeat("g", 300), want: Spec{Kind: KindGroup, Group: strings.Repeat("g", 300)}},
		{raw: "group:" + strings.Repeat("g", 301), wantErr: "invalid resource group name"},
		{raw: "group:", wantErr: "missing resource group name"},
		{raw: "group:web servers", wantErr: "invalid resource group name"},
		{raw: "group:arn:aws:resource-groups:eu-west-1:123456789012:group/web", wantErr: "invalid resource group name"},
		{raw: "@db", want: Spec{Kind: KindAlias, Alias: "db"}},
		{raw: "@", wantErr: "invalid alias name"},
		{raw: "@a b", wantErr: "invalid alias name"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := Parse(tt.raw)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error containing %q", tt.raw, got, tt.wantErr)
				}
				if exitcode.Code(err) != exitcode.Usage {
					t.Errorf("exit code %d, want %d", exitcode.Code(err), exitcode.Usage)
				}
				msg := exitcode.Message(err)
				if !strings.Contains(msg, tt.wantErr) || strings.Contains(msg, "\n") {
					t.Errorf("error %q, want one line containing %q", msg, tt.wantErr)
				}
				if tt.raw != "" && strings.TrimSpace(tt.raw) != "" && utf8.ValidString(tt.raw) && !strings.ContainsAny(tt.raw, "\n") && !strings.Contains(msg, tt.raw[:min(len(tt.raw), 20)]) {
					t.Errorf("error %q does not name the spec", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			tt.want.Raw = tt.raw
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
		})
	}
}

func values(n int) string {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = fmt.Sprintf("v%d", i)
	}
	return strings.Join(vs, ",")
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := map[Kind]string{KindID: "id", KindTag: "tag", KindName: "name", KindAlias: "alias", KindGroup: "group", Kind(0): "unknown"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), s)
		}
	}
}

func TestParseAll(t *testing.T) {
	t.Parallel()
	aliases := map[string][]string{
		"db":    {"tag:Role=db"},
		"prod":  {"@db", "web-*", "i-0123456789abcdef0"},
		"both":  {"@db", "@prod"},
		"loop1": {"@loop2"},
		"loop2": {"web-1", "@loop3"},
		"loop3": {"@loop1"},
		"self":  {"@self"},
		"bad":   {"i-xyz"},
		"deep":  {"@bad"},
		"ghost": {"@nowhere"},
		"empty": {},
	}
	tests := []struct {
		in      []string
		want    []string // Raw of each spec
		wantErr string
	}{
		{in: nil, want: nil},
		{in: []string{"web-1", "tag:Env=prod"}, want: []string{"web-1", "tag:Env=prod"}},
		{in: []string{"@db"}, want: []string{"tag:Role=db"}},
		{in: []string{"@prod"}, want: []string{"tag:Role=db", "web-*", "i-0123456789abcdef0"}},
		{in: []string{"@both", "web-*"}, want: []string{"tag:Role=db", "web-*", "i-0123456789abcdef0"}},
		{in: []string{"web-1", "web-1"}, want: []string{"web-1"}},
		{in: []string{"@loop1"}, wantErr: "alias cycle: @loop1 -> @loop2 -> @loop3 -> @loop1"},
		{in: []string{"@self"}, wantErr: "alias cycle: @self -> @self"},
		{in: []string{"@nope"}, wantErr: "unknown alias @nope"},
		{in: []string{"@ghost"}, wantErr: "unknown alias @nowhere (via @ghost)"},
		{in: []string{"@deep"}, wantErr: `@deep -> @bad: target "i-xyz": not a valid node ID`},
		{in: []string{"@empty"}, wantErr: "alias @empty is empty"},
		{in: []string{"web-1", ""}, wantErr: "empty target spec"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.in, " "), func(t *testing.T) {
			got, err := ParseAll(tt.in, aliases)
			if tt.wantErr != "" {
				if err == nil || exitcode.Code(err) != exitcode.Usage || !strings.Contains(exitcode.Message(err), tt.wantErr) {
					t.Fatalf("ParseAll(%q) error = %v, want usage error containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAll(%q): %v", tt.in, err)
			}
			var raws []string
			for _, s := range got {
				raws = append(raws, s.Raw)
			}
			if !reflect.DeepEqual(raws, tt.want) {
				t.Errorf("ParseAll(%q) = %q, want %q", tt.in, raws, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"web-1", "web-1", true},
		{"web-1", "Web-1", false}, // case-sensitive, like AWS tags
		{"web-1", "web-10", false},
		{"web-*", "web-1", true},
		{"web-*", "web-", true},
		{"web-*", "prod/web-1", false},
		{"*web-*", "prod/web-1", true}, // * crosses "/" (path.Match's does not)
		{"prod/*", "prod/a/b", true},
		{"web-?", "web-1", true},
		{"web-?", "web-12", false},
		{"web-?", "web-é", true}, // ? is one character, not one byte
		{"web-[0-9]", "web-7", true},
		{"web-[0-9]", "web-x", false},
		{"web-[^0-9]", "web-x", true},
		{"web-[^0-9]", "web-7", false},
		{`web-\*`, "web-*", true},
		{`web-\*`, "web-1", false},
		{"[i]-xyz", "i-xyz", true},
		{"*", "", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"名前-*", "名前-1", true},
		{`[\]]`, "]", true},
		{"[a-c-]*", "b", false}, // invalid by path.Match; Parse rejects it, listed for completeness
	}
	for _, tt := range tests {
		if _, err := path.Match(tt.pattern, ""); err != nil {
			continue
		}
		if got := match(tt.pattern, tt.name); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"i-0123456789abcdef0", "mi-0123456789abcdef0", "i-xyz", "tag:Env=prod,dev", "tag:Env=",
		"tag:=", "web-*", "web-[0-9]", `a\`, "[", "group:web", "@alias", "", "名前-*", "[^a-z]?*",
	} {
		f.Add(seed, "web-1")
	}
	f.Fuzz(func(t *testing.T, raw, name string) {
		s, err := Parse(raw)
		if err != nil {
			if exitcode.Code(err) != exitcode.Usage {
				t.Fatalf("Parse(%q): exit code %d, want usage", raw, exitcode.Code(err))
			}
			return
		}
		if s.Raw != raw {
			t.Fatalf("Raw = %q, want %q", s.Raw, raw)
		}
		again, err := Parse(s.Raw)
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("reparse of %q differs: %+v, %v", raw, again, err)
		}
		if s.Kind != KindName {
			return
		}
		got := match(s.Pattern, name)
		if !s.IsGlob() && got != (s.Pattern == name) {
			t.Fatalf("literal %q vs %q: %v", s.Pattern, name, got)
		}
		// Without "/" our glob agrees with path.Match.
		if utf8.ValidString(name) && !strings.Contains(name, "/") && !strings.Contains(s.Pattern, "/") {
			want, _ := path.Match(s.Pattern, name)
			if got != want {
				t.Fatalf("match(%q, %q) = %v, path.Match says %v", s.Pattern, name, got, want)
			}
		}
	})
}
