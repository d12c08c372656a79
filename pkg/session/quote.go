package session

import "strings"

// CommandLine turns the words after "--" into the one command string that
// AWS-StartNonInteractiveCommand runs with sh -c on the node.
//
// One word is a command line as it stands, as with ssh: "ls | wc -l" runs a
// pipeline. Several words are each kept one argument: a word made only of
// characters the shell leaves alone is joined as it is, any other is put
// in single quotes (a single quote inside becomes '\”). So
// `-- printf '%s\n' 'a b'` prints "a b" on one line.
func CommandLine(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}

// RemoteCommand is the command parameter ssmctl sends: the command line
// given to "sh -c" explicitly, so that pipes, redirections and variables
// work whether the agent runs the parameter through a shell or splits it
// into words itself.
func RemoteCommand(words []string) string {
	return "sh -c " + shellQuote(CommandLine(words))
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%+=:,./_-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
