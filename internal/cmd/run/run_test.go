package run_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/run"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// runWithF runs args with the run command's runF capturing the options.
func runWithF(t *testing.T, args ...string) (*run.RunOptions, int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	var got *run.RunOptions
	code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
		return run.NewCmdRun(f, func(o *run.RunOptions) error { got = o; return nil })
	}, nil, args...)
	return got, code, c.ErrOut.String()
}

func TestRunFlags(t *testing.T) {
	script := t.TempDir() + "/s.sh"
	if err := os.WriteFile(script, []byte("echo from script\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args     []string
		targets  []string
		commands []string
		check    func(t *testing.T, r runcmd.Request)
	}{
		{[]string{"run", "web-1", "-t", "tag:Env=prod", "--", "echo", "hello world", "|", "wc", "-c"},
			[]string{"web-1", "tag:Env=prod"}, []string{"echo", "hello world", "|", "wc", "-c"},
			func(t *testing.T, r runcmd.Request) {
				if r.MaxConcurrency != "50" || r.MaxErrors != "0" || r.CloudWatchOutput {
					t.Errorf("defaults: %q %q %v", r.MaxConcurrency, r.MaxErrors, r.CloudWatchOutput)
				}
			}},
		// Flags after -- belong to the remote command.
		{[]string{"run", "web-1", "--", "ls", "-la", "--timeout", "5"}, []string{"web-1"}, []string{"ls", "-la", "--timeout", "5"}, nil},
		{[]string{"run", "--script", script, "web-1", "--timeout", "90s", "--delivery-timeout", "2m", "--max-concurrency", "10%", "--max-errors", "2",
			"--comment", "c", "--output-s3-bucket", "bkt", "--output-s3-prefix", "p", "--cloudwatch-output", "--service-role", "arn:role", "--notification-arn", "arn:sns"},
			[]string{"web-1"}, []string{"echo from script\n"},
			func(t *testing.T, r runcmd.Request) {
				if r.ExecutionTimeout != 90*time.Second || r.DeliveryTimeout != 2*time.Minute || r.MaxConcurrency != "10%" || r.MaxErrors != "2" ||
					r.Comment != "c" || r.OutputS3Bucket != "bkt" || r.OutputS3Prefix != "p" || !r.CloudWatchOutput || r.CloudWatchLogGroup != "" ||
					r.ServiceRoleARN != "arn:role" || r.NotificationARN != "arn:sns" {
					t.Errorf("request %+v", r)
				}
			}},
		{[]string{"run", "web-1", "--cloudwatch-output=my-group", "--document", "Deploy:2", "--param", "v=1", "--param", "hosts=a,b", "--param", "hosts=c"},
			[]string{"web-1"}, nil,
			func(t *testing.T, r runcmd.Request) {
				if r.CloudWatchLogGroup != "my-group" || !r.CloudWatchOutput || r.Document != "Deploy:2" {
					t.Errorf("request %+v", r)
				}
				if fmt.Sprint(r.Parameters) != "map[hosts:[a,b c] v:[1]]" {
					t.Errorf("parameters %v", r.Parameters)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, code, stderr := runWithF(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var raws []string
			for _, s := range got.Request.Specs {
				raws = append(raws, s.Raw)
			}
			if strings.Join(raws, "|") != strings.Join(tt.targets, "|") {
				t.Errorf("targets %q, want %q", raws, tt.targets)
			}
			// The words after -- are kept as words, a script as its text;
			// pkg/runcmd makes the command line for the document's shell.
			words := got.Request.Args
			if got.Request.Script != "" {
				words = append(words, got.Request.Script)
			}
			if strings.Join(words, "|") != strings.Join(tt.commands, "|") {
				t.Errorf("command %q, want %q", words, tt.commands)
			}
			if tt.check != nil {
				tt.check(t, got.Request)
			}
		})
	}
}

// Bad input is one line and exit 252, before anything is sent.
func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"run", "web-1", "uptime"},
		{"run", "web-1", "--"},
		{"run", "--", "uptime"},
		{"run", "web-1", "--max-concurrency", "0", "--", "ls"},
		{"run", "web-1", "--max-errors", "x", "--", "ls"},
		{"run", "web-1", "--param", "novalue", "--document", "D"},
		{"run", "web-1", "--script", "/nonexistent", "--", "ls"},
		{"run", "web-1", "--script", "/nonexistent"},
		{"run", "tag:", "--", "ls"},
		{"run", "web-1", "--timeout", "1h", "--param", "executionTimeout=5", "--", "ls"},
	} {
		got, code, stderr := runWithF(t, args...)
		if code != exitcode.Usage || got != nil || !strings.HasPrefix(stderr, "ssmctl: ") || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%q: exit %d, ran %v, stderr %q", args, code, got != nil, stderr)
		}
	}
}

