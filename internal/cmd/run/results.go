package run

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
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
func finishRun(streams *output.Streams, printer *output.Printer, w *cmdutil.ResultWriter, ids []string, doc, version string, res *runcmd.Result) error {
	streams.StopProgress()
	if w.Structured() {
		if err := finishRunDocument(printer, ids, doc, version, res); err != nil {
			return err
		}
	} else if streams.IsStderrTTY() && !streams.Quiet() {
		cmdutil.PrintRunSummary(streams, res.Invocations)
	}
	return cmdutil.RunExit(res)
}
