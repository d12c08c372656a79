package patch

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
)

// BaselinesOptions is what patch baselines uses.
type BaselinesOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*patch.Client, error)

	OS    string
	Owner string
}

// NewCmdBaselines is `ssmctl patch baselines`.
func NewCmdBaselines(f *cmdutil.Factory, runF func(*BaselinesOptions) error) *cobra.Command {
	opts := &BaselinesOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Patch}
	cmd := &cobra.Command{
		Use:   "baselines",
		Short: "List patch baselines",
		Long: `List the patch baselines of this account and region: AWS's predefined ones
(named by their ARN) and your own (pb-...), with the operating system
each is for and whether it is that system's default.`,
		Example: `  ssmctl patch baselines --os AMAZON_LINUX_2023
  ssmctl patch baselines --owner Self -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.OS != "" {
				if opts.OS, err = cmdutil.OneOf("os", opts.OS, patch.OperatingSystems); err != nil {
					return err
				}
			}
			if opts.Owner != "" {
				if opts.Owner, err = cmdutil.OneOf("owner", opts.Owner, patch.Owners); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return baselinesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.OS, "os", "", "only baselines for this operating `system`: "+strings.Join(patch.OperatingSystems, ", "))
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "only baselines of this `owner`: AWS or Self")
	_ = cmd.RegisterFlagCompletionFunc("os", cobra.FixedCompletions(patch.OperatingSystems, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("owner", cobra.FixedCompletions(patch.Owners, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func baselinesRun(ctx context.Context, opts *BaselinesOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Listing patch baselines")
	list, err := client.Baselines(ctx, patch.BaselineFilter{OS: opts.OS, Owner: opts.Owner})
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]baselineView, 0, len(list))
	for _, b := range list {
		views = append(views, newBaselineView(b))
	}
	return opts.Printer().Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "OS", "OWNER", "DEFAULT", "ID"}, NoTruncate: []int{0, 1, 4}, DropOrder: []int{4, 2, 3}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.Name, v.OperatingSystem, v.Owner, yesNo(v.Default), v.ID})
		}
		return t
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
