package automation

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
	"github.com/ssmctl/ssmctl/pkg/clock"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Client is Automation on one account and region.
type Client struct {
	API API
	// Nodes resolves target specs that AWS cannot (names, aliases) for
	// rate control.
	Nodes target.NodeResolver
	Clock clock.Clock
	// Warn receives the one line that says AWS is not answering as it
	// should while a wait retries.
	Warn func(msg string)
}

func (c *Client) clock() clock.Clock { return clock.OrSystem(c.Clock) }

// StartRequest is what to start.
type StartRequest struct {
	Document string
	Version  string
	Params   map[string][]string
	// Targets and TargetParameter make a rate-controlled execution: one
	// child execution per target, the target in TargetParameter.
	Targets         []target.Spec
	TargetParameter string
	MaxConcurrency  string
	MaxErrors       string
	Mode            string
	Tags            map[string]string
	// Location runs the runbook in other accounts and Regions
	// (TargetLocations): AWS's Automation fans it out.
	Location *Location
}

// Location is one TargetLocation.
type Location struct {
	Accounts       []string // account IDs or organizational units (ou-...)
	Regions        []string
	ExecutionRole  string
	MaxConcurrency string
	MaxErrors      string
}

// maxTargets is StartAutomationExecution's Targets maximum, and
// maxTargetValues a Target's Values maximum (the model).
const (
	maxTargets      = 5
	maxTargetValues = 50
)

// Start starts an execution. StartAutomationExecution has an idempotency
// token: one is made for this start and kept across every retry, so a
// start whose answer was lost is sent again safely and AWS answers it with
// the first execution (docs/reliability.md).
func (c *Client) Start(ctx context.Context, req StartRequest) (string, error) {
	in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String(req.Document), Parameters: req.Params, ClientToken: aws.String(newToken())}
	if req.Version != "" {
		in.DocumentVersion = aws.String(req.Version)
	}
	if req.Mode != "" {
		in.Mode = types.ExecutionMode(req.Mode)
	}
	for k, v := range req.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if l := req.Location; l != nil {
		tl := types.TargetLocation{Accounts: l.Accounts, Regions: l.Regions}
		if l.ExecutionRole != "" {
			tl.ExecutionRoleName = aws.String(l.ExecutionRole)
		}
		if l.MaxConcurrency != "" {
			tl.TargetLocationMaxConcurrency = aws.String(l.MaxConcurrency)
		}
		if l.MaxErrors != "" {
			tl.TargetLocationMaxErrors = aws.String(l.MaxErrors)
		}
		in.TargetLocations = []types.TargetLocation{tl}
	}
	if len(req.Targets) > 0 {
		targets, err := c.awsTargets(ctx, req.Targets)
		if err != nil {
			return "", err
		}
		in.Targets, in.TargetParameterName = targets, aws.String(req.TargetParameter)
		if req.MaxConcurrency != "" {
			in.MaxConcurrency = aws.String(req.MaxConcurrency)
		}
		if req.MaxErrors != "" {
			in.MaxErrors = aws.String(req.MaxErrors)
		}
	}
	out, err := awsretry.Get(ctx, awsretry.Policy{Clock: c.Clock}, func(ctx context.Context) (*ssm.StartAutomationExecutionOutput, error) {
		return c.API.StartAutomationExecution(ctx, in, func(o *ssm.Options) { o.Retryer = awsretry.NoSDKRetries() })
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.AutomationExecutionId), nil
}

