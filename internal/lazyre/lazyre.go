// Package lazyre holds regular expressions that are compiled on first use
// rather than at program start.
//
// ssmctl is one binary: the client commands and the sandbox's validation
// rules (patterns from AWS's API models, some with large counted
// repetitions) live side by side. Compiled in package variables they cost
// every invocation tens of milliseconds of start-up, although a
// `secret get` uses none of them. A Regexp here compiles once, on the
// first call that needs it, and is safe for concurrent use.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use. Its methods are
// those of regexp.Regexp.
type Regexp struct {
	expr string
	get  func() *regexp.Regexp
}

// all is every Regexp New made, for Check.
var all struct {
	sync.Mutex
	l []*Regexp
}

// New returns expr, to be compiled on first use; an invalid expr panics
// then, as regexp.MustCompile would have at start-up. Check finds one
// before that.
func New(expr string) *Regexp {
	r := &Regexp{expr: expr, get: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
	all.Lock()
	all.l = append(all.l, r)
	all.Unlock()
	return r
}

// Check compiles every expression made so far (in a binary: every
// package-level one) and returns how many there are, or the first that
// does not compile. A test of a package that links them all calls it, so
// that a bad pattern fails a test rather than the first user who needs it.
func Check() (int, error) {
	all.Lock()
	defer all.Unlock()
	for _, r := range all.l {
		if _, err := regexp.Compile(r.expr); err != nil {
			return 0, err
		}
	}
	return len(all.l), nil
}

// String is the source text of the expression, without compiling it.
func (r *Regexp) String() string { return r.expr }

// MatchString reports whether s contains a match.
func (r *Regexp) MatchString(s string) bool { return r.get().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.get().FindStringSubmatch(s) }

// FindString is regexp.Regexp.FindString.
func (r *Regexp) FindString(s string) string { return r.get().FindString(s) }

// FindAllStringSubmatch is regexp.Regexp.FindAllStringSubmatch.
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.get().FindAllStringSubmatch(s, n)
}

// ReplaceAll is regexp.Regexp.ReplaceAll.
func (r *Regexp) ReplaceAll(src, repl []byte) []byte { return r.get().ReplaceAll(src, repl) }

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.get().ReplaceAllString(src, repl)
}

// ReplaceAllStringFunc is regexp.Regexp.ReplaceAllStringFunc.
func (r *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r.get().ReplaceAllStringFunc(src, repl)
}
