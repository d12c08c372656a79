package runcmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/clock"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// API limits and defaults (SSM API reference, SendCommand; the
// AWS-RunShellScript document).
const (
	MaxInstanceIDs = 50 // SendCommand InstanceIds
	MaxTargets     = 5  // SendCommand Targets
	maxCommentLen  = 100
	// SendCommand TimeoutSeconds: 30..2592000.
	minDelivery = 30 * time.Second
	maxDelivery = 2592000 * time.Second
	// The agent's executionTimeout: 5..172800 s; it runs a command with
	// any other value under the default 3600 s (pluginutil).
	minExecution = 5 * time.Second
	maxExecution = 172800 * time.Second
	// MaxConcurrency and MaxErrors: at most 7 characters; OutputS3BucketName
	// 3..63, OutputS3KeyPrefix at most 500, CloudWatchLogGroupName 1..512.
	maxPolicyLen    = 7
	minS3Bucket     = 3
	maxS3Bucket     = 63
	maxS3Prefix     = 500
	maxLogGroup     = 512
	defaultDelivery = 3600 * time.Second // TimeoutSeconds when not given
	defaultExecute  = 3600 * time.Second // AWS-RunShellScript executionTimeout default

	// ShellDocument and PowerShellDocument are the documents run uses
	// when none is given.
	ShellDocument      = "AWS-RunShellScript"
	PowerShellDocument = "AWS-RunPowerShellScript"
)

