package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"gopkg.in/yaml.v3"
)

// The simulated SSM Agent: it delivers commands to the fleet's nodes under
// MaxConcurrency and MaxErrors, and runs aws:runShellScript,
// aws:runPowerShellScript and aws:runDocument steps as the real agent
// (github.com/aws/amazon-ssm-agent) does: the commands are written to a
// script file and run with `sh -c <script>` in their own process group,
// stdout and stderr captured apart, the whole group killed with SIGKILL on
// the execution timeout or a cancel. docs/sandbox-run-command.md describes the behaviour
// and its sources.

// Exit codes with a meaning for the agent (appconfig constants).
const (
	rebootExitCodeUnix    = 194
	rebootExitCodeWindows = 3010
	// CommandStoppedPreemptivelyExitCode: 128 + SIGKILL on Linux and
	// macOS, -1 on Windows.
	stoppedExitCodeUnix    = 137
	stoppedExitCodeWindows = -1
	// contracts.ExitWithSuccess / ExitWithFailure: end the document early.
	exitWithSuccess = 168
	exitWithFailure = 169
	// The agent's execution timeout bounds (pluginutil).
	minExecutionTimeout = 5
	maxExecutionTimeout = 172800
	// Output kept per stream for the S3/CloudWatch view of full output.
	maxCapturedOutput = 4 << 20
)

// Truncation suffixes (agent iohandler): StandardOutputContent and
// StandardErrorContent end in "--output truncated--"; the 2,500-character
// Output in "\n---Output truncated---" and "\n---Error truncated----",
// with stderr after "\n----------ERROR-------\n".
const (
	stdoutTruncatedSuffix = "--output truncated--"
	outputTruncatedSuffix = "\n---Output truncated---"
	errorTruncatedSuffix  = "\n---Error truncated----"
)

// fleetAgent runs commands on the nodes, in the nodes' working
// directories (nodes.Area.Dir).
type fleetAgent struct {
	area *Area
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newFleetAgent(area *Area) *fleetAgent {
	ctx, stop := context.WithCancel(context.Background())
	return &fleetAgent{area: area, ctx: ctx, stop: stop}
}

// close kills every running script and waits for the schedulers.
func (a *fleetAgent) close() error {
	a.stop()
	a.wg.Wait()
	return nil
}

func (a *Area) scaled(d time.Duration) time.Duration {
	if a.timing.TimeoutScale > 0 {
		return time.Duration(float64(d) * a.timing.TimeoutScale)
	}
	return d
}

func (a *Area) invocationDelay() time.Duration { return max(0, a.timing.InvocationDelay) }
func (a *Area) rebootDelay() time.Duration     { return max(0, a.timing.RebootDelay) }

// update changes command state under the lock, without persisting it (a
// command's progress is saved when it ends).
func (a *Area) update(fn func()) { a.sec.Update(fn) }

// agentTimeout is the execution timeout the agent applies to a step's
// timeoutSeconds: a number of seconds from 5 to 172800, anything else the
// default 3600 (pluginutil.ValidateExecutionTimeout).
func agentTimeout(v any) int {
	n := 0
	switch x := v.(type) {
	case string:
		n, _ = strconv.Atoi(strings.TrimSpace(x))
	case float64:
		n = int(x)
	case nil:
		return 0
	}
	if n < minExecutionTimeout || n > maxExecutionTimeout {
		return defaultExecutionTimeout
	}
	return n
}

type invocationEvent struct {
	acked bool // the delivery attempt settled (delivered or not deliverable)
	done  bool
	error bool // Failed or ExecutionTimedOut: counts against MaxErrors
}

// start runs a command's scheduler in the background.
func (a *fleetAgent) start(c *command) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.schedule(c)
	}()
}

