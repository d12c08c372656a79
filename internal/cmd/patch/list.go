package patch

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// ListOptions is what patch list uses.
type ListOptions struct {
	IO       *output.Streams
	Printer  func() *output.Printer
	Now      func() time.Time
	Aliases  func() map[string][]string
	Client   func(ctx context.Context) (*patch.Client, error)
	Resolver func(ctx context.Context) (*target.Resolver, error)

	Node           string
	State          string
	Severity       string
	Classification string

	spec target.Spec
}

// NewCmdList is `ssmctl patch list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Aliases: f.Aliases, Client: f.Clients().Patch, Resolver: f.Clients().Resolver}
	cmd := &cobra.Command{
		Use:   "list NODE",
		Short: "List one node's patches and their states",
		Long: `List the patches of one node as its last scan or install found them:
KB ID or package, title, classification, severity, state and when it was
installed. --state, --severity and --classification keep only some
(DescribeInstancePatches' filters).`,
		Example: `  ssmctl patch list web-1 --state Missing
  ssmctl patch list i-0123456789abcdef0 --state InstalledPendingReboot -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Node = args[0]
			specs, err := target.ParseAll([]string{opts.Node}, opts.Aliases())
			if err != nil {
				return err
			}
			if len(specs) != 1 {
				return cmdutil.FlagErrorf("give one node, not %s", opts.Node)
			}
			opts.spec = specs[0]
			if opts.State != "" {
				if opts.State, err = cmdutil.OneOf("state", opts.State, patch.PatchStates); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	cmd.Flags().StringVar(&opts.State, "state", "", "only patches in this `state`: "+strings.Join(patch.PatchStates, ", "))
	cmd.Flags().StringVar(&opts.Severity, "severity", "", "only patches of this `severity` (Critical, Important, Medium, Low, ...)")
	cmd.Flags().StringVar(&opts.Classification, "classification", "", "only patches of this `classification` (Security, Bugfix, SecurityUpdates, ...)")
	_ = cmd.RegisterFlagCompletionFunc("state", cobra.FixedCompletions(patch.PatchStates, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	resolver, err := opts.Resolver(ctx)
	if err != nil {
		return err
	}
	nodes, err := resolver.Resolve(ctx, target.Query{Specs: []target.Spec{opts.spec}})
	if err != nil {
		return err
	}
	if len(nodes) != 1 {
		return exitcode.New(exitcode.Usage, "%s matches %d nodes: patch list takes one", opts.Node, len(nodes))
	}
	list, err := client.Patches(ctx, nodes[0].ID, patch.PatchFilter{State: opts.State, Severity: opts.Severity, Classification: opts.Classification})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		// Nothing listed must not read as "nothing missing" when the node
		// was never scanned.
		states, err := client.States(ctx, []string{nodes[0].ID})
		if err != nil {
			return err
		}
		if _, ok := states[nodes[0].ID]; !ok {
			opts.IO.Warnf("%s was never scanned: no patches to list ('ssmctl patch scan %s' scans it)", nodeLabel(nodes[0]), nodes[0].ID)
		}
	}
	views := make([]patchView, 0, len(list))
	for _, p := range list {
		views = append(views, patchView{KBID: p.KBID, Title: p.Title, Classification: p.Classification, Severity: p.Severity,
			State: patch.StateLabel(p.State), InstalledTime: output.NewTime(p.InstalledTime), CVEs: p.CVEs})
	}
	return opts.Printer().Print(views, func() output.Table {
		t := output.Table{Headers: []string{"KB ID", "STATE", "CLASSIFICATION", "SEVERITY", "INSTALLED", "TITLE"}, NoTruncate: []int{0, 1}, DropOrder: []int{5, 4}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.KBID, v.State, orDash(v.Classification), orDash(v.Severity),
				orDash(output.TimeLabel(v.InstalledTime, opts.Now(), opts.Printer().TerminalTable())), v.Title})
		}
		return t
	})
}

// nodeLabel is "name (ID)", or the ID of a node without a name.
func nodeLabel(n target.Node) string {
	return nodeName(nodeComplianceView{NodeID: n.ID, Name: n.Name})
}
