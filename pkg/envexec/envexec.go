// Package envexec is the environment and exec semantics that `param exec`
// and `secret exec` share: variable names in upper-snake case, later
// sources overriding earlier ones (reported by name, never by value), the
// variables set over ssmctl's own environment, and ssmctl replaced by the
// program (execve on Unix), so the program keeps the PID, receives
// signals directly and its exit status is the exit status. Values travel
// only in the environment, never in arguments.
package envexec

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Var is one environment variable and where its value came from.
type Var struct {
	Name  string
	Value string
	From  string // a parameter's name, a secret's name and key
}

// Override is a variable a later source set again.
type Override struct {
	Name       string
	From, Over string // the earlier and the later source
}

// Set collects variables in order; a name set again keeps its first
// place, takes the later value and is recorded as an override.
type Set struct {
	Vars      []Var
	Overrides []Override
	index     map[string]int
}

// Add sets name to value, from source.
func (s *Set) Add(name, value, from string) {
	if s.index == nil {
		s.index = map[string]int{}
	}
	if i, ok := s.index[name]; ok {
		s.Overrides = append(s.Overrides, Override{Name: name, From: s.Vars[i].From, Over: from})
		s.Vars[i] = Var{Name: name, Value: value, From: from}
		return
	}
	s.index[name] = len(s.Vars)
	s.Vars = append(s.Vars, Var{Name: name, Value: value, From: from})
}

// Name maps a key to an environment variable name: letters in upper
// case, digits and _ kept, anything else _ (a leading and trailing /
// dropped); a name that would start with a digit gets a leading _.
func Name(key string) string {
	var b strings.Builder
	for _, r := range strings.Trim(key, "/") {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(unicode.ToUpper(r))
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// Environ returns base with vars set, replacing variables of the same
// name.
func Environ(base []string, vars []Var) []string {
	set := map[string]bool{}
	for _, v := range vars {
		set[v.Name] = true
	}
	env := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !set[k] {
			env = append(env, kv)
		}
	}
	for _, v := range vars {
		env = append(env, v.Name+"="+v.Value)
	}
	return env
}

// OverrideWarnings are the warnings for overrides, one line each, names
// only.
func OverrideWarnings(over []Override) []string {
	out := make([]string, 0, len(over))
	for _, o := range over {
		out = append(out, fmt.Sprintf("%s from %s overrides %s", o.Name, o.Over, o.From))
	}
	return out
}

// Run replaces ssmctl with prog (run: Replace unless a test captures the
// call), its environment base with vars set. It returns only on failure:
// an exit code the program passed through (where the platform cannot
// replace a process) as it is, anything else as exit 255.
func Run(prog string, argv []string, base []string, vars []Var, run func(argv0 string, argv []string, env []string) error) error {
	if run == nil {
		run = Replace
	}
	if err := run(prog, argv, Environ(base, vars)); err != nil {
		if _, ok := err.(*exitcode.Error); ok {
			return err
		}
		return exitcode.Wrap(exitcode.Other, fmt.Errorf("exec %s: %w", argv[0], err))
	}
	return nil
}
