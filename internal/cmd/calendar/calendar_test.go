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

// TestShowTerminal: on an 80-column terminal no event line is cut (how it
// repeats and what it skips come last), and a calendar with no change
// scheduled says so rather than "until -".
func TestShowTerminal(t *testing.T) {
	srv := cmdtest.Fleet(t)
	ics := filepath.Join(t.TempDir(), "f.ics")
	content := "BEGIN:VCALENDAR\nPRODID:-//t//EN\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nSUMMARY:Weekly Friday freeze\n" +
		"DTSTART;TZID=Europe/Berlin:20260102T160000\nDTEND;TZID=Europe/Berlin:20260102T235959\n" +
		"RRULE:FREQ=WEEKLY;BYDAY=FR\nEXDATE;TZID=Europe/Berlin:20260109T160000\nEND:VEVENT\nEND:VCALENDAR\n"
	if err := os.WriteFile(ics, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "e.ics")
	if err := os.WriteFile(empty, []byte("BEGIN:VCALENDAR\nPRODID:-//t//EN\nVERSION:2.0\nEND:VCALENDAR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := cmdtest.New(t, srv)
	for _, args := range [][]string{{"freeze", "--ics", ics}, {"never", "--ics", empty}} {
		if code := c.Run(ctx, append([]string{"calendar", "create", "--default", "open"}, args...)...); code != 0 {
			t.Fatalf("create %v: exit %d: %s", args, code, c.ErrOut)
		}
	}
	c = cmdtest.New(t, srv)
	c.Streams.SetStdoutTTY(true)
	c.Streams.SetTerminalWidth(80)
	if code := c.Run(ctx, "calendar", "show", "freeze"); code != 0 {
		t.Fatalf("show: exit %d: %s", code, c.ErrOut)
	}
	if !strings.Contains(c.Out.String(), "weekly on FR (1 skipped)\n") || strings.Contains(c.Out.String(), "…") {
		t.Errorf("show cut an event line at 80 columns:\n%s", c.Out)
	}
	c.Out.Reset()
	if code := c.Run(ctx, "calendar", "show", "never"); code != 0 {
		t.Fatalf("show never: exit %d: %s", code, c.ErrOut)
	}
	if !strings.Contains(c.Out.String(), "OPEN, no change scheduled\n") {
		t.Errorf("show of a calendar with no transition:\n%s", c.Out)
	}
}
