package cmdline

import (
	"strings"
	"testing"
)

func TestJoin(t *testing.T) {
	for _, tc := range []struct {
		words  []string
		sh, ps string
	}{
		{[]string{"ls | wc -l"}, "ls | wc -l", "ls | wc -l"},
		{[]string{"echo $HOME; ls"}, "echo $HOME; ls", "echo $HOME; ls"},
		{[]string{"ls", "-la", "/tmp"}, "ls -la /tmp", "ls -la /tmp"},
		{[]string{"printf", `%s\n`, "a b", "c"}, `printf '%s\n' 'a b' c`, `printf '%s\n' 'a b' c`},
		{[]string{"echo", "it's", ""}, `echo 'it'\''s' ''`, `echo 'it''s' ''`},
		{[]string{"echo", "$HOME"}, `echo '$HOME'`, `echo '$HOME'`},
		{[]string{"Get-Item", "a,b", "@x", "50%"}, `Get-Item a,b @x 50%`, `Get-Item 'a,b' '@x' '50%'`},
		{[]string{"echo", "\u2019q"}, "echo '\u2019q'", "echo '\u2019\u2019q'"},
	} {
		if got := Join(tc.words, Sh); got != tc.sh {
			t.Errorf("Join(%q, Sh) = %q, want %q", tc.words, got, tc.sh)
		}
		if got := Join(tc.words, PowerShell); got != tc.ps {
			t.Errorf("Join(%q, PowerShell) = %q, want %q", tc.words, got, tc.ps)
		}
	}
}

func TestFor(t *testing.T) {
	for p, want := range map[string]Shell{"Windows": PowerShell, "windows": PowerShell, "Linux": Sh, "MacOS": Sh, "": Sh} {
		if got := For(p); got != want {
			t.Errorf("For(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestShC(t *testing.T) {
	if got, want := ShC("echo it's"), `sh -c 'echo it'\''s'`; got != want {
		t.Errorf("ShC = %q, want %q", got, want)
	}
}

func TestScript(t *testing.T) {
	plain := "echo hi\n"
	if got := Script(plain); got != plain {
		t.Errorf("no interpreter line: %q", got)
	}
	if got := Script("#!/bin/sh\necho hi\n"); got != "#!/bin/sh\necho hi\n" {
		t.Errorf("sh: %q", got)
	}
	got := Script("#!/usr/bin/env python3\nprint('hi')")
	want := "f=$(mktemp) || exit 1\ntrap 'rm -f \"$f\"' EXIT\ncat > \"$f\" <<'SSMCTL_SCRIPT'\n#!/usr/bin/env python3\nprint('hi')\nSSMCTL_SCRIPT\n/usr/bin/env python3 \"$f\"\n"
	if got != want {
		t.Errorf("python3:\n%s\nwant\n%s", got, want)
	}
	// The delimiter never ends the script early.
	if got := Script("#!/bin/bash\necho x\nSSMCTL_SCRIPT\n"); !strings.Contains(got, "<<'SSMCTL_SCRIPT_'\n") {
		t.Errorf("delimiter in the script: %q", got)
	}
	for text, want := range map[string][2]string{
		"#!/bin/bash -eu\n":     {"/bin/bash", "-eu"},
		"#! /usr/bin/perl\r\n":  {"/usr/bin/perl", ""},
		"#!/usr/bin/env -S a b": {"/usr/bin/env", "-S a b"},
	} {
		i, a, ok := Interpreter(text)
		if !ok || i != want[0] || a != want[1] {
			t.Errorf("Interpreter(%q) = %q %q %v", text, i, a, ok)
		}
	}
	if _, _, ok := Interpreter("#!\n"); ok {
		t.Error("empty interpreter line accepted")
	}
}
