package run

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// invocationView is one node's result as ssmctl prints it. The JSON names
// are a stable contract (docs/run.md).
type invocationView struct {
	CommandID          string       `json:"commandId"`
	NodeID             string       `json:"nodeId"`
	Name               string       `json:"name"`
	Status             string       `json:"status"`
	StatusDetails      string       `json:"statusDetails"`
	ResponseCode       int          `json:"responseCode"`
	ExitCode           int          `json:"exitCode"`
	Stdout             string       `json:"stdout"`
	Stderr             string       `json:"stderr"`
	StdoutTruncated    bool         `json:"stdoutTruncated"`
	StderrTruncated    bool         `json:"stderrTruncated"`
	Start              *output.Time `json:"start,omitempty"`
	End                *output.Time `json:"end,omitempty"`
	DurationSeconds    float64      `json:"durationSeconds"`
	Rebooted           bool         `json:"rebooted"`
	StdoutURL          string       `json:"stdoutUrl,omitempty"`
	StderrURL          string       `json:"stderrUrl,omitempty"`
	CloudWatchLogGroup string       `json:"cloudWatchLogGroup,omitempty"`
	Plugins            []pluginView `json:"plugins,omitempty"`
}

// pluginView is one step of a multi-step document's result.
type pluginView struct {
	Name          string `json:"name"`
	Status        string `json:"status"`
	StatusDetails string `json:"statusDetails"`
	ResponseCode  int    `json:"responseCode"`
	Stdout        string `json:"stdout"`
	Stderr        string `json:"stderr"`
}

// runView is the document `run` prints with -o json|yaml.
type runView struct {
	CommandIDs      []string         `json:"commandIds"`
	Document        string           `json:"document"`
	DocumentVersion string           `json:"documentVersion,omitempty"`
	ExitCode        int              `json:"exitCode"`
	Invocations     []invocationView `json:"invocations"`
}

func newInvocationView(inv runcmd.Invocation) invocationView {
	v := invocationView{
		CommandID:          inv.CommandID,
		NodeID:             inv.NodeID,
		Name:               inv.Name,
		Status:             inv.Status,
		StatusDetails:      inv.StatusDetails,
		ResponseCode:       inv.ResponseCode,
		ExitCode:           inv.ExitCode(),
		Stdout:             inv.Stdout,
		Stderr:             inv.Stderr,
		StdoutTruncated:    inv.StdoutTruncated,
		StderrTruncated:    inv.StderrTruncated,
		DurationSeconds:    inv.Duration().Seconds(),
		Rebooted:           inv.Rebooted,
		CloudWatchLogGroup: inv.CloudWatchLogGroup,
	}
	v.Start = output.NewTime(inv.Start)
	v.End = output.NewTime(inv.End)
	for _, p := range inv.Plugins {
		if v.StdoutURL == "" {
			v.StdoutURL, v.StderrURL = p.StdoutURL, p.StderrURL
		}
		if len(inv.Plugins) > 1 {
			v.Plugins = append(v.Plugins, pluginView{Name: p.Name, Status: p.Status, StatusDetails: p.StatusDetails,
				ResponseCode: p.ResponseCode, Stdout: p.Stdout, Stderr: p.Stderr})
		}
	}
	return v
}

// commandIDPattern is the shape of a command ID (36 characters, a UUID).
func checkCommandID(cmd *cobra.Command, id string) error {
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		return cmdutil.FlagErrorf("invalid command ID %q: want the 36-character ID that run --no-wait prints", id)
	}
	return nil
}

// commandView is a command as `run list` and `run status` print it.
type commandView struct {
	CommandID       string           `json:"commandId"`
	Document        string           `json:"document"`
	DocumentVersion string           `json:"documentVersion,omitempty"`
	Comment         string           `json:"comment,omitempty"`
	Status          string           `json:"status"`
	StatusDetails   string           `json:"statusDetails"`
	Requested       *output.Time     `json:"requested,omitempty"`
	TargetCount     int              `json:"targetCount"`
	CompletedCount  int              `json:"completedCount"`
	ErrorCount      int              `json:"errorCount"`
	InstanceIDs     []string         `json:"instanceIds,omitempty"`
	Targets         []string         `json:"targets,omitempty"`
	MaxConcurrency  string           `json:"maxConcurrency"`
	MaxErrors       string           `json:"maxErrors"`
	Invocations     []invocationView `json:"invocations,omitempty"`
}

