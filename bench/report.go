package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// facts describe the machine and the binaries a report was measured with.
type facts struct {
	Date     time.Time
	Platform string // linux/amd64
	CPUs     int
	CPUModel string
	Go       string
	SSMCTL   string // version and path
	AWS      string // aws --version and path
	Runs     int
	Latency  time.Duration
	// Commit is the checkout's commit (config.Commit), and BinaryCommit
	// the one the ssmctl binary says it was built from.
	Commit, BinaryCommit string
}

func machineFacts(ctx context.Context, cfg config) facts {
	f := facts{
		Date:     time.Now().UTC(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:     runtime.NumCPU(),
		CPUModel: cpuModel(),
		Go:       runtime.Version(),
		Runs:     cfg.Runs,
		Latency:  cfg.Latency,
		Commit:   cfg.Commit,
	}
	version, commit := ssmctlVersion(ctx, cfg.SSMCTL)
	f.SSMCTL = "ssmctl " + version + ", commit " + commit + " (" + cfg.SSMCTL + ")"
	f.BinaryCommit = commit
	out, err := exec.CommandContext(ctx, cfg.AWS, "--version").CombinedOutput()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		v = "aws (version unknown)"
	}
	f.AWS = v + " (" + cfg.AWS + ")"
	return f
}

// ssmctlVersion reads the version and commit from `ssmctl version`
// ("version\tdev\ncommit\tabc...").
func ssmctlVersion(ctx context.Context, bin string) (version, commit string) {
	out, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil {
		return "(version unknown)", "unknown"
	}
	kv := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv["version"], kv["commit"]
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func renderFacts(f facts) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# ssmctl benchmarks, %s\n\n", f.Date.Format("2006-01-02 15:04 MST"))
	cpu := fmt.Sprintf("%d CPUs", f.CPUs)
	if f.CPUModel != "" {
		cpu += " (" + f.CPUModel + ")"
	}
	fmt.Fprintf(&b, "- commit measured: %s\n", commitLine(f.Commit, f.BinaryCommit))
	fmt.Fprintf(&b, "- machine: %s, %s\n", f.Platform, cpu)
	fmt.Fprintf(&b, "- harness: %s; %s\n", f.Go, f.SSMCTL)
	fmt.Fprintf(&b, "- AWS CLI: %s\n", f.AWS)
	runs := plural(f.Runs, "run")
	lat := "none added (loopback)"
	if f.Latency > 0 {
		lat = f.Latency.String() + " added to every call"
	}
	fmt.Fprintf(&b, "- sandbox API latency: %s\n", lat)
	fmt.Fprintf(&b, "- method: %s per command after 1 warm-up (unless a row says otherwise), interleaved; wall time of the child process; "+
		"API calls from the sandbox's /_sandbox/stats, first measured run; peak RSS is the largest ru_maxrss of the runs\n\n", runs)
	return b.String()
}

// commitLine says which commit was measured: the checkout's, and the
// binary's when that is another.
func commitLine(checkout, binary string) string {
	if checkout == "" {
		return "unknown (not run from a git checkout); the ssmctl binary says commit " + binary
	}
	line := checkout + " (`git rev-parse --short HEAD` of the checkout bench/ ran from, -dirty if its tracked files differed)"
	if b := strings.TrimSuffix(checkout, "-dirty"); binary != b && !strings.HasPrefix(binary, b) && !strings.HasPrefix(b, binary) {
		line += "; WARNING: the ssmctl binary says it was built from commit " + binary
	}
	return line
}

