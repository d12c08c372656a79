package main

import (
	"strings"
	"testing"
	"time"
)

func TestMixedPlan(t *testing.T) {
	fleet := runFleet(1000)
	var failing int
	var slowest time.Duration
	for _, n := range fleet.Nodes {
		if n.Platform.Type != "Linux" || n.Ping != "Online" || n.Tags[runTagKey] != runTagValue {
			t.Fatalf("node %s is not an Online Linux node tagged %s=%s: %+v", n.ID, runTagKey, runTagValue, n)
		}
		sleep, fail := mixedPlan(n.ID)
		if sleep < 0 || sleep > 3*time.Second {
			t.Errorf("node %s sleeps %s", n.ID, sleep)
		}
		slowest = max(slowest, sleep)
		if fail {
			failing++
		}
	}
	// About 2% fail, and some node sleeps close to 3 s.
	if failing < 10 || failing > 30 || slowest < 2900*time.Millisecond {
		t.Errorf("%d of 1000 nodes fail, the slowest sleeps %s", failing, slowest)
	}
}

func TestRunResults(t *testing.T) {
	want := map[string]string{"i-0123456789abcdef0": "i-0123456789abcdef0 Success 0", "mi-0123456789abcdef1": "mi-0123456789abcdef1 Failed 1"}
	ssmctl := []byte(`{"commandIds":["c"],"exitCode":1,"invocations":[
		{"nodeId":"i-0123456789abcdef0","status":"Success","responseCode":0,"end":"2026-11-23T10:00:01.5Z"},
		{"nodeId":"mi-0123456789abcdef1","status":"Failed","responseCode":1,"end":"2026-11-23T10:00:02.25Z"}]}`)
	got, err := ssmctlRunResult(want)(ssmctl)
	if err != nil || len(got) != 2 {
		t.Fatalf("ssmctl result: %v, %v", got, err)
	}
	if last, err := ssmctlRunLastEnd(ssmctl); err != nil || !last.Equal(time.Date(2026, 11, 23, 10, 0, 2, 250e6, time.UTC)) {
		t.Errorf("ssmctl last end: %v, %v", last, err)
	}
	cli := []byte("i-0123456789abcdef0\tSuccess\t0\t2026-11-23T10:00:01.500Z\nmi-0123456789abcdef1\tFailed\t1\t1795428002.25\n")
	if got, err := cliRunResult(want)(cli); err != nil || len(got) != 2 {
		t.Fatalf("CLI result: %v, %v", got, err)
	}
	if last, err := cliRunLastEnd(cli); err != nil || last.UnixMilli() != 1795428002250 {
		t.Errorf("CLI last end: %v, %v", last, err)
	}
	wrong := []byte("i-0123456789abcdef0\tSuccess\t0\t2026-11-23T10:00:01.500Z\nmi-0123456789abcdef1\tSuccess\t0\t2026-11-23T10:00:01.500Z\n")
	if _, err := cliRunResult(want)(wrong); err == nil || !strings.Contains(err.Error(), "mi-0123456789abcdef1") {
		t.Errorf("a wrong status went unnoticed: %v", err)
	}
	if _, err := cliRunResult(want)(cli[:strings.IndexByte(string(cli), '\n')+1]); err == nil {
		t.Error("a missing node went unnoticed")
	}
}

func TestRunChecks(t *testing.T) {
	rows := []row{
		{Cmd: command{Label: "ssmctl"}, Samples: []sample{
			{Lag: 300 * time.Millisecond, MaxRSS: 40 << 10, Stats: stats(map[string]int64{"ssm.ListCommandInvocations": 83})},
			{Lag: 2500 * time.Millisecond, MaxRSS: 42 << 10, Stats: stats(map[string]int64{"ssm.ListCommandInvocations": 103})},
		}},
		{Cmd: command{Label: "aws CLI, per node"}, Samples: []sample{{Stats: stats(map[string]int64{"ssm.GetCommandInvocation": 1021})}}},
	}
	got := strings.Join(runChecks(rows, true, 3*time.Second), "\n")
	for _, want := range []string{
		"The longest planned sleep is 3000 ms.",
		"(aws CLI, per node): 83–103 vs 1021, 9.9× fewer to 12.3× fewer: **not met**.",
		"at most 2500 ms after the last node's end time (median 1400 ms): **not met**.",
		"Under 150 MB peak RSS: 42 MiB (44 MB): met.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("checks lack %q; got:\n%s", want, got)
		}
	}
}
