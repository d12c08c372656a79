// Package cmdline is the one rule by which `run` and `session` turn the
// words after "--" into the command line a remote shell runs, for the
// shell of the node's platform: sh on Linux and macOS, PowerShell on
// Windows.
//
// One word is a command line as it stands, as with ssh: "ls | wc -l" runs a
// pipeline, "echo $HOME" expands the variable. Several words are each kept
// one argument: a word made only of characters no shell treats specially
// is joined as it is, any other is quoted for the shell, so
// `-- printf '%s\n' 'a b' c` prints two lines and `-- echo '$HOME'` prints
// $HOME. (ssh joins several words with spaces and lets the remote shell
// split them again; ssmctl quotes them instead, because an argument that
// arrives as typed is what a script passing "$@" expects.)
package cmdline

import "strings"

// Shell is the remote shell a command line is written for.
type Shell int

const (
	// Sh is a POSIX shell: words are single-quoted, a single quote inside
	// becomes '\''.
	Sh Shell = iota
	// PowerShell: words are single-quoted, a single quote inside (or one
	// of the typographic single quotes PowerShell also accepts) is doubled.
	PowerShell
)

// For is the shell of a node's PlatformType: PowerShell for Windows, sh for
// anything else.
func For(platformType string) Shell {
	if strings.EqualFold(platformType, "Windows") {
		return PowerShell
	}
	return Sh
}

// Join is the command line for the words: one word as it stands, several
// each quoted for sh when it needs it.
func Join(words []string, sh Shell) string {
	if len(words) == 1 {
		return words[0]
	}
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w, sh)
	}
	return strings.Join(q, " ")
}

// Quote quotes one word for sh, or returns it as it is when the shell
// leaves it alone.
func Quote(w string, sh Shell) string {
	if w != "" && plain(w, sh) {
		return w
	}
	if sh == PowerShell {
		var b strings.Builder
		b.WriteByte('\'')
		for _, r := range w {
			if strings.ContainsRune("'\u2018\u2019\u201a\u201b", r) {
				b.WriteRune(r)
			}
			b.WriteRune(r)
		}
		b.WriteByte('\'')
		return b.String()
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// plain says no character of w is special to sh: letters, digits and
// @%+=:,./_- for sh; PowerShell also gives @ (splatting), % and , (arrays)
// a meaning, so only +=:./_- there.
func plain(w string, sh Shell) bool {
	safe := "@%+=:,./_-"
	if sh == PowerShell {
		safe = "+=:./_-"
	}
	for _, c := range w {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(safe, c)) {
			return false
		}
	}
	return true
}

// ShC is the command "sh -c LINE", for an agent that runs a command without
// a shell (AWS-StartNonInteractiveCommand on Linux and macOS splits it into
// words itself), so that pipes, redirections and variables still work.
func ShC(line string) string {
	return "sh -c " + Quote(line, Sh)
}