func renderScenario(cfg config, s scenario, rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s: %s\n\n", s.Name, s.Title)
	if cfg.Commit != "" {
		fmt.Fprintf(&b, "Commit measured: %s.\n\n", cfg.Commit)
	}
	lags := slices.ContainsFunc(rows, func(r row) bool { return r.Cmd.LastEnd != nil })
	if lags {
		b.WriteString("| command | wall median | wall min | exit after last node: median (max) | API calls | peak RSS |\n")
		b.WriteString("|---|--:|--:|--:|---|--:|\n")
	} else {
		b.WriteString("| command | wall median | wall min | API calls | peak RSS |\n")
		b.WriteString("|---|--:|--:|---|--:|\n")
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |", r.Cmd.Label, fmtDuration(r.medianWall()), fmtDuration(r.minWall()))
		if lags {
			lag := "-"
			if r.Cmd.LastEnd != nil && len(r.Samples) > 0 {
				lag = fmt.Sprintf("%s (%s)", fmtDuration(r.medianLag()), fmtDuration(r.maxLag()))
			}
			fmt.Fprintf(&b, " %s |", lag)
		}
		fmt.Fprintf(&b, " %s | %s |\n", r.calls(), fmtMB(r.peakRSS()))
	}
	b.WriteString("\n")
	for _, r := range rows {
		env := ""
		if len(r.Cmd.Env) > 0 {
			env = strings.Join(r.Cmd.Env, " ") + " "
		}
		var runs []string
		if n := r.Cmd.runs(cfg); n != cfg.Runs {
			runs = append(runs, plural(n, "run"))
		}
		if r.Cmd.NoWarmup {
			runs = append(runs, "no warm-up")
		}
		if r.Cmd.ExitCode != 0 {
			runs = append(runs, fmt.Sprintf("exits %d by design", r.Cmd.ExitCode))
		}
		more := ""
		if len(runs) > 0 {
			more = " (" + strings.Join(runs, ", ") + ")"
		}
		fmt.Fprintf(&b, "- %s: `%s%s`%s\n", r.Cmd.Label, env, shellJoin(r.Cmd.Argv), more)
	}
	b.WriteString("\n")
	if len(rows) > 1 {
		for _, base := range rows[1:] {
			b.WriteString(ratio(rows[0], base) + "\n")
		}
		b.WriteString("\n")
	}
	if s.Checks != nil {
		for _, c := range s.Checks(rows) {
			b.WriteString(c + "\n")
		}
		b.WriteString("\n")
	}
	for _, n := range s.Notes {
		b.WriteString(n + "\n")
	}
	if len(s.Notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// ratio compares ssmctl's row a with a baseline b, e.g. "ssmctl vs aws CLI:
// 2.1× faster, 0.30× the API calls (30 vs 100), 0.25× the memory (31 vs 125 MB)".
func ratio(a, b row) string {
	speed := "as fast"
	if ma, mb := a.medianWall(), b.medianWall(); ma > 0 && mb > 0 {
		if x := float64(mb) / float64(ma); x >= 1 {
			speed = fmt.Sprintf("%.1f× faster", x)
		} else {
			speed = fmt.Sprintf("%.1f× slower", 1/x)
		}
	}
	ca, cb := a.totalCalls(), b.totalCalls()
	calls := fmt.Sprintf("%d vs %d API calls", ca, cb)
	if cb > 0 {
		calls = fmt.Sprintf("%.2f× the API calls (%d vs %d)", float64(ca)/float64(cb), ca, cb)
	}
	ra, rb := a.peakRSS(), b.peakRSS()
	mem := fmt.Sprintf("%s vs %s", fmtMB(ra), fmtMB(rb))
	if rb > 0 {
		mem = fmt.Sprintf("%.2f× the memory (%s vs %s)", float64(ra)/float64(rb), fmtMB(ra), fmtMB(rb))
	}
	return fmt.Sprintf("%s vs %s: %s, %s, %s.", a.Cmd.Label, b.Cmd.Label, speed, calls, mem)
}

func (r row) walls() []time.Duration {
	w := make([]time.Duration, len(r.Samples))
	for i, s := range r.Samples {
		w[i] = s.Wall
	}
	slices.Sort(w)
	return w
}

func (r row) medianWall() time.Duration { return median(r.walls()) }

// median of sorted durations.
func median(w []time.Duration) time.Duration {
	switch {
	case len(w) == 0:
		return 0
	case len(w)%2 == 1:
		return w[len(w)/2]
	default:
		return (w[len(w)/2-1] + w[len(w)/2]) / 2
	}
}

func (r row) minWall() time.Duration {
	if w := r.walls(); len(w) > 0 {
		return w[0]
	}
	return 0
}

func (r row) lags() []time.Duration {
	l := make([]time.Duration, len(r.Samples))
	for i, s := range r.Samples {
		l[i] = s.Lag
	}
	slices.Sort(l)
	return l
}

func (r row) medianLag() time.Duration { return median(r.lags()) }

func (r row) maxLag() time.Duration {
	if l := r.lags(); len(l) > 0 {
		return l[len(l)-1]
	}
	return 0
}

func (r row) peakRSS() int64 {
	var m int64
	for _, s := range r.Samples {
		m = max(m, s.MaxRSS)
	}
	return m
}

// totalCalls is the first run's API call count.
func (r row) totalCalls() int64 {
	if len(r.Samples) == 0 {
		return 0
	}
	return r.Samples[0].Stats.TotalCalls
}

// callRange is the least and the most API calls of the runs.
func (r row) callRange() (lo, hi int64) {
	for i, s := range r.Samples {
		if i == 0 || s.Stats.TotalCalls < lo {
			lo = s.Stats.TotalCalls
		}
		hi = max(hi, s.Stats.TotalCalls)
	}
	return lo, hi
}

// calls renders the first run's API calls: "30: ssm.DescribeInstanceInformation
// 20, tagging.GetResources 10", with errors, unknown operations and any
// variation between runs.
func (r row) calls() string {
	if len(r.Samples) == 0 {
		return "-"
	}
	st := r.Samples[0].Stats
	keys := make([]string, 0, len(st.Operations))
	for k := range st.Operations {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int {
		return cmp.Or(cmp.Compare(st.Operations[y].Calls, st.Operations[x].Calls), cmp.Compare(x, y))
	})
	parts := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		op := st.Operations[k]
		p := fmt.Sprintf("%s %d", k, op.Calls)
		if op.Errors > 0 {
			p += fmt.Sprintf(" (%d errors)", op.Errors)
		}
		parts = append(parts, p)
	}
	if st.UnknownOperations > 0 {
		parts = append(parts, fmt.Sprintf("unknown operations %d", st.UnknownOperations))
	}
	s := fmt.Sprintf("%d", st.TotalCalls)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	lo, hi := st.TotalCalls, st.TotalCalls
	for _, smp := range r.Samples[1:] {
		lo, hi = min(lo, smp.Stats.TotalCalls), max(hi, smp.Stats.TotalCalls)
	}
	if lo != hi {
		s += fmt.Sprintf(" (varies %d–%d between runs)", lo, hi)
	}
	return s
}

// shellJoin renders argv as a shell would take it: words with anything
// but letters, digits and _@%+=:,./- in single quotes.
func shellJoin(argv []string) string {
	words := make([]string, len(argv))
	for i, w := range argv {
		safe := w != "" && strings.IndexFunc(w, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("_@%+=:,./-", r))
		}) < 0
		if safe {
			words[i] = w
		} else {
			words[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(words, " ")
}

// plural renders "1 run", "3 runs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func fmtDuration(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// fmtMB renders a size in KiB (ru_maxrss on Linux) in MiB.
func fmtMB(kib int64) string {
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}