// The MaxConcurrency and MaxErrors patterns of the SSM API.
var (
	concurrencyPattern = lazyre.New(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	errorsPattern      = lazyre.New(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	versionPattern     = lazyre.New(`^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$`)
)

// shellParams are the parameters of AWS-RunShellScript and
// AWS-RunPowerShellScript, known without asking AWS.
var shellParams = map[string]types.DocumentParameterType{
	"commands":         types.DocumentParameterTypeStringList,
	"workingDirectory": types.DocumentParameterTypeString,
	"executionTimeout": types.DocumentParameterTypeString,
}

// Request is what to run where.
type Request struct {
	// Specs are the targets, aliases expanded. At least one.
	Specs []target.Spec
	// Document is NAME or NAME:VERSION; empty picks AWS-RunShellScript or
	// AWS-RunPowerShellScript by the targets' platform.
	Document string
	// Commands is a command line sent as it is, as the document's
	// "commands" parameter. Args (the words after "--") and Script (a
	// script's text) are turned into one for the document's shell once it
	// is known (commandline.go); give one of the three.
	Commands []string
	Args     []string
	Script   string
	// Parameters are the document's parameters; several values of one
	// key make a list.
	Parameters map[string][]string
	// MaxConcurrency and MaxErrors are N or N%; empty means 50 and 0.
	MaxConcurrency, MaxErrors string
	// ExecutionTimeout is the document's executionTimeout; zero leaves
	// the document's default.
	ExecutionTimeout time.Duration
	// DeliveryTimeout is SendCommand's TimeoutSeconds; zero leaves AWS's
	// default (3600 s).
	DeliveryTimeout time.Duration
	Comment         string
	OutputS3Bucket  string
	OutputS3Prefix  string
	// CloudWatchOutput enables output to CloudWatch Logs, in
	// CloudWatchLogGroup or the default group.
	CloudWatchOutput   bool
	CloudWatchLogGroup string
	ServiceRoleARN     string
	NotificationARN    string
	// Ping keeps the nodes with these ping statuses (AWS's spelling);
	// Platform the nodes of this PlatformType. Either sends node IDs.
	Ping     []string
	Platform string
}

// Validate checks the request without any I/O. Errors are usage errors.
func (r *Request) Validate() error {
	if len(r.Specs) == 0 {
		return exitcode.Usagef("no targets: give node IDs, names, tag:Key=Value or group:NAME as arguments or --target")
	}
	if r.MaxConcurrency != "" && (len(r.MaxConcurrency) > maxPolicyLen || !concurrencyPattern.MatchString(r.MaxConcurrency)) {
		return exitcode.Usagef("invalid --max-concurrency %q: want a number from 1 or a percentage from 1%% to 100%%", r.MaxConcurrency)
	}
	if r.MaxErrors != "" && (len(r.MaxErrors) > maxPolicyLen || !errorsPattern.MatchString(r.MaxErrors)) {
		return exitcode.Usagef("invalid --max-errors %q: want a number from 0 or a percentage from 0%% to 100%%", r.MaxErrors)
	}
	if err := r.validateLimits(); err != nil {
		return err
	}
	if _, err := target.NormalizePing(r.Ping); err != nil {
		return err
	}
	if r.Platform != "" {
		if _, err := NormalizePlatform(r.Platform); err != nil {
			return err
		}
	}
	if len([]rune(r.Comment)) > maxCommentLen {
		return exitcode.Usagef("--comment is longer than %d characters", maxCommentLen)
	}
	if _, _, err := splitDocument(r.Document); err != nil {
		return err
	}
	for _, c := range r.given() {
		if strings.TrimSpace(c) == "" {
			return exitcode.Usagef("empty command")
		}
	}
	if len(r.given()) > 0 && len(r.Parameters["commands"]) > 0 {
		return exitcode.Usagef("give the command after -- or as --param commands=..., not both")
	}
	if r.Document == "" && len(r.given()) == 0 && len(r.Parameters["commands"]) == 0 {
		return exitcode.Usagef("no command: give one after --, or --script FILE, or --document")
	}
	if r.ExecutionTimeout != 0 && len(r.Parameters["executionTimeout"]) > 0 {
		return exitcode.Usagef("give --timeout or --param executionTimeout=..., not both")
	}
	return nil
}

// validateLimits checks the timeouts, the S3 and CloudWatch Logs names
// against the SSM API model and the agent; zero timeouts are the defaults.
func (r *Request) validateLimits() error {
	if r.ExecutionTimeout != 0 {
		if err := CheckExecutionTimeout(r.ExecutionTimeout); err != nil {
			return err
		}
	}
	if v := r.Parameters["executionTimeout"]; len(v) == 1 && r.Document == "" {
		if n, err := strconv.Atoi(v[0]); err != nil || n < int(minExecution/time.Second) || n > int(maxExecution/time.Second) {
			return exitcode.Usagef("invalid executionTimeout %q: want seconds from 5 to 172800", v[0])
		}
	}
	if r.DeliveryTimeout != 0 {
		if err := CheckDeliveryTimeout(r.DeliveryTimeout); err != nil {
			return err
		}
	}
	if n := len(r.OutputS3Bucket); n != 0 && (n < minS3Bucket || n > maxS3Bucket) {
		return exitcode.Usagef("invalid --output-s3-bucket %q: a bucket name has 3 to 63 characters", r.OutputS3Bucket)
	}
	if r.OutputS3Prefix != "" && r.OutputS3Bucket == "" {
		return exitcode.Usagef("--output-s3-prefix needs --output-s3-bucket")
	}
	if len(r.OutputS3Prefix) > maxS3Prefix {
		return exitcode.Usagef("--output-s3-prefix is longer than %d characters", maxS3Prefix)
	}
	if len(r.CloudWatchLogGroup) > maxLogGroup {
		return exitcode.Usagef("--cloudwatch-output log group is longer than %d characters", maxLogGroup)
	}
	return nil
}

// RangeError is a timeout out of the range AWS accepts. Reason says the
// range, so a caller can blame the value on where it came from (a flag or
// the config file); it is a usage error.
type RangeError struct {
	Flag   string        // "timeout" or "delivery-timeout"
	Value  time.Duration // what was given
	Reason string        // the range, e.g. "want whole seconds from 5s to 48h (...)"
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("invalid --%s %s: %s", e.Flag, e.Value, e.Reason)
}

// Unwrap gives the exit code: a usage error.
func (e *RangeError) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Usage, Err: errors.New(e.Error())}
}

// CheckExecutionTimeout checks a --timeout the user gave: zero is not the
// default there, it is out of range.
func CheckExecutionTimeout(d time.Duration) error {
	if d < minExecution || d > maxExecution || d%time.Second != 0 {
		return &RangeError{Flag: "timeout", Value: d, Reason: "want whole seconds from 5s to 48h (the agent's executionTimeout)"}
	}
	return nil
}

// CheckDeliveryTimeout checks a --delivery-timeout the user gave.
func CheckDeliveryTimeout(d time.Duration) error {
	if d < minDelivery || d > maxDelivery || d%time.Second != 0 {
		return &RangeError{Flag: "delivery-timeout", Value: d, Reason: "want whole seconds from 30s to 720h (SendCommand TimeoutSeconds)"}
	}
	return nil
}

