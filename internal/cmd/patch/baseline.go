package patch

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
)

// NewCmdBaseline is the `ssmctl patch baseline` group.
func NewCmdBaseline(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "baseline",
		Short:   "Show one patch baseline",
		Example: `  ssmctl patch baseline show AWS-UbuntuDefaultPatchBaseline`,
	}
	cmd.AddCommand(NewCmdBaselineShow(f, nil))
	return cmd
}

// BaselineShowOptions is what patch baseline show uses.
type BaselineShowOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*patch.Client, error)

	Baseline string
}

// NewCmdBaselineShow is `ssmctl patch baseline show`.
func NewCmdBaselineShow(f *cmdutil.Factory, runF func(*BaselineShowOptions) error) *cobra.Command {
	opts := &BaselineShowOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Patch}
	cmd := &cobra.Command{
		Use:   "show ID|NAME",
		Short: "Show a patch baseline's approval rules and patch lists",
		Long: `Show a patch baseline: its operating system, whether it is the default,
its approval rules (filters, approve-after-days or approve-until-date,
compliance level), its approved and rejected patches and its patch groups.
An AWS baseline is found by its name or its ARN; yours by name or pb- ID.`,
		Example: `  ssmctl patch baseline show AWS-AmazonLinux2023DefaultPatchBaseline
  ssmctl patch baseline show pb-0123456789abcdef0 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Baseline = args[0]
			if strings.TrimSpace(opts.Baseline) == "" {
				return cmdutil.FlagErrorf("empty baseline: give a baseline ID, ARN or name")
			}
			if runF != nil {
				return runF(opts)
			}
			return baselineShowRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func baselineShowRun(ctx context.Context, opts *BaselineShowOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	d, err := client.Baseline(ctx, opts.Baseline)
	if err != nil {
		return err
	}
	v := baselineDetailView{
		baselineView:    newBaselineView(d.Baseline),
		GlobalFilters:   d.GlobalFilters,
		Rules:           []ruleView{},
		ApprovedPatches: nonNil(d.ApprovedPatches), ApprovedPatchesComplianceLevel: d.ApprovedPatchesComplianceLevel,
		RejectedPatches: nonNil(d.RejectedPatches), RejectedPatchesAction: d.RejectedPatchesAction,
		PatchGroups: nonNil(d.PatchGroups), Created: output.NewTime(d.Created), Modified: output.NewTime(d.Modified),
	}
	if v.GlobalFilters == nil {
		v.GlobalFilters = map[string][]string{}
	}
	for _, r := range d.Rules {
		v.Rules = append(v.Rules, ruleView{Filters: r.Filters, ApproveAfterDays: r.ApproveAfterDays, ApproveUntilDate: r.ApproveUntilDate,
			ComplianceLevel: r.ComplianceLevel, EnableNonSecure: r.EnableNonSecure})
	}
	return opts.Printer().Print(v, func() output.Table {
		t := output.Table{}
		add := func(k, val string) { t.Rows = append(t.Rows, []string{k, val}) }
		add("Name", v.Name)
		add("ID", v.ID)
		add("OS", v.OperatingSystem)
		add("Owner", v.Owner)
		add("Default", yesNo(v.Default))
		if v.Description != "" {
			add("Description", output.FirstLine(v.Description))
		}
		for _, k := range sortedKeys(v.GlobalFilters) {
			add("Global filter", k+" = "+strings.Join(v.GlobalFilters[k], ","))
		}
		for i, r := range d.Rules {
			var parts []string
			for _, k := range r.FilterOrder {
				parts = append(parts, k+"="+strings.Join(r.Filters[k], ","))
			}
			when := "until " + r.ApproveUntilDate
			if r.ApproveAfterDays != nil {
				when = fmt.Sprintf("after %d days", *r.ApproveAfterDays)
			}
			add(fmt.Sprintf("Rule %d", i+1), fmt.Sprintf("%s; approve %s; compliance %s", strings.Join(parts, " "), when, orDash(r.ComplianceLevel)))
		}
		add("Approved", orDash(strings.Join(v.ApprovedPatches, ", ")))
		add("Rejected", orDash(strings.Join(v.RejectedPatches, ", ")))
		if len(v.RejectedPatches) > 0 {
			add("Rejected action", v.RejectedPatchesAction)
		}
		add("Patch groups", orDash(strings.Join(v.PatchGroups, ", ")))
		return t
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
