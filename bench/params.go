package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// Parameter Store scenarios, on the sandbox with AWS's published
// Parameter Store quotas (sandbox.AWSQuotas: PutParameter 3 TPS;
// GetParameter, GetParameters and GetParametersByPath 40 TPS together).
// The read scenarios leave PutParameter unlimited only so that their setup
// can seed thousands of parameters quickly; what they measure is limited.
func init() {
	register(paramImportScenario)
	register(paramExportScenario)
	register(paramGetScenario)
	register(paramTreeScenario)
}

// readQuotas are AWS's quotas for the reads alone.
func readQuotas() sandbox.Quotas {
	q := sandbox.Quotas{}
	for k, v := range sandbox.AWSQuotas() {
		if !strings.Contains(k, "PutParameter") {
			q[k] = v
		}
	}
	return q
}

// The AWS CLI rows get the standard retry mode with 10 attempts, as a
// careful user would set for a loop near a quota; with the CLI v1's legacy
// mode a throttled call fails after 5 attempts and the row's exit status
// would end the benchmark.
var cliRetries = []string{"AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=10"}

// paramImportScenario: import N parameters, beside a put-parameter loop.
func paramImportScenario(cfg config) scenario {
	n := cfg.Params
	quota := sandbox.AWSQuotas()["PutParameter"]
	// The token bucket starts full: one second's burst is free.
	ideal := float64(n-int(quota)) / quota
	return scenario{
		Name:    "param-import",
		Title:   fmt.Sprintf("import %d parameters at AWS's PutParameter quota (%g TPS)", n, quota),
		Sandbox: sandbox.Options{Quotas: sandbox.AWSQuotas(), Seed: 1},
		Setup: func(_ context.Context, e *env) error {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "KEY_%05d='value %d = \"quoted\"'\n", i, i)
			}
			if err := os.WriteFile(filepath.Join(e.home, "import.env"), []byte(b.String()), 0o600); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(e.home, "aws-import.sh"), []byte(awsImportScript), 0o755)
		},
		Commands: []command{
			{Label: "ssmctl param import", Argv: []string{"ssmctl", "param", "import", "import.env", "--prefix", "/bench/ssmctl", "-o", "json"},
				Result: importedNames(n), Failures: importFailures, Runs: 1, NoWarmup: true},
			{Label: "aws CLI, put-parameter loop", Argv: []string{"bash", "aws-import.sh", "/bench/aws"}, Env: cliRetries, Runs: 1, NoWarmup: true},
		},
		Notes: []string{
			"One run each: a second run would find every parameter in place. ssmctl reads the prefix once " +
				"(GetParametersByPath), then writes with up to 8 calls in flight, paced by its limiter; the loop runs one " +
				"`aws ssm put-parameter` process per parameter.",
		},
		Checks: func(rows []row) []string {
			if len(rows[0].Samples) == 0 {
				return nil
			}
			smp := rows[0].Samples[0]
			took := smp.Wall.Seconds()
			st := smp.Stats.Operations["ssm.PutParameter"]
			return []string{fmt.Sprintf("ssmctl: %.1f s against an ideal of %.1f s at %g TPS (%.2fx; target at most 1.2x); "+
				"%d PutParameter calls of which %d throttled, %s (exit %d).",
				took, ideal, quota, took/ideal, st.Calls, st.Throttled, plural(smp.Failures, "failure"), smp.Exit)}
		},
	}
}

// importView is one line of `ssmctl param import -o json`.
type importView struct {
	Name    string `json:"name"`
	Action  string `json:"action"`
	Version int64  `json:"version"`
	Error   string `json:"error"`
}

// importedNames checks `ssmctl param import -o json`: an answer for each of
// the n parameters (importFailures counts those not created).
func importedNames(n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		var views []importView
		if err := json.Unmarshal(out, &views); err != nil {
			return nil, err
		}
		names := make([]string, 0, len(views))
		for _, v := range views {
			names = append(names, strings.TrimPrefix(v.Name, "/bench/ssmctl/"))
		}
		if len(names) != n {
			return nil, fmt.Errorf("%d parameters in the output, want %d", len(names), n)
		}
		return names, nil
	}
}

// importFailures counts the parameters `ssmctl param import -o json` did
// not create at version 1 (an error, or another action on a fresh prefix).
func importFailures(out []byte) (int, error) {
	var views []importView
	if err := json.Unmarshal(out, &views); err != nil {
		return 0, err
	}
	failed := 0
	for _, v := range views {
		if v.Action != "create" || v.Version != 1 || v.Error != "" {
			failed++
		}
	}
	return failed, nil
}

const awsImportScript = `#!/bin/bash
# The AWS CLI's way to import a dotenv file: one put-parameter per line.
set -e
prefix=$1
while IFS= read -r line; do
	key=${line%%=*}
	value=${line#*=}
	value=${value#\'}
	value=${value%\'}
	aws ssm put-parameter --name "$prefix/$key" --type String --value "$value" >/dev/null
done < import.env
`