// awsTargets turns target specs into Automation's Targets: tag specs as
// tag:KEY (AWS resolves them), the rest resolved here to node IDs given as
// ParameterValues.
func (c *Client) awsTargets(ctx context.Context, specs []target.Spec) ([]types.Target, error) {
	var out []types.Target
	var rest []target.Spec
	for _, s := range specs {
		if s.Kind == target.KindTag && !slices.Contains(s.TagValues, "") {
			out = append(out, types.Target{Key: aws.String("tag:" + s.TagKey), Values: s.TagValues})
			continue
		}
		rest = append(rest, s)
	}
	if len(rest) > 0 {
		if c.Nodes == nil {
			return nil, exitcode.Usagef("these targets need node resolution: %v", rest)
		}
		nodes, err := c.Nodes.Resolve(ctx, target.Query{Specs: rest})
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, n := range nodes {
			ids = append(ids, n.ID)
		}
		for len(ids) > 0 {
			n := min(len(ids), maxTargetValues)
			out = append(out, types.Target{Key: aws.String("ParameterValues"), Values: ids[:n]})
			ids = ids[n:]
		}
	}
	if len(out) > maxTargets {
		return nil, exitcode.Usagef("%d targets: Automation takes at most %d (each tag, and each 50 nodes)", len(out), maxTargets)
	}
	return out, nil
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Get reads one execution with its steps (retried like any read).
func (c *Client) Get(ctx context.Context, id string) (Execution, error) {
	return c.get(ctx, id, awsretry.Policy{Clock: c.Clock})
}

func (c *Client) get(ctx context.Context, id string, p awsretry.Policy) (Execution, error) {
	out, err := awsretry.Get(ctx, p, func(ctx context.Context) (*ssm.GetAutomationExecutionOutput, error) {
		return c.API.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)}, func(o *ssm.Options) { o.Retryer = awsretry.NoSDKRetries() })
	})
	if err != nil {
		return Execution{}, err
	}
	return fromSDK(out.AutomationExecution), nil
}

// ListFilter selects executions.
type ListFilter struct {
	Statuses []string
	Document string // a name prefix
	Parent   string
	Since    time.Time
	Limit    int
}

// List lists executions, newest first, up to Limit (0: all).
func (c *Client) List(ctx context.Context, f ListFilter) ([]Execution, error) {
	in := &ssm.DescribeAutomationExecutionsInput{MaxResults: aws.Int32(50)}
	add := func(k types.AutomationExecutionFilterKey, v ...string) {
		in.Filters = append(in.Filters, types.AutomationExecutionFilter{Key: k, Values: v})
	}
	if len(f.Statuses) > 0 {
		add(types.AutomationExecutionFilterKeyExecutionStatus, f.Statuses...)
	}
	if f.Document != "" {
		add(types.AutomationExecutionFilterKeyDocumentNamePrefix, f.Document)
	}
	if f.Parent != "" {
		add(types.AutomationExecutionFilterKeyParentExecutionId, f.Parent)
	}
	if !f.Since.IsZero() {
		add(types.AutomationExecutionFilterKeyStartTimeAfter, f.Since.UTC().Format(time.RFC3339))
	}
	var out []Execution
	for {
		page, err := awsretry.Get(ctx, awsretry.Policy{Clock: c.Clock}, func(ctx context.Context) (*ssm.DescribeAutomationExecutionsOutput, error) {
			return c.API.DescribeAutomationExecutions(ctx, in)
		})
		if err != nil {
			return nil, err
		}
		for _, m := range page.AutomationExecutionMetadataList {
			out = append(out, metadataFromSDK(m))
			if f.Limit > 0 && len(out) == f.Limit {
				return out, nil
			}
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// Stop stops an execution: Cancel (the default) or Complete.
func (c *Client) Stop(ctx context.Context, id, typ string) error {
	in := &ssm.StopAutomationExecutionInput{AutomationExecutionId: aws.String(id)}
	if typ != "" {
		in.Type = types.StopType(typ)
	}
	// Stopping twice is harmless: a stop is retried like a read.
	return awsretry.Do(ctx, awsretry.Policy{Clock: c.Clock}, func(ctx context.Context) error {
		_, err := c.API.StopAutomationExecution(ctx, in)
		return err
	})
}

// Signal sends a signal (Approve, Reject, StartStep, StopStep, Resume)
// with its payload. It is not resent after a failure that may have
// landed: an approval given twice is refused by AWS as a signal for a step
// no longer waiting, which would read as a failure.
func (c *Client) Signal(ctx context.Context, id, typ string, payload map[string][]string) error {
	in := &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: types.SignalType(typ)}
	if len(payload) > 0 {
		in.Payload = payload
	}
	_, err := c.API.SendAutomationSignal(ctx, in)
	return err
}
