// Package portforward is `ssmctl port-forward`: local ports forwarded to
// ports on or behind a managed node through Session Manager, each with
// its own sessions, replaced when they end.
package portforward

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// MaxSessions is the most --sessions allows per forward.
const MaxSessions = 32

// Options is what port-forward uses.
type Options struct {
	IO      *output.Streams
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*session.Client, session.Connection, error)

	Target    string
	Specs     []string
	Address   string
	ReadyFile string
	Reconnect bool
	Sessions  int
	Pick      string
	Reason    string

	// Request and Forwards are built by complete from the arguments.
	Request  session.Request
	Forwards []session.Forward
}

// NewCmdPortForward is `ssmctl port-forward`.
func NewCmdPortForward(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Aliases: f.Aliases, Client: cmdutil.SessionClient(f)}
	cmd := &cobra.Command{
		Use:   "port-forward TARGET SPEC...",
		Short: "Forward local ports to ports on or behind a managed node",
		Long: `Forward local TCP ports through Session Manager to a port on one managed
node, or to a host the node can reach (an RDS endpoint, a web UI in a
private subnet), with no bastion and no open inbound port.

Each SPEC is one forward, with its own local listener and its own
session(s):

  REMOTE_PORT                  a free local port to REMOTE_PORT on the node
  LOCAL:REMOTE_PORT            LOCAL to REMOTE_PORT on the node
  LOCAL:HOST:REMOTE_PORT       LOCAL to HOST:REMOTE_PORT as the node reaches it
                               (AWS-StartPortForwardingSessionToRemoteHost)

LOCAL 0 or empty picks a free port. Each forward is printed on stderr as
"127.0.0.1:15432 -> db.internal:5432 via i-0abc (web-1)" once it listens.

Listeners bind to 127.0.0.1 unless --address says otherwise. With
--ready-file, those lines are written to the file once every listener is
up and every first session open, so a script can wait for it. A session
that ends for any reason but Ctrl-C (TerminateSession, the service's
hourly WebSocket close it could not resume, an idle timeout) is replaced
with back-off from 500 ms to 30 s while the listener stays open
(--reconnect=false exits instead). --sessions N spreads each forward's
concurrent connections over N sessions to the same node.

Ctrl-C terminates every session and exits 130. TARGET must select one
node, as for 'ssmctl session'. See docs/port-forward.md.`,
		Example: `  # PostgreSQL on db-1, locally on a free port
  ssmctl port-forward db-1 5432

  # An RDS endpoint through web-1, on local port 15432, and the node's web UI
  ssmctl port-forward web-1 15432:mydb.abc123.eu-west-1.rds.amazonaws.com:5432 8080:80

  # For a script: wait until the tunnel is up, then use it
  ssmctl port-forward web-1 15432:5432 --ready-file /tmp/pf.ready &
  while [ ! -s /tmp/pf.ready ]; do sleep 0.1; done
  psql -h 127.0.0.1 -p 15432

  # Many parallel connections over 4 sessions
  ssmctl port-forward web-1 8080:80 --sessions 4`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return portForwardRun(cmd.Context(), opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return cmdutil.CompleteTargets(f)(cmd, args, toComplete)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Address, "address", "127.0.0.1", "local `ADDR` to listen on (e.g. 0.0.0.0 to accept other machines)")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "write the forwards to `FILE` once every listener is up")
	fl.BoolVar(&opts.Reconnect, "reconnect", true, "replace a session that ends, keeping the listener open")
	fl.IntVar(&opts.Sessions, "sessions", 1, fmt.Sprintf("spread each forward's connections over `N` sessions (1-%d)", MaxSessions))
	fl.StringVar(&opts.Pick, "pick", "", `"any": take a random online node when TARGET matches several`)
	fl.StringVar(&opts.Reason, "reason", "", "why the sessions are opened, recorded by AWS (at most 256 characters)")
	_ = cmd.RegisterFlagCompletionFunc("pick", cobra.FixedCompletions([]string{"any"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete checks the arguments and flags without I/O.
func (o *Options) complete(args []string) error {
	if len(args) == 0 {
		return cmdutil.FlagErrorf("no target: give the node and the ports, e.g. ssmctl port-forward web-1 8080:80")
	}
	if len(args) == 1 {
		return cmdutil.FlagErrorf("no SPEC: give the ports to forward, e.g. ssmctl port-forward %s 8080:80", args[0])
	}
	o.Target, o.Specs = args[0], args[1:]
	if o.Sessions < 1 || o.Sessions > MaxSessions {
		return cmdutil.FlagErrorf("invalid --sessions %d: 1 to %d", o.Sessions, MaxSessions)
	}
	if o.Pick != "" && o.Pick != "any" {
		return cmdutil.FlagValueErrorf("pick", o.Pick, "the only choice is any")
	}
	if o.Address == "" || strings.ContainsAny(o.Address, " /[]") || strings.Contains(o.Address, ":") && net.ParseIP(o.Address) == nil {
		return cmdutil.FlagValueErrorf("address", o.Address, "give a host name or an IP address, without a port")
	}
	o.Forwards = o.Forwards[:0]
	locals := map[int]string{} // LOCAL port -> the SPEC that names it
	for _, s := range o.Specs {
		f, err := session.ParseForward(s)
		if err != nil {
			return err
		}
		// Two SPECs with one LOCAL port could never both listen: say so
		// before any AWS call rather than "address already in use".
		if prev, ok := locals[f.Local]; ok && f.Local != 0 {
			return exitcode.Usagef("invalid forward %q: LOCAL %d is already %q's", s, f.Local, prev)
		}
		locals[f.Local] = s
		o.Forwards = append(o.Forwards, f)
	}
	specs, err := target.ParseAll([]string{o.Target}, o.Aliases())
	if err != nil {
		return err
	}
	o.Request = session.Request{Specs: specs, Reason: o.Reason, PickAny: o.Pick == "any"}
	return o.Request.Validate()
}

func portForwardRun(ctx context.Context, opts *Options) error {
	client, conn, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	node, err := client.ResolveNode(ctx, opts.Request)
	if err != nil {
		return err
	}
	ts := client.PortTunnels(node, opts.Forwards, conn, session.PortTunnelOptions{
		Address: opts.Address, Sessions: opts.Sessions, Reason: opts.Reason,
		Warn: opts.IO.Warnf, Notice: opts.IO.Infof,
	})
	ts.Reconnect = opts.Reconnect
	ts.Status = opts.IO.Infof
	if err := ts.Listen(); err != nil {
		return err
	}
	lines := make([]string, len(ts.List))
	for i, t := range ts.List {
		lines[i] = fmt.Sprintf("%s -> %s via %s", t.Addr(), t.Remote, via(node))
		opts.IO.Infof("%s", lines[i])
	}
	// readyErr receives a --ready-file that could not be written.
	readyErr := make(chan error, 1)
	go func() {
		select {
		case <-ts.Ready:
		case <-ctx.Done():
			return
		}
		if opts.ReadyFile != "" {
			if err := cmdutil.WriteFile(ctx, opts.ReadyFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				readyErr <- cmdutil.FileError(opts.ReadyFile, err)
			}
		}
	}()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- ts.Run(runCtx) }()
	var runErr error
	select {
	case runErr = <-done:
	case err := <-readyErr:
		cancel()
		<-done
		return exitcode.Wrap(exitcode.Other, fmt.Errorf("--ready-file: %w", err))
	}
	if errors.Is(runErr, context.Canceled) && ctx.Err() != nil {
		return interrupted(ctx, ts.Started())
	}
	return runErr
}

// interrupted is the error of a signal (Ctrl-C, SIGTERM, SIGHUP, SIGPIPE)
// once every session is terminated: the signal's code and words.
func interrupted(ctx context.Context, ids []string) error {
	switch len(ids) {
	case 0:
		sig := exitcode.SignalOf(ctx)
		return exitcode.Wrap(sig.Code(), sig)
	case 1:
		return exitcode.Interruptedf(ctx, "session %s terminated", ids[0])
	default:
		return exitcode.Interruptedf(ctx, "%d sessions terminated", len(ids))
	}
}

// via is "i-0abc (web-1)", or the ID when the node has no name.
func via(n target.Node) string {
	if n.Name != "" && n.Name != n.ID {
		return n.ID + " (" + n.Name + ")"
	}
	return n.ID
}
