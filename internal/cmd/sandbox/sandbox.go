// Package sandbox is `ssmctl sandbox`: it runs pkg/sandbox's emulator
// until interrupted.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/cmdline"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// Options is what sandbox uses: its output streams, the global --region
// and --debug, and its flags.
type Options struct {
	IO     *output.Streams
	Region string
	Debug  bool

	Listen   string
	Fleet    string
	Nodes    int
	EnvFile  string
	State    string
	Faults   []string
	FaultOps []string
	Quotas   []string
	Seed     int64
	Latency  time.Duration
	// NoPacing lifts the session data pacing.
	NoPacing bool
	// Account is the main account; Locations the other ones served
	// ([ACCOUNT/]REGION); Profiles the AWS config file to write one
	// profile per account to.
	Account   string
	Locations []string
	Profiles  string
}

// NewCmdSandbox is `ssmctl sandbox`.
func NewCmdSandbox(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local emulator of Systems Manager with simulated managed nodes",
		Long: `Run a local, faithful emulator of the Systems Manager APIs ssmctl uses,
with simulated managed nodes, on a loopback address. It speaks AWS's wire
protocols and checks SigV4 signatures, so ssmctl, the AWS CLI and the AWS SDKs
work against it unchanged.

On start it prints the environment a shell needs (endpoint, credentials,
region) as export lines on stdout; --env-file writes them to a file (mode
0600) as well. It runs until interrupted (Ctrl-C, SIGTERM or SIGHUP).

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

  # Lose the answer of half the SendCommand and PutParameter calls after
  # carrying them out, by closing the connection
  ssmctl sandbox --fault lost-reply=0.5 --fault lost-reply-as=close --fault-ops SendCommand,PutParameter

  # Parameter Store at AWS's published request rates (ThrottlingException beyond)
  ssmctl sandbox --quota aws --quota PutParameter=10

  # Your own fleet, kept across restarts
  ssmctl sandbox --fleet fleet.yaml --state sandbox-state.json --listen 127.0.0.1:4566

  # Two accounts in two Regions each (TargetLocations), a profile per account
  ssmctl sandbox --account 111111111111 --location eu-west-1 \
    --location 222222222222/us-east-1 --location 222222222222/eu-west-1 \
    --profiles sandbox-profiles.ini --env-file sandbox.env &
  . ./sandbox.env
  aws sts get-caller-identity --profile sandbox-222222222222`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Region, opts.Debug = f.Global.Region, f.Global.Debug
			// --nodes 0 would mean "the default fleet" inside; said on
			// purpose, it is refused rather than silently ignored.
			if cmd.Flags().Changed("nodes") && opts.Nodes <= 0 {
				return cmdutil.FlagValueErrorf("nodes", strconv.Itoa(opts.Nodes), "want a number of nodes from 1 (without --nodes, the default fleet)")
			}
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
	fl.StringArrayVar(&opts.Faults, "fault", nil, "inject faults, `NAME=P` (repeatable): throttle=0.2 (ThrottlingException), error=0.05 (InternalServerError), ws-drop=0.01 (drop a session's WebSocket before an output message), ws-close-every=1h (close each session WebSocket that long after it opened, as the service does), lost-reply=0.1 (carry a call out, then answer InternalServerError; lost-reply-as=close closes the connection instead), stall=0.1 (hold a call unanswered for stall-for=60s before handling it), rotation-fail=1 (a secret rotation fails at testSecret, AWSPENDING left behind)")
	fl.StringSliceVar(&opts.FaultOps, "fault-ops", nil, "apply throttle, error, lost-reply and stall only to these `operations` (comma-separated, e.g. SendCommand,PutParameter)")
	fl.StringArrayVar(&opts.Quotas, "quota", nil, "limit request rates (repeatable): `aws` for AWS's published Parameter Store quotas, or OPERATION=TPS to set one (GetParameter+GetParameters=40 shares one quota)")
	fl.DurationVar(&opts.Latency, "latency", 0, "add this much `latency` to every API call, as a distant region would (e.g. 80ms)")
	fl.BoolVar(&opts.NoPacing, "no-pacing", false, "send session output as fast as possible instead of at the SSM Agent's pace (1024-byte messages 1 ms apart)")
	fl.StringVar(&opts.Account, "account", "", "the main `account` ID the credentials in the environment stand for (default 123456789012)")
	fl.StringArrayVar(&opts.Locations, "location", nil, "also serve this account and Region, `[ACCOUNT/]REGION` (repeatable; no account: the main one), with the default fleet (a fleet file's locations: key gives nodes)")
	fl.StringVar(&opts.Profiles, "profiles", "", "write an AWS config `file` with a profile per account (sandbox-ACCOUNT: its credentials, Region and the endpoint), and export AWS_CONFIG_FILE pointing at it")
	fl.Int64Var(&opts.Seed, "seed", 1, "seed for fault injection and generated fleets, for reproducible runs")
	_ = cmd.MarkFlagFilename("fleet", "yaml", "yml")
	cmd.AddCommand(NewCmdRegister(f, nil))
	return cmd
}

