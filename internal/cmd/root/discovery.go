package root

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
)

// rootIntro is the root's description: what ssmctl does, said from the
// commands registered under the fleet and config groups, so help never
// promises a command that does not exist.
func rootIntro(root *cobra.Command) string {
	var can []string
	for _, c := range root.Commands() {
		if (c.GroupID == "fleet" || c.GroupID == "config") && c.IsAvailableCommand() {
			can = append(can, lowerFirst(c.Short)+" ("+c.Name()+")")
		}
	}
	return wrap("ssmctl is AWS Systems Manager from the command line. It can "+strings.Join(can, "; ")+".", 76) + `

Data goes to stdout; progress, warnings and errors go to stderr. Output is a
table on a terminal and tab-separated text otherwise; -o json|yaml prints
stable documents that --query (JMESPath) can shape.

Try it without an AWS account: 'ssmctl sandbox' starts a local emulator.`
}

// wrap breaks s into lines of at most width columns at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// flagError is the usage error of a flag Cobra could not parse: an unknown
// flag gets the nearest flags' names ("did you mean --script?"), and an
// unknown shorthand that is really a value (-5) a pointer to "--".
func flagError(cmd *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) {
		return cmdutil.FlagErrorf("%w", err)
	}
	if short := ne.GetSpecifiedShortnames(); short != "" {
		if r := []rune(short)[0]; !unicode.IsLetter(r) {
			return cmdutil.FlagErrorf(`unknown flag -%s: to give "-%s" as an argument, put it after "--" (%s [flags] -- ARGS)`, short, short, cmd.CommandPath())
		}
		return cmdutil.FlagErrorf("%w", err)
	}
	name := ne.GetSpecifiedName()
	if s := nearFlags(cmd, name); len(s) > 0 {
		return cmdutil.FlagErrorf("unknown flag --%s; did you mean --%s?", name, strings.Join(s, " or --"))
	}
	return cmdutil.FlagErrorf("%w", err)
}

// nearFlags are the names of cmd's flags (its own and inherited) within two
// edits of name, or that start with it, nearest first.
func nearFlags(cmd *cobra.Command, name string) []string {
	type near struct {
		name string
		d    int
	}
	var found []near
	seen := map[string]bool{}
	visit := func(f *pflag.Flag) {
		if f.Hidden || seen[f.Name] {
			return
		}
		seen[f.Name] = true
		d := editDistance(strings.ToLower(name), f.Name)
		if d <= 2 || (len(name) >= 3 && strings.HasPrefix(f.Name, strings.ToLower(name))) {
			found = append(found, near{f.Name, d})
		}
	}
	cmd.LocalFlags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	best := -1
	for _, f := range found {
		if best < 0 || f.d < best {
			best = f.d
		}
	}
	var names []string
	for _, f := range found {
		if f.d == best {
			names = append(names, f.name)
		}
	}
	return names
}

// editDistance is the Damerau-Levenshtein (optimal string alignment)
// distance, so a swapped pair of letters (--scirpt) is one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// argsError replaces Cobra's raw argument-count messages ("accepts 1
// arg(s), received 0") with what was wrong and the command's usage line.
// check is the command's own Args check, asked again with one argument
// more and one fewer to tell "missing" from "too many".
func argsError(cmd *cobra.Command, args []string, check cobra.PositionalArgs, err error) error {
	usage := "usage: " + cmd.UseLine()
	switch {
	case check(cmd, append(args[:len(args):len(args)], "x")) == nil:
		return cmdutil.FlagErrorf("missing argument; %s", usage)
	case len(args) > 0 && check(cmd, args[:len(args)-1]) == nil:
		return cmdutil.FlagErrorf("too many arguments (%s); %s", quoteArgs(args), usage)
	default:
		return cmdutil.FlagErrorf("%v; %s", err, usage)
	}
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, " ")
}
