package ssh

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// ProxyOptions is what ssh-proxy uses.
type ProxyOptions struct {
	IO      *output.Streams
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*session.Client, session.Connection, error)

	Host    string
	Port    int
	Reason  string
	Request session.Request
}

// NewCmdProxy is `ssmctl ssh-proxy`.
func NewCmdProxy(f *cmdutil.Factory, runF func(*ProxyOptions) error) *cobra.Command {
	opts := &ProxyOptions{IO: f.IO, Aliases: f.Aliases, Client: func(ctx context.Context) (*session.Client, session.Connection, error) {
		c, conn, err := f.Clients().Sessions(ctx)
		if c != nil {
			c.Pick = nil // stdin is ssh's data: never a picker
		}
		return c, conn, err
	}}
	cmd := &cobra.Command{
		Use:   "ssh-proxy HOST PORT",
		Short: "Carry one SSH connection over Session Manager, as ssh's ProxyCommand",
		Long: `Start an AWS-StartSSHSession session to PORT on the managed node HOST and
copy stdin to it and what comes back to stdout, as ssh's ProxyCommand:

  ProxyCommand ssmctl ssh-proxy %h %p

HOST is a node ID, a name or an alias (any target spec) and must select
exactly one node; several matches exit 252 and list them. Stdout carries
only the connection's bytes; messages go to stderr. ssh-proxy ends when
stdin closes (ssh is done) or the node closes the connection, and
terminates its session. See docs/ssh.md.`,
		Example: `  # In ~/.ssh/config (or see ssmctl ssh-config)
  Host i-* mi-*
    ProxyCommand ssmctl ssh-proxy %h %p`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return proxyRun(cmd.Context(), opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return cmdutil.CompleteTargets(f)(cmd, args, toComplete)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the session is opened, recorded by AWS (at most 256 characters)")
	return cmd
}

// complete checks the arguments without I/O.
func (o *ProxyOptions) complete(args []string) error {
	if len(args) != 2 {
		return cmdutil.FlagErrorf("ssh-proxy takes HOST and PORT, e.g. ProxyCommand ssmctl ssh-proxy %%h %%p")
	}
	o.Host = args[0]
	p, err := strconv.Atoi(args[1])
	if err != nil || p < 1 || p > 65535 || args[1][0] == '+' {
		return cmdutil.FlagErrorf("invalid PORT %q: a port number (1-65535)", args[1])
	}
	o.Port = p
	specs, err := target.ParseAll([]string{o.Host}, o.Aliases())
	if err != nil {
		return err
	}
	o.Request = session.Request{Specs: specs, Reason: o.Reason}
	return o.Request.Validate()
}

func proxyRun(ctx context.Context, opts *ProxyOptions) error {
	client, conn, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	node, err := client.ResolveNode(ctx, opts.Request)
	if err != nil {
		return err
	}
	return client.SSHProxy(ctx, node, opts.Port, opts.Reason, conn, opts.IO.In, opts.IO.Out, opts.IO.Warnf)
}