// splitDocument splits NAME[:VERSION]. A version is $LATEST, $DEFAULT or a
// number, so a name that is an ARN keeps its colons.
func splitDocument(doc string) (name, version string, err error) {
	if i := strings.LastIndexByte(doc, ':'); i >= 0 && versionPattern.MatchString(doc[i+1:]) {
		name, version = doc[:i], doc[i+1:]
	} else {
		name = doc
	}
	if doc != "" && name == "" {
		return "", "", exitcode.Usagef("invalid --document %q: missing name", doc)
	}
	if strings.HasSuffix(name, ":") {
		return "", "", exitcode.Usagef("invalid --document %q: version must be $LATEST, $DEFAULT or a number", doc)
	}
	return name, version, nil
}

// Client runs commands and reads documents.
type Client struct {
	API   API
	Nodes target.NodeResolver
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Warn receives one-line warnings; nil drops them.
	Warn func(msg string)
	// AttemptTimeout bounds each call of a send or a wait; zero is 30 s
	// for SendCommand and 20 s for reads (docs/reliability.md).
	AttemptTimeout time.Duration
	// ExpiryGrace is how long past the command's own timeouts a wait goes
	// on before it gives up; zero is 2 minutes.
	ExpiryGrace time.Duration
}

func (c *Client) clock() clock.Clock { return clock.OrSystem(c.Clock) }

func (c *Client) warn(format string, args ...any) {
	if c.Warn != nil {
		c.Warn(fmt.Sprintf(format, args...))
	}
}

// Run is a command sent to a set of nodes: one SendCommand with Targets, or
// one per batch of up to 50 node IDs.
type Run struct {
	// CommandIDs are the commands this run sent, in order.
	CommandIDs []string
	// Document and DocumentVersion are what was sent.
	Document, DocumentVersion string
	// Nodes are the nodes the targets resolved to before sending.
	Nodes []target.Node
	// ByTargets is set when AWS resolves the targets (tag and group specs
	// sent as Targets); otherwise node IDs were sent.
	ByTargets bool
	// SentAt and Expires: AWS gives up on the command at Expires
	// (delivery timeout plus execution timeout after sending).
	SentAt, Expires time.Time

	// requestedAt is the earliest RequestedDateTime AWS gave the run's
	// commands (AWS's clock, unlike SentAt); zero if it gave none.
	requestedAt time.Time

	client   *Client
	commands []*sentCommand
	names    map[string]string
	// cancelled is set once this run cancelled its commands;
	// notCancelled are those whose CancelCommand failed.
	cancelled    bool
	notCancelled []string
	// Unsure are the marks of sends that may have reached AWS unseen: an
	// interrupted run could not look them up (docs/reliability.md).
	Unsure []string
}

type sentCommand struct {
	id       string
	expected int // node IDs sent; 0 with Targets until AWS counts them
	done     bool
}

