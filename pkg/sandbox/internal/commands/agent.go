package commands

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
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
