package patch

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// ComplianceOptions is what patch compliance uses.
type ComplianceOptions struct {
	IO       *output.Streams
	Printer  func() *output.Printer
	Now      func() time.Time
	Aliases  func() map[string][]string
	Client   func(ctx context.Context) (*patch.Client, error)
	Resolver func(ctx context.Context) (*target.Resolver, error)

	Targets            []string
	FailOnNonCompliant bool

	specs []target.Spec
}

// NewCmdCompliance is `ssmctl patch compliance`.
func NewCmdCompliance(f *cmdutil.Factory, runF func(*ComplianceOptions) error) *cobra.Command {
	opts := &ComplianceOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Aliases: f.Aliases, Client: f.Clients().Patch, Resolver: f.Clients().Resolver}
	cmd := &cobra.Command{
		Use:   "compliance [TARGET...]",
		Short: "Show each node's patch compliance and a fleet summary",
		Long: `Show the patch state of each node the targets match (every managed node
with none) after its last scan or install: its patch group and baseline,
its patches installed, installed-other (installed, not approved), pending a
reboot, installed but rejected, missing, failed and not applicable, the
critical and security non-compliant counts, and the last operation and
when it ended. A fleet summary follows: N compliant, M non-compliant, K
never scanned.

A node is non-compliant when a patch its baseline approves is missing or
failed, or is installed and waiting for a reboot, when a rejected patch
is installed, or when AWS counts any patch of it non-compliant (on
Windows, a security update not yet approved under a baseline that makes
those non-compliant). The exit status is 0 unless --fail-on-noncompliant is given:
then it is 1 when any node is non-compliant (a CI gate). A node never
scanned is not counted as non-compliant.`,
		Example: `  ssmctl patch compliance
  ssmctl patch compliance tag:Env=prod --fail-on-noncompliant
  ssmctl patch compliance -o json --query 'nodes[?missing > ` + "`0`" + `].name'`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = append(args, opts.Targets...)
			specs, err := target.ParseAll(opts.Targets, opts.Aliases())
			if err != nil {
				return err
			}
			opts.specs = specs
			if runF != nil {
				return runF(opts)
			}
			return complianceRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	cmdutil.AddTargetFlag(cmd, f, &opts.Targets)
	cmd.Flags().BoolVar(&opts.FailOnNonCompliant, "fail-on-noncompliant", false, "exit 1 when any node is non-compliant")
	return cmd
}

func complianceRun(ctx context.Context, opts *ComplianceOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	resolver, err := opts.Resolver(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading patch compliance")
	nodes, err := resolver.Resolve(ctx, target.Query{Specs: opts.specs, WithNames: true})
	var view complianceView
	if err == nil {
		view, err = readCompliance(ctx, client, nodes)
	}
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	if err := printCompliance(opts.IO, opts.Printer(), view, opts.Now()); err != nil {
		return err
	}
	if opts.FailOnNonCompliant && view.Summary.NonCompliant > 0 {
		var names []string
		for _, n := range view.Nodes {
			if n.Status == "NON_COMPLIANT" {
				names = append(names, nodeName(n))
			}
		}
		return exitcode.New(exitcode.Failed, "%d of %d nodes are not patch compliant: %s", len(names), len(view.Nodes), output.FewNames(names))
	}
	return nil
}

func nodeName(n nodeComplianceView) string {
	if n.Name != "" && n.Name != n.NodeID {
		return n.Name + " (" + n.NodeID + ")"
	}
	return n.NodeID
}

// readCompliance reads the nodes' patch states and names their baselines.
func readCompliance(ctx context.Context, client *patch.Client, nodes []target.Node) (complianceView, error) {
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	states, err := client.States(ctx, ids)
	if err != nil {
		return complianceView{}, err
	}
	names := map[string]string{}
	if len(states) > 0 {
		list, err := client.Baselines(ctx, patch.BaselineFilter{})
		if err != nil {
			return complianceView{}, err
		}
		for _, b := range list {
			names[b.ID] = b.Name
		}
	}
	view := complianceView{Nodes: []nodeComplianceView{}}
	for _, n := range nodes {
		v := nodeComplianceView{NodeID: n.ID, Name: n.Name, Status: "NOT_SCANNED"}
		s, ok := states[n.ID]
		switch {
		case !ok:
			view.Summary.NeverScanned++
		case s.Compliant():
			v.Status = "COMPLIANT"
			view.Summary.Compliant++
		default:
			v.Status = "NON_COMPLIANT"
			view.Summary.NonCompliant++
		}
		if ok {
			v.PatchGroup, v.BaselineID, v.Baseline = s.PatchGroup, s.BaselineID, names[s.BaselineID]
			v.Installed, v.InstalledOther, v.InstalledPendingReboot, v.InstalledRejected = s.Installed, s.InstalledOther, s.InstalledPendingReboot, s.InstalledRejected
			v.Missing, v.Failed, v.NotApplicable = s.Missing, s.Failed, s.NotApplicable
			v.CriticalNonCompliant, v.SecurityNonCompliant = s.CriticalNonCompliant, s.SecurityNonCompliant
			v.LastOperation, v.LastOperationTime = s.Operation, output.NewTime(s.OperationEnd)
		}
		view.Nodes = append(view.Nodes, v)
	}
	return view, nil
}

// printCompliance prints the per-node table and the summary line (in
// table and text formats), or the document.
func printCompliance(streams *output.Streams, printer *output.Printer, view complianceView, now time.Time) error {
	err := printer.Print(view, func() output.Table {
		t := output.Table{
			Headers: []string{"NODE", "NAME", "STATUS", "GROUP", "BASELINE", "INSTALLED", "OTHER", "PENDING-REBOOT", "REJECTED", "MISSING", "FAILED", "N/A", "CRITICAL", "SECURITY", "LAST", "WHEN"},
			// Narrow: the least telling counts go first, then the
			// baseline, the group and the times; what answers "which
			// nodes are missing (security) patches?" stays longest:
			// STATUS, MISSING, SECURITY, FAILED and PENDING-REBOOT fit
			// 80 columns.
			NoTruncate: []int{0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, DropOrder: []int{11, 6, 8, 5, 4, 3, 15, 12, 1, 14, 7, 10, 13, 9},
		}
		for _, v := range view.Nodes {
			row := []string{v.NodeID, v.Name, v.Status, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}
			if v.Status != "NOT_SCANNED" {
				n := func(i int) string { return fmt.Sprint(i) }
				row = []string{v.NodeID, v.Name, v.Status, orDash(v.PatchGroup), orDash(v.Baseline),
					n(v.Installed), n(v.InstalledOther), n(v.InstalledPendingReboot), n(v.InstalledRejected), n(v.Missing), n(v.Failed),
					n(v.NotApplicable), n(v.CriticalNonCompliant), n(v.SecurityNonCompliant), v.LastOperation, output.TimeLabel(v.LastOperationTime, now, printer.TerminalTable())}
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	})
	if err != nil || printer.Structured() {
		return err
	}
	s := view.Summary
	_, err = fmt.Fprintf(streams.Out, "%d compliant, %d non-compliant, %d never scanned\n", s.Compliant, s.NonCompliant, s.NeverScanned)
	return err
}

func sortedKeys(m map[string][]string) []string { return slices.Sorted(maps.Keys(m)) }