func sandboxRun(ctx context.Context, opts *Options) error {
	if opts.Fleet != "" && opts.Nodes > 0 {
		return cmdutil.FlagErrorf("--fleet and --nodes cannot be used together")
	}
	if opts.Latency < 0 {
		return cmdutil.FlagErrorf("invalid --latency %s: want a positive duration", opts.Latency)
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
	if opts.Region != "" {
		sopts.Region = opts.Region
	}
	sopts.AccountID = opts.Account
	for _, spec := range opts.Locations {
		acct, region, ok := strings.Cut(spec, "/")
		if !ok {
			acct, region = "", spec
		}
		sopts.Locations = append(sopts.Locations, sandbox.Location{AccountID: acct, Region: region})
	}
	for _, spec := range opts.Faults {
		if err := sopts.Faults.Add(spec); err != nil {
			return cmdutil.FlagErrorf("invalid --fault: %v", err)
		}
	}
	sopts.Faults.Ops = opts.FaultOps
	for _, spec := range opts.Quotas {
		if sopts.Quotas == nil {
			sopts.Quotas = sandbox.Quotas{}
		}
		if err := sopts.Quotas.Add(spec); err != nil {
			return cmdutil.FlagErrorf("invalid --quota: %v", err)
		}
	}
	if opts.Debug {
		sopts.Logf = func(format string, args ...any) {
			fmt.Fprintf(opts.IO.ErrOut, "sandbox: "+format+"\n", args...)
		}
	}
	srv, err := sandbox.New(sopts)
	if err != nil {
		// A bad fleet file, state file or address is the user's to fix (252,
		// one line that names it); a port that is taken or cannot be bound
		// is not (255).
		var netErr *net.OpError
		if errors.As(err, &netErr) {
			return exitcode.Wrap(exitcode.Other, err)
		}
		return exitcode.Wrap(exitcode.Usage, err)
	}
	defer srv.Close()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()

	envLines := srv.Env()
	if opts.Profiles != "" {
		if err := cmdutil.WriteFile(ctx, opts.Profiles, []byte(srv.Profiles()), 0o600); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return exitcode.Wrap(exitcode.Other, fmt.Errorf("--profiles: %w", cmdutil.FileError(opts.Profiles, err)))
		}
		abs, err := filepath.Abs(opts.Profiles)
		if err != nil {
			abs = opts.Profiles
		}
		envLines = append(envLines, "AWS_CONFIG_FILE="+abs)
	}
	var env strings.Builder
	for _, kv := range envLines {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&env, "export %s=%s\n", k, cmdline.Quote(v, cmdline.Sh))
	}
	if opts.EnvFile != "" {
		if err := cmdutil.WriteFile(ctx, opts.EnvFile, []byte(env.String()), 0o600); err != nil {
			if ctx.Err() != nil {
				// Stopped while a FIFO waited for its reader.
				return nil
			}
			return exitcode.Wrap(exitcode.Other, fmt.Errorf("--env-file: %w", cmdutil.FileError(opts.EnvFile, err)))
		}
	}
	fmt.Fprint(opts.IO.Out, env.String())
	opts.IO.Infof("sandbox: listening on %s with %d managed nodes; Ctrl-C to stop", srv.URL(), srv.NodeCount())
	if locs := srv.Locations(); len(locs) > 1 {
		opts.IO.Infof("sandbox: serving %s (the environment is %s's)", strings.Join(locs, ", "), locs[0])
		if opts.Profiles == "" && len(srv.Accounts()) > 1 {
			opts.IO.Infof("sandbox: the other accounts' credentials: --profiles FILE writes a profile per account")
		}
	}

	select {
	case <-ctx.Done():
		opts.IO.Infof("sandbox: stopping")
		if err := srv.Close(); err != nil {
			return exitcode.Wrap(exitcode.Other, err)
		}
		return nil
	case err := <-errc:
		return exitcode.Wrap(exitcode.Other, err)
	}
}
