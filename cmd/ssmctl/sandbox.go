package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

type sandboxOptions struct {
	f       *factory
	Listen  string
	Fleet   string
	Nodes   int
	EnvFile string
	State   string
	Faults  []string
	Seed    int64
	Latency time.Duration
	// NoPacing lifts the session data pacing.
	NoPacing bool
}

func newSandboxCmd(f *factory, runF func(*sandboxOptions) error) *cobra.Command {
	opts := &sandboxOptions{f: f}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local emulator of Systems Manager with simulated managed nodes",
		Long: `Run a local, faithful emulator of the Systems Manager APIs ssmctl uses,
with simulated managed nodes, on a loopback address. It speaks AWS's wire
protocols and checks SigV4 signatures, so ssmctl, the AWS CLI and the AWS SDKs
work against it unchanged.

On start it prints the environment a shell needs (endpoint, credentials,
region) as export lines on stdout; --env-file writes them to a file (mode
0600) as well. It runs until interrupted (Ctrl-C or SIGTERM).

Without --fleet it starts a small default fleet: Linux EC2 nodes tagged
Environment=Dev and Environment=Prod, a hybrid mi- node, a Windows node and
a node whose agent lost its connection. The fleet file format is described
in docs/sandbox.md.`,
		Example: `  # Start it in the background and use it from this shell
  ssmctl sandbox --env-file sandbox.env &
  . ./sandbox.env
  ssmctl nodes

  # A large generated fleet, with 20% of API calls throttled
  ssmctl sandbox --nodes 1000 --fault throttle=0.2

  # Your own fleet, kept across restarts
  ssmctl sandbox --fleet fleet.yaml --state sandbox-state.json --listen 127.0.0.1:4566`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sandboxRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
	fl.StringVar(&opts.Fleet, "fleet", "", "YAML fleet `file` describing the managed nodes")
	fl.IntVar(&opts.Nodes, "nodes", 0, "generate a fleet of `N` nodes (for benchmarks) instead of the default one")
	fl.StringVar(&opts.EnvFile, "env-file", "", "also write the environment to this `file` (mode 0600)")
	fl.StringVar(&opts.State, "state", "", "keep state in this `file` across restarts (written atomically)")
	fl.StringArrayVar(&opts.Faults, "fault", nil, "inject faults, `NAME=P` (repeatable): throttle=0.2 (ThrottlingException), error=0.05 (InternalServerError), ws-drop=0.01 (drop a session's WebSocket before an output message)")
	fl.DurationVar(&opts.Latency, "latency", 0, "add this much `latency` to every API call, as a distant region would (e.g. 80ms)")
	fl.BoolVar(&opts.NoPacing, "no-pacing", false, "send session output as fast as possible instead of at the SSM Agent's pace (1024-byte messages 1 ms apart)")
	fl.Int64Var(&opts.Seed, "seed", 1, "seed for fault injection and generated fleets, for reproducible runs")
	_ = cmd.MarkFlagFilename("fleet", "yaml", "yml")
	return cmd
}

func sandboxRun(ctx context.Context, opts *sandboxOptions) error {
	f := opts.f
	if opts.Fleet != "" && opts.Nodes > 0 {
		return usageErr(fmt.Errorf("--fleet and --nodes cannot be used together"))
	}
	if opts.Latency < 0 {
		return usageErr(fmt.Errorf("invalid --latency %s: want a positive duration", opts.Latency))
	}
	if opts.Nodes < 0 {
		return usageErr(fmt.Errorf("invalid --nodes %d: want a positive number", opts.Nodes))
	}
	sopts := sandbox.Options{
		Listen:    opts.Listen,
		FleetFile: opts.Fleet,
		Nodes:     opts.Nodes,
		StatePath: opts.State,
		Seed:      opts.Seed,
		Latency:   opts.Latency,
		NoPacing:  opts.NoPacing,
		// A sandbox for people keeps AWS's pace; tests use the fast defaults.
		InvocationDelay: sandbox.RealisticInvocationDelay,
		RebootDelay:     sandbox.RealisticRebootDelay,
	}
	if f.global.Region != "" {
		sopts.Region = f.global.Region
	}
	for _, spec := range opts.Faults {
		if err := sopts.Faults.Add(spec); err != nil {
			return usageErr(fmt.Errorf("invalid --fault: %v", err))
		}
	}
	if f.global.Debug {
		sopts.Logf = func(format string, args ...any) {
			fmt.Fprintf(f.streams.ErrOut, "sandbox: "+format+"\n", args...)
		}
	}
	srv, err := sandbox.New(sopts)
	if err != nil {
		// A bad fleet file, state file or address is the user's to fix (252);
		// a port that is taken or cannot be bound is not (255).
		var netErr *net.OpError
		if errors.As(err, &netErr) {
			return exitcode.Wrap(exitcode.Other, err)
		}
		return usageErr(err)
	}
	defer srv.Close()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()

	var env strings.Builder
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&env, "export %s=%s\n", k, shellQuote(v))
	}
	if opts.EnvFile != "" {
		if err := writeFileAtomic(opts.EnvFile, []byte(env.String()), 0o600); err != nil {
			return exitcode.Wrap(exitcode.Other, fmt.Errorf("--env-file: %w", err))
		}
	}
	fmt.Fprint(f.streams.Out, env.String())
	f.streams.Infof("sandbox: listening on %s with %d managed nodes; Ctrl-C to stop", srv.URL(), srv.NodeCount())

	select {
	case <-ctx.Done():
		f.streams.Infof("sandbox: stopping")
		if err := srv.Close(); err != nil {
			return exitcode.Wrap(exitcode.Other, err)
		}
		return nil
	case err := <-errc:
		return exitcode.Wrap(exitcode.Other, err)
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