// schedule sends the command to its targets in order. As "Using
// concurrency controls" describes, it sends to one node first, then to two
// more once that one is acknowledged, and so on exponentially up to
// MaxConcurrency. Once more invocations failed than MaxErrors allows, the
// targets not yet sent are Terminated ("subsequent command invocations were
// canceled by the system") while those running finish. Targets not sent
// when the delivery timeout (TimeoutSeconds) passes are DeliveryTimedOut.
func (a *fleetAgent) schedule(c *command) {
	s := a.area
	events := make(chan invocationEvent, 2*len(c.Invocations)+1)
	deliveryTimer := time.NewTimer(max(0, time.Until(c.Requested.Add(s.scaled(time.Duration(c.TimeoutSeconds)*time.Second)))))
	defer deliveryTimer.Stop()
	n := len(c.Invocations)
	next, running, acked, errs := 0, 0, 0, 0
	deliveryExpired, cancelled := false, false
	cancelCh := c.cancelCh // closed by CancelCommand; nil once handled
	for {
		allowed := min(c.concurrency, 2*acked+1)
		for next < n && running < allowed && !deliveryExpired && !cancelled && errs <= c.errorLimit {
			inv := c.Invocations[next]
			next++
			ctx, cancel := context.WithCancel(a.ctx)
			send := false
			s.update(func() {
				if inv.terminal() { // cancelled before it was sent
					return
				}
				inv.dispatched, inv.cancel, send = true, cancel, true
				inv.Status, inv.StatusDetails = "InProgress", "InProgress"
			})
			if !send {
				cancel()
				continue
			}
			running++
			go func() {
				defer cancel()
				a.invoke(ctx, c, inv, events)
			}()
		}
		if next < n && (cancelled || deliveryExpired || errs > c.errorLimit) {
			status, details := "Cancelled", "Terminated"
			switch {
			case cancelled:
				details = "Cancelled"
			case deliveryExpired:
				status, details = "TimedOut", "DeliveryTimedOut"
			}
			s.update(func() {
				for _, inv := range c.Invocations[next:] {
					if !inv.terminal() {
						inv.setAll(status, details)
					}
				}
			})
			next = n
		}
		if next >= n && running == 0 {
			break
		}
		select {
		case ev := <-events:
			if ev.acked {
				acked++
			}
			if ev.done {
				running--
				if ev.error {
					errs++
				}
			}
		case <-deliveryTimer.C:
			deliveryExpired = true
		case <-cancelCh:
			cancelled = true
			cancelCh = nil // a nil channel blocks: handle the cancel once
		case <-a.ctx.Done():
			cancelled = true
		}
	}
	if err := s.sec.Save(); err != nil {
		s.h.Log("sandbox: saving state: %v", err)
	}
}

// nodeView is what an invocation needs of its node, copied under the lock.
type nodeView struct {
	exists   bool
	ping     string
	platform string
	latency  time.Duration
	dir      string
}

func (n nodeView) windows() bool { return n.platform == "Windows" }

