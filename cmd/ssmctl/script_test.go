package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite golden files in testdata/script/*.txtar from the actual output")

// TestMain lets the scripts run `ssmctl` as a command: the test binary
// re-executes itself with the real main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ssmctl": func() { os.Exit(run()) },
	})
}

// TestScripts runs the end-to-end scenarios in testdata/script against
// in-process sandboxes that each script starts with the `sandbox` command.
func TestScripts(t *testing.T) {
	var servers sync.Map // *testscript.TestScript -> *sandbox.Server
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			isolate(env.Setenv, env.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// sandbox [--nodes N] [--fleet FILE] [--fault NAME=P]...: start a
			// sandbox for this script and export its environment.
			"sandbox": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg {
					ts.Fatalf("unsupported: ! sandbox")
				}
				opts := sandbox.Options{Seed: 1}
				for i := 0; i < len(args); i++ {
					if i+1 >= len(args) {
						ts.Fatalf("sandbox: %s needs a value", args[i])
					}
					switch args[i] {
					case "--nodes":
						n, err := strconv.Atoi(args[i+1])
						ts.Check(err)
						opts.Nodes = n
					case "--fleet":
						opts.FleetFile = ts.MkAbs(args[i+1])
					case "--fault":
						ts.Check(opts.Faults.Add(args[i+1]))
					default:
						ts.Fatalf("sandbox: unknown flag %s", args[i])
					}
					i++
				}
				srv, err := sandbox.New(opts)
				ts.Check(err)
				go srv.Serve()
				ts.Defer(func() { srv.Close() })
				servers.Store(ts, srv)
				for _, kv := range srv.Env() {
					k, v, _ := strings.Cut(kv, "=")
					ts.Setenv(k, v)
				}
			},
			// stats OP FIELD: print the sandbox's stats figure for an operation.
			"stats": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: stats OPERATION calls|errors|throttled")
				}
				v, ok := servers.Load(ts)
				if !ok {
					ts.Fatalf("stats: no sandbox started")
				}
				resp, err := http.Get(v.(*sandbox.Server).URL() + "/_sandbox/stats")
				ts.Check(err)
				defer resp.Body.Close()
				var doc struct {
					Operations map[string]map[string]any `json:"operations"`
				}
				ts.Check(json.NewDecoder(resp.Body).Decode(&doc))
				fmt.Fprintf(ts.Stdout(), "%v\n", doc.Operations[args[0]][args[1]])
			},
			// status CODE PROG [ARGS...]: run PROG like exec and require its
			// exit status to be exactly CODE.
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: status CODE PROG [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("status: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("exit status %d, want %d", got, want)
				}
			},
		},
	})
}

// isolate keeps this machine's AWS and ssmctl configuration out of a test.
func isolate(setenv func(k, v string), dir string) {
	setenv("HOME", dir)
	setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	setenv("AWS_CONFIG_FILE", filepath.Join(dir, ".aws", "config"))
	setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, ".aws", "credentials"))
	setenv("AWS_EC2_METADATA_DISABLED", "true")
	setenv("AWS_MAX_ATTEMPTS", "")
}
