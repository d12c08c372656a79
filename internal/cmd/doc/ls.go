package doc

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// LsOptions is what doc ls uses.
type LsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*runcmd.Client, error)

	Owner    string
	Type     string
	Platform string
}

var (
	docOwners    = []string{"All", "Self", "Amazon", "Private", "Public", "ThirdParty"}
	docTypes     = []string{"Command", "Session", "Automation", "Package", "Policy", "ChangeCalendar", "ChangeTemplate", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy"}
	docPlatforms = []string{"Linux", "Windows", "MacOS"}
)

// NewCmdLs is `ssmctl doc ls`.
func NewCmdLs(f *cmdutil.Factory, runF func(*LsOptions) error) *cobra.Command {
	opts := &LsOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().RunCommand}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List SSM documents",
		Long: `List the SSM documents of this account and region: by default the Command
documents of every owner, which are what 'ssmctl run --document' takes.`,
		Example: `  ssmctl doc ls --owner Self
  ssmctl doc ls --type Session
  ssmctl doc ls --platform Windows -o json --query '[].name'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Owner, err = cmdutil.OneOf("owner", opts.Owner, docOwners); err != nil {
				return err
			}
			if opts.Type != "" {
				if opts.Type, err = cmdutil.OneOf("type", opts.Type, docTypes); err != nil {
					return err
				}
			}
			if opts.Platform != "" {
				if opts.Platform, err = cmdutil.OneOf("platform", opts.Platform, docPlatforms); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return lsRun(cmd.Context(), opts)
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

func lsRun(ctx context.Context, opts *LsOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Listing documents")
	docs, err := client.Documents(ctx, runcmd.DocumentFilter{Owner: opts.Owner, Type: opts.Type, Platform: opts.Platform})
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]documentView, 0, len(docs))
	for _, d := range docs {
		views = append(views, newDocumentView(d))
	}
	return opts.Printer().Print(views, func() output.Table {
		// Narrow: the schema version, then the document version, then the
		// type are left out; only the owner is ever cut.
		t := output.Table{Headers: []string{"NAME", "OWNER", "TYPE", "VERSION", "PLATFORMS", "SCHEMA"},
			NoTruncate: []int{0, 2, 3, 4, 5}, DropOrder: []int{5, 3, 2}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.Name, v.Owner, v.DocumentType, v.Version, strings.Join(v.PlatformTypes, ","), v.SchemaVersion})
		}
		return t
	})
}
