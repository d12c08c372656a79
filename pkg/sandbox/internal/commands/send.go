package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// SendCommand: validation, the new command, its document and storing it.

// sendCommand validates the request, builds the command, resolves its
// document and targets, stores it, and hands it to the agent.
func (a *Area) sendCommand(in *sendCommandInput) (*sendCommandOutput, error) {
	if err := validateSendCommand(in); err != nil {
		return nil, err
	}
	if err := checkSendTargets(in); err != nil {
		return nil, err
	}
	c := newCommand(in, a.h.Clock())
	if err := a.resolveDocument(c, in); err != nil {
		return nil, err
	}
	out, err := a.storeCommand(c, in)
	if err != nil {
		return nil, err
	}
	a.agent.start(c)
	return out, nil
}

// validateSendCommand applies the model's rules to SendCommand's members.
func validateSendCommand(in *sendCommandInput) error {
	var v protocol.Validator
	if v.Required("documentName", in.DocumentName != nil) {
		v.Pattern("documentName", *in.DocumentName, documents.DocumentARNPattern)
	}
	v.Count("instanceIds", len(in.InstanceIds), 0, 50)
	for _, id := range in.InstanceIds {
		v.Pattern("instanceIds.member", id, instanceIDPattern)
	}
	v.Count("targets", len(in.Targets), 0, 5)
	for i, t := range in.Targets {
		p := fmt.Sprintf("targets.%d.member", i+1)
		if t.Key != nil {
			v.Length(p+".key", *t.Key, 1, 163)
			v.Pattern(p+".key", *t.Key, targetKeyPattern)
		}
		v.Count(p+".values", len(t.Values), 0, 50)
	}
	if in.DocumentVersion != nil {
		v.Pattern("documentVersion", *in.DocumentVersion, documents.VersionPattern)
	}
	if in.DocumentHash != nil {
		v.Length("documentHash", *in.DocumentHash, 0, 256)
	}
	if in.DocumentHashType != nil {
		v.Enum("documentHashType", *in.DocumentHashType, "Sha256", "Sha1")
	}
	v.IntRange("timeoutSeconds", in.TimeoutSeconds, 30, 2592000)
	if in.Comment != nil {
		v.Length("comment", *in.Comment, 0, 100)
	}
	if in.OutputS3Region != nil {
		v.Length("outputS3Region", *in.OutputS3Region, 3, 20)
	}
	if in.OutputS3BucketName != nil {
		v.Length("outputS3BucketName", *in.OutputS3BucketName, 3, 63)
	}
	if in.OutputS3KeyPrefix != nil {
		v.Length("outputS3KeyPrefix", *in.OutputS3KeyPrefix, 0, 500)
	}
	if in.MaxConcurrency != nil {
		v.Length("maxConcurrency", *in.MaxConcurrency, 1, 7)
		v.Pattern("maxConcurrency", *in.MaxConcurrency, maxConcurrencyPattern)
	}
	if in.MaxErrors != nil {
		v.Length("maxErrors", *in.MaxErrors, 1, 7)
		v.Pattern("maxErrors", *in.MaxErrors, maxErrorsPattern)
	}
	if nc := in.NotificationConfig; nc != nil {
		for _, e := range nc.NotificationEvents {
			v.Enum("notificationConfig.notificationEvents.member", e, notificationEvents...)
		}
		if nc.NotificationType != nil {
			v.Enum("notificationConfig.notificationType", *nc.NotificationType, "Command", "Invocation")
		}
	}
	if cw := in.CloudWatchOutputConfig; cw != nil && cw.CloudWatchLogGroupName != nil {
		v.Length("cloudWatchOutputConfig.cloudWatchLogGroupName", *cw.CloudWatchLogGroupName, 1, 512)
	}
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

// checkSendTargets applies the rules the model cannot state: InstanceIds
// or Targets (not both), no ID twice, target keys Run Command resolves.
func checkSendTargets(in *sendCommandInput) error {
	if len(in.InstanceIds) == 0 && len(in.Targets) == 0 {
		return protocol.ErrValidation("Specify the managed nodes to run the command on: InstanceIds or Targets.")
	}
	if len(in.InstanceIds) > 0 && len(in.Targets) > 0 {
		return protocol.ErrValidation("Specify either InstanceIds or Targets, not both.")
	}
	seen := map[string]bool{}
	for _, id := range in.InstanceIds {
		if seen[id] {
			return errDuplicateInstanceID()
		}
		seen[id] = true
	}
	for _, t := range in.Targets {
		if t.Key == nil {
			return protocol.ErrValidation("Each target needs a Key.")
		}
		if err := checkTargetKey(*t.Key, len(in.Targets)); err != nil {
			return err
		}
	}
	return nil
}

// newCommand builds a command from the request, with AWS's defaults.
func newCommand(in *sendCommandInput, now time.Time) *command {
	c := &command{
		ID: newCommandID(), DocumentName: documents.Name(*in.DocumentName), DocumentVersion: "$DEFAULT",
		Comment: protocol.Deref(in.Comment), Parameters: in.Parameters, InstanceIDs: in.InstanceIds, Targets: in.Targets,
		Requested: now, OutputS3BucketName: protocol.Deref(in.OutputS3BucketName), OutputS3KeyPrefix: protocol.Deref(in.OutputS3KeyPrefix),
		MaxConcurrency: defaultMaxConcurrency, MaxErrors: defaultMaxErrors, TimeoutSeconds: defaultDeliveryTimeout,
		ServiceRole: protocol.Deref(in.ServiceRoleArn), Alarm: in.AlarmConfiguration, cancelCh: make(chan struct{}),
	}
	if in.DocumentVersion != nil {
		c.DocumentVersion = *in.DocumentVersion
	}
	if in.MaxConcurrency != nil {
		c.MaxConcurrency = *in.MaxConcurrency
	}
	if in.MaxErrors != nil {
		c.MaxErrors = *in.MaxErrors
	}
	if in.TimeoutSeconds != nil {
		c.TimeoutSeconds = int(*in.TimeoutSeconds)
	}
	if nc := in.NotificationConfig; nc != nil {
		c.Notification = notificationConfig{NotificationArn: protocol.Deref(nc.NotificationArn), NotificationEvents: nc.NotificationEvents, NotificationType: protocol.Deref(nc.NotificationType)}
	}
	if cw := in.CloudWatchOutputConfig; cw != nil {
		c.CloudWatch.CloudWatchLogGroupName = protocol.Deref(cw.CloudWatchLogGroupName)
		c.CloudWatch.CloudWatchOutputEnabled = cw.CloudWatchOutputEnabled != nil && *cw.CloudWatchOutputEnabled
	}
	return c
}

// resolveDocument looks the command's document version up, types its
// parameters and substitutes them into its steps, and sets the command's
// platforms and expiry.
func (a *Area) resolveDocument(c *command, in *sendCommandInput) error {
	d, found, err := a.documents.Find(c.DocumentName, protocol.Deref(in.DocumentVersion), "")
	switch {
	case !found:
		return documents.ErrInvalidDocument(fmt.Sprintf("Document with name %s does not exist.", c.DocumentName))
	case d.DocumentType != "Command":
		return documents.ErrInvalidDocument(fmt.Sprintf("Document %s is a %s document: Run Command runs Command documents.", d.Name, d.DocumentType))
	case err != nil:
		return err
	}
	c.DocumentName = d.Name
	if in.DocumentHash != nil && *in.DocumentHash != d.Hash {
		return documents.ErrInvalidDocument(fmt.Sprintf("The document hash doesn't match version %d of document %s.", d.Version, d.Name))
	}
	params, aerr := documents.ResolveParameters(d.Name, d.Content, in.Parameters)
	if aerr != nil {
		return aerr
	}
	c.platforms = d.Content.PlatformTypes()
	c.steps = make([]documents.Step, len(d.Content.Steps))
	execTimeout := 0
	for i, step := range d.Content.Steps {
		step.Inputs = documents.Substitute(step.Inputs, params).(map[string]any)
		c.steps[i] = step
		execTimeout = max(execTimeout, agentTimeout(step.Inputs["timeoutSeconds"]))
	}
	if execTimeout == 0 {
		execTimeout = defaultExecutionTimeout
	}
	// ExpiresAfter: "calculated based on the total timeout", which is
	// the delivery timeout plus the document's execution timeout
	// ("Understanding command timeout values").
	c.Expires = c.Requested.Add(a.scaled(time.Duration(c.TimeoutSeconds+execTimeout) * time.Second))
	return nil
}

// storeCommand resolves the targets into invocations and records the
// command; it answers the command as SendCommand returns it.
func (a *Area) storeCommand(c *command, in *sendCommandInput) (*sendCommandOutput, error) {
	var out sendCommandOutput
	fleet := newNodeSet(a.nodes.All())
	err := a.mutate(func(st *state) error {
		ids, aerr := a.resolveTargets(fleet, in.InstanceIds, in.Targets, c.platforms)
		if aerr != nil {
			return aerr
		}
		for _, id := range ids {
			inv := &invocation{InstanceID: id, Status: "Pending", StatusDetails: "Pending"}
			if n := fleet.byID[id]; n != nil {
				inv.InstanceName = n.ComputerName
			}
			for _, step := range c.steps {
				inv.Plugins = append(inv.Plugins, &pluginRun{Name: step.Name, Status: "Pending", StatusDetails: "Pending", ResponseCode: -1})
			}
			c.Invocations = append(c.Invocations, inv)
		}
		c.concurrency = resolveRate(c.MaxConcurrency, len(ids), true)
		c.errorLimit = resolveRate(c.MaxErrors, len(ids), false)
		st.Commands = append(st.Commands, c)
		st.commandByID[c.ID] = c
		out.Command = a.commandWire(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// checkTargetKey accepts the Target keys Run Command resolves
// (SendCommand's Targets documentation and "Run commands at scale"):
// InstanceIds, tag:<key>, tag-key, resource-groups:Name and, with it,
// resource-groups:ResourceTypeFilters.
func checkTargetKey(key string, n int) error {
	switch {
	case strings.EqualFold(key, "InstanceIds"), key == "tag-key", key == "resource-groups:Name":
		return nil
	case key == "resource-groups:ResourceTypeFilters":
		if n < 2 {
			return protocol.ErrValidation("resource-groups:ResourceTypeFilters can only be used with resource-groups:Name.")
		}
		return nil
	case strings.HasPrefix(key, "tag:") && len(key) > len("tag:"):
		return nil
	}
	return protocol.ErrValidation(fmt.Sprintf("Target key %s is not supported. Use InstanceIds, tag:<key>, tag-key, resource-groups:Name or resource-groups:ResourceTypeFilters.", key))
}