// invoke delivers the command to one node and runs it there.
func (a *fleetAgent) invoke(ctx context.Context, c *command, inv *invocation, events chan<- invocationEvent) {
	s := a.area
	ackSent := false
	ack := func() {
		if !ackSent {
			ackSent = true
			events <- invocationEvent{acked: true}
		}
	}
	isError := false
	defer func() {
		ack()
		events <- invocationEvent{done: true, error: isError}
	}()
	finish := func(status, details string) {
		s.update(func() { inv.setAll(status, details) })
	}

	var node nodeView
	if n, ok := s.nodes.Get(inv.InstanceID); ok {
		node = nodeView{exists: true, ping: n.Ping, platform: n.Platform.Type, latency: n.Latency}
	}
	switch {
	case !node.exists || node.ping == "Inactive":
		// "Undeliverable: The command can't be delivered to the managed
		// node. The managed node might not exist or might not be
		// responding."
		finish("Failed", "Undeliverable")
		return
	case !slices.Contains(c.platforms, node.platform):
		// "Invalid Platform: The command was sent to an instance that
		// didn't match the required platforms specified by the chosen
		// document."
		finish("Failed", "InvalidPlatform")
		return
	case node.ping == "ConnectionLost":
		// The agent is unreachable: the service keeps retrying (Delayed)
		// until the command expires, then reports DeliveryTimedOut.
		s.update(func() {
			if inv.Status == "InProgress" {
				inv.Status, inv.StatusDetails = "Delayed", "Delayed"
			}
		})
		ack()
		select {
		case <-time.After(time.Until(c.Expires)):
			finish("TimedOut", "DeliveryTimedOut")
		case <-ctx.Done():
			finish("Cancelled", "Cancelled")
		}
		return
	}
	// The node's latency delays delivery.
	if node.latency > 0 {
		select {
		case <-time.After(node.latency):
		case <-ctx.Done():
			finish("Cancelled", "Cancelled")
			return
		}
	}
	if time.Now().After(c.Expires) {
		finish("TimedOut", "DeliveryTimedOut")
		return
	}
	dir, err := s.nodes.Dir(inv.InstanceID)
	if err != nil {
		s.h.Log("sandbox: node %s: %v", inv.InstanceID, err)
		finish("Failed", "Undeliverable")
		return
	}
	node.dir = dir
	ack()

	r := &runner{a: a, c: c, inv: inv, node: node, ctx: ctx}
	statuses := r.runSteps(c.steps, inv.Plugins, 1)
	status := mergeStatus(statuses)
	details := status
	if status == "TimedOut" {
		details = "ExecutionTimedOut"
	}
	isError = status == "Failed" || status == "TimedOut"
	s.update(func() { inv.Status, inv.StatusDetails = status, details })
}

// mergeStatus aggregates plugin results as the agent does
// (contracts.DocumentResultAggregator): Failed > TimedOut > Cancelled >
// Success; skipped steps count as success.
func mergeStatus(statuses []string) string {
	for _, want := range []string{"Failed", "TimedOut", "Cancelled"} {
		if slices.Contains(statuses, want) {
			return want
		}
	}
	return "Success"
}

// runner runs one invocation's steps on a node.
type runner struct {
	a    *fleetAgent
	c    *command
	inv  *invocation
	node nodeView
	ctx  context.Context
}

// stepResult is one step's outcome.
type stepResult struct {
	status         string
	code           int
	stdout, stderr string
	message        string // skip or failure message instead of output
	exitDocument   bool   // exit code 168 or 169: skip the following steps
}

// runSteps runs steps in order. At the top level each step reports into
// its pluginRun (plugins); nested documents (aws:runDocument) pass nil and
// get their results back. It returns each step's status.
func (r *runner) runSteps(steps []documents.Step, plugins []*pluginRun, depth int) []string {
	return r.runStepsInto(steps, plugins, depth, nil)
}

func (r *runner) runStepsInto(steps []documents.Step, plugins []*pluginRun, depth int, sink *[]stepResult) []string {
	s := r.a.area
	var statuses []string
	exitDocument := false
	for i, step := range steps {
		var p *pluginRun
		if plugins != nil {
			p = plugins[i]
		}
		if p != nil {
			s.update(func() {
				p.Start = time.Now()
				p.Status, p.StatusDetails = "InProgress", "InProgress"
			})
		}
		var res stepResult
		switch {
		case exitDocument:
			res = stepResult{status: "Skipped", message: fmt.Sprintf("Plugin with name %s and id %s skipped due to prior step with an exit condition", step.Action, step.Name)}
		case r.ctx.Err() != nil:
			// The agent marks the steps it has not started as cancelled
			// (iohandler.MarkAsCancelled: exit code 1).
			res = stepResult{status: "Cancelled", code: 1}
		default:
			res = r.runStep(step, p, depth)
		}
		exitDocument = exitDocument || res.exitDocument
		st := res.status
		if st == "Skipped" {
			st = "Success"
		}
		statuses = append(statuses, st)
		if sink != nil {
			*sink = append(*sink, res)
		}
		if p != nil {
			s.update(func() {
				p.End = time.Now()
				p.Status, p.StatusDetails = res.pluginStatus()
				p.ResponseCode = res.code
				p.Stdout, p.Stderr, p.Message = res.stdout, res.stderr, res.message
			})
		}
	}
	return statuses
}

