package ssh

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// ConfigOptions is what ssh-config uses.
type ConfigOptions struct {
	IO      *output.Streams
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*session.Client, session.Connection, error)
	Proxy   func() (string, error)

	Targets []string
	User    string
	Specs   []target.Spec
}

// NewCmdConfig is `ssmctl ssh-config`.
func NewCmdConfig(f *cmdutil.Factory, runF func(*ConfigOptions) error) *cobra.Command {
	opts := &ConfigOptions{IO: f.IO, Aliases: f.Aliases, Client: cmdutil.SessionClient(f), Proxy: proxyCommand(f.Global)}
	cmd := &cobra.Command{
		Use:   "ssh-config TARGET...",
		Short: "Print ssh_config Host blocks that reach managed nodes through Session Manager",
		Long: `Print one ssh_config Host block for each managed node the targets match,
so that plain ssh, scp, rsync or an IDE reach the node by its name or ID
through 'ssmctl ssh-proxy':

  Host web-1 i-0123456789abcdef0
    HostName i-0123456789abcdef0
    User ec2-user
    ProxyCommand /usr/local/bin/ssmctl ssh-proxy %h %p

User appears only with --user. ProxyCommand names this ssmctl by its
absolute path, with the --profile, --region, --endpoint-url, --ca-bundle
and --config given to ssh-config. A name that is not a plain word, or that
two of the nodes share, is left out of Host (with a warning): the ID
always works. Append the output to ~/.ssh/config, or put it in a file that
~/.ssh/config names with Include. See docs/ssh.md.`,
		Example: `  # Every web node, as ec2-user
  ssmctl ssh-config tag:Role=web --user ec2-user >> ~/.ssh/config
  ssh web-1 uptime`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = args
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return configRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "add User `NAME` to each block")
	return cmd
}

// complete checks the arguments without I/O.
func (o *ConfigOptions) complete() error {
	if len(o.Targets) == 0 {
		return cmdutil.FlagErrorf("no target: give the nodes, e.g. ssmctl ssh-config tag:Role=web")
	}
	if strings.ContainsAny(o.User, " \t\"'#") {
		return cmdutil.FlagErrorf("invalid --user %q: a user name has no spaces, quotes or #", o.User)
	}
	specs, err := target.ParseAll(o.Targets, o.Aliases())
	if err != nil {
		return err
	}
	o.Specs = specs
	return nil
}

func configRun(ctx context.Context, opts *ConfigOptions) error {
	proxy, err := opts.Proxy()
	if err != nil {
		return err
	}
	client, _, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	nodes, err := client.Nodes.Resolve(ctx, target.Query{Specs: opts.Specs, WithNames: true})
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return exitcode.Usagef("no managed node matches %s", strings.Join(opts.Targets, " "))
	}
	named := map[string]int{}
	for _, n := range nodes {
		named[n.Name]++
	}
	var b strings.Builder
	for i, n := range nodes {
		hosts := n.ID
		switch {
		case n.Name == "" || n.Name == n.ID:
		case !hostWord(n.Name):
			opts.IO.Warnf("%s: name %q is not a plain word (letters, digits, . _ -); its block is Host %s only", n.ID, n.Name, n.ID)
		case named[n.Name] > 1:
			opts.IO.Warnf("%s: %d nodes are named %s; their blocks are Host ID only", n.ID, named[n.Name], n.Name)
		default:
			hosts = n.Name + " " + n.ID
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Host %s\n  HostName %s\n", hosts, n.ID)
		if opts.User != "" {
			fmt.Fprintf(&b, "  User %s\n", opts.User)
		}
		fmt.Fprintf(&b, "  ProxyCommand %s\n", proxy)
	}
	_, err = fmt.Fprint(opts.IO.Out, b.String())
	return err
}

// hostWord reports whether ssh_config's Host can take s as it is: no
// space, no pattern character (* ? !), no comma, no quote.
func hostWord(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return s != ""
}
