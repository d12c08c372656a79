// Command bench measures ssmctl beside what a user would run without it (the
// AWS CLI) on an in-process sandbox, side by side in one run, and prints a
// markdown report to stdout: wall time, API calls per operation (from the
// sandbox's GET /_sandbox/stats) and the child process's peak RSS. It is not
// a timed test: it fails only when a run exits with another status than
// its command expects (0 unless nodes fail by design) or the tools' outputs
// disagree. Progress goes to stderr.
//
//	go run ./bench [-ssmctl bin/ssmctl] [-aws aws] [-runs 5] [-nodes 1000] [-latency 0] [scenario...]
//
// A scenario is one file that registers itself in init (see nodes.go): a
// name, the sandbox's options (its fleet), an optional setup, and the
// commands to compare, the first being ssmctl's.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// config is what the command line chose.
type config struct {
	SSMCTL string // path of the ssmctl binary
	AWS    string // path of the AWS CLI
	Runs   int    // measured runs per command, after one warm-up
	Nodes  int    // fleet size for scenarios that generate a fleet
	// Latency is added by the sandbox to every API call, as a distant
	// region would.
	Latency time.Duration
	// Params is the number of parameters the Parameter Store import and
	// export scenarios write and read.
	Params int
	// TunnelMiB is the size of tunnel-transfer's single transfer; its 16
	// parallel ones are an eighth of it each.
	TunnelMiB int
	// Commit is the commit of the checkout the harness runs from (`git
	// rev-parse --short HEAD`, "-dirty" when tracked files differ from it),
	// printed with every report; empty when unknown.
	Commit string
}

// scenario is one comparison. Commands run as child processes against a
// fresh sandbox started with Sandbox.
type scenario struct {
	Name  string
	Title string
	// Sandbox are the sandbox's options, chiefly its fleet.
	Sandbox sandbox.Options
	// Setup, if set, prepares the sandbox before the first run (through
	// e.sb, or by running the tools with e.cmd).
	Setup func(ctx context.Context, e *env) error
	// Commands are measured side by side. The first is ssmctl's; each
	// other is compared with it in the ratio lines.
	Commands []command
	// Notes are printed under the table: what the rows do differently.
	Notes []string
	// Checks, if set, returns lines printed under the ratios: the
	// scenario's targets, checked against the measured rows.
	Checks func(rows []row) []string
}

// command is one row of a scenario's table.
type command struct {
	Label string
	// Argv[0] is "ssmctl" or "aws", replaced by the binaries chosen by the
	// flags.
	Argv []string
	// Env adds KEY=VALUE pairs to the child's environment.
	Env []string
	// Result, if set, reduces a run's stdout to a canonical list (e.g. the
	// node IDs); it fails if the output is wrong on its own. Every command
	// with a Result must give the same list, as a set, on every run.
	Result func(stdout []byte) ([]string, error)
	// ExitCode is the exit status every run must end with (0 unless the
	// scenario fails some nodes by design).
	ExitCode int
	// Failures, if set, counts the items a run's stdout reports failed
	// (e.g. parameters not imported). A run that reports failures may then
	// exit with any non-zero status: the sample keeps both, for the
	// scenario's Checks to print.
	Failures func(stdout []byte) (int, error)
	// Runs, if set and below -runs, is this command's number of measured
	// runs, and NoWarmup skips its warm-up run: for rows too slow to
	// repeat.
	Runs     int
	NoWarmup bool
	// LastEnd, if set, reads from a run's stdout when the last remote
	// task ended (e.g. the latest end time of a command's invocations);
	// the report shows how long after it the child exited.
	LastEnd func(stdout []byte) (time.Time, error)
	// Drive, if set, runs the child in place of the harness (e.g. on a
	// pseudo-terminal, session.go): it starts cmd, writes what the child
	// printed to out, waits for it and returns Wait's error. A non-zero
	// mark (when a prompt appeared) is the end of the measured time
	// instead of the exit.
	Drive func(cmd *exec.Cmd, out *bytes.Buffer) (mark time.Time, err error)
}