// fakeSSM answers Run Command calls from a script of invocation states.
type fakeSSM struct {
	runcmd.API
	mu      sync.Mutex
	states  func(id string, poll int) []types.CommandInvocation
	polls   int
	sends   int
	cancels []string
	// cancelBlock makes CancelCommand wait for its context.
	cancelBlock bool
}

func (f *fakeSSM) SendCommand(ctx context.Context, in *ssm.SendCommandInput, _ ...func(*ssm.Options)) (*ssm.SendCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends++
	return &ssm.SendCommandOutput{Command: &types.Command{CommandId: aws.String(fmt.Sprintf("11111111-2222-3333-4444-%012d", f.sends))}}, nil
}

func (f *fakeSSM) ListCommandInvocations(ctx context.Context, in *ssm.ListCommandInvocationsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandInvocationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	return &ssm.ListCommandInvocationsOutput{CommandInvocations: f.states(aws.ToString(in.CommandId), f.polls-1)}, nil
}

func (f *fakeSSM) CancelCommand(ctx context.Context, in *ssm.CancelCommandInput, _ ...func(*ssm.Options)) (*ssm.CancelCommandOutput, error) {
	f.mu.Lock()
	f.cancels = append(f.cancels, aws.ToString(in.CommandId))
	f.mu.Unlock()
	if f.cancelBlock {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &ssm.CancelCommandOutput{}, nil
}

type fixedNodes []target.Node

func (n fixedNodes) Resolve(context.Context, target.Query) ([]target.Node, error) { return n, nil }

var twoNodes = fixedNodes{
	{ID: "i-0aaaaaaaaaaaaaaa1", Name: "web-1", PlatformType: "Linux"},
	{ID: "i-0aaaaaaaaaaaaaaa2", Name: "web-2", PlatformType: "Linux"},
}

func result(id, node, status string, code int32, output string) types.CommandInvocation {
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	end := start.Add(1200 * time.Millisecond)
	return types.CommandInvocation{CommandId: aws.String(id), InstanceId: aws.String(node), Status: types.CommandInvocationStatus(status),
		StatusDetails: aws.String(status), CommandPlugins: []types.CommandPlugin{{Name: aws.String("aws:runShellScript"),
			Status: types.CommandPluginStatus(status), ResponseCode: code, Output: aws.String(output),
			ResponseStartDateTime: &start, ResponseFinishDateTime: &end}}}
}

// execRun runs `ssmctl args...` with the run command wired to api and nodes.
func execRun(t *testing.T, c *cmdtest.CLI, ctx context.Context, api runcmd.API, nodes fixedNodes, tweak func(*run.RunOptions), args ...string) int {
	t.Helper()
	return c.RunWith(ctx, func(f *cmdutil.Factory) *cobra.Command {
		return run.NewCmdRun(f, func(o *run.RunOptions) error {
			o.Client = func(context.Context) (*runcmd.Client, error) { return &runcmd.Client{API: api, Nodes: nodes}, nil }
			if tweak != nil {
				tweak(o)
			}
			return run.RunRun(ctx, o)
		})
	}, nil, args...)
}

func TestRunRendering(t *testing.T) {
	states := func(id string, poll int) []types.CommandInvocation {
		return []types.CommandInvocation{
			result(id, "i-0aaaaaaaaaaaaaaa1", "Success", 0, "one\ntwo\n"),
			result(id, "i-0aaaaaaaaaaaaaaa2", "Failed", 3, "out\n\n----------ERROR-------\nbad\n"),
		}
	}
	t.Run("pipe", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		code := execRun(t, c, context.Background(), &fakeSSM{states: states}, twoNodes, nil, "run", "web-*", "--", "ls")
		if code != 1 {
			t.Errorf("exit %d, want 1 (several nodes, one failed)", code)
		}
		if c.Out.String() != "one\ntwo\nout\n" {
			t.Errorf("stdout %q", c.Out)
		}
		if c.ErrOut.String() != "bad\nssmctl: 1 of 2 nodes failed: web-2 (i-0aaaaaaaaaaaaaaa2)\n" {
			t.Errorf("stderr %q", c.ErrOut)
		}
	})
	t.Run("prefix", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		execRun(t, c, context.Background(), &fakeSSM{states: states}, twoNodes, nil, "run", "web-*", "--prefix", "--", "ls")
		if c.Out.String() != "web-1 | one\nweb-1 | two\nweb-2 | out\n" {
			t.Errorf("stdout %q", c.Out)
		}
		if !strings.HasPrefix(c.ErrOut.String(), "web-2 | bad\n") {
			t.Errorf("stderr %q", c.ErrOut)
		}
	})
	t.Run("tty", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		c.Streams.SetStdoutTTY(true)
		c.Streams.SetStderrTTY(true)
		execRun(t, c, context.Background(), &fakeSSM{states: states}, twoNodes, nil, "run", "web-*", "--no-color", "--", "ls")
		want := "=== web-1 (i-0aaaaaaaaaaaaaaa1): Success, exit 0, 1.2s\none\ntwo\n=== web-2 (i-0aaaaaaaaaaaaaaa2): Failed, exit 3, 1.2s\nout\n"
		if c.Out.String() != want {
			t.Errorf("stdout\n%s\nwant\n%s", c.Out, want)
		}
		for _, s := range []string{"NODE", "web-2", "Failed", "1.2s", "0/2 done", "2/2 done, 1 failed"} {
			if !strings.Contains(c.ErrOut.String(), s) {
				t.Errorf("stderr lacks %q:\n%s", s, c.ErrOut)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		code := execRun(t, c, context.Background(), &fakeSSM{states: states}, twoNodes, nil, "run", "web-*", "-o", "json", "--", "ls")
		var doc struct {
			CommandIDs  []string         `json:"commandIds"`
			Document    string           `json:"document"`
			ExitCode    int              `json:"exitCode"`
			Invocations []map[string]any `json:"invocations"`
		}
		if err := json.Unmarshal(c.Out.Bytes(), &doc); err != nil {
			t.Fatalf("%v: %s", err, c.Out)
		}
		if code != 1 || doc.ExitCode != 1 || doc.Document != "AWS-RunShellScript" || len(doc.Invocations) != 2 || len(doc.CommandIDs) != 1 {
			t.Errorf("exit %d, doc %+v", code, doc)
		}
		// The JSON field names are a contract.
		for _, k := range []string{"commandId", "nodeId", "name", "status", "statusDetails", "responseCode", "exitCode", "stdout", "stderr",
			"stdoutTruncated", "stderrTruncated", "start", "end", "durationSeconds", "rebooted"} {
			if _, ok := doc.Invocations[1][k]; !ok {
				t.Errorf("invocation lacks %q", k)
			}
		}
		if doc.Invocations[1]["stderr"] != "bad\n" || doc.Invocations[1]["responseCode"] != 3.0 {
			t.Errorf("invocation %v", doc.Invocations[1])
		}
	})
	t.Run("one node passes its exit code through", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		one := func(id string, poll int) []types.CommandInvocation {
			return []types.CommandInvocation{result(id, "i-0aaaaaaaaaaaaaaa2", "Failed", 42, "")}
		}
		code := execRun(t, c, context.Background(), &fakeSSM{states: one}, twoNodes[1:], nil, "run", "web-2", "--", "exit 42")
		if code != 42 || c.ErrOut.Len() != 0 {
			t.Errorf("exit %d, stderr %q", code, c.ErrOut)
		}
	})
	t.Run("no-wait", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		api := &fakeSSM{states: states}
		code := execRun(t, c, context.Background(), api, twoNodes, nil, "run", "web-*", "--no-wait", "--", "ls")
		if code != 0 || c.Out.String() != "11111111-2222-3333-4444-000000000001\n" || api.polls != 0 {
			t.Errorf("exit %d, stdout %q, %d polls", code, c.Out, api.polls)
		}
	})
}

