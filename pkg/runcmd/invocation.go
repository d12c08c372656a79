package runcmd

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Output limits of the API (see doc.go).
const (
	// ListOutputLimit is the length of a plugin's Output in
	// ListCommandInvocations details: stdout and stderr together.
	ListOutputLimit = 2500
	// StdoutLimit and StderrLimit are what GetCommandInvocation returns.
	StdoutLimit = 24000
	StderrLimit = 8000
)

// The markers the SSM Agent puts in a plugin's 2,500-character Output
// (amazon-ssm-agent, TruncateOutput): stderr follows errorTitle; a cut
// stream ends with its truncation marker.
const (
	errorTitle     = "\n----------ERROR-------\n"
	truncatedOut   = "\n---Output truncated---"
	truncatedErr   = "\n---Error truncated----"
	truncatedAgent = "--output truncated--" // the agent's suffix on the 24,000/8,000-character streams
)

// Invocation is the result of a command on one managed node.
type Invocation struct {
	CommandID string
	NodeID    string
	// Name is the node's display name (the Name tag, else the managed
	// node's name or computer name), or the host name AWS reports.
	Name string
	// Status and StatusDetails are as AWS reports them: Status is one of
	// Pending, InProgress, Delayed, Success, Failed, TimedOut, Cancelling,
	// Cancelled; StatusDetails says more (DeliveryTimedOut,
	// ExecutionTimedOut, Undeliverable, Terminated, ...).
	Status        string
	StatusDetails string
	// ResponseCode is the remote exit code: that of the first plugin that
	// did not succeed, else of the last plugin. -1 when it never ran.
	ResponseCode int
	// Stdout and Stderr are every plugin's output, in document order.
	Stdout, Stderr                   string
	StdoutTruncated, StderrTruncated bool
	Start, End                       time.Time
	// Rebooted is set when the node was seen rebooting for this command
	// (the script asked for it with exit 194 or 3010).
	Rebooted bool
	Plugins  []Plugin
	// CloudWatchLogGroup is set when output goes to CloudWatch Logs.
	CloudWatchLogGroup string
	// CancelledByUs is set when this run cancelled the invocation.
	CancelledByUs bool
}

// Plugin is the result of one step of the document.
type Plugin struct {
	Name                             string
	Status                           string
	StatusDetails                    string
	ResponseCode                     int
	Stdout, Stderr                   string
	StdoutTruncated, StderrTruncated bool
	Start, End                       time.Time
	StdoutURL, StderrURL             string
	OutputS3Bucket, OutputS3Prefix   string
}

// State is what an invocation's status means for the waiting loop and the
// exit code.
type State int

// The states.
const (
	StateWaiting           State = iota // Pending, InProgress, Delayed, Cancelling
	StateSuccess                        // Success
	StateFailed                         // Failed: the command ran and exited non-zero
	StateExecutionTimedOut              // TimedOut during execution
	StateDeliveryTimedOut               // TimedOut before delivery
	StateUndeliverable                  // Undeliverable: the node does not exist or cannot run it
	StateTerminated                     // Terminated: the node was terminated
	StateCancelled                      // Cancelled
)