// Start resolves the targets, picks and checks the document, and sends the
// command. Nothing is sent when the request is bad; errors found before
// sending are usage errors (252) or AWS errors (254).
func (c *Client) Start(ctx context.Context, req Request) (*Run, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	nodes, err := c.selectNodes(ctx, req)
	if err != nil {
		return nil, err
	}
	in, err := c.buildInput(ctx, req, nodes)
	if err != nil {
		return nil, err
	}
	run := &Run{
		client:          c,
		Document:        aws.ToString(in.DocumentName),
		DocumentVersion: aws.ToString(in.DocumentVersion),
		Nodes:           nodes,
		names:           map[string]string{},
	}
	for _, n := range nodes {
		run.names[n.ID] = n.Name
	}
	run.SentAt = c.clock().Now()
	exec := req.ExecutionTimeout
	if exec == 0 {
		exec = defaultExecute
	}
	deliver := req.DeliveryTimeout
	if deliver == 0 {
		deliver = defaultDelivery
	}
	run.Expires = run.SentAt.Add(deliver + exec)

	// Sends are not cut short by an interrupt (ctx): one cut short may
	// have landed unseen. The interrupt stops the sending between sends
	// (and a send's retries), and the run so far is returned with ctx's
	// error, for the caller to cancel (Interrupt).
	sendCtx := context.WithoutCancel(ctx)
	token := newRunToken()
	if targets, ok := awsTargets(req.Specs); ok && !req.narrowed() {
		run.ByTargets = true
		in.Targets = targets
		sent, err := c.sendOnce(sendCtx, in, sendMark(token, 1), ctx.Done())
		if err != nil {
			return run.sendFailed(ctx, err, 1, 1)
		}
		run.add(sent, 0)
		return run, nil
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	batches := (len(ids) + MaxInstanceIDs - 1) / MaxInstanceIDs
	for start := 0; start < len(ids); start += MaxInstanceIDs {
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		batch := ids[start:min(start+MaxInstanceIDs, len(ids))]
		b := *in
		b.InstanceIds = batch
		n := start/MaxInstanceIDs + 1
		sent, err := c.sendOnce(sendCtx, &b, sendMark(token, n), ctx.Done())
		if err != nil {
			return run.sendFailed(ctx, err, n, batches)
		}
		run.add(sent, len(batch))
	}
	return run, nil
}

// add takes in a command just sent to expected node IDs (0: Targets).
func (r *Run) add(sent *types.Command, expected int) {
	r.commands = append(r.commands, &sentCommand{id: aws.ToString(sent.CommandId), expected: expected})
	r.CommandIDs = append(r.CommandIDs, aws.ToString(sent.CommandId))
	r.extend(sent)
}

// sendFailed ends a Start whose n-th send of batches failed. Interrupted,
// it returns the run so far with ctx's error (the caller cancels it).
// Otherwise half a run is worse than none: what was sent is cancelled.
func (r *Run) sendFailed(ctx context.Context, err error, n, batches int) (*Run, error) {
	if unsure(err) {
		r.Unsure = append(r.Unsure, err.(*UnsureError).Mark)
	}
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	err = sendError(err)
	if len(r.CommandIDs) == 0 {
		return nil, err
	}
	left, _ := r.client.cancelAll(context.WithoutCancel(ctx), r.CommandIDs, r.client.clock().Now().Add(30*time.Second))
	msg := "cancelled " + strings.Join(r.CommandIDs, ", ")
	if len(left) > 0 {
		msg = fmt.Sprintf("cancelling failed, still running: %s (cancel with `ssmctl run cancel ID`)", strings.Join(left, ", "))
	}
	return nil, &exitcode.Error{Code: exitcode.Code(err), Err: fmt.Errorf("batch %d of %d not sent, %s: %w", n, batches, msg, err)}
}

// extend takes in what AWS said of a command just sent: when it expires
// and when it was requested.
func (r *Run) extend(cmd *types.Command) {
	if e := cmd.ExpiresAfter; e != nil && e.After(r.Expires) {
		r.Expires = *e
	}
	if t := cmd.RequestedDateTime; t != nil && (r.requestedAt.IsZero() || t.Before(r.requestedAt)) {
		r.requestedAt = *t
	}
}

// awsTargets turns tag and group specs into SendCommand Targets, when every
// spec is one and AWS can express them: at most 5, no empty tag value.
func awsTargets(specs []target.Spec) ([]types.Target, bool) {
	var out []types.Target
	for _, s := range specs {
		switch s.Kind {
		case target.KindTag:
			if slices.Contains(s.TagValues, "") {
				return nil, false
			}
			out = append(out, types.Target{Key: aws.String("tag:" + s.TagKey), Values: s.TagValues})
		case target.KindGroup:
			out = append(out, types.Target{Key: aws.String("resource-groups:Name"), Values: []string{s.Group}})
		default:
			return nil, false
		}
	}
	if len(out) == 0 || len(out) > MaxTargets {
		return nil, false
	}
	return out, true
}

// buildInput picks the document, checks the parameters against it, and
// fills in everything but the targets.
func (c *Client) buildInput(ctx context.Context, req Request, nodes []target.Node) (*ssm.SendCommandInput, error) {
	name, version, _ := splitDocument(req.Document)
	params := map[string][]string{}
	for k, v := range req.Parameters {
		params[k] = slices.Clone(v)
	}
	if len(req.Commands) > 0 {
		params["commands"] = slices.Clone(req.Commands)
	}
	if req.ExecutionTimeout > 0 {
		params["executionTimeout"] = []string{strconv.Itoa(int(req.ExecutionTimeout / time.Second))}
	}

	var declared map[string]types.DocumentParameterType
	if name == "" {
		var err error
		if name, err = pickDocument(nodes); err != nil {
			return nil, err
		}
		declared = shellParams
	} else {
		// Retried like every read before sending (docs/reliability.md).
		var out *ssm.DescribeDocumentOutput
		err := c.retry(ctx, time.Time{}, func(ctx context.Context) error {
			var err error
			out, err = c.API.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String(name), DocumentVersion: optional(version)}, noSDKRetries)
			return err
		})
		if err != nil {
			return nil, documentError(name, version, err)
		}
		d := out.Document
		if d == nil {
			return nil, fmt.Errorf("DescribeDocument %s: empty answer", name)
		}
		if d.DocumentType != "" && d.DocumentType != types.DocumentTypeCommand {
			return nil, exitcode.Usagef("document %s is a %s document; run takes Command documents", name, d.DocumentType)
		}
		declared = map[string]types.DocumentParameterType{}
		for _, p := range d.Parameters {
			declared[aws.ToString(p.Name)] = p.Type
		}
	}
	if line := req.commandLine(name, nodes); line != "" {
		params["commands"] = []string{line}
	}
	if err := checkParams(name, params, declared, len(req.given()) > 0, req.ExecutionTimeout > 0); err != nil {
		return nil, err
	}

	in := &ssm.SendCommandInput{
		DocumentName:    aws.String(name),
		DocumentVersion: optional(version),
		Parameters:      params,
		MaxConcurrency:  aws.String(orDefault(req.MaxConcurrency, "50")),
		MaxErrors:       aws.String(orDefault(req.MaxErrors, "0")),
		Comment:         optional(req.Comment),
	}
	if len(params) == 0 {
		in.Parameters = nil
	}
	if req.DeliveryTimeout > 0 {
		in.TimeoutSeconds = aws.Int32(int32(req.DeliveryTimeout / time.Second))
	}
	if req.OutputS3Bucket != "" {
		in.OutputS3BucketName = aws.String(req.OutputS3Bucket)
		in.OutputS3KeyPrefix = optional(req.OutputS3Prefix)
	}
	if req.CloudWatchOutput {
		in.CloudWatchOutputConfig = &types.CloudWatchOutputConfig{
			CloudWatchOutputEnabled: true,
			CloudWatchLogGroupName:  optional(req.CloudWatchLogGroup),
		}
	}
	in.ServiceRoleArn = optional(req.ServiceRoleARN)
	if req.NotificationARN != "" {
		in.NotificationConfig = &types.NotificationConfig{
			NotificationArn:    aws.String(req.NotificationARN),
			NotificationEvents: []types.NotificationEvent{types.NotificationEventAll},
			NotificationType:   types.NotificationTypeCommand,
		}
	}
	return in, nil
}

