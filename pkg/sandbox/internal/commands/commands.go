package commands

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Run Command: SendCommand, ListCommands, ListCommandInvocations,
// GetCommandInvocation and CancelCommand. Commands run on the fleet's
// simulated nodes (agent.go). Rules, limits and error names come from
// botocore's ssm/2014-11-06 model; statuses and their meaning from the
// model's StatusDetails documentation and "Understanding command statuses"
// (AWS Systems Manager User Guide). docs/sandbox-run-command.md lists the decisions.

// Wire types.

type targetWire struct {
	Key    *string  `json:"Key,omitempty"`
	Values []string `json:"Values"`
}

type notificationConfig struct {
	NotificationArn    string   `json:"NotificationArn"`
	NotificationEvents []string `json:"NotificationEvents"`
	NotificationType   string   `json:"NotificationType"`
}

type cloudWatchOutputConfig struct {
	CloudWatchLogGroupName  string `json:"CloudWatchLogGroupName"`
	CloudWatchOutputEnabled bool   `json:"CloudWatchOutputEnabled"`
}

type notificationConfigInput struct {
	NotificationArn    *string  `json:"NotificationArn"`
	NotificationEvents []string `json:"NotificationEvents"`
	NotificationType   *string  `json:"NotificationType"`
}

type cloudWatchOutputConfigInput struct {
	CloudWatchLogGroupName  *string `json:"CloudWatchLogGroupName"`
	CloudWatchOutputEnabled *bool   `json:"CloudWatchOutputEnabled"`
}

type sendCommandInput struct {
	InstanceIds            []string                     `json:"InstanceIds"`
	Targets                []targetWire                 `json:"Targets"`
	DocumentName           *string                      `json:"DocumentName"`
	DocumentVersion        *string                      `json:"DocumentVersion"`
	DocumentHash           *string                      `json:"DocumentHash"`
	DocumentHashType       *string                      `json:"DocumentHashType"`
	TimeoutSeconds         *int32                       `json:"TimeoutSeconds"`
	Comment                *string                      `json:"Comment"`
	Parameters             map[string][]string          `json:"Parameters"`
	OutputS3Region         *string                      `json:"OutputS3Region"`
	OutputS3BucketName     *string                      `json:"OutputS3BucketName"`
	OutputS3KeyPrefix      *string                      `json:"OutputS3KeyPrefix"`
	MaxConcurrency         *string                      `json:"MaxConcurrency"`
	MaxErrors              *string                      `json:"MaxErrors"`
	ServiceRoleArn         *string                      `json:"ServiceRoleArn"`
	NotificationConfig     *notificationConfigInput     `json:"NotificationConfig"`
	CloudWatchOutputConfig *cloudWatchOutputConfigInput `json:"CloudWatchOutputConfig"`
	AlarmConfiguration     json.RawMessage              `json:"AlarmConfiguration"`
}

type commandWire struct {
	CommandId              string                 `json:"CommandId"`
	DocumentName           string                 `json:"DocumentName"`
	DocumentVersion        string                 `json:"DocumentVersion"`
	Comment                string                 `json:"Comment"`
	ExpiresAfter           *protocol.EpochTime    `json:"ExpiresAfter,omitempty"`
	Parameters             map[string][]string    `json:"Parameters"`
	InstanceIds            []string               `json:"InstanceIds"`
	Targets                []targetWire           `json:"Targets"`
	RequestedDateTime      *protocol.EpochTime    `json:"RequestedDateTime"`
	Status                 string                 `json:"Status"`
	StatusDetails          string                 `json:"StatusDetails"`
	OutputS3Region         string                 `json:"OutputS3Region"`
	OutputS3BucketName     string                 `json:"OutputS3BucketName"`
	OutputS3KeyPrefix      string                 `json:"OutputS3KeyPrefix"`
	MaxConcurrency         string                 `json:"MaxConcurrency"`
	MaxErrors              string                 `json:"MaxErrors"`
	TargetCount            int                    `json:"TargetCount"`
	CompletedCount         int                    `json:"CompletedCount"`
	ErrorCount             int                    `json:"ErrorCount"`
	DeliveryTimedOutCount  int                    `json:"DeliveryTimedOutCount"`
	ServiceRole            string                 `json:"ServiceRole"`
	NotificationConfig     notificationConfig     `json:"NotificationConfig"`
	CloudWatchOutputConfig cloudWatchOutputConfig `json:"CloudWatchOutputConfig"`
	TimeoutSeconds         int                    `json:"TimeoutSeconds"`
	AlarmConfiguration     json.RawMessage        `json:"AlarmConfiguration,omitempty"`
}