// Ctrl-C cancels what the run sent and exits 130; a second Ctrl-C stops
// waiting for the cancellation at once.
func TestRunInterrupt(t *testing.T) {
	running := func(id string, poll int) []types.CommandInvocation {
		return []types.CommandInvocation{result(id, "i-0aaaaaaaaaaaaaaa1", "InProgress", 0, "")}
	}
	t.Run("cancel", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		api := &fakeSSM{states: func(id string, poll int) []types.CommandInvocation {
			if len(api0(c).cancels) > 0 {
				return []types.CommandInvocation{result(id, "i-0aaaaaaaaaaaaaaa1", "Cancelled", -1, "")}
			}
			return running(id, poll)
		}}
		setAPI0(c, api)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		code := execRun(t, c, ctx, api, twoNodes[:1], func(o *run.RunOptions) {
			o.Notify, o.StopNotify = func(chan<- os.Signal) {}, func(chan<- os.Signal) {}
		}, "run", "web-1", "--", "sleep 100")
		if code != exitcode.Interrupted {
			t.Errorf("exit %d, stderr %q", code, c.ErrOut)
		}
		if len(api.cancels) != 1 || !strings.Contains(c.ErrOut.String(), "ssmctl: interrupted; cancelled 11111111-2222-3333-4444-000000000001\n") {
			t.Errorf("cancels %v, stderr %q", api.cancels, c.ErrOut)
		}
	})
	t.Run("second interrupt", func(t *testing.T) {
		c := cmdtest.New(t, nil)
		api := &fakeSSM{states: running, cancelBlock: true}
		ctx, cancel := context.WithCancel(context.Background())
		var sigs chan<- os.Signal
		var mu sync.Mutex
		// As with real signals, the first SIGINT cancels the context and
		// also reaches run's own channel; the second comes later.
		time.AfterFunc(300*time.Millisecond, func() {
			cancel()
			mu.Lock()
			sigs <- syscall.SIGINT
			mu.Unlock()
			time.Sleep(200 * time.Millisecond)
			mu.Lock()
			sigs <- syscall.SIGINT
			mu.Unlock()
		})
		start := time.Now()
		code := execRun(t, c, ctx, api, twoNodes[:1], func(o *run.RunOptions) {
			o.Notify = func(ch chan<- os.Signal) { mu.Lock(); sigs = ch; mu.Unlock() }
			o.StopNotify = func(chan<- os.Signal) {}
		}, "run", "web-1", "--", "sleep 100")
		if code != exitcode.Interrupted || !strings.Contains(c.ErrOut.String(), "interrupted again") {
			t.Errorf("exit %d, stderr %q", code, c.ErrOut)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("took %v", time.Since(start))
		}
	})
}