// pluginStatus maps the agent's result onto CommandPluginStatus and its
// details; a skipped step is reported as a success whose details say so.
func (res stepResult) pluginStatus() (string, string) {
	switch res.status {
	case "Skipped":
		return "Success", "Skipped"
	case "TimedOut":
		return "TimedOut", "ExecutionTimedOut"
	}
	return res.status, res.status
}

// pluginSupported says whether the agent on a platform runs a plugin
// (aws:runShellScript is not built for Windows).
func pluginSupported(action, platform string) bool {
	return action != "aws:runShellScript" || platform != "Windows"
}

// preconditionHolds evaluates a 2.2 step's precondition; the agent supports
// StringEquals on platformType only.
func (r *runner) preconditionHolds(pre map[string]any) (bool, string) {
	for op, args := range pre {
		list, _ := args.([]any)
		if op != "StringEquals" || len(list) != 2 {
			return false, fmt.Sprintf("%s: %v", op, args)
		}
		a, _ := list[0].(string)
		b, _ := list[1].(string)
		if a != "platformType" && b != "platformType" {
			return false, fmt.Sprintf("%s: %v", op, args)
		}
		want := b
		if b == "platformType" {
			want = a
		}
		if !strings.EqualFold(want, r.node.platform) {
			return false, fmt.Sprintf("%s: [platformType, %s]", op, want)
		}
	}
	return true, ""
}

func (r *runner) runStep(step documents.Step, p *pluginRun, depth int) stepResult {
	if step.Precondition != nil {
		if ok, desc := r.preconditionHolds(step.Precondition); !ok {
			return stepResult{status: "Skipped", message: fmt.Sprintf("Step execution skipped due to unsatisfied preconditions: '%s'. Step name: %s", desc, step.Name)}
		}
	}
	if !pluginSupported(step.Action, r.node.platform) {
		if r.c.isLegacy() {
			return stepResult{status: "Failed", code: 1, message: fmt.Sprintf("Plugin with name %s is not supported in current platform. Step name: %s", step.Action, step.Name)}
		}
		return stepResult{status: "Skipped", message: fmt.Sprintf("Step execution skipped due to unsupported plugin: %s. Step name: %s", step.Action, step.Name)}
	}
	switch step.Action {
	case "aws:runShellScript", "aws:runPowerShellScript":
		return r.runScriptStep(step, p)
	case "aws:runDocument":
		return r.runDocumentStep(step, depth)
	}
	return stepResult{status: "Failed", code: 1, message: fmt.Sprintf("Plugin %s is not emulated by the sandbox. Step name: %s", step.Action, step.Name)}
}

// runCommandLines flattens runCommand (a string or a list, nested lists
// included) into script lines (pluginutil.ParseRunCommand).
func runCommandLines(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = runCommandLines(e, out)
		}
	}
	return out
}

var unsafePathChars = regexp.MustCompile(`[^a-zA-Z0-9_.\-]`)