// norm folds a status for comparison: "Delivery Timed Out", "DeliveryTimedOut"
// and "deliverytimedout" are one.
func norm(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

// State classifies the invocation by its Status and StatusDetails.
func (inv Invocation) State() State { return stateOf(inv.Status, inv.StatusDetails) }

func stateOf(status, details string) State {
	// Details first: they tell the kinds of timeout and failure apart.
	switch norm(details) {
	case "deliverytimedout":
		return StateDeliveryTimedOut
	case "executiontimedout":
		return StateExecutionTimedOut
	case "undeliverable":
		return StateUndeliverable
	case "terminated":
		return StateTerminated
	}
	switch norm(status) {
	case "success":
		return StateSuccess
	case "failed":
		return StateFailed
	case "timedout", "executiontimedout":
		return StateExecutionTimedOut
	case "deliverytimedout":
		return StateDeliveryTimedOut
	case "undeliverable":
		return StateUndeliverable
	case "terminated":
		return StateTerminated
	case "cancelled":
		return StateCancelled
	}
	return StateWaiting
}

// Done reports whether the invocation reached a terminal state.
func (inv Invocation) Done() bool { return inv.State() != StateWaiting }

// Duration is how long the command ran on the node; zero if unknown.
func (inv Invocation) Duration() time.Duration {
	if inv.Start.IsZero() || inv.End.IsZero() || inv.End.Before(inv.Start) {
		return 0
	}
	return inv.End.Sub(inv.Start)
}

// ExitCode is the exit code this invocation stands for (docs/exit-codes.md):
// the remote exit code for a command that ran (1 when it cannot be an exit
// status), 124 for a timeout, 194 (3010 on Windows) for a pending reboot,
// 1 for a node that could not run it, 130 when this run cancelled it, and 0
// while it is not finished.
func (inv Invocation) ExitCode() int {
	rc := inv.ResponseCode
	switch inv.State() {
	case StateSuccess:
		if rc == exitcode.RebootPending || rc == exitcode.RebootPendingWindows {
			return exitcode.Reboot
		}
		return 0
	case StateFailed:
		switch {
		case rc == exitcode.RebootPendingWindows:
			return exitcode.Reboot
		case rc >= 1 && rc <= 255:
			return rc
		}
		return exitcode.Failed
	case StateExecutionTimedOut, StateDeliveryTimedOut:
		return exitcode.Timeout
	case StateCancelled:
		if inv.CancelledByUs {
			return exitcode.Interrupted
		}
		return exitcode.Failed
	case StateUndeliverable, StateTerminated:
		return exitcode.Failed
	}
	return 0
}

// Failed reports whether the invocation counts as failed in the progress
// counts: it is done and not a success.
func (inv Invocation) Failed() bool {
	return inv.Done() && inv.ExitCode() != 0
}

// ExitCode is the exit code of a run (docs/exit-codes.md): one invocation
// passes its code through; several aggregate 1 > 124 > 194 > 0.
func ExitCode(invs []Invocation) int {
	if len(invs) == 1 {
		return invs[0].ExitCode()
	}
	codes := make([]int, len(invs))
	for i, inv := range invs {
		codes[i] = inv.ExitCode()
	}
	return exitcode.Aggregate(codes...)
}

// splitOutput splits a plugin's Output from ListCommandInvocations into
// stdout and stderr and reports which of them the agent cut.
func splitOutput(out string) (stdout, stderr string, outCut, errCut bool) {
	stdout, stderr, _ = strings.Cut(out, errorTitle)
	if s, ok := strings.CutSuffix(stdout, truncatedOut); ok {
		stdout, outCut = s, true
	}
	if s, ok := strings.CutSuffix(stderr, truncatedErr); ok {
		stderr, errCut = s, true
	}
	return stdout, stderr, outCut, errCut
}

// cutStream reports whether a stream from GetCommandInvocation is still cut,
// and strips the agent's marker.
func cutStream(s string, limit int) (string, bool) {
	for _, m := range []string{truncatedAgent, truncatedOut, truncatedErr} {
		if t, ok := strings.CutSuffix(s, m); ok {
			return t, true
		}
	}
	return s, len([]rune(s)) >= limit
}

// fromAWS converts an SDK invocation; names maps node IDs to display names.
func fromAWS(ci types.CommandInvocation, names map[string]string) Invocation {
	inv := Invocation{
		CommandID:     aws.ToString(ci.CommandId),
		NodeID:        aws.ToString(ci.InstanceId),
		Name:          names[aws.ToString(ci.InstanceId)],
		Status:        string(ci.Status),
		StatusDetails: aws.ToString(ci.StatusDetails),
		ResponseCode:  -1,
	}
	if inv.Name == "" {
		inv.Name = aws.ToString(ci.InstanceName)
	}
	if cw := ci.CloudWatchOutputConfig; cw != nil && cw.CloudWatchOutputEnabled {
		inv.CloudWatchLogGroup = aws.ToString(cw.CloudWatchLogGroupName)
		if inv.CloudWatchLogGroup == "" {
			inv.CloudWatchLogGroup = "/aws/ssm/" + aws.ToString(ci.DocumentName)
		}
	}
	for _, p := range ci.CommandPlugins {
		stdout, stderr, outCut, errCut := splitOutput(aws.ToString(p.Output))
		inv.Plugins = append(inv.Plugins, Plugin{
			Name:            aws.ToString(p.Name),
			Status:          string(p.Status),
			StatusDetails:   aws.ToString(p.StatusDetails),
			ResponseCode:    int(p.ResponseCode),
			Stdout:          stdout,
			Stderr:          stderr,
			StdoutTruncated: outCut,
			StderrTruncated: errCut,
			Start:           aws.ToTime(p.ResponseStartDateTime),
			End:             aws.ToTime(p.ResponseFinishDateTime),
			StdoutURL:       aws.ToString(p.StandardOutputUrl),
			StderrURL:       aws.ToString(p.StandardErrorUrl),
			OutputS3Bucket:  aws.ToString(p.OutputS3BucketName),
			OutputS3Prefix:  aws.ToString(p.OutputS3KeyPrefix),
		})
	}
	inv.summarize()
	return inv
}

// summarize derives the invocation's response code, output and times from
// its plugins.
func (inv *Invocation) summarize() {
	var stdout, stderr strings.Builder
	inv.StdoutTruncated, inv.StderrTruncated = false, false
	inv.Start, inv.End = time.Time{}, time.Time{}
	code, failedCode := -1, 0
	haveFailed := false
	for _, p := range inv.Plugins {
		// One step's output ends its line before the next step's begins
		// (a skipped step's message has no newline of its own).
		joinLine(&stdout, p.Stdout)
		joinLine(&stderr, p.Stderr)
		inv.StdoutTruncated = inv.StdoutTruncated || p.StdoutTruncated
		inv.StderrTruncated = inv.StderrTruncated || p.StderrTruncated
		if !p.Start.IsZero() && (inv.Start.IsZero() || p.Start.Before(inv.Start)) {
			inv.Start = p.Start
		}
		if p.End.After(inv.End) {
			inv.End = p.End
		}
		if s := stateOf(p.Status, p.StatusDetails); s != StateWaiting || p.ResponseCode != 0 {
			code = p.ResponseCode
			if s != StateSuccess && s != StateWaiting && !haveFailed {
				haveFailed, failedCode = true, p.ResponseCode
			}
		}
	}
	if haveFailed {
		code = failedCode
	}
	inv.ResponseCode = code
	inv.Stdout, inv.Stderr = stdout.String(), stderr.String()
}

// joinLine appends s to b, on a line of its own when b does not end one.
func joinLine(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(s)
}

// applyFull puts the output of GetCommandInvocation into plugin i.
func (inv *Invocation) applyFull(i int, out *ssm.GetCommandInvocationOutput) {
	p := &inv.Plugins[i]
	p.Stdout, p.StdoutTruncated = cutStream(aws.ToString(out.StandardOutputContent), StdoutLimit)
	p.Stderr, p.StderrTruncated = cutStream(aws.ToString(out.StandardErrorContent), StderrLimit)
	if u := aws.ToString(out.StandardOutputUrl); u != "" {
		p.StdoutURL = u
	}
	if u := aws.ToString(out.StandardErrorUrl); u != "" {
		p.StderrURL = u
	}
	inv.summarize()
}
