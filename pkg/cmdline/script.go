package cmdline

import (
	"path"
	"strings"
)

// Script is the sh command line that runs a script the way its own
// interpreter line says, as `ssh host 'bash -s' < script` users expect. A
// script without one, or whose interpreter is sh, is the command line as
// it is. Otherwise the script is written to a temporary file on the node
// and run as the kernel runs "#!INTERPRETER [ARG]" (the rest of the line
// is one argument): INTERPRETER [ARG] FILE, so `set -euo pipefail` in a
// bash script and a Python script work, and the file is removed when it
// ends. The exit status is the script's.
func Script(text string) string {
	interp, arg, ok := Interpreter(text)
	if !ok || (path.Base(interp) == "sh" && arg == "") {
		return text
	}
	delim := "SSMCTL_SCRIPT"
	for hasLine(text, delim) {
		delim += "_"
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	run := Quote(interp, Sh)
	if arg != "" {
		run += " " + Quote(arg, Sh)
	}
	return "f=$(mktemp) || exit 1\n" +
		"trap 'rm -f \"$f\"' EXIT\n" +
		"cat > \"$f\" <<'" + delim + "'\n" + text + delim + "\n" +
		run + " \"$f\"\n"
}

// Interpreter reads a script's interpreter line, "#!INTERPRETER [ARG]".
func Interpreter(text string) (interp, arg string, ok bool) {
	if !strings.HasPrefix(text, "#!") {
		return "", "", false
	}
	line, _, _ := strings.Cut(text[2:], "\n")
	line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
	interp, arg, _ = strings.Cut(line, " ")
	if interp == "" {
		return "", "", false
	}
	return interp, strings.TrimSpace(arg), true
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSuffix(l, "\r") == line {
			return true
		}
	}
	return false
}