type sendCommandOutput struct {
	Command commandWire `json:"Command"`
}

type commandFilter struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type listCommandsInput struct {
	CommandId  *string         `json:"CommandId"`
	InstanceId *string         `json:"InstanceId"`
	MaxResults *int32          `json:"MaxResults"`
	NextToken  *string         `json:"NextToken"`
	Filters    []commandFilter `json:"Filters"`
}

type listCommandsOutput struct {
	Commands  []commandWire `json:"Commands"`
	NextToken string        `json:"NextToken,omitempty"`
}

type listCommandInvocationsInput struct {
	CommandId  *string         `json:"CommandId"`
	InstanceId *string         `json:"InstanceId"`
	MaxResults *int32          `json:"MaxResults"`
	NextToken  *string         `json:"NextToken"`
	Filters    []commandFilter `json:"Filters"`
	Details    *bool           `json:"Details"`
}

type commandPluginWire struct {
	Name                   string              `json:"Name"`
	Status                 string              `json:"Status"`
	StatusDetails          string              `json:"StatusDetails"`
	ResponseCode           int                 `json:"ResponseCode"`
	ResponseStartDateTime  *protocol.EpochTime `json:"ResponseStartDateTime,omitempty"`
	ResponseFinishDateTime *protocol.EpochTime `json:"ResponseFinishDateTime,omitempty"`
	Output                 string              `json:"Output"`
	StandardOutputUrl      string              `json:"StandardOutputUrl"`
	StandardErrorUrl       string              `json:"StandardErrorUrl"`
	OutputS3Region         string              `json:"OutputS3Region"`
	OutputS3BucketName     string              `json:"OutputS3BucketName"`
	OutputS3KeyPrefix      string              `json:"OutputS3KeyPrefix"`
}

type commandInvocationWire struct {
	CommandId              string                 `json:"CommandId"`
	InstanceId             string                 `json:"InstanceId"`
	InstanceName           string                 `json:"InstanceName"`
	Comment                string                 `json:"Comment"`
	DocumentName           string                 `json:"DocumentName"`
	DocumentVersion        string                 `json:"DocumentVersion"`
	RequestedDateTime      *protocol.EpochTime    `json:"RequestedDateTime"`
	Status                 string                 `json:"Status"`
	StatusDetails          string                 `json:"StatusDetails"`
	TraceOutput            string                 `json:"TraceOutput"`
	StandardOutputUrl      string                 `json:"StandardOutputUrl"`
	StandardErrorUrl       string                 `json:"StandardErrorUrl"`
	CommandPlugins         []commandPluginWire    `json:"CommandPlugins"`
	ServiceRole            string                 `json:"ServiceRole"`
	NotificationConfig     notificationConfig     `json:"NotificationConfig"`
	CloudWatchOutputConfig cloudWatchOutputConfig `json:"CloudWatchOutputConfig"`
}

type listCommandInvocationsOutput struct {
	CommandInvocations []commandInvocationWire `json:"CommandInvocations"`
	NextToken          string                  `json:"NextToken,omitempty"`
}

type getCommandInvocationInput struct {
	CommandId  *string `json:"CommandId"`
	InstanceId *string `json:"InstanceId"`
	PluginName *string `json:"PluginName"`
}