// api0 lets a fake's script see the fake itself.
var fakes sync.Map

func setAPI0(c *cmdtest.CLI, api *fakeSSM) { fakes.Store(c, api) }
func api0(c *cmdtest.CLI) *fakeSSM {
	v, _ := fakes.Load(c)
	return v.(*fakeSSM)
}

// On a terminal, a node that rebooted during the command (exit 194, then
// the rerun succeeded) says so in its header line and in the summary; the
// run exits 0. Against a real sandbox, whose node stays InProgress with
// ResponseCode 194 while it "reboots".
func TestRunRebootShownOnTTY(t *testing.T) {
	t.Parallel()
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), RebootDelay: 2100 * time.Millisecond})
	c := cmdtest.New(t, srv)
	c.Streams.SetStdoutTTY(true)
	c.Streams.SetStderrTTY(true)
	code := c.Run(context.Background(), "run", "web-1", "web-2", "--no-color", "--",
		`if [ -f rebooted ] || [ $AWS_SSM_INSTANCE_ID = i-0aaaaaaaaaaaaaaa2 ]; then echo after; else touch rebooted; echo before; exit 194; fi`)
	if code != 0 {
		t.Fatalf("exit %d, want 0: %s", code, c.ErrOut)
	}
	out := c.Out.String()
	if !regexp.MustCompile(`(?m)^=== web-1 \(i-0aaaaaaaaaaaaaaa1\): Success, exit 0, [0-9.]+m?s, rebooted\nbefore\nafter\n`).MatchString(out) {
		t.Errorf("web-1's header does not say it rebooted:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^=== web-2 \(i-0aaaaaaaaaaaaaaa2\): Success, exit 0, [0-9.]+m?s\nafter\n`).MatchString(out) {
		t.Errorf("web-2's header:\n%s", out)
	}
	summary := c.ErrOut.String()
	if !regexp.MustCompile(`(?m)^i-0aaaaaaaaaaaaaaa1\s+web-1\s+Success, rebooted\s+0\s`).MatchString(summary) ||
		!regexp.MustCompile(`(?m)^i-0aaaaaaaaaaaaaaa2\s+web-2\s+Success\s+0\s`).MatchString(summary) {
		t.Errorf("summary:\n%s", summary)
	}
}

