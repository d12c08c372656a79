package root_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ssmctl/ssmctl/internal/cmd/root"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite golden files in testdata/script/*.txtar from the actual output")

// TestMain lets the scripts run `ssmctl` as a command: the test binary
// re-executes itself with the real main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ssmctl": func() { os.Exit(root.Main()) },
		// ssmctl linked as the plugin (session conformance tests).
		"session-manager-plugin": func() { os.Exit(root.Main()) },
		// A TCP client that checks an echo through a tunnel.
		"tcpcheck": func() { os.Exit(tcpcheckMain()) },
	})
}

// TestScripts runs the end-to-end scenarios in the top-level
// testdata/script against
// in-process sandboxes that each script starts with the `sandbox` command.
func TestScripts(t *testing.T) {
	var servers sync.Map // *testscript.TestScript -> *sandbox.Server
	testscript.Run(t, testscript.Params{
		Dir:                 cmdtest.Testdata("script"),
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			isolate(env.Setenv, env.WorkDir)
			// Under -race every ssmctl a script runs would sleep 1 s at
			// exit (the race runtime's atexit_sleep_ms), which made that
			// most of the suite's time. Races are still reported (and exit
			// 66) when they happen.
			if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
				env.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
			}
			return nil
		},
		// [devfull]: /dev/full exists (every write to it fails with ENOSPC).
		Condition: func(cond string) (bool, error) {
			if cond == "devfull" {
				fi, err := os.Stat("/dev/full")
				return err == nil && fi.Mode()&os.ModeCharDevice != 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// sandbox [--nodes N] [--fleet FILE] [--fault NAME=P]...
			// [--fault-ops OP,OP] [--quota aws|OP=TPS]... [--latency D] [--timeout-scale X]
			// [--reboot-delay D] [--no-pacing]: start a sandbox for this
			// script and export its environment.
			// --timeout-scale multiplies Run Command's delivery and
			// execution timeouts (0.01 makes the 30 s minimum delivery
			// timeout 0.3 s); --reboot-delay is how long a node "reboots"
			// after exit 194; --no-pacing sends session output without the
			// agent's 1 ms pauses (and the shell's 1 s start delay).
			// --account ID is the main account; --location [ACCOUNT/]REGION
			// (repeatable) serves another location with the default fleet;
			// with several accounts, $AWS_CONFIG_FILE gets a profile per
			// account (sandbox-ACCOUNT).
			"sandbox": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg {
					ts.Fatalf("unsupported: ! sandbox")
				}
				opts := sandbox.Options{Seed: 1}
				for i := 0; i < len(args); i++ {
					if args[i] == "--no-pacing" {
						opts.NoPacing = true
						continue
					}
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
					case "--fault-ops":
						opts.Faults.Ops = strings.Split(args[i+1], ",")
					case "--quota":
						if opts.Quotas == nil {
							opts.Quotas = sandbox.Quotas{}
						}
						ts.Check(opts.Quotas.Add(args[i+1]))
					case "--latency":
						d, err := time.ParseDuration(args[i+1])
						ts.Check(err)
						opts.Latency = d
					case "--timeout-scale":
						x, err := strconv.ParseFloat(args[i+1], 64)
						ts.Check(err)
						opts.TimeoutScale = x
					case "--account":
						opts.AccountID = args[i+1]
					case "--location":
						acct, region, ok := strings.Cut(args[i+1], "/")
						if !ok {
							acct, region = "", acct
						}
						opts.Locations = append(opts.Locations, sandbox.Location{AccountID: acct, Region: region})
					case "--reboot-delay":
						d, err := time.ParseDuration(args[i+1])
						ts.Check(err)
						opts.RebootDelay = d
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
				if len(srv.Accounts()) > 1 {
					cfg := ts.Getenv("AWS_CONFIG_FILE")
					ts.Check(os.MkdirAll(filepath.Dir(cfg), 0o700))
					ts.Check(os.WriteFile(cfg, []byte(srv.Profiles()), 0o600))
				}
			},
			// echoserver VAR: an echo server for the script; VAR is its
			// address. freeport VAR: VAR is a free loopback port.
			"echoserver": echoServerCmd,
			// sshserver VAR KEYFILE: a test SSH server (pkg/sandbox/sshtest);
			// VAR is its address, KEYFILE (0600) the client key it accepts.
			"sshserver": sshServerFor(&servers),
			"freeport":  freePortCmd,
			// stats OP FIELD: print the sandbox's stats figure for an
			// operation (0 for one never called): calls, errors, throttled,
			// lost_replies, stalled or in_flight.
			"stats": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: stats OPERATION calls|errors|throttled|lost_replies|stalled|in_flight")
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
				v, ok = doc.Operations[args[0]][args[1]]
				if !ok {
					v = 0 // never called
				}
				fmt.Fprintf(ts.Stdout(), "%v\n", v)
			},
			// cmdid FILE VAR: set VAR to the first command ID (a UUID) in
			// FILE (stdout, stderr or a file), e.g. after run --no-wait.
			"cmdid": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: cmdid FILE VAR")
				}
				id := commandIDRE.FindString(ts.ReadFile(args[0]))
				if id == "" {
					ts.Fatalf("no command ID in %s", args[0])
				}
				ts.Setenv(args[1], id)
			},
			// createdoc [--type TYPE] NAME FILE: create the document NAME
			// (JSON or YAML content in FILE; a Command document unless
			// --type says otherwise, e.g. Session) in the sandbox with
			// CreateDocument.
			"createdoc": func(ts *testscript.TestScript, neg bool, args []string) {
				docType := ssmtypes.DocumentTypeCommand
				if len(args) == 4 && args[0] == "--type" {
					docType, args = ssmtypes.DocumentType(args[1]), args[2:]
				}
				if len(args) != 2 {
					ts.Fatalf("usage: createdoc [--type TYPE] NAME FILE")
				}
				v, ok := servers.Load(ts)
				if !ok {
					ts.Fatalf("createdoc: no sandbox started")
				}
				content := ts.ReadFile(args[1])
				format := ssmtypes.DocumentFormatJson
				if !strings.HasPrefix(strings.TrimSpace(content), "{") {
					format = ssmtypes.DocumentFormatYaml
				}
				_, err := ssm.NewFromConfig(v.(*sandbox.Server).AWSConfig()).CreateDocument(context.Background(), &ssm.CreateDocumentInput{
					Name: aws.String(args[0]), Content: aws.String(content),
					DocumentType: docType, DocumentFormat: format,
				})
				if neg {
					if err == nil {
						ts.Fatalf("createdoc %s succeeded", args[0])
					}
					fmt.Fprintln(ts.Stderr(), err)
					return
				}
				ts.Check(err)
			},
			// createbaseline FILE [GROUP]: create the patch baseline FILE
			// describes (CreatePatchBaseline's JSON input) and register it for
			// the patch group GROUP.
			"createbaseline": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 1 || len(args) > 2 {
					ts.Fatalf("usage: createbaseline FILE [GROUP]")
				}
				v, ok := servers.Load(ts)
				if !ok {
					ts.Fatalf("createbaseline: no sandbox started")
				}
				var in ssm.CreatePatchBaselineInput
				ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &in))
				c := ssm.NewFromConfig(v.(*sandbox.Server).AWSConfig())
				out, err := c.CreatePatchBaseline(context.Background(), &in)
				ts.Check(err)
				if len(args) == 2 {
					_, err = c.RegisterPatchBaselineForPatchGroup(context.Background(), &ssm.RegisterPatchBaselineForPatchGroupInput{BaselineId: out.BaselineId, PatchGroup: aws.String(args[1])})
					ts.Check(err)
				}
			},
			// notaws VAR STATUS BODY: start an HTTP server that answers every
			// request with STATUS and BODY as text/html (a server that is not
			// AWS, for --endpoint-url), and set VAR to its URL.
			"notaws": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: notaws VAR STATUS BODY")
				}
				status, err := strconv.Atoi(args[1])
				ts.Check(err)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(status)
					fmt.Fprint(w, args[2])
				}))
				ts.Defer(srv.Close)
				ts.Setenv(args[0], srv.URL)
			},
			// waitcall OPERATION: wait up to 10 s until a call to OPERATION
			// (e.g. ssm.DescribeInstanceInformation) has reached the sandbox:
			// being answered or answered. A client that sent it is past its
			// start-up, its signal handlers in place.
			"waitcall": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: waitcall OPERATION")
				}
				v, ok := servers.Load(ts)
				if !ok {
					ts.Fatalf("waitcall: no sandbox started")
				}
				s := v.(*sandbox.Server)
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if o := s.Stats().Operations[args[0]]; o.InFlight+o.Calls > 0 {
						return
					}
				}
				ts.Fatalf("no call to %s reached the sandbox", args[0])
			},
			// sleep DURATION
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: sleep DURATION")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
			// waitfile FILE: wait up to 10 s for FILE to exist and be non-empty.
			"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waitfile FILE")
				}
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
					if fi, err := os.Stat(ts.MkAbs(args[0])); err == nil && fi.Size() > 0 {
						return
					}
				}
				ts.Fatalf("%s did not appear", args[0])
			},
			// envfile FILE: load the `export K=V` lines that `ssmctl sandbox` writes.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: envfile FILE")
				}
				for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
					k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
					if ok {
						ts.Setenv(k, strings.Trim(v, "'"))
					}
				}
			},
			// mkfifo FILE: make a named pipe.
			"mkfifo": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: mkfifo FILE")
				}
				ts.Check(mkfifo(ts.MkAbs(args[0])))
			},
			// mode FILE PERM: the file's permission bits are exactly PERM (octal).
			"mode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: mode FILE PERM")
				}
				fi, err := os.Stat(ts.MkAbs(args[0]))
				ts.Check(err)
				want, err := strconv.ParseUint(args[1], 8, 32)
				ts.Check(err)
				if got := fi.Mode().Perm(); uint64(got) != want {
					ts.Fatalf("%s has mode %o, want %o", args[0], got, want)
				}
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

var commandIDRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// isolate keeps this machine's AWS and ssmctl configuration out of a test.
func isolate(setenv func(k, v string), dir string) {
	setenv("HOME", dir)
	setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	setenv("AWS_CONFIG_FILE", filepath.Join(dir, ".aws", "config"))
	setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, ".aws", "credentials"))
	setenv("AWS_EC2_METADATA_DISABLED", "true")
	setenv("AWS_MAX_ATTEMPTS", "")
}