type getCommandInvocationOutput struct {
	CommandId              string                 `json:"CommandId"`
	InstanceId             string                 `json:"InstanceId"`
	Comment                string                 `json:"Comment"`
	DocumentName           string                 `json:"DocumentName"`
	DocumentVersion        string                 `json:"DocumentVersion"`
	PluginName             string                 `json:"PluginName"`
	ResponseCode           int                    `json:"ResponseCode"`
	ExecutionStartDateTime string                 `json:"ExecutionStartDateTime"`
	ExecutionElapsedTime   string                 `json:"ExecutionElapsedTime"`
	ExecutionEndDateTime   string                 `json:"ExecutionEndDateTime"`
	Status                 string                 `json:"Status"`
	StatusDetails          string                 `json:"StatusDetails"`
	StandardOutputContent  string                 `json:"StandardOutputContent"`
	StandardOutputUrl      string                 `json:"StandardOutputUrl"`
	StandardErrorContent   string                 `json:"StandardErrorContent"`
	StandardErrorUrl       string                 `json:"StandardErrorUrl"`
	CloudWatchOutputConfig cloudWatchOutputConfig `json:"CloudWatchOutputConfig"`
}

type cancelCommandInput struct {
	CommandId   *string  `json:"CommandId"`
	InstanceIds []string `json:"InstanceIds"`
}

