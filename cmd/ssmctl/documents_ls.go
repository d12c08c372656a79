package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

type docLsOptions struct {
	f        *factory
	Owner    string
	Type     string
	Platform string
	client   func(ctx context.Context) (*runcmd.Client, error)
}

var (
	docOwners    = []string{"All", "Self", "Amazon", "Private", "Public", "ThirdParty"}
	docTypes     = []string{"Command", "Session", "Automation", "Package", "Policy", "ChangeCalendar", "ChangeTemplate", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy"}
	docPlatforms = []string{"Linux", "Windows", "MacOS"}
)

// oneOf returns the allowed spelling of v (any case), or an error naming them.
func oneOf(flag, v string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, nil
		}
	}
	return "", fmt.Errorf("invalid --%s %q: want one of %s", flag, v, strings.Join(allowed, ", "))
}

func newDocLsCmd(f *factory, runF func(*docLsOptions) error) *cobra.Command {
	opts := &docLsOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List SSM documents",
		Long: `List the SSM documents of this account and region: by default the Command
documents of every owner, which are what 'ssmctl run --document' takes.`,
		Example: `  ssmctl doc ls --owner Self
  ssmctl doc ls --type Session
  ssmctl doc ls --platform Windows -o json --query '[].name'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Owner, err = oneOf("owner", opts.Owner, docOwners); err != nil {
				return newUsageError(cmd, err)
			}
			if opts.Type != "" {
				if opts.Type, err = oneOf("type", opts.Type, docTypes); err != nil {
					return newUsageError(cmd, err)
				}
			}
			if opts.Platform != "" {
				if opts.Platform, err = oneOf("platform", opts.Platform, docPlatforms); err != nil {
					return newUsageError(cmd, err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return docLsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "All", "documents owned by `OWNER`: "+strings.Join(docOwners, ", "))
	cmd.Flags().StringVar(&opts.Type, "type", "Command", "documents of this `type`: Command, Session, Automation, Package, ... (empty for all)")
	cmd.Flags().StringVar(&opts.Platform, "platform", "", "documents for this `platform`: "+strings.Join(docPlatforms, ", "))
	_ = cmd.RegisterFlagCompletionFunc("owner", cobra.FixedCompletions(docOwners, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(docTypes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("platform", cobra.FixedCompletions(docPlatforms, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func docLsRun(ctx context.Context, opts *docLsOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Listing documents")
	docs, err := client.Documents(ctx, runcmd.DocumentFilter{Owner: opts.Owner, Type: opts.Type, Platform: opts.Platform})
	f.streams.StopProgress()
	if err != nil {
		return err
	}
	views := make([]documentView, 0, len(docs))
	for _, d := range docs {
		views = append(views, newDocumentView(d))
	}
	return f.printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "OWNER", "TYPE", "VERSION", "PLATFORMS", "SCHEMA"}, NoTruncate: []int{0}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.Name, v.Owner, v.DocumentType, v.Version, strings.Join(v.PlatformTypes, ","), v.SchemaVersion})
		}
		return t
	})
}
