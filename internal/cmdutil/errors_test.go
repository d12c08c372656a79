package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestFlagErrorf(t *testing.T) {
	inner := exitcode.New(exitcode.AWS, "bad value")
	err := FlagErrorf("--x: %w", inner)
	var fe *FlagError
	if !errors.As(err, &fe) || exitcode.Code(err) != exitcode.Usage || exitcode.Message(err) != "--x: bad value" {
		t.Errorf("%T %q exits %d", err, exitcode.Message(err), exitcode.Code(err))
	}
}

func TestItemsError(t *testing.T) {
	denied := exitcode.New(exitcode.AWS, "AccessDenied")
	for _, tt := range []struct {
		name     string
		failures []Failure
		summary  string
		lines    []string
		code     int
	}{
		{"none", nil, "", nil, exitcode.OK},
		{"a line each, named", []Failure{{"/a", denied}, {"/b", errors.New("/b: boom")}}, "", []string{"/a: AccessDenied", "/b: boom"}, exitcode.AWS},
		{"plain errors count as AWS's", []Failure{{"", errors.New("parameter not found: /x")}}, "", []string{"parameter not found: /x"}, exitcode.AWS},
		{"a usage code stays", []Failure{{"x", exitcode.New(exitcode.Usage, "bad")}}, "", []string{"x: bad"}, exitcode.Usage},
		{"summary", []Failure{{"s-1", denied}, {"s-2", denied}}, "2 of 3 failed", []string{"2 of 3 failed"}, exitcode.AWS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ItemsError(tt.failures, tt.summary)
			if got := exitcode.Code(err); got != tt.code {
				t.Errorf("code %d, want %d", got, tt.code)
			}
			var ie *ItemErrors
			if tt.lines == nil {
				if err != nil {
					t.Errorf("err %v, want nil", err)
				}
				return
			}
			if !errors.As(err, &ie) || !reflect.DeepEqual(ie.Lines(), tt.lines) {
				t.Errorf("%#v, want lines %q", err, tt.lines)
			}
		})
	}
	// An interruption is not a failure of the items.
	err := ItemsError([]Failure{{"/a", denied}, {"/b", fmt.Errorf("put: %w", context.Canceled)}}, "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v, want the interruption", err)
	}
}

func TestNoArgs(t *testing.T) {
	leaf := &cobra.Command{Use: "ls"}
	if err := NoArgs(leaf, []string{"x", "y"}); exitcode.Code(err) != exitcode.Usage || exitcode.Message(err) != `ls takes no arguments, got "x y"` {
		t.Errorf("leaf: %v", err)
	}
	tier := &cobra.Command{Use: "tier", RunE: func(*cobra.Command, []string) error { return nil }}
	// get before set, as Cobra sorts them: the closest is named, not the first.
	tier.AddCommand(&cobra.Command{Use: "get", Run: func(*cobra.Command, []string) {}}, &cobra.Command{Use: "set", Run: func(*cobra.Command, []string) {}})
	if err := NoArgs(tier, []string{"sett", "advanced"}); exitcode.Code(err) != exitcode.Usage || exitcode.Message(err) != `unknown command "sett" for "tier"; did you mean "set"?` {
		t.Errorf("mistyped subcommand: %v", err)
	}
	if err := NoArgs(tier, []string{"standard"}); exitcode.Message(err) != `unknown command "standard" for "tier"` {
		t.Errorf("unknown subcommand: %v", err)
	}
	if err := NoArgs(tier, nil); err != nil {
		t.Errorf("no arguments: %v", err)
	}
}
