package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// automation: a 5-step runbook to its end, with `ssmctl automation start`
// and with the AWS CLI as a user scripts it (aws-automation.sh:
// start-automation-execution, then get-automation-execution once a
// second). Targets (issue 17): ssmctl done within 1 s of the execution's
// end, with fewer API calls than the loop.
func init() { register(automationScenario) }

//go:embed aws-automation.sh
var awsAutomationScript []byte

//go:embed boto3-automation.py
var boto3AutomationScript []byte

const benchRunbook = "Bench-FiveSteps"

// The runbook: five aws:sleep steps of 0.5 to 2.5 s (7.5 s in all).
var benchSteps = []string{"PT1S", "PT0.5S", "PT2S", "PT1.5S", "PT2.5S"}

func benchRunbookContent() string {
	var b strings.Builder
	b.WriteString("schemaVersion: '0.3'\ndescription: Five steps for the benchmark\nmainSteps:\n")
	for i, d := range benchSteps {
		fmt.Fprintf(&b, "  - name: step%d\n    action: aws:sleep\n    inputs:\n      Duration: %s\n", i+1, d)
	}
	return b.String()
}

// automationLagTarget is the "within 1 s of the execution's end".
const automationLagTarget = time.Second

func automationScenario(cfg config) scenario {
	want := make([]string, len(benchSteps))
	for i := range benchSteps {
		want[i] = fmt.Sprintf("step%d Success", i+1)
	}
	return scenario{
		Name:    "automation",
		Title:   fmt.Sprintf("a %d-step runbook to its end (aws:sleep steps, %s in all)", len(benchSteps), "7.5 s"),
		Sandbox: sandbox.Options{Nodes: 1, Seed: 1},
		Setup: func(ctx context.Context, e *env) error {
			content := benchRunbookContent()
			_, err := ssm.NewFromConfig(e.sb.AWSConfig()).CreateDocument(ctx, &ssm.CreateDocumentInput{
				Name: aws.String(benchRunbook), Content: aws.String(content),
				DocumentType: types.DocumentTypeAutomation, DocumentFormat: types.DocumentFormatYaml,
			})
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(e.home, "boto3-automation.py"), boto3AutomationScript, 0o644); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(e.home, "aws-automation.sh"), awsAutomationScript, 0o755)
		},
		Commands: []command{
			{Label: "ssmctl", Argv: []string{"ssmctl", "automation", "start", benchRunbook, "-o", "json"},
				Result: ssmctlAutomationResult(want), LastEnd: ssmctlAutomationEnd},
			{Label: "aws CLI, get-automation-execution every second", Argv: []string{"bash", "aws-automation.sh", benchRunbook},
				Result: cliAutomationResult(want), LastEnd: cliAutomationEnd},
			{Label: "boto3, get_automation_execution every second", Argv: []string{boto3Python(cfg), "boto3-automation.py", benchRunbook},
				Result: cliAutomationResult(want), LastEnd: cliAutomationEnd},
		},
		Notes: []string{
			"Each `aws` call starts a Python interpreter (1-3 s on a loaded machine), so the CLI loop polls less often than once a second; the boto3 row is the same loop in one process, at one call a second.",
			"ssmctl polls GetAutomationExecution from 250 ms backing off to 1 s, and sleeps through an aws:sleep step of known Duration; the loop polls once a second and reads the steps once more at the end.",
		},
		Checks: automationChecks,
	}
}

type automationDoc struct {
	Status string `json:"status"`
	Steps  []struct {
		Name   string    `json:"name"`
		Status string    `json:"status"`
		End    time.Time `json:"end"`
	} `json:"steps"`
}

func ssmctlAutomationResult(want []string) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		var d automationDoc
		if err := json.Unmarshal(out, &d); err != nil {
			return nil, err
		}
		var got []string
		for _, s := range d.Steps {
			got = append(got, s.Name+" "+s.Status)
		}
		return got, checkSteps(d.Status, got, want)
	}
}

func ssmctlAutomationEnd(out []byte) (time.Time, error) {
	var d automationDoc
	if err := json.Unmarshal(out, &d); err != nil {
		return time.Time{}, err
	}
	if len(d.Steps) == 0 {
		return time.Time{}, fmt.Errorf("no steps")
	}
	return d.Steps[len(d.Steps)-1].End, nil
}

func cliAutomationLines(out []byte) ([][]string, error) {
	return tabLines(out, "step", "status", "end")
}

func cliAutomationResult(want []string) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		lines, err := cliAutomationLines(out)
		if err != nil {
			return nil, err
		}
		var got []string
		for _, f := range lines {
			got = append(got, f[0]+" "+f[1])
		}
		return got, checkSteps("Success", got, want)
	}
}

func cliAutomationEnd(out []byte) (time.Time, error) {
	lines, err := cliAutomationLines(out)
	if err != nil || len(lines) == 0 {
		return time.Time{}, fmt.Errorf("no steps: %v", err)
	}
	end := lines[len(lines)-1][2]
	// The AWS CLI prints timestamps as epoch seconds, or ISO 8601 when
	// configured so.
	if secs, err := strconv.ParseFloat(end, 64); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	return time.Parse(time.RFC3339Nano, end)
}

func checkSteps(status string, got, want []string) error {
	if status != "Success" || strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("execution %s, steps %v, want Success and %v", status, got, want)
	}
	return nil
}

func automationChecks(rows []row) []string {
	if len(rows) < 2 {
		return nil
	}
	s, cli := rows[0], rows[len(rows)-1]
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	lo, hi := s.callRange()
	cc := cli.totalCalls()
	calls := fmt.Sprintf("%d", hi)
	if lo != hi {
		calls = fmt.Sprintf("%d–%d", lo, hi)
	}
	return []string{"Targets (issue 17):", "",
		fmt.Sprintf("- Fewer API calls than the loop at one call a second (%s): %s vs %d: %s.", cli.Cmd.Label, calls, cc, met(hi < cc)),
		fmt.Sprintf("- Done within %g s of the execution's end: ssmctl exited at most %s after the last step's end time (median %s): %s.",
			automationLagTarget.Seconds(), fmtDuration(s.maxLag()), fmtDuration(s.medianLag()), met(s.maxLag() <= automationLagTarget)),
	}
}

// boto3Python is the Python the AWS CLI runs on (it has botocore; boto3 is
// beside it where pip installed both), else python3 from PATH.
func boto3Python(cfg config) string {
	if p := filepath.Join(filepath.Dir(cfg.AWS), "python3"); fileExists(p) {
		return p
	}
	if p, err := findBinary("python3"); err == nil {
		return unshim(p)
	}
	return "python3"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