// checkParams rejects parameters the document does not declare and several
// values for a String parameter.
func checkParams(doc string, params map[string][]string, declared map[string]types.DocumentParameterType, fromArgs, fromTimeout bool) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		typ, ok := declared[k]
		if !ok {
			switch {
			case k == "commands" && fromArgs:
				return exitcode.Usagef("document %s has no commands parameter: give its parameters with --param instead of a command after --", doc)
			case k == "executionTimeout" && fromTimeout:
				return exitcode.Usagef("document %s has no executionTimeout parameter: --timeout does not apply", doc)
			}
			names := make([]string, 0, len(declared))
			for n := range declared {
				names = append(names, n)
			}
			sort.Strings(names)
			if len(names) == 0 {
				return exitcode.Usagef("document %s takes no parameters, got --param %s", doc, k)
			}
			return exitcode.Usagef("document %s has no parameter %q (it takes %s)", doc, k, strings.Join(names, ", "))
		}
		if typ == types.DocumentParameterTypeString && len(params[k]) > 1 {
			return exitcode.Usagef("parameter %s of document %s is a String: give it once", k, doc)
		}
	}
	return nil
}

// pickDocument is AWS-RunPowerShellScript when every node is Windows and
// AWS-RunShellScript when none is; mixed platforms are a usage error that
// names both groups.
func pickDocument(nodes []target.Node) (string, error) {
	var win, other []string
	for _, n := range nodes {
		label := n.Name
		if label == "" {
			label = n.ID
		}
		if strings.EqualFold(n.PlatformType, "Windows") {
			win = append(win, label)
		} else {
			other = append(other, label)
		}
	}
	switch {
	case len(other) == 0:
		return PowerShellDocument, nil
	case len(win) == 0:
		return ShellDocument, nil
	}
	return "", exitcode.Usagef("the targets mix Windows nodes (%s) and Linux/macOS nodes (%s): narrow the targets or choose --document", few(win), few(other))
}

func few(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
}

// documentError turns "no such document" into a clear line; it keeps the
// AWS error's exit code (254), since AWS is the one that said no.
func documentError(name, version string, err error) error {
	var invalid *types.InvalidDocument
	var badVersion *types.InvalidDocumentVersion
	switch {
	case errors.As(err, &invalid):
		return exitcode.Reword(err, "document %s not found", name)
	case errors.As(err, &badVersion):
		return exitcode.Reword(err, "document %s has no version %s", name, version)
	}
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func specList(specs []target.Spec) string {
	raws := make([]string, len(specs))
	for i, s := range specs {
		raws[i] = s.Raw
	}
	return strings.Join(raws, " ")
}
