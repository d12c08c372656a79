package cmdutil

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Run Command results as the commands that send documents print them
// (run, patch scan and patch install): each node's result as it arrives,
// the summary table, and the run's exit status.

// RunExit is the exit error of a finished run: a remote exit code passes
// through silently; other outcomes say in one line what happened.
func RunExit(res *runcmd.Result) error {
	if res.ExitCode == 0 {
		return nil
	}
	if len(res.Invocations) == 0 {
		return exitcode.New(exitcode.Usage, "no managed node received the command")
	}
	if len(res.Invocations) == 1 {
		inv := res.Invocations[0]
		if inv.State() == runcmd.StateFailed || inv.State() == runcmd.StateSuccess {
			return exitcode.Silent(res.ExitCode)
		}
		return exitcode.New(res.ExitCode, "%s: %s", NodeLabel(inv), StatusLabel(inv))
	}
	var failed, timedOut, reboot, notRun []string
	for _, inv := range res.Invocations {
		switch c := inv.ExitCode(); {
		case inv.State() == runcmd.StateTerminated:
			// Cancelled/Terminated: never sent, because the command
			// exceeded its MaxErrors. Not a failure of that node.
			notRun = append(notRun, NodeLabel(inv))
		case c == exitcode.Timeout:
			timedOut = append(timedOut, NodeLabel(inv))
		case c == exitcode.RebootPending || c == exitcode.RebootPendingWindows:
			reboot = append(reboot, NodeLabel(inv))
		case c != 0:
			failed = append(failed, NodeLabel(inv))
		}
	}
	n := len(res.Invocations)
	switch res.ExitCode {
	case exitcode.Timeout:
		return exitcode.New(res.ExitCode, "%d of %d nodes timed out: %s", len(timedOut), n, output.FewNames(timedOut))
	case exitcode.RebootPending, exitcode.RebootPendingWindows:
		return exitcode.New(res.ExitCode, "%d of %d nodes need a reboot: %s", len(reboot), n, output.FewNames(reboot))
	}
	var parts []string
	if len(failed) > 0 || len(notRun) == 0 {
		parts = append(parts, fmt.Sprintf("%d of %d nodes failed: %s", len(failed), n, output.FewNames(failed)))
	}
	if len(failed) == 0 && len(timedOut) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d nodes timed out: %s", len(timedOut), n, output.FewNames(timedOut)))
	}
	if len(notRun) > 0 {
		parts = append(parts, fmt.Sprintf("%d not run (MaxErrors exceeded): %s", len(notRun), output.FewNames(notRun)))
	}
	return exitcode.New(res.ExitCode, "%s", strings.Join(parts, "; "))
}

func NodeLabel(inv runcmd.Invocation) string {
	if inv.Name != "" && inv.Name != inv.NodeID {
		return inv.Name + " (" + inv.NodeID + ")"
	}
	return inv.NodeID
}

// StatusLabel is the status with the details that matter.
func StatusLabel(inv runcmd.Invocation) string {
	s := inv.Status
	if d := inv.StatusDetails; d != "" && !strings.EqualFold(strings.ReplaceAll(d, " ", ""), s) {
		s += " (" + d + ")"
	}
	return s
}

// ResultWriter prints each node's result as it arrives: with a header line
// on a terminal, with "NODE | " before every line under --prefix, as is
// otherwise. Structured formats collect instead.
type ResultWriter struct {
	io         *output.Streams
	structured bool
	header     bool
	prefix     bool
	labels     map[string]string // node ID -> prefix label
	lastLabel  string
}

func NewResultWriter(streams *output.Streams, printer *output.Printer, prefix bool, nodes []target.Node) *ResultWriter {
	w := &ResultWriter{
		io:         streams,
		structured: printer.Structured(),
		prefix:     prefix,
		header:     !prefix && streams.IsStdoutTTY(),
		labels:     map[string]string{},
	}
	// Names label lines when they are unique; IDs otherwise.
	count := map[string]int{}
	for _, n := range nodes {
		count[n.Name]++
	}
	for _, n := range nodes {
		if n.Name != "" && count[n.Name] == 1 {
			w.labels[n.ID] = n.Name
		}
	}
	return w
}

func (w *ResultWriter) label(inv runcmd.Invocation) string {
	if l, ok := w.labels[inv.NodeID]; ok {
		return l
	}
	if len(w.labels) == 0 && inv.Name != "" {
		return inv.Name
	}
	return inv.NodeID
}

func (w *ResultWriter) Write(inv runcmd.Invocation) {
	if w.structured {
		return
	}
	w.io.StopProgress()
	defer func() {
		if w.lastLabel != "" {
			w.io.StartProgress(w.lastLabel)
		}
	}()
	out, errOut := bufio.NewWriter(w.io.Out), bufio.NewWriter(w.io.ErrOut)
	defer out.Flush()
	defer errOut.Flush()
	if w.header {
		line := fmt.Sprintf("=== %s: %s", NodeLabel(inv), StatusLabel(inv))
		if inv.ResponseCode >= 0 {
			line += fmt.Sprintf(", exit %d", inv.ResponseCode)
		}
		if d := inv.Duration(); d > 0 {
			line += ", " + d.Round(10*time.Millisecond).String()
		}
		if inv.Rebooted {
			line += ", rebooted"
		}
		fmt.Fprintln(out, line)
		out.Flush()
	}
	if w.prefix {
		p := w.label(inv) + " | "
		writePrefixed(out, p, inv.Stdout)
		out.Flush()
		writePrefixed(errOut, p, inv.Stderr)
		if inv.Rebooted {
			fmt.Fprintf(errOut, "%srebooted during the command\n", p)
		}
	} else {
		writeEnsuringNewline(out, inv.Stdout)
		out.Flush()
		writeEnsuringNewline(errOut, inv.Stderr)
	}
	errOut.Flush()
	if inv.StdoutTruncated {
		w.io.Warnf("%s: stdout was cut at %d characters; `ssmctl run output %s --node %s` shows where the full output is, if any", NodeLabel(inv), runcmd.StdoutLimit, inv.CommandID, inv.NodeID)
	}
	if inv.StderrTruncated {
		w.io.Warnf("%s: stderr was cut at %d characters", NodeLabel(inv), runcmd.StderrLimit)
	}
}

