package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

func stats(ops map[string]int64) sandbox.Stats {
	st := sandbox.Stats{Operations: map[string]sandbox.OperationStats{}}
	for k, n := range ops {
		st.Operations[k] = sandbox.OperationStats{Calls: n}
		st.TotalCalls += n
	}
	return st
}

func TestRenderScenario(t *testing.T) {
	ms := time.Millisecond
	s := scenario{Name: "nodes", Title: "list nodes", Notes: []string{"A note."}}
	subject := row{Cmd: command{Label: "ssmctl", Argv: []string{"ssmctl", "nodes"}}, Samples: []sample{
		{Wall: 300 * ms, MaxRSS: 20480, Stats: stats(map[string]int64{"ssm.DescribeInstanceInformation": 20, "tagging.GetResources": 10})},
		{Wall: 100 * ms, MaxRSS: 30720, Stats: stats(map[string]int64{"ssm.DescribeInstanceInformation": 21, "tagging.GetResources": 10})},
		{Wall: 200 * ms, MaxRSS: 25600, Stats: stats(map[string]int64{"ssm.DescribeInstanceInformation": 20, "tagging.GetResources": 10})},
	}}
	base := row{Cmd: command{Label: "aws CLI", Argv: []string{"aws", "ssm", "describe-instance-information"}}, Samples: []sample{
		{Wall: 1200 * ms, MaxRSS: 61440, Stats: stats(map[string]int64{"ssm.DescribeInstanceInformation": 100})},
		{Wall: 1000 * ms, MaxRSS: 61440, Stats: stats(map[string]int64{"ssm.DescribeInstanceInformation": 100})},
	}}
	got := renderScenario(config{}, s, []row{subject, base})
	for _, want := range []string{
		"## nodes: list nodes\n",
		"| ssmctl | 200 ms | 100 ms | 30: ssm.DescribeInstanceInformation 20, tagging.GetResources 10 (varies 30–31 between runs) | 30 MiB |\n",
		"| aws CLI | 1100 ms | 1000 ms | 100: ssm.DescribeInstanceInformation 100 | 60 MiB |\n",
		"- aws CLI: `aws ssm describe-instance-information`\n",
		"ssmctl vs aws CLI: 5.5× faster, 0.30× the API calls (30 vs 100), 0.50× the memory (30 MiB vs 60 MiB).\n",
		"A note.\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q; got:\n%s", want, got)
		}
	}
}

func TestDiffSets(t *testing.T) {
	if d := diffSets([]string{"a", "b"}, []string{"b", "a"}); d != "" {
		t.Errorf("same sets differ: %s", d)
	}
	if d := diffSets([]string{"a", "b"}, []string{"a", "c"}); !strings.Contains(d, "only in the first 1 [b], only in the second 1 [c]") {
		t.Errorf("diffSets = %q", d)
	}
	if d := diffSets([]string{"a"}, []string{"a", "a"}); d == "" {
		t.Error("a repeated entry went unnoticed")
	}
}

func TestRenderScenarioLagsRunsAndChecks(t *testing.T) {
	s := scenario{Name: "run-mixed", Title: "a mixed run", Checks: func(rows []row) []string {
		return []string{"- target: met."}
	}}
	subject := row{Cmd: command{Label: "ssmctl", Argv: []string{"ssmctl", "run", "--", "echo ok >&2"}, ExitCode: 1,
		LastEnd: func([]byte) (time.Time, error) { return time.Time{}, nil }}, Samples: []sample{
		{Wall: 3 * time.Second, Lag: 300 * time.Millisecond},
		{Wall: 3 * time.Second, Lag: 100 * time.Millisecond},
		{Wall: 3 * time.Second, Lag: 200 * time.Millisecond},
	}}
	slow := row{Cmd: command{Label: "aws CLI", Argv: []string{"bash", "aws-run.sh", "it's"}, Runs: 1, NoWarmup: true}, Samples: []sample{
		{Wall: 300 * time.Second},
	}}
	got := renderScenario(config{Runs: 3}, s, []row{subject, slow})
	for _, want := range []string{
		"| command | wall median | wall min | exit after last node: median (max) | API calls | peak RSS |\n",
		"| ssmctl | 3000 ms | 3000 ms | 200 ms (300 ms) | 0 | 0 MiB |\n",
		"| aws CLI | 300.0 s | 300.0 s | - | 0 | 0 MiB |\n",
		"- ssmctl: `ssmctl run -- 'echo ok >&2'` (exits 1 by design)\n",
		`- aws CLI: ` + "`bash aws-run.sh 'it'\\''s'`" + " (1 run, no warm-up)\n",
		"- target: met.\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q; got:\n%s", want, got)
		}
	}
}

func TestCommandRuns(t *testing.T) {
	cfg := config{Runs: 5}
	for _, tc := range []struct{ runs, want int }{{0, 5}, {1, 1}, {9, 5}} {
		if got := (command{Runs: tc.runs}).runs(cfg); got != tc.want {
			t.Errorf("Runs %d: runs = %d, want %d", tc.runs, got, tc.want)
		}
	}
}

func TestCommitShown(t *testing.T) {
	got := renderScenario(config{Commit: "abc1234-dirty"}, scenario{Name: "nodes", Title: "list nodes"}, nil)
	if !strings.Contains(got, "## nodes: list nodes\n\nCommit measured: abc1234-dirty.\n") {
		t.Errorf("scenario report lacks the commit; got:\n%s", got)
	}
	for _, tc := range []struct{ checkout, binary, want, not string }{
		{"abc1234", "abc1234", "- commit measured: abc1234 (", "WARNING"},
		{"abc1234-dirty", "abc1234", "- commit measured: abc1234-dirty (", "WARNING"},
		{"abc1234", "def5678", "WARNING: the ssmctl binary says it was built from commit def5678", ""},
		{"", "def5678", "- commit measured: unknown (not run from a git checkout); the ssmctl binary says commit def5678", ""},
	} {
		got := renderFacts(facts{Commit: tc.checkout, BinaryCommit: tc.binary})
		if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("facts for checkout %q, binary %q: want %q without %q; got:\n%s", tc.checkout, tc.binary, tc.want, tc.not, got)
		}
	}
}

func TestImportFailures(t *testing.T) {
	out := []byte(`[{"name":"/bench/ssmctl/A","action":"create","version":1},` +
		`{"name":"/bench/ssmctl/B","action":"create","version":0,"error":"ThrottlingException: Rate exceeded"},` +
		`{"name":"/bench/ssmctl/C","action":"update","version":2}]`)
	names, err := importedNames(3)(out)
	if err != nil || len(names) != 3 {
		t.Fatalf("importedNames = %v, %v", names, err)
	}
	if n, err := importFailures(out); err != nil || n != 2 {
		t.Errorf("importFailures = %d, %v; want 2", n, err)
	}
}
