package calendar

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/calendar"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// CreateOptions is what calendar create uses.
type CreateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*calendar.Client, error)

	Name    string
	Default string
	ICS     string
	// Type is --default as the ics writes it (empty: the file's own).
	Type    string
	Content string
}

var defaults = []string{"open", "closed"}

// NewCmdCreate is `ssmctl calendar create`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Calendar}
	cmd := &cobra.Command{
		Use:   "create NAME --default open|closed --ics FILE",
		Short: "Create a change calendar from an iCalendar (.ics) file",
		Long: `Create a change calendar (a ChangeCalendar document) from an iCalendar 2.0
file, for example one exported from Google Calendar, Outlook or iCloud.
--default open makes a calendar that is open except during its events (a
freeze), --default closed one that is closed except during them (change
windows); it sets the file's X-CALENDAR-TYPE, which a file without one
needs. --ics - reads the file from stdin.

AWS checks the content: a malformed file is refused with its reason
(InvalidDocumentContent, exit 254) and nothing is created.`,
		Example: `  ssmctl calendar create prod-freeze --default open --ics freeze.ics
  ssmctl calendar create change-windows --default closed --ics - < windows.ics`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.ICS == "" {
				return cmdutil.FlagErrorf("--ics FILE is required: the calendar's iCalendar content")
			}
			if opts.Default != "" {
				d, err := cmdutil.OneOf("default", strings.ToLower(opts.Default), defaults)
				if err != nil {
					return err
				}
				opts.Type = map[string]string{"open": calendar.DefaultOpen, "closed": calendar.DefaultClosed}[d]
			}
			b, err := cmdutil.ReadFileOrStdin(opts.ICS, opts.IO.In)
			if err != nil {
				return exitcode.New(exitcode.Usage, "--ics: %w", err)
			}
			if strings.TrimSpace(string(b)) == "" {
				return exitcode.New(exitcode.Usage, "--ics %s: empty file", opts.ICS)
			}
			if opts.Content, err = calendar.WithType(string(b), opts.Type); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Default, "default", "", "the calendar's state outside its events: `open` or closed (required unless the file has X-CALENDAR-TYPE)")
	cmd.Flags().StringVar(&opts.ICS, "ics", "", "the iCalendar (.ics) `FILE` (- reads stdin)")
	_ = cmd.RegisterFlagCompletionFunc("default", cobra.FixedCompletions(defaults, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Creating calendar")
	version, err := client.Create(ctx, opts.Name, "", opts.Content)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	type created struct {
		Name    string `json:"name"`
		Version string `json:"documentVersion"`
	}
	v := created{Name: opts.Name, Version: version}
	return opts.Printer().Print(v, func() output.Table {
		return output.Table{Headers: []string{"CREATED", "VERSION"}, Rows: [][]string{{v.Name, v.Version}}}
	})
}
