// Package ssh is SSH through Session Manager: `ssmctl ssh-proxy`, the
// ProxyCommand that carries one SSH connection over AWS-StartSSHSession;
// `ssmctl ssh`, which runs the system ssh with it; and `ssmctl
// ssh-config`, which prints ssh_config Host blocks that use it.
package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/cmdline"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/sshkey"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Options is what ssh uses.
type Options struct {
	IO      *output.Streams
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*session.Client, session.Connection, error)
	// Proxy is the ProxyCommand ssh is given (ssh-proxy %h %p).
	Proxy func() (string, error)
	// Exec runs ssh with args and returns its exit code (tests replace it).
	Exec func(ctx context.Context, args []string) (int, error)
	// SSHConfig runs `ssh -G args` and returns what it prints.
	SSHConfig func(ctx context.Context, args []string) (string, error)
	// RunCommand is the Run Command client that places ephemeral keys;
	// InstanceConnect the EC2 Instance Connect client that pushes them.
	RunCommand      func(ctx context.Context) (*runcmd.Client, error)
	InstanceConnect func(ctx context.Context) (sshkey.InstanceConnectAPI, error)
	Getenv          func(string) string

	Target  string
	User    string
	SSHArgs []string
	Pick    string
	Request session.Request
	// Ephemeral is --ephemeral-key; EphemeralSet says it was given (else
	// the key is used when ssh has no identity to offer).
	Ephemeral, EphemeralSet bool
	// KeyVia is --key-via: how an ephemeral key reaches the node.
	KeyVia sshkey.Via
	keyVia string
}

