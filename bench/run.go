package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// run-echo and run-mixed: Run Command on every node of a large fleet, with
// ssmctl run and with the AWS CLI as a user scripts it (aws-run.sh).
func init() {
	register(func(cfg config) scenario { return runScenario(cfg, false) })
	register(func(cfg config) scenario { return runScenario(cfg, true) })
}

//go:embed aws-run.sh
var awsRunScript []byte

// The tag every node of the Run Command fleet has.
const runTagKey, runTagValue = "Fleet", "bench"

// mixedScript sleeps 0 to 3 s and fails on about 2% of the nodes, each
// node's share drawn from the last 5 hex digits of its ID (mixedPlan says
// the same in Go). It runs under the sandbox's /bin/sh (dash here): POSIX
// arithmetic, no fork but sleep.
const mixedScript = `x=$((0x${AWS_SSM_INSTANCE_ID#"${AWS_SSM_INSTANCE_ID%?????}"})); ms=$((x % 3001)); ` +
	`sleep $((ms / 1000)).$((ms % 1000 / 100))$((ms % 100 / 10))$((ms % 10)); echo "slept $ms ms"; ` +
	`[ $((x / 3001 % 50)) -ne 0 ] || { echo "failing on purpose" >&2; exit 1; }`

// mixedPlan is what mixedScript does on node id: how long it sleeps and
// whether it fails.
func mixedPlan(id string) (time.Duration, bool) {
	x, err := strconv.ParseUint(id[len(id)-5:], 16, 64)
	if err != nil {
		panic("bench: node ID " + id + " does not end in hex")
	}
	return time.Duration(x%3001) * time.Millisecond, x/3001%50 == 0
}

// runFleet is GenerateFleet's fleet made fit for one AWS-RunShellScript
// run on every node: every node Online and Linux (the generated Windows
// and ConnectionLost nodes are turned), and all tagged Fleet=bench.
func runFleet(n int) *sandbox.Fleet {
	f := sandbox.GenerateFleet(n, 1)
	for _, node := range f.Nodes {
		if node.Platform.Type != "Linux" {
			node.Platform = sandbox.Platform{Type: "Linux", Name: "Amazon Linux", Version: "2023"}
		}
		node.Ping, node.LastPing = "Online", nil
		node.Tags[runTagKey] = runTagValue
	}
	return f
}

func runScenario(cfg config, mixed bool) scenario {
	fleet := runFleet(cfg.Nodes)
	// want is every node's expected "ID status responseCode".
	want := make(map[string]string, len(fleet.Nodes))
	var slowest time.Duration
	failing := 0
	script, maxErrors, name, title, exit := "echo ok", "0", "run-echo", fmt.Sprintf("`echo ok` on %d nodes", cfg.Nodes), 0
	if mixed {
		script, maxErrors, name, exit = mixedScript, "10%", "run-mixed", 1
	}
	for _, node := range fleet.Nodes {
		want[node.ID] = node.ID + " Success 0"
		if !mixed {
			continue
		}
		sleep, fail := mixedPlan(node.ID)
		slowest = max(slowest, sleep)
		if fail {
			want[node.ID] = node.ID + " Failed 1"
			failing++
		}
	}
	if mixed {
		title = fmt.Sprintf("a mixed run on %d nodes: each sleeps 0–3 s, %d fail", cfg.Nodes, failing)
	}
	// The parameters as a user writes them: no \u003e for > (json.Marshal's
	// HTML escaping).
	var params strings.Builder
	enc := json.NewEncoder(&params)
	enc.SetEscapeHTML(false)
	enc.Encode(map[string][]string{"commands": {script}})
	target := "tag:" + runTagKey + "=" + runTagValue
	awsRun := func(label, mode string, runs int) command {
		return command{
			Label:    label,
			Argv:     []string{"bash", "aws-run.sh", mode, runTagKey, runTagValue, maxErrors, strings.TrimSpace(params.String())},
			Result:   cliRunResult(want),
			ExitCode: exit,
			Runs:     runs,
			NoWarmup: runs == 1,
			LastEnd:  cliRunLastEnd,
		}
	}
	ssmctl := []string{"ssmctl", "run", "--target", target}
	if mixed {
		ssmctl = append(ssmctl, "--max-errors", maxErrors)
	}
	ssmctl = append(ssmctl, "-o", "json", "--", script)
	return scenario{
		Name:  name,
		Title: title,
		Sandbox: sandbox.Options{
			Fleet:           fleet,
			Seed:            1,
			InvocationDelay: sandbox.RealisticInvocationDelay,
		},
		Setup: func(_ context.Context, e *env) error {
			return os.WriteFile(filepath.Join(e.home, "aws-run.sh"), awsRunScript, 0o755)
		},
		Commands: []command{
			{Label: "ssmctl", Argv: ssmctl, Result: ssmctlRunResult(want), ExitCode: exit, LastEnd: ssmctlRunLastEnd},
			awsRun("aws CLI, get-command-invocation per node", "per-node", 1),
			awsRun("aws CLI, poll list-command-invocations", "poll-invocations", 0),
			awsRun("aws CLI, poll list-commands", "poll-command", 0),
		},
		Checks: func(rows []row) []string { return runChecks(rows, mixed, slowest) },
	}
}

// runInvocation is one node's result in `ssmctl run -o json`.
type runInvocation struct {
	NodeID       string    `json:"nodeId"`
	Status       string    `json:"status"`
	ResponseCode int       `json:"responseCode"`
	End          time.Time `json:"end"`
}

