package envexec

import (
	"errors"
	"slices"
	"testing"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestSetOverrides(t *testing.T) {
	var s Set
	s.Add("A", "1", "first")
	s.Add("B", "2", "first")
	s.Add("A", "3", "second")
	if !slices.Equal(s.Vars, []Var{{"A", "3", "second"}, {"B", "2", "first"}}) {
		t.Errorf("vars %v", s.Vars)
	}
	if w := OverrideWarnings(s.Overrides); !slices.Equal(w, []string{"A from second overrides first"}) {
		t.Errorf("warnings %v", w)
	}
}

func TestNameAndEnviron(t *testing.T) {
	for in, want := range map[string]string{"db/url": "DB_URL", "api-key.v2": "API_KEY_V2", "9lives": "_9LIVES", "/x/": "X"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
	env := Environ([]string{"PATH=/bin", "A=old"}, []Var{{Name: "A", Value: "new"}})
	if !slices.Equal(env, []string{"PATH=/bin", "A=new"}) {
		t.Errorf("env %v", env)
	}
}

func TestRunErrors(t *testing.T) {
	err := Run("/bin/x", []string{"x"}, nil, nil, func(string, []string, []string) error { return errors.New("boom") })
	if exitcode.Code(err) != exitcode.Other {
		t.Errorf("a failed exec: %v", err)
	}
	err = Run("/bin/x", []string{"x"}, nil, nil, func(string, []string, []string) error { return exitcode.Silent(3) })
	if exitcode.Code(err) != 3 {
		t.Errorf("a passed-through status: %v", err)
	}
}