// seedParams writes n parameters under prefix straight into the sandbox,
// 16 at a time, spread over a few levels.
func seedParams(ctx context.Context, e *env, prefix string, n int) error {
	client := ssm.NewFromConfig(e.sb.AWSConfig())
	names := make(chan string)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range names {
				if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Type: types.ParameterTypeString,
					Value: aws.String("value of " + name)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
	for i := range n {
		select {
		case names <- fmt.Sprintf("%s/svc%02d/env%d/key%05d", prefix, i%20, i%5, i):
		case err = <-errs:
		}
		if err != nil {
			break
		}
	}
	close(names)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return err
}

// paramExportScenario: export every parameter under a path as JSON, beside
// the AWS CLI reading the same with get-parameters-by-path.
func paramExportScenario(cfg config) scenario {
	n := cfg.Params
	return scenario{
		Name:    "param-export",
		Title:   fmt.Sprintf("export %d parameters under a path as JSON", n),
		Sandbox: sandbox.Options{Quotas: readQuotas(), Seed: 1},
		Setup:   func(ctx context.Context, e *env) error { return seedParams(ctx, e, "/bench/exp", n) },
		Commands: []command{
			{Label: "ssmctl param export", Argv: []string{"ssmctl", "param", "export", "/bench/exp", "-r", "--format", "json"},
				Result: exportedKeys(n)},
			{Label: "aws CLI, get-parameters-by-path", Argv: []string{"aws", "ssm", "get-parameters-by-path", "--path", "/bench/exp",
				"--recursive", "--output", "json"}, Env: cliRetries, Result: cliParamNames("/bench/exp/", n)},
		},
		Notes: []string{"Both read GetParametersByPath, 10 parameters a page (the API's maximum), at most 40 calls a second."},
	}
}

func exportedKeys(n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		var m map[string]string
		if err := json.Unmarshal(out, &m); err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		return keys, wantCount(keys, n)
	}
}

func cliParamNames(prefix string, n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		var doc struct {
			Parameters []struct{ Name string }
			NextToken  string
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			return nil, err
		}
		if doc.NextToken != "" {
			return nil, errors.New("the CLI stopped paginating (NextToken in its output)")
		}
		names := make([]string, len(doc.Parameters))
		for i, p := range doc.Parameters {
			names[i] = strings.TrimPrefix(p.Name, prefix)
		}
		return names, wantCount(names, n)
	}
}

func wantCount(names []string, n int) error {
	if len(names) != n {
		return fmt.Errorf("%d parameters, want %d", len(names), n)
	}
	return nil
}

// paramGetScenario: one parameter read 100 times in a shell loop.
func paramGetScenario(cfg config) scenario {
	const loops = 100
	loop := func(cmd string) []string {
		return []string{"sh", "-c", fmt.Sprintf("i=0; while [ $i -lt %d ]; do %s || exit 1; i=$((i+1)); done", loops, cmd)}
	}
	return scenario{
		Name:    "param-get",
		Title:   fmt.Sprintf("read one parameter %d times in a shell loop", loops),
		Sandbox: sandbox.Options{Quotas: readQuotas(), Seed: 1},
		Setup: func(ctx context.Context, e *env) error {
			_, err := ssm.NewFromConfig(e.sb.AWSConfig()).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/bench/one"),
				Type: types.ParameterTypeString, Value: aws.String("the value")})
			return err
		},
		Commands: []command{
			{Label: "ssmctl param get", Argv: loop("ssmctl param get /bench/one --value-only"), Result: sameLines("the value", loops)},
			{Label: "aws CLI, get-parameter", Argv: loop("aws ssm get-parameter --name /bench/one --query Parameter.Value --output text"),
				Env: cliRetries, Result: sameLines("the value", loops)},
		},
		Notes: []string{"Each iteration starts a process: what is measured is mostly start-up."},
		Checks: func(rows []row) []string {
			if len(rows) < 2 || len(rows[0].Samples) == 0 || len(rows[1].Samples) == 0 {
				return nil
			}
			r := rows[1].medianWall().Seconds() / rows[0].medianWall().Seconds()
			return []string{fmt.Sprintf("ssmctl is %.1fx faster than the AWS CLI loop (target at least 10x).", r)}
		},
	}
}

func sameLines(want string, n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != n {
			return nil, fmt.Errorf("%d lines, want %d", len(lines), n)
		}
		for _, l := range lines {
			if l != want {
				return nil, fmt.Errorf("line %q, want %q", l, want)
			}
		}
		return []string{want}, nil
	}
}

// paramTreeScenario: the hierarchy of 5,000 parameters.
func paramTreeScenario(cfg config) scenario {
	const n = 5000
	return scenario{
		Name:    "param-tree",
		Title:   fmt.Sprintf("the hierarchy of %d parameters", n),
		Sandbox: sandbox.Options{Quotas: readQuotas(), Seed: 1},
		Setup:   func(ctx context.Context, e *env) error { return seedParams(ctx, e, "/bench/tree", n) },
		Commands: []command{
			{Label: "ssmctl param tree", Argv: []string{"ssmctl", "param", "tree", "/bench/tree", "-o", "json"}, Result: treeNames(n)},
			{Label: "aws CLI, get-parameters-by-path --recursive", Argv: []string{"aws", "ssm", "get-parameters-by-path", "--path", "/bench/tree",
				"--recursive", "--output", "json"}, Env: cliRetries, Result: cliParamNames("/bench/tree/", n)},
		},
		Notes: []string{"Both read GetParametersByPath, 10 parameters a page at most, 40 calls a second at most: 500 pages " +
			"would take 12.5 s, and the sandbox, as AWS may, returns some pages short (about 600 pages here), so about 14 s is " +
			"the floor for either. ssmctl draws the tree (here as JSON nodes); the AWS CLI prints the flat list."},
	}
}

func treeNames(n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		type node struct {
			Path     string  `json:"path"`
			Type     string  `json:"type"`
			Children []*node `json:"children"`
		}
		var root node
		if err := json.Unmarshal(out, &root); err != nil {
			return nil, err
		}
		var names []string
		var walk func(*node)
		walk = func(nd *node) {
			if nd.Type != "" {
				names = append(names, strings.TrimPrefix(nd.Path, "/bench/tree/"))
			}
			for _, c := range nd.Children {
				walk(c)
			}
		}
		walk(&root)
		sort.Strings(names)
		return names, wantCount(names, n)
	}
}