// runScriptStep runs one script step, restarting it after each reboot
// request: exit 194 on Linux and macOS, 3010 on Windows. The agent reruns
// the step from the beginning after the reboot (runpluginutil:
// SuccessAndReboot is reset to InProgress and run again); the plugin stays
// InProgress meanwhile, and the output of every run is kept, in order (the
// agent appends to the step's output files).
func (r *runner) runScriptStep(step documents.Step, p *pluginRun) stepResult {
	s := r.a.area
	lines := runCommandLines(step.Inputs["runCommand"], nil)
	orch := filepath.Join(r.node.dir, "orchestration", r.c.ID, unsafePathChars.ReplaceAllString(step.Name, "_"))
	if err := os.MkdirAll(orch, 0o700); err != nil {
		return stepResult{status: "Failed", code: 1, stderr: fmt.Sprintf("failed to create orchestrationDir directory, %v", orch)}
	}
	windows := r.node.windows()
	// The script file is read by the shell, not executed: exec'ing a file
	// that was just written races other forks still holding it open for
	// writing ("text file busy") when many nodes start at once.
	shell, scriptName := []string{"/bin/sh"}, "_script.sh"
	if step.Action == "aws:runPowerShellScript" {
		scriptName = "_script.ps1"
		if !windows {
			// On Linux the agent runs PowerShell Core.
			pwsh, err := exec.LookPath("pwsh")
			if err != nil {
				return stepResult{status: "Failed", code: 1, stderr: "failed to run commands: " + err.Error()}
			}
			shell = []string{pwsh, "-NonInteractive", "-ExecutionPolicy", "Unrestricted", "-f"}
		}
		// A Windows node has no PowerShell here: it runs the script with
		// /bin/sh as a stand-in (docs/sandbox-run-command.md).
	}
	script := filepath.Join(orch, scriptName)
	if err := writeScript(script, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return stepResult{status: "Failed", code: 1, stderr: fmt.Sprintf("failed to create script file. %v", err)}
	}
	wd := r.node.dir
	if w, _ := step.Inputs["workingDirectory"].(string); w != "" {
		if filepath.IsAbs(w) {
			wd = w
		} else if d := filepath.Join(orch, "downloads", w); dirExists(d) {
			wd = d
		}
	}
	timeoutSecs := agentTimeout(step.Inputs["timeoutSeconds"])
	if timeoutSecs == 0 {
		timeoutSecs = defaultExecutionTimeout
	}
	timeout := s.scaled(time.Duration(timeoutSecs) * time.Second)
	env := append(os.Environ(),
		"SSM_COMMAND_ID="+r.c.ID,
		"AWS_SSM_INSTANCE_ID="+r.inv.InstanceID,
		"AWS_SSM_REGION_NAME="+s.h.Region,
	)
	rebootCode, stoppedCode := rebootExitCodeUnix, stoppedExitCodeUnix
	if windows {
		rebootCode, stoppedCode = rebootExitCodeWindows, stoppedExitCodeWindows
	}

	var stdout, stderr strings.Builder
	for {
		res := runProcess(r.ctx, wd, append(shell, script), env, timeout)
		stdout.WriteString(res.stdout)
		stderr.WriteString(res.stderr)
		code := res.code
		// A POSIX exit status is 8 bits: the /bin/sh stand-in on a Windows
		// node can only report 3010 as 194 (3010 mod 256).
		if windows && code == rebootExitCodeUnix {
			code = rebootExitCodeWindows
		}
		out := stepResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
		switch {
		case res.startErr != nil:
			out.status, out.code = "Failed", 1
			out.stderr += "failed to run commands: " + res.startErr.Error()
		case res.timedOut:
			out.status, out.code = "TimedOut", stoppedCode
		case res.cancelled:
			out.status, out.code = "Cancelled", stoppedCode
		case code == 0:
			out.status = "Success"
		case code == rebootCode:
			s.h.Log("sandbox: node %s reboots (command %s, step %s)", r.inv.InstanceID, r.c.ID, step.Name)
			// Before rebooting, the agent tells the service (AWS: "Handling
			// reboots when running commands"); the step stays InProgress and
			// shows the reboot request and the output so far.
			if p != nil {
				s.update(func() {
					p.ResponseCode = code
					p.Stdout, p.Stderr = out.stdout, out.stderr
				})
			}
			select {
			case <-time.After(s.rebootDelay()):
				continue
			case <-r.ctx.Done():
				out.status, out.code = "Cancelled", stoppedCode
				return out
			}
		case code == exitWithSuccess:
			out.status, out.exitDocument = "Success", true
			out.stderr = ""
			out.stdout += "\nStep exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped."
		default:
			// The agent appends the exec error to stderr
			// (runscript: MarkAsFailed("failed to run commands: ...")).
			out.status = "Failed"
			out.stderr += fmt.Sprintf("failed to run commands: exit status %d", res.code)
			if code == exitWithFailure {
				out.exitDocument = true
				out.stdout += "\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped."
				out.stderr += "\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped."
			}
		}
		return out
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// runDocumentStep runs another SSM document on the node (aws:runDocument
// with documentType SSMDocument): its steps run in order, their output
// appended to this step's, their statuses merged; at most three levels
// deep, as the agent allows.
func (r *runner) runDocumentStep(step documents.Step, depth int) stepResult {
	fail := func(msg string) stepResult {
		return stepResult{status: "Failed", code: 1, stderr: msg}
	}
	if depth+1 > documents.MaxRunDocumentDepth {
		return fail(fmt.Sprintf("Maximum depth for document execution exceeded. Maximum depth permitted - %d and current depth - %d", documents.MaxRunDocumentDepth, depth+1))
	}
	docType, _ := step.Inputs["documentType"].(string)
	path, _ := step.Inputs["documentPath"].(string)
	if docType != "SSMDocument" {
		return fail("invalid input: the sandbox runs aws:runDocument with documentType SSMDocument only, not " + docType)
	}
	if path == "AWS-Noop" {
		return stepResult{status: "Success"}
	}
	// documentPath may name a version: "Name:Version".
	name, version := path, ""
	if i := strings.LastIndex(path, ":"); i > 0 && !strings.HasPrefix(path, "arn:") {
		name, version = path[:i], path[i+1:]
	}
	var content *documents.Content
	var docName string
	var lookupErr error
	switch d, found, err := r.a.area.documents.Find(name, version, ""); {
	case !found:
		lookupErr = fmt.Errorf("InvalidDocument: Document with name %s does not exist", name)
	case err != nil:
		lookupErr = err
	default:
		content, docName = d.Content, d.Name
	}
	if lookupErr != nil {
		return fail(lookupErr.Error())
	}
	params := map[string]any{}
	switch x := step.Inputs["documentParameters"].(type) {
	case nil:
	case string:
		if strings.TrimSpace(x) != "" {
			if err := json.Unmarshal([]byte(x), &params); err != nil {
				var y any
				if yerr := yaml.Unmarshal([]byte(x), &y); yerr != nil {
					return fail(fmt.Sprintf("There was an error while preparing documents - Unmarshalling document parameters failed. Please make sure the parameters are specified in the right format. JSON format error - %v, YAML format error - %v.", err, yerr))
				}
				m, _ := documents.NormalizeYAML(y).(map[string]any)
				params = m
			}
		}
	case map[string]any:
		params = x
	default:
		return fail("There was an error while preparing documents - parameter type specified to run document is unknown")
	}
	resolved := map[string]any{}
	for k, v := range params {
		p := content.Param(k)
		if p == nil {
			return fail(fmt.Sprintf("There was an error while preparing documents - parameter %s is not defined in document %s", k, docName))
		}
		if v == nil {
			continue
		}
		tv, err := p.TypedValue(v)
		if err != nil {
			return fail(fmt.Sprintf("There was an error while preparing documents - parameter %s: %v", k, err))
		}
		resolved[k] = tv
	}
	for _, p := range content.Params {
		if _, ok := resolved[p.Name]; ok {
			continue
		}
		if !p.HasDefault {
			return fail(fmt.Sprintf("There was an error while preparing documents - parameter %s of document %s is required", p.Name, docName))
		}
		resolved[p.Name], _ = p.TypedValue(p.Default)
	}
	steps := make([]documents.Step, len(content.Steps))
	for i, st := range content.Steps {
		st.Inputs = documents.Substitute(st.Inputs, resolved).(map[string]any)
		steps[i] = st
	}
	var results []stepResult
	statuses := r.runStepsInto(steps, nil, depth+1, &results)
	out := stepResult{status: mergeStatus(statuses)}
	var stdout, stderr []string
	for _, res := range results {
		if res.stdout != "" {
			stdout = append(stdout, res.stdout)
		} else if res.message != "" {
			stdout = append(stdout, res.message)
		}
		if res.stderr != "" {
			stderr = append(stderr, res.stderr)
		}
		if out.code == 0 && res.code != 0 {
			out.code = res.code
		}
	}
	out.stdout, out.stderr = strings.Join(stdout, "\n"), strings.Join(stderr, "\n")
	if out.status == "Failed" && out.code == 0 {
		out.code = 1
	}
	return out
}

// processResult is how one run of a script ended.
type processResult struct {
	code           int
	stdout, stderr string
	timedOut       bool
	cancelled      bool
	startErr       error
}

// capped keeps the first maxCapturedOutput bytes written to it.
type capped struct {
	mu  sync.Mutex
	buf []byte
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := maxCapturedOutput - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// forkLock keeps script files from being open for writing while a process
// is between fork and exec: a child that inherited the descriptor would
// make exec of the script fail with ETXTBSY ("text file busy", Go issue
// 22315). Writers take it exclusively, starters shared.
var forkLock sync.RWMutex

func writeScript(path string, b []byte) error {
	forkLock.Lock()
	defer forkLock.Unlock()
	return os.WriteFile(path, b, 0o700)
}

// runProcess runs argv in dir in a process group of its own and kills the
// whole group (SIGKILL) on timeout or when ctx ends, as the agent does
// (executers: Setpgid, syscall.Kill(-pid, SIGKILL)).
func runProcess(ctx context.Context, dir string, argv, env []string, timeout time.Duration) processResult {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A process that escaped the group may hold the pipes open: stop
	// waiting for them soon after the group is gone.
	cmd.WaitDelay = time.Second
	forkLock.RLock()
	err := cmd.Start()
	forkLock.RUnlock()
	if err != nil {
		return processResult{code: 1, startErr: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res processResult
	select {
	case err = <-done:
	case <-timer.C:
		res.timedOut = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	case <-ctx.Done():
		res.cancelled = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	}
	// The group is killed even when the shell exited by itself, so no
	// background child outlives its step.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res.stdout, res.stderr = stdout.String(), stderr.String()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
		if res.code < 0 { // killed by a signal
			res.code = 128 + int(exitErr.Sys().(syscall.WaitStatus).Signal())
		}
	case errors.Is(err, exec.ErrWaitDelay):
	default:
		res.code = 1
	}
	return res
}

// truncatePrefix cuts s as the agent's pluginutil.StringPrefix does: a
// string of max characters or more keeps its first max-len(suffix) and
// gets the suffix. Lengths are bytes, as in the agent; a cut never splits
// a UTF-8 character.
func truncatePrefix(s string, max int, suffix string) string {
	if len(s) < max {
		return s
	}
	if max > len(suffix) {
		return utf8Prefix(s, max-len(suffix)) + suffix
	}
	return suffix[:max]
}

func utf8Prefix(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// truncateOutput builds a plugin's Output from stdout and stderr within
// capacity characters, following the agent's iohandler.TruncateOutput:
// stdout, then "\n----------ERROR-------\n" and stderr when there is any;
// when they do not fit, the longer one (or both, half each) is cut and
// marked.
func truncateOutput(stdout, stderr string, capacity int) string {
	title := ""
	if stderr != "" {
		title = nodes.OutputErrorTitle
	}
	room := capacity - len(title)
	if len(stdout)+len(stderr) < room {
		return stdout + title + stderr
	}
	if len(stdout) > room/2 && len(stderr) > room/2 {
		cut := (room - len(errorTruncatedSuffix) - len(outputTruncatedSuffix)) / 2
		return utf8Prefix(stdout, cut) + outputTruncatedSuffix + title + utf8Prefix(stderr, cut) + errorTruncatedSuffix
	}
	if len(stdout) <= room/2 {
		return stdout + title + utf8Prefix(stderr, room-len(errorTruncatedSuffix)-len(stdout)) + errorTruncatedSuffix
	}
	return utf8Prefix(stdout, room-len(outputTruncatedSuffix)-len(stderr)) + outputTruncatedSuffix + title + stderr
}