func newCommandView(c runcmd.Command) commandView {
	v := commandView{
		CommandID: c.ID, Document: c.Document, DocumentVersion: c.DocumentVersion, Comment: c.Comment,
		Status: c.Status, StatusDetails: c.StatusDetails, TargetCount: c.TargetCount,
		CompletedCount: c.CompletedCount, ErrorCount: c.ErrorCount, InstanceIDs: c.InstanceIDs,
		Targets: c.Targets, MaxConcurrency: c.MaxConcurrency, MaxErrors: c.MaxErrors,
	}
	v.Requested = output.NewTime(c.Requested)
	return v
}

// finishRun prints the document or the summary and returns the run's exit
// code as an error.
func finishRun(streams *output.Streams, printer *output.Printer, w *resultWriter, ids []string, doc, version string, res *runcmd.Result) error {
	streams.StopProgress()
	if w.structured {
		if err := finishRunDocument(printer, ids, doc, version, res); err != nil {
			return err
		}
	} else if streams.IsStderrTTY() && !streams.Quiet() {
		printSummary(streams, res.Invocations)
	}
	return runExit(res)
}

// runExit is the exit error of a finished run: a remote exit code passes
// through silently; other outcomes say in one line what happened.
func runExit(res *runcmd.Result) error {
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
		return exitcode.New(res.ExitCode, "%s: %s", nodeLabel(inv), statusLabel(inv))
	}
	var failed, timedOut, reboot, notRun []string
	for _, inv := range res.Invocations {
		switch c := inv.ExitCode(); {
		case inv.State() == runcmd.StateTerminated:
			// Cancelled/Terminated: never sent, because the command
			// exceeded its MaxErrors. Not a failure of that node.
			notRun = append(notRun, nodeLabel(inv))
		case c == exitcode.Timeout:
			timedOut = append(timedOut, nodeLabel(inv))
		case c == exitcode.RebootPending || c == exitcode.RebootPendingWindows:
			reboot = append(reboot, nodeLabel(inv))
		case c != 0:
			failed = append(failed, nodeLabel(inv))
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

func nodeLabel(inv runcmd.Invocation) string {
	if inv.Name != "" && inv.Name != inv.NodeID {
		return inv.Name + " (" + inv.NodeID + ")"
	}
	return inv.NodeID
}

// statusLabel is the status with the details that matter.
func statusLabel(inv runcmd.Invocation) string {
	s := inv.Status
	if d := inv.StatusDetails; d != "" && !strings.EqualFold(strings.ReplaceAll(d, " ", ""), s) {
		s += " (" + d + ")"
	}
	return s
}

// resultWriter prints each node's result as it arrives: with a header line
// on a terminal, with "NODE | " before every line under --prefix, as is
// otherwise. Structured formats collect instead.
type resultWriter struct {
	io         *output.Streams
	structured bool
	header     bool
	prefix     bool
	labels     map[string]string // node ID -> prefix label
	lastLabel  string
}

func newResultWriter(streams *output.Streams, printer *output.Printer, prefix bool, nodes []target.Node) *resultWriter {
	w := &resultWriter{
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

func (w *resultWriter) label(inv runcmd.Invocation) string {
	if l, ok := w.labels[inv.NodeID]; ok {
		return l
	}
	if len(w.labels) == 0 && inv.Name != "" {
		return inv.Name
	}
	return inv.NodeID
}

func (w *resultWriter) write(inv runcmd.Invocation) {
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
		line := fmt.Sprintf("=== %s: %s", nodeLabel(inv), statusLabel(inv))
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
		w.io.Warnf("%s: stdout was cut at %d characters; `ssmctl run output %s --node %s` shows where the full output is, if any", nodeLabel(inv), runcmd.StdoutLimit, inv.CommandID, inv.NodeID)
	}
	if inv.StderrTruncated {
		w.io.Warnf("%s: stderr was cut at %d characters", nodeLabel(inv), runcmd.StderrLimit)
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

// printSummary writes the per-node table on stderr.
func printSummary(streams *output.Streams, invs []runcmd.Invocation) {
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
			status := statusLabel(inv)
			if inv.Rebooted {
				status += ", rebooted"
			}
			t.Rows = append(t.Rows, []string{inv.NodeID, inv.Name, status, fmt.Sprint(inv.ExitCode()), d})
		}
		return t
	})
}