// Nodes that MaxErrors kept from running (Cancelled/Terminated) are named
// apart from the nodes that failed, also when the errors were timeouts.
func TestRunExitNotRun(t *testing.T) {
	inv := func(name, status, details string, rc int) runcmd.Invocation {
		return runcmd.Invocation{NodeID: "i-0" + name, Name: name, Status: status, StatusDetails: details, ResponseCode: rc}
	}
	terminated := func(name string) runcmd.Invocation { return inv(name, "Cancelled", "Terminated", -1) }
	for _, tt := range []struct {
		invs []runcmd.Invocation
		want string
	}{
		{[]runcmd.Invocation{inv("a", "Failed", "Failed", 1), inv("b", "Failed", "Failed", 2), terminated("c"), terminated("d")},
			"2 of 4 nodes failed: a (i-0a), b (i-0b); 2 not run (MaxErrors exceeded): c (i-0c), d (i-0d)"},
		{[]runcmd.Invocation{inv("a", "TimedOut", "ExecutionTimedOut", 137), inv("b", "TimedOut", "ExecutionTimedOut", 137), terminated("c")},
			"2 of 3 nodes timed out: a (i-0a), b (i-0b); 1 not run (MaxErrors exceeded): c (i-0c)"},
		{[]runcmd.Invocation{inv("a", "Failed", "Failed", 1), inv("b", "Success", "Success", 0)},
			"1 of 2 nodes failed: a (i-0a)"},
		{[]runcmd.Invocation{inv("a", "Cancelled", "Cancelled", -1), inv("b", "Success", "Success", 0)},
			"1 of 2 nodes failed: a (i-0a)"},
	} {
		res := &runcmd.Result{Invocations: tt.invs, ExitCode: runcmd.ExitCode(tt.invs)}
		err := run.RunExit(res)
		if exitcode.Code(err) != exitcode.Failed || exitcode.Message(err) != tt.want {
			t.Errorf("exit %d, %q; want 1, %q", exitcode.Code(err), exitcode.Message(err), tt.want)
		}
	}
}