func writePrefixed(w io.Writer, prefix, s string) {
	if s == "" {
		return
	}
	for _, line := range strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n") {
		fmt.Fprintf(w, "%s%s\n", prefix, strings.TrimSuffix(line, "\n"))
	}
}

func writeEnsuringNewline(w io.Writer, s string) {
	if s == "" {
		return
	}
	io.WriteString(w, s)
	if !strings.HasSuffix(s, "\n") {
		io.WriteString(w, "\n")
	}
}

// PrintRunSummary writes the per-node table on stderr.
func PrintRunSummary(streams *output.Streams, invs []runcmd.Invocation) {
	s := &output.Streams{Out: streams.ErrOut, ErrOut: streams.ErrOut}
	p, err := output.NewPrinter(s, output.TableFormat, "")
	if err != nil {
		return
	}
	_ = p.Print(nil, func() output.Table {
		t := output.Table{Headers: []string{"NODE", "NAME", "STATUS", "EXIT", "DURATION"}, NoTruncate: []int{0, 2, 3}}
		for _, inv := range invs {
			d := ""
			if inv.Duration() > 0 {
				d = inv.Duration().Round(10 * time.Millisecond).String()
			}
			status := StatusLabel(inv)
			if inv.Rebooted {
				status += ", rebooted"
			}
			t.Rows = append(t.Rows, []string{inv.NodeID, inv.Name, status, fmt.Sprint(inv.ExitCode()), d})
		}
		return t
	})
}

// WaitRun waits with a spinner that counts nodes, printing each result as
// it arrives.
func WaitRun(ctx context.Context, streams *output.Streams, run *runcmd.Run, w *ResultWriter) (*runcmd.Result, error) {
	label := func(p runcmd.Progress) string {
		s := fmt.Sprintf("%d/%d done", p.Done, p.Total)
		if p.Failed > 0 {
			s += fmt.Sprintf(", %d failed", p.Failed)
		}
		return s
	}
	streams.StartProgress(label(runcmd.Progress{Total: len(run.Nodes)}))
	defer streams.StopProgress()
	opts := runcmd.WaitOptions{
		OnProgress: func(p runcmd.Progress) { w.lastLabel = label(p); streams.StartProgress(w.lastLabel) },
	}
	if !w.structured {
		// -o json|yaml prints one document at the end: no node's result is
		// needed sooner, and a large run is then listed once (docs/run.md).
		opts.OnResult = w.Write
	}
	return run.Wait(ctx, opts)
}

// NewCollector is a ResultWriter that prints nothing: the results are
// printed at the end, as one document.
func NewCollector(streams *output.Streams) *ResultWriter {
	return &ResultWriter{io: streams, structured: true}
}

// Structured says whether the results are printed as one document at the
// end (-o json|yaml) rather than as they arrive.
func (w *ResultWriter) Structured() bool { return w.structured }

// NotifyInterrupts subscribes c to the signals that interrupt a run:
// SIGINT, SIGTERM, SIGHUP and SIGPIPE.
func NotifyInterrupts(c chan<- os.Signal) {
	signal.Notify(c, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
}

// StopInterrupts ends NotifyInterrupts' subscription.
func StopInterrupts(c chan<- os.Signal) { signal.Stop(c) }

// StartRun sends req with a spinner. An interrupt (on sig) while sending
// stops it and cancels what was sent (runcmd.Run.Interrupt).
func StartRun(ctx context.Context, streams *output.Streams, client *runcmd.Client, req runcmd.Request, sig <-chan os.Signal, cancelWait time.Duration) (*runcmd.Run, error) {
	streams.StartProgress("Sending command")
	run, err := client.Start(ctx, req)
	streams.StopProgress()
	if err != nil {
		if run != nil && ctx.Err() != nil {
			return nil, run.Interrupt(ctx, sig, cancelWait, streams.Infof)
		}
		return nil, err
	}
	return run, nil
}

// WaitResults waits for every node's result, printing each with w as it
// arrives; an interrupt cancels the command.
func WaitResults(ctx context.Context, streams *output.Streams, run *runcmd.Run, w *ResultWriter, sig <-chan os.Signal, cancelWait time.Duration) (*runcmd.Result, error) {
	res, err := WaitRun(ctx, streams, run, w)
	if err != nil {
		if ctx.Err() == nil {
			return nil, err
		}
		return nil, run.Interrupt(ctx, sig, cancelWait, streams.Infof)
	}
	return res, nil
}

// RangeFlagError is the first of errs that is a runcmd.RangeError of a
// flag the user gave (on the command line, in the config file or an
// SSMCTL_* variable), as that flag's usage error; nil when there is none.
// A zero duration nobody gave stands for AWS's default, so it is not
// checked: run and patch share this rule.
func RangeFlagError(flags *pflag.FlagSet, errs ...error) error {
	for _, err := range errs {
		var re *runcmd.RangeError
		if errors.As(err, &re) && flags.Changed(re.Flag) {
			return FlagValueErrorf(re.Flag, flags.Lookup(re.Flag).Value.String(), "%s", re.Reason)
		}
	}
	return nil
}
