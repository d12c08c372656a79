package commands

import (
	"fmt"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Rendering commands, invocations and plugins for the wire.

func (a *Area) commandWire(c *command) commandWire {
	st, details := c.status()
	w := commandWire{
		CommandId: c.ID, DocumentName: c.DocumentName, DocumentVersion: c.DocumentVersion,
		Comment: c.Comment, ExpiresAfter: protocol.Epoch(c.Expires), Parameters: c.Parameters,
		InstanceIds: c.InstanceIDs, Targets: c.Targets, RequestedDateTime: protocol.Epoch(c.Requested),
		Status: st, StatusDetails: details, OutputS3Region: a.h.Region,
		OutputS3BucketName: c.OutputS3BucketName, OutputS3KeyPrefix: c.OutputS3KeyPrefix,
		MaxConcurrency: c.MaxConcurrency, MaxErrors: c.MaxErrors, TargetCount: len(c.Invocations),
		ServiceRole: c.ServiceRole, NotificationConfig: c.Notification, CloudWatchOutputConfig: c.CloudWatch,
		TimeoutSeconds: c.TimeoutSeconds, AlarmConfiguration: c.Alarm,
	}
	if w.Parameters == nil {
		w.Parameters = map[string][]string{}
	}
	if w.InstanceIds == nil {
		w.InstanceIds = []string{}
	}
	if w.Targets == nil {
		w.Targets = []targetWire{}
	}
	if w.NotificationConfig.NotificationEvents == nil {
		w.NotificationConfig.NotificationEvents = []string{}
	}
	for _, inv := range c.Invocations {
		if inv.terminal() {
			w.CompletedCount++
		}
		switch inv.StatusDetails {
		case "Failed", "ExecutionTimedOut":
			w.ErrorCount++
		case "DeliveryTimedOut":
			w.DeliveryTimedOutCount++
		}
	}
	return w
}

// s3URL is where the agent would have put a plugin's full output: the
// bucket, the prefix, the command ID, the node ID, the plugin name and the
// step ID without colons (agent: iohandler, runpluginutil).
func (a *Area) s3URL(c *command, instanceID, plugin, stream string) string {
	if c.OutputS3BucketName == "" {
		return ""
	}
	parts := []string{c.OutputS3BucketName}
	if p := strings.Trim(c.OutputS3KeyPrefix, "/"); p != "" {
		parts = append(parts, p)
	}
	clean := strings.ReplaceAll(plugin, ":", "")
	step := clean
	if c.isLegacy() {
		step = "0." + clean
	}
	parts = append(parts, c.ID, instanceID, clean, step, stream)
	return fmt.Sprintf("https://s3.%s.amazonaws.com/%s", a.h.Region, strings.Join(parts, "/"))
}

func (c *command) isLegacy() bool { return documents.Legacy(c.DocumentName) }

func (a *Area) pluginWire(c *command, inv *invocation, p *pluginRun) commandPluginWire {
	w := commandPluginWire{
		Name: p.Name, Status: p.Status, StatusDetails: p.StatusDetails, ResponseCode: p.ResponseCode,
		ResponseStartDateTime: protocol.Epoch(p.Start), ResponseFinishDateTime: protocol.Epoch(p.End),
		OutputS3Region: a.h.Region, OutputS3BucketName: c.OutputS3BucketName, OutputS3KeyPrefix: c.OutputS3KeyPrefix,
	}
	if !p.End.IsZero() || p.Stdout != "" || p.Stderr != "" {
		// A finished step, or one whose output the agent reported early
		// (before a reboot).
		w.Output = p.output()
	}
	if !p.End.IsZero() {
		w.StandardOutputUrl = a.s3URL(c, inv.InstanceID, p.Name, "stdout")
		w.StandardErrorUrl = a.s3URL(c, inv.InstanceID, p.Name, "stderr")
	}
	return w
}

// output is the plugin's Output as the agent reports it: its message, or
// stdout and stderr cut to 2,500 characters (iohandler.TruncateOutput).
func (p *pluginRun) output() string {
	if p.Message != "" {
		return truncatePrefix(p.Message, maxPluginOutput, "")
	}
	return truncateOutput(p.Stdout, p.Stderr, maxPluginOutput)
}

func (a *Area) invocationWire(c *command, inv *invocation, details bool) commandInvocationWire {
	w := commandInvocationWire{
		CommandId: c.ID, InstanceId: inv.InstanceID, InstanceName: inv.InstanceName, Comment: c.Comment,
		DocumentName: c.DocumentName, DocumentVersion: c.DocumentVersion, RequestedDateTime: protocol.Epoch(c.Requested),
		Status: inv.Status, StatusDetails: inv.StatusDetails, CommandPlugins: []commandPluginWire{},
		ServiceRole: c.ServiceRole, NotificationConfig: c.Notification, CloudWatchOutputConfig: c.CloudWatch,
	}
	if w.NotificationConfig.NotificationEvents == nil {
		w.NotificationConfig.NotificationEvents = []string{}
	}
	// "StandardOutputUrl is populated if there is just one plugin defined
	// for the command, and the S3 bucket was defined for the command."
	if len(inv.Plugins) == 1 && inv.terminal() {
		w.StandardOutputUrl = a.s3URL(c, inv.InstanceID, inv.Plugins[0].Name, "stdout")
		w.StandardErrorUrl = a.s3URL(c, inv.InstanceID, inv.Plugins[0].Name, "stderr")
	}
	if details {
		for _, p := range inv.Plugins {
			w.CommandPlugins = append(w.CommandPlugins, a.pluginWire(c, inv, p))
		}
	}
	return w
}