// NewCmdSSH is `ssmctl ssh`.
func NewCmdSSH(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Aliases: f.Aliases, Client: cmdutil.SessionClient(f), Proxy: proxyCommand(f.Global), Exec: runSSH(f.IO),
		SSHConfig: sshConfig, RunCommand: func(ctx context.Context) (*runcmd.Client, error) { return f.Clients().RunCommand(ctx) },
		InstanceConnect: func(ctx context.Context) (sshkey.InstanceConnectAPI, error) { return f.Clients().InstanceConnect(ctx) },
		Getenv:          os.Getenv}
	cmd := &cobra.Command{
		Use:   "ssh [USER@]TARGET [-- SSH_ARGS...]",
		Short: "Run ssh to a managed node through Session Manager",
		Long: `Run the system ssh to one managed node with no open inbound port: ssh gets
"-o ProxyCommand=ssmctl ssh-proxy %h %p" and the node's ID as the host, so
its connection goes through an AWS-StartSSHSession session to port 22 on
the node. An SSH server must listen there, and ssh authenticates to it as
usual (your keys, agent and ~/.ssh/config apply).

With --ephemeral-key, and by default when ssh has no key to offer (no
identity file that exists, no agent key: see ssh -G), ssmctl makes a
one-time ed25519 key in memory, places its public half for the login user
for 60 seconds, and hands the private half to ssh through an agent socket
of its own. --key-via says how the key is placed:

  auto              EC2 Instance Connect for an EC2 instance (i-), falling
                    back to a Run Command when it refuses (no permission,
                    no endpoint, an unknown instance) and for mi- nodes
  instance-connect  EC2 Instance Connect's SendSSHPublicKey only: AWS keeps
                    the key 60 s for the node's sshd, nothing is written on
                    the node (needs ec2-instance-connect:SendSSHPublicKey
                    and the ec2-instance-connect package on the node)
  run-command       a Run Command (AWS-RunShellScript) appends it to the
                    user's ~/.ssh/authorized_keys and another removes it
                    when ssh exits, at the latest after 60 s

AWS accepts a pushed key even when the node does not run EC2 Instance
Connect, so its sshd refuses the login: use --key-via run-command there.
--ephemeral-key=false never places a key.

TARGET is an ID, a name, an alias or a target spec that selects one node;
USER@ sets the login user. Everything after TARGET (after --, for ssh's
own options) goes to ssh: options, then the remote command. ssmctl exits
with ssh's exit code (the remote command's, or 255 for ssh's own errors).
See docs/ssh.md.`,
		Example: `  # A login shell on web-1 as ec2-user
  ssmctl ssh ec2-user@web-1

  # A one-time key placed with a Run Command (a node without EC2 Instance Connect)
  ssmctl ssh --ephemeral-key --key-via run-command ubuntu@db-1

  # A command, with ssh options after --
  ssmctl ssh ubuntu@i-0123456789abcdef0 -- -i ~/.ssh/work.pem uptime`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return sshRun(cmd.Context(), opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return cmdutil.CompleteTargets(f)(cmd, args, toComplete)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Pick, "pick", "", `"any": take a random online node when TARGET matches several`)
	fl.BoolVar(&opts.Ephemeral, "ephemeral-key", false, "log in with a one-time key placed on the node for 60 s (default: when ssh has no key to offer)")
	fl.StringVar(&opts.keyVia, "key-via", string(sshkey.ViaAuto), "how a one-time key is placed: auto, instance-connect (EC2 Instance Connect) or run-command")
	_ = cmd.RegisterFlagCompletionFunc("key-via", cobra.FixedCompletions(sshkey.Vias, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("pick", cobra.FixedCompletions([]string{"any"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.PreRun = func(cmd *cobra.Command, _ []string) { opts.EphemeralSet = cmd.Flags().Changed("ephemeral-key") }
	return cmd
}

// complete checks the arguments without I/O.
func (o *Options) complete(args []string) error {
	if len(args) == 0 {
		return cmdutil.FlagErrorf("no target: give the node, e.g. ssmctl ssh ec2-user@web-1")
	}
	o.Target, o.SSHArgs = args[0], args[1:]
	o.User = ""
	if u, t, ok := cutUser(o.Target); ok {
		if u == "" || t == "" {
			return cmdutil.FlagErrorf("invalid target %q: want [USER@]TARGET", o.Target)
		}
		o.User, o.Target = u, t
	}
	via, ok := sshkey.ParseVia(o.keyVia)
	if !ok {
		return cmdutil.FlagErrorf("invalid --key-via %q: want %s", o.keyVia, strings.Join(sshkey.Vias, ", "))
	}
	o.KeyVia = via
	if o.Pick != "" && o.Pick != "any" {
		return cmdutil.FlagErrorf("invalid --pick %q: the only choice is any", o.Pick)
	}
	specs, err := target.ParseAll([]string{o.Target}, o.Aliases())
	if err != nil {
		return err
	}
	o.Request = session.Request{Specs: specs, PickAny: o.Pick == "any"}
	return o.Request.Validate()
}

// cutUser splits USER@TARGET at its first @ (a target spec's tag value
// may hold one; a user name rarely does).
func cutUser(s string) (user, rest string, ok bool) {
	return strings.Cut(s, "@")
}

func sshRun(ctx context.Context, opts *Options) error {
	proxy, err := opts.Proxy()
	if err != nil {
		return err
	}
	client, _, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	node, err := client.ResolveNode(ctx, opts.Request)
	if err != nil {
		return err
	}
	dest := node.ID
	if opts.User != "" {
		dest = opts.User + "@" + node.ID
	}
	args := []string{"-o", "ProxyCommand=" + proxy}
	keyArgs, remove, via, err := ephemeralKey(ctx, opts, node, dest)
	if err != nil {
		return err
	}
	args = append(args, keyArgs...)
	// OpenSSH reads options after the destination too, so the user's
	// options and the remote command can follow it as given.
	args = append(append(args, dest), opts.SSHArgs...)
	code, err := opts.Exec(ctx, args)
	remove()
	if err != nil {
		return err
	}
	if code == 255 && via == sshkey.ViaInstanceConnect {
		// AWS took the key, but that says nothing of the node's sshd.
		opts.IO.Warnf("ssh failed (exit 255) with a key pushed by EC2 Instance Connect, which AWS accepts even for a node that does not run it; if the login was refused, retry with --key-via run-command")
	}
	if code != 0 {
		return exitcode.Silent(code)
	}
	return nil
}

// runSSH runs the system ssh on the process's streams and returns its
// exit code; ssh not found is an error (exit 255). A signal reaches ssh
// from the terminal itself, so ssmctl waits for it rather than killing it.
func runSSH(s *output.Streams) func(ctx context.Context, args []string) (int, error) {
	return func(ctx context.Context, args []string) (int, error) {
		path, err := exec.LookPath("ssh")
		if err != nil {
			return 0, exitcode.New(exitcode.Other, "ssh not found in PATH: install an OpenSSH client (e.g. apt-get install openssh-client), or use ssh-config or ssh-proxy with another client")
		}
		cmd := exec.Command(path, args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin(s), s.Out, s.ErrOut
		if f := s.OutFile(); f != nil {
			cmd.Stdout = f // so ssh sees a terminal
		}
		err = cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() < 0 {
				return 255, nil // killed by a signal
			}
			return ee.ExitCode(), nil
		}
		if err != nil {
			return 0, exitcode.Wrap(exitcode.Other, fmt.Errorf("running ssh: %w", err))
		}
		return 0, nil
	}
}

// stdin is the process's stdin as a file when it is one, so ssh sees a
// terminal.
func stdin(s *output.Streams) io.Reader {
	if f, ok := s.In.(*os.File); ok {
		return f
	}
	return s.In
}

// proxyCommand is the ProxyCommand that runs this ssmctl: its absolute
// path (quoted for sh, which ssh runs it with), the global AWS flags
// given on the command line, and ssh-proxy %h %p.
func proxyCommand(g *cmdutil.GlobalOptions) func() (string, error) {
	return func() (string, error) {
		exe, err := os.Executable()
		if err != nil {
			return "", exitcode.Wrap(exitcode.Other, fmt.Errorf("finding the ssmctl executable for ProxyCommand: %w", err))
		}
		words := []string{exe}
		for _, fl := range []struct{ name, value string }{
			{"--profile", g.Profile}, {"--region", g.Region}, {"--endpoint-url", g.EndpointURL},
			{"--ca-bundle", g.CABundle}, {"--config", g.ConfigFile},
		} {
			if fl.value != "" {
				words = append(words, fl.name, fl.value)
			}
		}
		q := make([]string, len(words))
		for i, w := range words {
			// ssh expands %-tokens in ProxyCommand: %% is one %.
			q[i] = strings.ReplaceAll(cmdline.Quote(w, cmdline.Sh), "%", "%%")
		}
		return strings.Join(q, " ") + " ssh-proxy %h %p", nil
	}
}
