package activate

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// NodesOptions is what activate nodes uses.
type NodesOptions struct {
	Printer func() *output.Printer
	Now     func() time.Time
	Client  clientFunc

	ActivationID string
}

// NewCmdNodes is `ssmctl activate nodes`.
func NewCmdNodes(f *cmdutil.Factory, runF func(*NodesOptions) error) *cobra.Command {
	opts := &NodesOptions{Printer: f.Printer, Now: f.Now, Client: f.Clients().Activations}
	cmd := &cobra.Command{
		Use:   "nodes [ACTIVATION_ID]",
		Short: "List the on-premises (mi-) nodes, or those registered through one activation",
		Long: `List on-premises managed nodes (DescribeInstanceInformation): every mi- node of
the account and region, or, given an activation ID, the nodes registered
through it: they stay registered, and are listed here, after the activation
expires or is deleted; an ID with neither an activation nor nodes is an
error (exit 254). Shows ping status, platform, agent version, IP address
and registration date.`,
		Example: `  ssmctl activate nodes
  ssmctl activate nodes 0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if err := activations.CheckID(args[0]); err != nil {
					return err
				}
				opts.ActivationID = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return nodesRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func nodesRun(ctx context.Context, opts *NodesOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	nodes, err := c.Nodes(ctx, opts.ActivationID)
	if err != nil {
		return err
	}
	if opts.ActivationID != "" && len(nodes) == 0 {
		// An unknown ID is an error, not an empty list. The nodes of a
		// deleted activation stay registered and keep its ID, so they
		// are listed without asking whether it still exists.
		if _, err := c.Get(ctx, opts.ActivationID); err != nil {
			return err
		}
	}
	views := []nodeView{}
	for _, n := range nodes {
		views = append(views, nodeView{NodeID: n.ID, Name: n.Name, ActivationID: n.ActivationID, PingStatus: n.Ping,
			Platform: n.Platform, PlatformName: n.PlatformName, AgentVersion: n.AgentVersion, IPAddress: n.IP,
			ComputerName: n.ComputerName, Registered: output.NewTime(n.Registered)})
	}
	printer := opts.Printer()
	now, tty := opts.Now(), printer.TerminalTable()
	return printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NODE", "NAME", "PING", "PLATFORM", "AGENT", "IP", "REGISTERED", "ACTIVATION"},
			NoTruncate: []int{0, 2, 4, 5, 6, 7}, DropOrder: []int{7, 4, 6}}
		for _, v := range views {
			platform := v.PlatformName
			if platform == "" {
				platform = v.Platform
			}
			t.Rows = append(t.Rows, []string{v.NodeID, v.Name, v.PingStatus, platform, v.AgentVersion, v.IPAddress,
				output.TimeLabel(v.Registered, now, tty), v.ActivationID})
		}
		return t
	})
}
