// Package nodes is `ssmctl nodes`: the managed nodes a set of targets
// selects.
package nodes

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// nodeView is one managed node as ssmctl prints it. The JSON names are a
// stable contract (docs/output.md).
type nodeView struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	PingStatus       string            `json:"pingStatus"`
	LastPing         *output.Time      `json:"lastPing,omitempty"`
	PlatformType     string            `json:"platformType"`
	PlatformName     string            `json:"platformName"`
	PlatformVersion  string            `json:"platformVersion"`
	AgentVersion     string            `json:"agentVersion"`
	IsLatestVersion  bool              `json:"isLatestVersion"`
	IPAddress        string            `json:"ipAddress"`
	ComputerName     string            `json:"computerName"`
	ResourceType     string            `json:"resourceType"`
	ActivationID     string            `json:"activationId,omitempty"`
	IAMRole          string            `json:"iamRole,omitempty"`
	RegistrationDate *output.Time      `json:"registrationDate,omitempty"`
	Tags             map[string]string `json:"tags"`
}

func newNodeView(n target.Node) nodeView {
	v := nodeView{
		ID:              n.ID,
		Name:            n.Name,
		PingStatus:      n.PingStatus,
		PlatformType:    n.PlatformType,
		PlatformName:    n.PlatformName,
		PlatformVersion: n.PlatformVersion,
		AgentVersion:    n.AgentVersion,
		IsLatestVersion: n.IsLatestVersion,
		IPAddress:       n.IPAddress,
		ComputerName:    n.ComputerName,
		ResourceType:    n.ResourceType,
		ActivationID:    n.ActivationID,
		IAMRole:         n.IAMRole,
		Tags:            n.Tags,
	}
	v.LastPing = output.NewTime(n.LastPing)
	v.RegistrationDate = output.NewTime(n.RegistrationDate)
	if v.Tags == nil {
		v.Tags = map[string]string{}
	}
	return v
}

// Options is what nodes uses.
type Options struct {
	IO       *output.Streams
	Printer  func() *output.Printer
	Now      func() time.Time
	Aliases  func() map[string][]string
	Resolver func(ctx context.Context) (*target.Resolver, error)

	Targets []string
	Ping    []string
}

// NewCmdNodes is `ssmctl nodes`.
func NewCmdNodes(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Printer: f.Printer, Now: f.Now, Aliases: f.Aliases, Resolver: f.Clients().Resolver}
	cmd := &cobra.Command{
		Use:     "nodes [TARGET...]",
		Aliases: []string{"ls"},
		Short:   "List managed nodes",
		Long: `List the managed nodes Systems Manager knows, with their ping status,
platform, agent version and address; -o json|yaml adds their tags.

A TARGET is a node ID (i-..., mi-...), a tag (tag:Key=Value[,Value...]), a
name or glob matched against the Name tag, the managed node's name and its
computer name (web-*), an alias from the config file (@db), or a resource
group (group:NAME). IDs and names add nodes; tags and groups narrow the
result (several of them AND together, as in AWS Targets).

Targets that match no node are an error (exit 252, nothing printed);
--ping that keeps none of the nodes they match is an empty list (exit 0,
[] with -o json). See docs/targets.md.`,
		Example: `  ssmctl nodes
  ssmctl nodes web-* --ping Online
  ssmctl nodes tag:Environment=Prod tag:Role=web,db
  ssmctl nodes -o json --query '[].id'
  ssmctl nodes --target @db -o yaml`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = append(args, opts.Targets...)
			if runF != nil {
				return runF(opts)
			}
			return nodesRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	cmdutil.AddTargetFlag(cmd, f, &opts.Targets)
	cmdutil.AddPingFlag(cmd, &opts.Ping, "nodes")
	return cmd
}

func nodesRun(ctx context.Context, opts *Options) error {
	specs, err := target.ParseAll(opts.Targets, opts.Aliases())
	if err != nil {
		return err
	}
	ping, err := cmdutil.Ping(opts.Ping)
	if err != nil {
		return err
	}
	resolver, err := opts.Resolver(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Listing managed nodes")
	// A target that matches no node is an error (252); --ping that keeps
	// none of the nodes the targets match is an empty list (docs/targets.md).
	nodes, err := resolver.Resolve(ctx, target.Query{Specs: specs, Ping: ping, WithTags: true, FilterMayEmpty: true})
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	if len(nodes) == 0 && opts.IO.IsStdoutTTY() {
		opts.IO.Infof("No managed nodes found.")
	}
	views := make([]nodeView, 0, len(nodes))
	for _, n := range nodes {
		views = append(views, newNodeView(n))
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	return p.Print(views, func() output.Table {
		// Only the platform is ever cut; an agent version or an IP address
		// cut to "10.…" says nothing, so those are left out instead: the
		// agent first, then the last ping, the IP, and at last the platform.
		t := output.Table{
			Headers:    []string{"ID", "NAME", "PING", "PLATFORM", "AGENT", "IP", "LAST PING"},
			NoTruncate: []int{0, 1, 2, 4, 5, 6},
			DropOrder:  []int{4, 6, 5, 3},
		}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.ID, v.Name, v.PingStatus, platformLabel(v), v.AgentVersion, v.IPAddress, output.TimeLabel(v.LastPing, now, tty)})
		}
		return t
	})
}

func platformLabel(v nodeView) string {
	if v.PlatformName == "" {
		return v.PlatformType
	}
	return strings.TrimSpace(v.PlatformName + " " + v.PlatformVersion)
}