func parseSSMCTLRun(out []byte) ([]runInvocation, error) {
	var doc struct {
		Invocations []runInvocation `json:"invocations"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	return doc.Invocations, nil
}

// ssmctlRunResult reduces `ssmctl run -o json` to "ID status code" per
// node and checks it against want.
func ssmctlRunResult(want map[string]string) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		invs, err := parseSSMCTLRun(out)
		if err != nil {
			return nil, err
		}
		got := make([]string, len(invs))
		for i, inv := range invs {
			got[i] = fmt.Sprintf("%s %s %d", inv.NodeID, inv.Status, inv.ResponseCode)
		}
		return got, checkRun(got, want)
	}
}

func ssmctlRunLastEnd(out []byte) (time.Time, error) {
	invs, err := parseSSMCTLRun(out)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, inv := range invs {
		if inv.End.IsZero() {
			return time.Time{}, fmt.Errorf("node %s has no end time", inv.NodeID)
		}
		if inv.End.After(last) {
			last = inv.End
		}
	}
	return last, nil
}

// cliRunLines splits aws-run.sh's output: node, status, response code,
// end time, tab-separated.
func cliRunLines(out []byte) ([][]string, error) {
	return tabLines(out, "node", "status", "response code", "end")
}

// tabLines splits a script's output into tab-separated lines of the given
// fields, skipping empty lines.
func tabLines(out []byte, fields ...string) ([][]string, error) {
	var lines [][]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != len(fields) {
			return nil, fmt.Errorf("line %q: want %s", sc.Text(), strings.Join(fields, ", "))
		}
		lines = append(lines, f)
	}
	return lines, sc.Err()
}

func cliRunResult(want map[string]string) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		lines, err := cliRunLines(out)
		if err != nil {
			return nil, err
		}
		got := make([]string, len(lines))
		for i, f := range lines {
			got[i] = strings.Join(f[:3], " ")
		}
		return got, checkRun(got, want)
	}
}

func cliRunLastEnd(out []byte) (time.Time, error) {
	lines, err := cliRunLines(out)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, f := range lines {
		t, err := parseEnd(f[3])
		if err != nil {
			return time.Time{}, fmt.Errorf("node %s: end time: %w", f[0], err)
		}
		if t.After(last) {
			last = t
		}
	}
	return last, nil
}

// parseEnd reads an end time as the AWS CLI prints it: GetCommandInvocation's
// ExecutionEndDateTime is a string ("2026-11-23T10:00:01.234Z");
// ResponseFinishDateTime is a timestamp, which CLI v1 prints as it came on
// the wire (epoch seconds, "1795445402.03") and v2 as ISO 8601.
func parseEnd(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither ISO 8601 nor epoch seconds", s)
	}
	return time.UnixMilli(int64(f*1000 + 0.5)), nil
}

// checkRun requires one result per node, each as expected.
func checkRun(got []string, want map[string]string) error {
	seen := make(map[string]bool, len(got))
	for _, g := range got {
		id, _, _ := strings.Cut(g, " ")
		w, ok := want[id]
		switch {
		case !ok:
			return fmt.Errorf("result for unknown node %q", g)
		case seen[id]:
			return fmt.Errorf("two results for node %s", id)
		case g != w:
			return fmt.Errorf("node %s: got %q, want %q", id, g, w)
		}
		seen[id] = true
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d results, want %d", len(got), len(want))
	}
	return nil
}

// The targets for ssmctl run (issues show 3, Benchmark).
const (
	runCallsFactor = 10              // at least 10× fewer API calls than the CLI pattern
	runLagTarget   = 2 * time.Second // done within 2 s of the slowest node
	runRSSTarget   = 150e6           // bytes: under 150 MB peak RSS
)

// runChecks checks ssmctl's row (the first) against the targets;
// the CLI pattern is the per-node row (the second).
func runChecks(rows []row, mixed bool, slowest time.Duration) []string {
	if len(rows) < 2 {
		return nil
	}
	s, cli := rows[0], rows[1]
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	var out []string
	if mixed {
		out = append(out, fmt.Sprintf("The longest planned sleep is %s.", fmtDuration(slowest)))
	}
	out = append(out, "Targets (issue 3):", "")
	// Every run counts: the calls vary between runs with the timing of the
	// polls.
	lo, hi := s.callRange()
	cc := cli.totalCalls()
	calls := fmt.Sprintf("%d", hi)
	if lo != hi {
		calls = fmt.Sprintf("%d–%d", lo, hi)
	}
	factor := func(n int64) string {
		if n <= cc {
			return fmt.Sprintf("%.1f× fewer", float64(cc)/float64(max(n, 1)))
		}
		return fmt.Sprintf("%.1f× more", float64(n)/float64(max(cc, 1)))
	}
	how := factor(hi)
	if lo != hi {
		how = factor(hi) + " to " + factor(lo)
	}
	out = append(out, fmt.Sprintf("- At least %d× fewer API calls than the CLI pattern (%s): %s vs %d, %s: %s.",
		runCallsFactor, cli.Cmd.Label, calls, cc, how, met(hi*runCallsFactor <= cc)))
	out = append(out, fmt.Sprintf("- Done within %g s of the slowest node: ssmctl exited at most %s after the last node's end time (median %s): %s.",
		runLagTarget.Seconds(), fmtDuration(s.maxLag()), fmtDuration(s.medianLag()), met(s.maxLag() <= runLagTarget)))
	out = append(out, fmt.Sprintf("- Under 150 MB peak RSS: %s (%.0f MB): %s.",
		fmtMB(s.peakRSS()), float64(s.peakRSS())*1024/1e6, met(float64(s.peakRSS())*1024 < runRSSTarget)))
	return out
}