// runs is the number of measured runs of c.
func (c command) runs(cfg config) int {
	if c.Runs > 0 {
		return min(c.Runs, cfg.Runs)
	}
	return cfg.Runs
}

// sample is one measured run.
type sample struct {
	Wall   time.Duration
	MaxRSS int64 // KiB
	Stats  sandbox.Stats
	// Lag is how long after the last remote task ended (command.LastEnd)
	// the child exited.
	Lag time.Duration
	// Exit is the child's exit status, and Failures the items it reported
	// failed (command.Failures; 0 without it).
	Exit     int
	Failures int
}

// row is a command with its measured runs.
type row struct {
	Cmd     command
	Samples []sample
}

var registry []func(config) scenario

// register adds a scenario; call it from an init function.
func register(f func(config) scenario) { registry = append(registry, f) }

func main() {
	var cfg config
	flag.StringVar(&cfg.SSMCTL, "ssmctl", "bin/ssmctl", "the ssmctl `binary` to measure (make build)")
	flag.StringVar(&cfg.AWS, "aws", "aws", "the AWS CLI `binary`")
	flag.IntVar(&cfg.Runs, "runs", 5, "measured runs per command, after one warm-up")
	flag.IntVar(&cfg.Nodes, "nodes", 1000, "managed nodes in generated fleets")
	flag.IntVar(&cfg.Params, "params", 2000, "parameters in the param-import and param-export scenarios")
	flag.IntVar(&cfg.TunnelMiB, "tunnel-mib", 64, "MiB of tunnel-transfer's one transfer (its 16 parallel ones are an eighth each)")
	flag.DurationVar(&cfg.Latency, "latency", 0, "`latency` the sandbox adds to every API call (e.g. 50ms, as a distant region)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./bench [flags] [scenario...]\n\nscenarios:")
		for _, f := range registry {
			fmt.Fprintf(os.Stderr, " %s", f(config{Nodes: 1, Params: 1, TunnelMiB: 1}).Name)
		}
		fmt.Fprintf(os.Stderr, "\n\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(cfg, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(cfg config, names []string) error {
	if cfg.Runs < 1 || cfg.Nodes < 1 || cfg.Params < 1 || cfg.TunnelMiB < 1 || cfg.Latency < 0 {
		return errors.New("-runs, -nodes, -params and -tunnel-mib must be at least 1, -latency not negative")
	}
	var err error
	if cfg.SSMCTL, err = findBinary(cfg.SSMCTL); err != nil {
		return fmt.Errorf("ssmctl: %w (build it with `make build`, or give -ssmctl)", err)
	}
	if cfg.AWS, err = findBinary(cfg.AWS); err != nil {
		return fmt.Errorf("AWS CLI: %w (give -aws)", err)
	}
	cfg.AWS = unshim(cfg.AWS)
	cfg.Commit = checkoutCommit(context.Background())

	var chosen []scenario
	for _, f := range registry {
		if s := f(cfg); len(names) == 0 || slices.Contains(names, s.Name) {
			chosen = append(chosen, s)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(chosen, func(s scenario) bool { return s.Name == n }) {
			return fmt.Errorf("no scenario %q (run with -h for the list)", n)
		}
	}

	ctx := context.Background()
	fmt.Print(renderFacts(machineFacts(ctx, cfg)))
	for _, s := range chosen {
		rows, err := measure(ctx, cfg, s)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		fmt.Print(renderScenario(cfg, s, rows))
	}
	return nil
}

// findBinary returns the absolute path of a binary given by name (looked
// up in PATH) or by path.
func findBinary(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

// unshim resolves a pyenv shim to the real program, so that the figures
// are the AWS CLI's and not pyenv's version lookup (some 30 ms of bash per
// call, and its own processes).
func unshim(path string) string {
	if filepath.Base(filepath.Dir(path)) != "shims" {
		return path
	}
	out, err := exec.Command("pyenv", "which", filepath.Base(path)).Output()
	if err != nil {
		return path
	}
	if real := strings.TrimSpace(string(out)); real != "" {
		return real
	}
	return path
}

// env is a running sandbox and the environment its children get.
type env struct {
	cfg  config
	sb   *sandbox.Server
	home string // the children's HOME and working directory
	vars []string
}

func newEnv(cfg config, opts sandbox.Options) (*env, error) {
	sb, err := sandbox.New(opts)
	if err != nil {
		return nil, err
	}
	sb.Start()
	home, err := os.MkdirTemp("", "ssmctl-bench-")
	if err != nil {
		sb.Close()
		return nil, err
	}
	// Scripts (argv[0] neither "ssmctl" nor "aws") find the binaries
	// chosen by the flags first in PATH, as "ssmctl" and "aws".
	bin := filepath.Join(home, "bin")
	err = os.Mkdir(bin, 0o755)
	if err == nil {
		err = os.Symlink(cfg.SSMCTL, filepath.Join(bin, "ssmctl"))
	}
	if err == nil {
		err = os.Symlink(cfg.AWS, filepath.Join(bin, "aws"))
	}
	if err != nil {
		sb.Close()
		os.RemoveAll(home)
		return nil, err
	}
	// Nothing of the caller's environment but PATH: no profile, no config,
	// no credentials, no instance metadata, no pager.
	vars := append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, sb.Env()...)
	vars = append(vars,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"AWS_CONFIG_FILE="+filepath.Join(home, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	)
	return &env{cfg: cfg, sb: sb, home: home, vars: vars}, nil
}

func (e *env) close() {
	e.sb.Close()
	os.RemoveAll(e.home)
}

// cmd builds a child process for argv, whose first word is "ssmctl", "aws"
// or a program (e.g. a shell) looked up in the children's PATH.
func (e *env) cmd(ctx context.Context, argv, extraEnv []string) *exec.Cmd {
	bin := argv[0]
	switch bin {
	case "ssmctl":
		bin = e.cfg.SSMCTL
	case "aws":
		bin = e.cfg.AWS
	}
	c := exec.CommandContext(ctx, bin, argv[1:]...)
	c.Env = append(slices.Clone(e.vars), extraEnv...)
	c.Dir = e.home
	return c
}

// stats asks the sandbox's stats endpoint, as any client would.
func (e *env) stats(ctx context.Context) (sandbox.Stats, error) {
	var st sandbox.Stats
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.sb.URL()+"/_sandbox/stats", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /_sandbox/stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (e *env) resetStats(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.sb.URL()+"/_sandbox/stats/reset", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /_sandbox/stats/reset: %s", resp.Status)
	}
	return nil
}

// measure runs every command of s once to warm up, then cfg.Runs times,
// interleaved (run i starts with command i mod n), so that drift in the
// machine's load touches every row alike. A command with its own Runs or
// NoWarmup sits out the runs it does not take.
func measure(ctx context.Context, cfg config, s scenario) ([]row, error) {
	opts := s.Sandbox
	opts.Latency = max(opts.Latency, cfg.Latency)
	e, err := newEnv(cfg, opts)
	if err != nil {
		return nil, err
	}
	defer e.close()
	if s.Setup != nil {
		if err := s.Setup(ctx, e); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
	}
	rows := make([]row, len(s.Commands))
	for i, c := range s.Commands {
		rows[i].Cmd = c
	}
	var want []string // the first Result seen; every other must equal it
	var wantFrom string
	for r := -1; r < cfg.Runs; r++ {
		for k := range rows {
			i := (k + max(r, 0)) % len(rows)
			c := rows[i].Cmd
			if r < 0 && c.NoWarmup || r >= c.runs(cfg) {
				continue
			}
			smp, result, err := runOnce(ctx, e, c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.Label, err)
			}
			if c.Result != nil {
				if want == nil {
					want, wantFrom = result, c.Label
				} else if d := diffSets(want, result); d != "" {
					return nil, fmt.Errorf("outputs disagree: %s versus %s: %s", wantFrom, c.Label, d)
				}
			}
			what := "warm-up"
			if r >= 0 {
				rows[i].Samples = append(rows[i].Samples, smp)
				what = fmt.Sprintf("run %d/%d", r+1, c.runs(cfg))
			}
			lag := ""
			if c.LastEnd != nil {
				lag = "  exit " + fmtDuration(smp.Lag) + " after the last node"
			}
			fmt.Fprintf(os.Stderr, "%s: %-28s %-9s %8s  %4d calls  %8s%s\n",
				s.Name, c.Label, what, fmtDuration(smp.Wall), smp.Stats.TotalCalls, fmtMB(smp.MaxRSS), lag)
		}
	}
	return rows, nil
}

// runOnce resets the sandbox's statistics, runs c and reads them back.
func runOnce(ctx context.Context, e *env, c command) (sample, []string, error) {
	// The AWS CLI polling 1,000 nodes one by one takes minutes.
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	if err := e.resetStats(ctx); err != nil {
		return sample{}, nil, err
	}
	cmd := e.cmd(ctx, c.Argv, c.Env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	var err error
	var mark time.Time
	if c.Drive != nil {
		mark, err = c.Drive(cmd, &stdout)
		stderr.Write(stdout.Bytes()) // a terminal mixes both
	} else {
		err = cmd.Run()
	}
	exited := time.Now()
	wall := exited.Sub(start)
	if !mark.IsZero() {
		wall = mark.Sub(start)
	}
	smp := sample{Wall: wall}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		smp.Exit = exitErr.ExitCode()
	default:
		return sample{}, nil, fmt.Errorf("%s: %w: %s", strings.Join(c.Argv, " "), err, tail(stderr.String()))
	}
	if c.Failures != nil {
		if smp.Failures, err = c.Failures(stdout.Bytes()); err != nil {
			return sample{}, nil, fmt.Errorf("%s: output: %w", strings.Join(c.Argv, " "), err)
		}
	}
	if smp.Exit != c.ExitCode && (smp.Failures == 0 || smp.Exit == 0) {
		return sample{}, nil, fmt.Errorf("%s: exit status %d, want %d: %s", strings.Join(c.Argv, " "), smp.Exit, c.ExitCode, tail(stderr.String()))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		smp.MaxRSS = ru.Maxrss // KiB on Linux
	}
	if smp.Stats, err = e.stats(ctx); err != nil {
		return sample{}, nil, err
	}
	var result []string
	if c.Result != nil {
		if result, err = c.Result(stdout.Bytes()); err != nil {
			return sample{}, nil, fmt.Errorf("%s: output: %w", strings.Join(c.Argv, " "), err)
		}
	}
	if c.LastEnd != nil {
		last, err := c.LastEnd(stdout.Bytes())
		if err != nil {
			return sample{}, nil, fmt.Errorf("%s: output: %w", strings.Join(c.Argv, " "), err)
		}
		smp.Lag = exited.Sub(last)
	}
	return smp, result, nil
}

// checkoutCommit is `git rev-parse --short HEAD` of the checkout the
// harness runs from, with "-dirty" when tracked files differ from it (as
// `git describe --dirty` says), or "" outside a git checkout.
func checkoutCommit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if exec.CommandContext(ctx, "git", "diff", "--quiet", "HEAD", "--").Run() != nil {
		commit += "-dirty"
	}
	return commit
}

// diffSets describes how two lists differ as sets, or returns "".
func diffSets(a, b []string) string {
	in := func(xs []string) map[string]bool {
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var onlyA, onlyB []string
	for x := range ma {
		if !mb[x] {
			onlyA = append(onlyA, x)
		}
	}
	for x := range mb {
		if !ma[x] {
			onlyB = append(onlyB, x)
		}
	}
	if len(onlyA) == 0 && len(onlyB) == 0 && len(a) == len(b) {
		return ""
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	first := func(xs []string) []string { return xs[:min(len(xs), 5)] }
	return fmt.Sprintf("%d versus %d entries; only in the first %d %v, only in the second %d %v",
		len(a), len(b), len(onlyA), first(onlyA), len(onlyB), first(onlyB))
}

// tail keeps the end of a child's stderr for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 800 {
		s = "..." + s[len(s)-800:]
	}
	if s == "" {
		return "(no stderr)"
	}
	return s
}
