package commands

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetCommandInvocation.

// isoTime is GetCommandInvocation's StringDateTime: ISO 8601 in UTC with
// milliseconds, "2024-03-01T20:08:56.792Z".
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// isoDuration is ExecutionElapsedTime: an ISO 8601 duration, "PT2.44S".
func isoDuration(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', -1, 64) + "S"
}

func (a *Area) getCommandInvocation(in *getCommandInvocationInput) (*getCommandInvocationOutput, error) {
	var v protocol.Validator
	if v.Required("commandId", in.CommandId != nil) {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if v.Required("instanceId", in.InstanceId != nil) {
		v.Pattern("instanceId", *in.InstanceId, instanceIDPattern)
	}
	if in.PluginName != nil {
		v.Length("pluginName", *in.PluginName, 4, -1)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *getCommandInvocationOutput
	var err error
	a.view(func(st *state) {
		c := st.commandByID[*in.CommandId]
		if c == nil {
			err = errInvalidCommandID()
			return
		}
		var inv *invocation
		for _, x := range c.Invocations {
			if x.InstanceID == *in.InstanceId {
				inv = x
			}
		}
		// Run Command is eventually consistent: an invocation is not
		// visible until a moment after SendCommand (Options.InvocationDelay),
		// or until it has finished, whichever comes first.
		if inv == nil || !inv.terminal() && a.h.Clock().Before(c.Requested.Add(a.invocationDelay())) {
			err = errInvocationDoesNotExist()
			return
		}
		var p *pluginRun
		switch {
		case in.PluginName != nil:
			if p = inv.plugin(*in.PluginName); p == nil {
				err = protocol.Errorf(http.StatusBadRequest, "InvalidPluginName", "The plugin name %s is not a step of document %s.", *in.PluginName, c.DocumentName)
				return
			}
		case len(inv.Plugins) == 1:
			p = inv.Plugins[0]
		default:
			// PluginName documentation: "If the document contains more than
			// one step, you must specify the name of the step".
			err = protocol.Errorf(http.StatusBadRequest, "InvalidPluginName", "Document %s has more than one step: specify PluginName.", c.DocumentName)
			return
		}
		out = &getCommandInvocationOutput{
			CommandId: c.ID, InstanceId: inv.InstanceID, Comment: c.Comment, DocumentName: c.DocumentName,
			DocumentVersion: c.DocumentVersion, PluginName: p.Name, ResponseCode: p.ResponseCode,
			ExecutionStartDateTime: isoTime(p.Start), ExecutionEndDateTime: isoTime(p.End),
			Status: p.Status, StatusDetails: p.StatusDetails, CloudWatchOutputConfig: c.CloudWatch,
		}
		if in.PluginName == nil {
			out.Status, out.StatusDetails = inv.Status, inv.StatusDetails
		}
		if !p.Start.IsZero() {
			end := p.End
			if end.IsZero() {
				end = a.h.Clock()
			}
			out.ExecutionElapsedTime = isoDuration(end.Sub(p.Start))
		}
		if !p.End.IsZero() {
			stdout := p.Stdout
			if p.Message != "" && stdout == "" {
				stdout = p.Message
			}
			out.StandardOutputContent = truncatePrefix(stdout, maxStdout, stdoutTruncatedSuffix)
			out.StandardErrorContent = truncatePrefix(p.Stderr, maxStderr, stdoutTruncatedSuffix)
			out.StandardOutputUrl = a.s3URL(c, inv.InstanceID, p.Name, "stdout")
			out.StandardErrorUrl = a.s3URL(c, inv.InstanceID, p.Name, "stderr")
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