// Model patterns, enums and limits, and AWS's documented defaults.
var (
	instanceIDPattern     = regexp.MustCompile(`(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)`)
	targetKeyPattern      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name`)
	maxConcurrencyPattern = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	maxErrorsPattern      = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	notificationEvents    = []string{"All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"}
	// CommandFilter value documentation: the Status values each operation
	// accepts.
	commandStatusFilterValues    = []string{"Pending", "InProgress", "Success", "Cancelled", "Failed", "TimedOut", "AccessDenied", "DeliveryTimedOut", "ExecutionTimedOut", "Incomplete", "NoInstancesInTag", "LimitExceeded"}
	invocationStatusFilterValues = []string{"Pending", "InProgress", "Delayed", "Success", "Cancelled", "Failed", "TimedOut", "AccessDenied", "DeliveryTimedOut", "ExecutionTimedOut", "Undeliverable", "InvalidPlatform", "Terminated"}
)

const (
	// SendCommand documentation: MaxConcurrency "The default value is 50",
	// MaxErrors "The default value is 0".
	defaultMaxConcurrency = "50"
	defaultMaxErrors      = "0"
	// "Understanding command timeout values": "The default for Timeout
	// (seconds) is 3600 seconds".
	defaultDeliveryTimeout = 3600
	// The agent's default execution timeout (pluginutil).
	defaultExecutionTimeout = 3600
	defaultCommandPage      = 50
	// Output limits: CommandPlugin.Output (model max 2500, the agent's
	// MaximumPluginOutputSize), StandardOutputContent 24000 and
	// StandardErrorContent 8000 (model).
	maxPluginOutput = 2500
	maxStdout       = 24000
	maxStderr       = 8000
)

func errInvalidCommandID() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidCommandId", "")
}

func errInvocationDoesNotExist() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvocationDoesNotExist", "")
}

func errDuplicateInstanceID() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "DuplicateInstanceId", "")
}

// command is one SendCommand and its invocations. It is guarded by
// Server.mu and persisted with the state.
type command struct {
	ID                 string                 `json:"id"`
	DocumentName       string                 `json:"documentName"`
	DocumentVersion    string                 `json:"documentVersion"`
	Comment            string                 `json:"comment,omitempty"`
	Parameters         map[string][]string    `json:"parameters,omitempty"`
	InstanceIDs        []string               `json:"instanceIds,omitempty"`
	Targets            []targetWire           `json:"targets,omitempty"`
	Requested          time.Time              `json:"requested"`
	Expires            time.Time              `json:"expires"`
	OutputS3BucketName string                 `json:"outputS3BucketName,omitempty"`
	OutputS3KeyPrefix  string                 `json:"outputS3KeyPrefix,omitempty"`
	MaxConcurrency     string                 `json:"maxConcurrency"`
	MaxErrors          string                 `json:"maxErrors"`
	TimeoutSeconds     int                    `json:"timeoutSeconds"`
	ServiceRole        string                 `json:"serviceRole,omitempty"`
	Notification       notificationConfig     `json:"notification"`
	CloudWatch         cloudWatchOutputConfig `json:"cloudWatch"`
	Alarm              json.RawMessage        `json:"alarm,omitempty"`
	CancelRequested    bool                   `json:"cancelRequested,omitempty"`
	Invocations        []*invocation          `json:"invocations"`

	// Runtime only.
	concurrency int // MaxConcurrency resolved against TargetCount
	errorLimit  int // MaxErrors resolved against TargetCount
	platforms   []string
	steps       []documents.Step // parameters substituted
	cancelCh    chan struct{}
}

// invocation is the command on one node.
type invocation struct {
	InstanceID    string       `json:"instanceId"`
	InstanceName  string       `json:"instanceName,omitempty"`
	Status        string       `json:"status"`
	StatusDetails string       `json:"statusDetails"`
	Plugins       []*pluginRun `json:"plugins"`

	// Runtime only.
	dispatched bool
	cancel     func()
}

// pluginRun is one step of the document on one node.
type pluginRun struct {
	Name          string    `json:"name"`
	Status        string    `json:"status"`
	StatusDetails string    `json:"statusDetails"`
	ResponseCode  int       `json:"responseCode"`
	Start         time.Time `json:"start,omitzero"`
	End           time.Time `json:"end,omitzero"`
	Stdout        string    `json:"stdout,omitempty"`
	Stderr        string    `json:"stderr,omitempty"`
	// Message replaces the output for steps the agent skipped or failed
	// before running them.
	Message string `json:"message,omitempty"`
}

func (inv *invocation) terminal() bool {
	switch inv.Status {
	case "Pending", "InProgress", "Delayed", "Cancelling":
		return false
	}
	return true
}

func (inv *invocation) plugin(name string) *pluginRun {
	for _, p := range inv.Plugins {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// setAll sets the invocation and every plugin that has not finished to a
// status the agent never reported (ResponseCode -1).
func (inv *invocation) setAll(status, details string) {
	inv.Status, inv.StatusDetails = status, details
	for _, p := range inv.Plugins {
		switch p.Status {
		case "Pending", "InProgress", "Cancelling":
			p.Status, p.StatusDetails = pluginStatus(status), details
			if p.Start.IsZero() {
				p.ResponseCode = -1
			}
		}
	}
}

// pluginStatus maps an invocation status onto CommandPluginStatus, which has
// no Delayed or Cancelling.
func pluginStatus(s string) string {
	switch s {
	case "Delayed":
		return "Pending"
	case "Cancelling":
		return "InProgress"
	}
	return s
}

func newCommandID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// resolveRate turns "N" or "N%" into a count of targets. Concurrency
// rounds a percentage up and is at least 1 (a command always makes
// progress); the error threshold rounds down ("10% of 50" is 5, the
// documented example).
func resolveRate(spec string, targets int, roundUp bool) int {
	if p, ok := strings.CutSuffix(spec, "%"); ok {
		n, _ := strconv.Atoi(p)
		f := float64(n) * float64(targets) / 100
		if roundUp {
			return max(1, int(math.Ceil(f)))
		}
		return int(math.Floor(f))
	}
	n, _ := strconv.Atoi(spec)
	return n
}

// status computes the command's aggregate Status and StatusDetails from its
// invocations, following "Understanding command statuses": errors (Failed,
// ExecutionTimedOut) beyond MaxErrors make it Failed; delivery timeouts
// beyond MaxErrors make it TimedOut; Undeliverable and InvalidPlatform
// invocations count only when nothing else succeeded.
func (c *command) status() (status, details string) {
	n := len(c.Invocations)
	if n == 0 {
		return "Success", "NoInstancesInTag"
	}
	var terminal, pending, success, neutral, failed, execTimedOut, dto int
	for _, inv := range c.Invocations {
		if inv.terminal() {
			terminal++
		}
		switch inv.StatusDetails {
		case "Pending":
			pending++
		case "Success":
			success++
		case "Undeliverable", "InvalidPlatform", "AccessDenied":
			neutral++
		case "Failed":
			failed++
		case "ExecutionTimedOut":
			execTimedOut++
		case "DeliveryTimedOut":
			dto++
		}
	}
	if terminal < n {
		switch {
		case c.CancelRequested:
			return "Cancelling", "Cancelling"
		case pending == n:
			return "Pending", "Pending"
		}
		return "InProgress", "InProgress"
	}
	switch {
	case c.CancelRequested:
		return "Cancelled", "Cancelled"
	case failed+execTimedOut > c.errorLimit && failed > 0:
		return "Failed", "Failed"
	case failed+execTimedOut > c.errorLimit:
		return "TimedOut", "ExecutionTimedOut"
	case dto > c.errorLimit:
		return "TimedOut", "DeliveryTimedOut"
	case success+neutral == n && success > 0:
		return "Success", "Success"
	case neutral == n:
		return "Failed", "Failed"
	}
	return "Success", "Incomplete"
}

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

// Handlers.

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

// nodeSet is a copy of the fleet, taken before a command is stored.
type nodeSet struct {
	list []*nodes.Node
	byID map[string]*nodes.Node
}

func newNodeSet(list []*nodes.Node) nodeSet {
	set := nodeSet{list: list, byID: make(map[string]*nodes.Node, len(list))}
	for _, n := range list {
		set.byID[n.ID] = n
	}
	return set
}

// resolveTargets turns InstanceIds or Targets into node IDs, in fleet
// order for Targets.
func (a *Area) resolveTargets(st nodeSet, ids []string, targets []targetWire, platforms []string) ([]string, *protocol.APIError) {
	if len(ids) > 0 {
		// InstanceIds must all be managed nodes that can receive commands;
		// AWS answers InvalidInstanceId for the others, naming them in
		// double brackets.
		var bad []string
		for _, id := range ids {
			if n := st.byID[id]; n == nil || n.Ping == "Inactive" {
				bad = append(bad, id)
			}
		}
		if len(bad) > 0 {
			return nil, protocol.ErrInvalidInstanceID(fmt.Sprintf("Instances [[%s]] not in a valid state for account %s", strings.Join(bad, ", "), a.h.AccountID))
		}
		// A node whose platform the document does not support is refused
		// (UnsupportedPlatformType, as AWS answers AWS-RunShellScript sent
		// to a Windows instance).
		for _, id := range ids {
			if n := st.byID[id]; !slices.Contains(platforms, n.Platform.Type) {
				return nil, protocol.Errorf(http.StatusBadRequest, "UnsupportedPlatformType", "Cannot perform operation for instance id %s of platform type %s", id, n.Platform.Type)
			}
		}
		return ids, nil
	}
	// Targets AND together; the values of one target OR.
	var explicit []string
	hasExplicit := false
	var rtFilters []string
	for _, t := range targets {
		if strings.EqualFold(*t.Key, "InstanceIds") {
			hasExplicit = true
			for _, id := range t.Values {
				if !slices.Contains(explicit, id) {
					explicit = append(explicit, id)
				}
			}
		}
		if *t.Key == "resource-groups:ResourceTypeFilters" {
			rtFilters = append(rtFilters, t.Values...)
		}
	}
	match := func(n *nodes.Node) bool {
		for _, t := range targets {
			key := *t.Key
			switch {
			case strings.EqualFold(key, "InstanceIds"):
				if !slices.Contains(t.Values, n.ID) {
					return false
				}
			case key == "resource-groups:Name":
				in := false
				for _, g := range t.Values {
					if slices.Contains(n.Groups, g) {
						in = true
					}
				}
				if !in {
					return false
				}
			case key == "resource-groups:ResourceTypeFilters":
				ok := len(rtFilters) == 0
				for _, f := range rtFilters {
					if f == "AWS::EC2::Instance" && !n.Hybrid() || f == "AWS::SSM::ManagedInstance" && n.Hybrid() {
						ok = true
					}
				}
				if !ok {
					return false
				}
			default:
				if !nodes.Matches(n, key, t.Values) {
					return false
				}
			}
		}
		return true
	}
	var out []string
	for _, n := range st.list {
		if match(n) {
			out = append(out, n.ID)
		}
	}
	// IDs named in an InstanceIds target that are not managed nodes still
	// get an invocation, which is Undeliverable ("The managed node might
	// not exist").
	if hasExplicit && len(targets) == 1 {
		for _, id := range explicit {
			if st.byID[id] == nil {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// commandFilters validates Filters for ListCommands (execStage true) or
// ListCommandInvocations.
type parsedCommandFilters struct {
	after, before *time.Time
	statuses      []string
	documentNames []string
	stage         string
}

func parseCommandFilters(v *protocol.Validator, filters []commandFilter, listCommands bool) (*parsedCommandFilters, error) {
	if filters != nil {
		v.Count("filters", len(filters), 1, 5)
	}
	for i, f := range filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName")
		}
		if v.Required(p+".value", f.Value != nil) {
			v.Length(p+".value", *f.Value, 1, 128)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &parsedCommandFilters{}
	for _, f := range filters {
		val := *f.Value
		switch *f.Key {
		case "InvokedAfter", "InvokedBefore":
			t, err := protocol.ParseFilterTime(val)
			if err != nil {
				return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s: %q is not a timestamp such as 2024-07-07T00:00:00Z.", *f.Key, val))
			}
			if *f.Key == "InvokedAfter" {
				out.after = &t
			} else {
				out.before = &t
			}
		case "Status":
			allowed := invocationStatusFilterValues
			if listCommands {
				allowed = commandStatusFilterValues
			}
			if !slices.Contains(allowed, val) {
				return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s is not a valid value for the Status filter. Valid values: %s.", val, strings.Join(allowed, ", ")))
			}
			out.statuses = append(out.statuses, val)
		case "DocumentName":
			out.documentNames = append(out.documentNames, val)
		case "ExecutionStage":
			// CommandFilter key documentation: "The ExecutionStage filter
			// can't be used with the ListCommandInvocations operation".
			if !listCommands {
				return nil, protocol.ErrInvalidFilterKey("The ExecutionStage filter can't be used with ListCommandInvocations, only with ListCommands.")
			}
			if val != "Executing" && val != "Complete" {
				return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s is not a valid value for the ExecutionStage filter. Valid values: Executing, Complete.", val))
			}
			out.stage = val
		}
	}
	return out, nil
}

func (f *parsedCommandFilters) matchCommon(c *command) bool {
	if f.after != nil && c.Requested.Before(*f.after) {
		return false
	}
	if f.before != nil && c.Requested.After(*f.before) {
		return false
	}
	if len(f.documentNames) > 0 && !slices.Contains(f.documentNames, c.DocumentName) {
		return false
	}
	return true
}

// statusMatches reports whether a Status filter value names a status or a
// status detail (TimedOut covers DeliveryTimedOut and ExecutionTimedOut).
func statusMatches(values []string, status, details string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		if v == status || v == details {
			return true
		}
	}
	return false
}

func (a *Area) listCommands(in *listCommandsInput) (*listCommandsOutput, error) {
	var v protocol.Validator
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, instanceIDPattern)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	f, err := parseCommandFilters(&v, in.Filters, true)
	if err != nil {
		return nil, err
	}
	size := defaultCommandPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListCommands", in.CommandId, in.InstanceId, in.Filters)
	var out listCommandsOutput
	a.view(func(st *state) {
		var matched []*command
		for i := len(st.Commands) - 1; i >= 0; i-- { // newest first
			c := st.Commands[i]
			if in.CommandId != nil && c.ID != *in.CommandId {
				continue
			}
			if in.InstanceId != nil && !slices.ContainsFunc(c.Invocations, func(inv *invocation) bool { return inv.InstanceID == *in.InstanceId }) {
				continue
			}
			if !f.matchCommon(c) {
				continue
			}
			status, details := c.status()
			if !statusMatches(f.statuses, status, details) {
				continue
			}
			done := status != "Pending" && status != "InProgress" && status != "Cancelling"
			if f.stage == "Executing" && done || f.stage == "Complete" && !done {
				continue
			}
			matched = append(matched, c)
		}
		var ok bool
		if out.Commands, out.NextToken, ok = protocol.PageOf(matched, protocol.Deref(in.NextToken), fp, size, a.commandWire); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) listCommandInvocations(in *listCommandInvocationsInput) (*listCommandInvocationsOutput, error) {
	var v protocol.Validator
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, instanceIDPattern)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	f, err := parseCommandFilters(&v, in.Filters, false)
	if err != nil {
		return nil, err
	}
	size := defaultCommandPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	details := in.Details != nil && *in.Details
	fp := protocol.PageFingerprint("ListCommandInvocations", in.CommandId, in.InstanceId, in.Filters, details)
	var out listCommandInvocationsOutput
	a.view(func(st *state) {
		type pair struct {
			c   *command
			inv *invocation
		}
		var matched []pair
		for i := len(st.Commands) - 1; i >= 0; i-- {
			c := st.Commands[i]
			if in.CommandId != nil && c.ID != *in.CommandId || !f.matchCommon(c) {
				continue
			}
			for _, inv := range c.Invocations {
				if in.InstanceId != nil && inv.InstanceID != *in.InstanceId {
					continue
				}
				if !statusMatches(f.statuses, inv.Status, inv.StatusDetails) {
					continue
				}
				matched = append(matched, pair{c, inv})
			}
		}
		off, ok := protocol.DecodePageToken(protocol.Deref(in.NextToken), fp, len(matched))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		from, to, next := protocol.Page(len(matched), off, size, fp)
		out.CommandInvocations = make([]commandInvocationWire, 0, to-from)
		for _, m := range matched[from:to] {
			out.CommandInvocations = append(out.CommandInvocations, a.invocationWire(m.c, m.inv, details))
		}
		out.NextToken = next
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

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

func (a *Area) cancelCommand(in *cancelCommandInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("commandId", in.CommandId != nil) {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	v.Count("instanceIds", len(in.InstanceIds), 0, 50)
	for _, id := range in.InstanceIds {
		v.Pattern("instanceIds.member", id, instanceIDPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range in.InstanceIds {
		if seen[id] {
			return nil, errDuplicateInstanceID()
		}
		seen[id] = true
	}
	var err error
	a.view(func(st *state) {
		c := st.commandByID[*in.CommandId]
		if c == nil {
			err = errInvalidCommandID()
			return
		}
		var targets []*invocation
		if len(in.InstanceIds) == 0 {
			targets = c.Invocations
		} else {
			for _, id := range in.InstanceIds {
				i := slices.IndexFunc(c.Invocations, func(inv *invocation) bool { return inv.InstanceID == id })
				if i < 0 {
					err = protocol.ErrInvalidInstanceID(fmt.Sprintf("Instance %s is not a target of command %s.", id, c.ID))
					return
				}
				targets = append(targets, c.Invocations[i])
			}
		}
		whole := len(in.InstanceIds) == 0 || len(targets) == len(c.Invocations)
		if whole && !c.CancelRequested {
			if s, _ := c.status(); s == "Pending" || s == "InProgress" {
				c.CancelRequested = true
				if c.cancelCh != nil {
					close(c.cancelCh)
				}
			}
		}
		// "There is no guarantee that the command will be terminated":
		// finished invocations stay as they are; those not yet sent are
		// cancelled at once; running ones go through Cancelling while the
		// node kills the process group.
		for _, inv := range targets {
			switch {
			case inv.terminal():
			case !inv.dispatched:
				inv.setAll("Cancelled", "Cancelled")
			default:
				inv.Status, inv.StatusDetails = "Cancelling", "Cancelling"
				if inv.cancel != nil {
					inv.cancel()
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}
