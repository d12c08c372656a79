package calendar_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	calendarcmd "github.com/ssmctl/ssmctl/internal/cmd/calendar"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

func TestStateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		at   time.Time
		code int
	}{
		{[]string{"freeze"}, time.Time{}, 0},
		{[]string{"freeze", "windows", "--at", "2h"}, cmdtest.Now.Add(2 * time.Hour), 0},
		{[]string{"freeze", "--at", "2026-12-24"}, time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), 0},
		{[]string{"freeze", "--at", "tomorrow"}, time.Time{}, exitcode.Usage},
		{[]string{}, time.Time{}, exitcode.Usage},
	} {
		c := cmdtest.New(t, nil)
		var got *calendarcmd.StateOptions
		code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
			return calendarcmd.NewCmdState(f, func(o *calendarcmd.StateOptions) error { got = o; return nil })
		}, []string{"calendar"}, append([]string{"calendar", "state"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, c.ErrOut)
			continue
		}
		if code == 0 && (!got.AtTime.Equal(tc.at) || strings.Join(got.Names, ",") != strings.Join(tc.args[:len(got.Names)], ",")) {
			t.Errorf("%v: names %v at %v, want at %v", tc.args, got.Names, got.AtTime, tc.at)
		}
	}
}

func TestCreateFlags(t *testing.T) {
	dir := t.TempDir()
	ics := filepath.Join(dir, "f.ics")
	if err := os.WriteFile(ics, []byte("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    []string
		content string
		code    int
	}{
		{[]string{"c1", "--default", "Closed", "--ics", ics}, "BEGIN:VCALENDAR\nX-CALENDAR-TYPE:DEFAULT_CLOSED\nVERSION:2.0\nEND:VCALENDAR\n", 0},
		{[]string{"c1", "--ics", ics}, "", exitcode.Usage},
		{[]string{"c1", "--default", "maybe", "--ics", ics}, "", exitcode.Usage},
		{[]string{"c1", "--default", "open"}, "", exitcode.Usage},
		{[]string{"c1", "--default", "open", "--ics", filepath.Join(dir, "none.ics")}, "", exitcode.Usage},
	} {
		c := cmdtest.New(t, nil)
		var got *calendarcmd.CreateOptions
		code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
			return calendarcmd.NewCmdCreate(f, func(o *calendarcmd.CreateOptions) error { got = o; return nil })
		}, []string{"calendar"}, append([]string{"calendar", "create"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, c.ErrOut)
			continue
		}
		if code == 0 && got.Content != tc.content {
			t.Errorf("%v: content %q, want %q", tc.args, got.Content, tc.content)
		}
	}
}
