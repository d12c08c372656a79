package runcmd

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Command is a command as ListCommands reports it.
type Command struct {
	ID              string
	Document        string
	DocumentVersion string
	Comment         string
	Status          string
	StatusDetails   string
	Requested       time.Time
	Expires         time.Time
	TargetCount     int
	CompletedCount  int
	ErrorCount      int
	DeliveryTimeout int
	InstanceIDs     []string
	// Targets are "Key=Value,Value" strings.
	Targets            []string
	MaxConcurrency     string
	MaxErrors          string
	OutputS3Bucket     string
	OutputS3Prefix     string
	CloudWatchLogGroup string
	CloudWatchOutput   bool
}

func commandFrom(c types.Command) Command {
	out := Command{
		ID:              aws.ToString(c.CommandId),
		Document:        aws.ToString(c.DocumentName),
		DocumentVersion: aws.ToString(c.DocumentVersion),
		Comment:         aws.ToString(c.Comment),
		Status:          string(c.Status),
		StatusDetails:   aws.ToString(c.StatusDetails),
		Requested:       aws.ToTime(c.RequestedDateTime),
		Expires:         aws.ToTime(c.ExpiresAfter),
		TargetCount:     int(c.TargetCount),
		CompletedCount:  int(c.CompletedCount),
		ErrorCount:      int(c.ErrorCount),
		DeliveryTimeout: int(aws.ToInt32(c.TimeoutSeconds)),
		InstanceIDs:     c.InstanceIds,
		MaxConcurrency:  aws.ToString(c.MaxConcurrency),
		MaxErrors:       aws.ToString(c.MaxErrors),
		OutputS3Bucket:  aws.ToString(c.OutputS3BucketName),
		OutputS3Prefix:  aws.ToString(c.OutputS3KeyPrefix),
	}
	for _, t := range c.Targets {
		v := aws.ToString(t.Key) + "="
		for i, val := range t.Values {
			if i > 0 {
				v += ","
			}
			v += val
		}
		out.Targets = append(out.Targets, v)
	}
	if cw := c.CloudWatchOutputConfig; cw != nil && cw.CloudWatchOutputEnabled {
		out.CloudWatchOutput = true
		out.CloudWatchLogGroup = aws.ToString(cw.CloudWatchLogGroupName)
		if out.CloudWatchLogGroup == "" {
			out.CloudWatchLogGroup = "/aws/ssm/" + out.Document
		}
	}
	return out
}

// ListFilter selects commands for List.
type ListFilter struct {
	// NodeIDs keeps commands sent to one of these nodes (one listing per
	// node: ListCommands filters by one node).
	NodeIDs []string
	// Status is a command status: Pending, InProgress, Success, Cancelled,
	// Failed, TimedOut, Cancelling.
	Status string
	// Since keeps commands requested at or after it.
	Since time.Time
}

// CommandStatuses are the values of ListCommands' Status filter.
var CommandStatuses = []string{"Pending", "InProgress", "Success", "Cancelled", "Failed", "TimedOut", "Cancelling"}

// List lists commands, newest first.
func (c *Client) List(ctx context.Context, f ListFilter) ([]Command, error) {
	var filters []types.CommandFilter
	if f.Status != "" {
		filters = append(filters, types.CommandFilter{Key: types.CommandFilterKeyStatus, Value: aws.String(f.Status)})
	}
	if !f.Since.IsZero() {
		filters = append(filters, types.CommandFilter{Key: types.CommandFilterKeyInvokedAfter, Value: aws.String(f.Since.UTC().Format(time.RFC3339))})
	}
	nodes := f.NodeIDs
	if len(nodes) == 0 {
		nodes = []string{""}
	}
	seen := map[string]bool{}
	var out []Command
	for _, node := range nodes {
		p := ssm.NewListCommandsPaginator(c.API, &ssm.ListCommandsInput{
			Filters:    filters,
			InstanceId: optional(node),
			MaxResults: aws.Int32(50),
		}, func(o *ssm.ListCommandsPaginatorOptions) { o.StopOnDuplicateToken = true })
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, cmd := range page.Commands {
				if id := aws.ToString(cmd.CommandId); !seen[id] {
					seen[id] = true
					out = append(out, commandFrom(cmd))
				}
			}
		}
	}
	sortCommands(out)
	return out, nil
}

func sortCommands(cmds []Command) {
	for i := 1; i < len(cmds); i++ {
		for j := i; j > 0 && cmds[j].Requested.After(cmds[j-1].Requested); j-- {
			cmds[j], cmds[j-1] = cmds[j-1], cmds[j]
		}
	}
}

// Describe reads one command. An unknown ID is a usage error.
func (c *Client) Describe(ctx context.Context, commandID string) (*Command, error) {
	cmd, err := c.command(ctx, time.Time{}, commandID)
	if err != nil {
		if notThereYet(err) {
			return nil, notFound(err, commandID)
		}
		return nil, err
	}
	out := commandFrom(*cmd)
	return &out, nil
}

// Invocations lists a command's invocations, or its invocation on one node.
// With fullOutput, output cut at 2,500 characters is read in full (up to
// 24,000 and 8,000 characters) with GetCommandInvocation.
// Nodes are named as run names them (target.Names), not by AWS's
// InstanceName, the computer name.
func (c *Client) Invocations(ctx context.Context, commandID, nodeID string, fullOutput bool) ([]Invocation, error) {
	return c.invocations(ctx, commandID, nodeID, nil, fullOutput)
}

// invocations is Invocations, keeping only the nodes in keep when it is
// not nil.
func (c *Client) invocations(ctx context.Context, commandID, nodeID string, keep map[string]bool, fullOutput bool) ([]Invocation, error) {
	list, err := c.listInvocations(ctx, time.Time{}, commandID, nodeID)
	if err != nil {
		if notThereYet(err) {
			return nil, notFound(err, commandID)
		}
		return nil, err
	}
	if keep != nil {
		list = slices.DeleteFunc(list, func(ci types.CommandInvocation) bool { return !keep[aws.ToString(ci.InstanceId)] })
	}
	if nodeID != "" && len(list) == 0 {
		return nil, exitcode.Usagef("command %s has no invocation on %s", commandID, nodeID)
	}
	ids := make([]string, len(list))
	for i, ci := range list {
		ids[i] = aws.ToString(ci.InstanceId)
	}
	names := target.Names(ctx, c.Nodes, ids)
	invs := make([]Invocation, 0, len(list))
	for _, ci := range list {
		inv := fromAWS(ci, names)
		if fullOutput && inv.Done() {
			if err := c.fetchOutput(ctx, time.Time{}, &inv); err != nil {
				return nil, err
			}
		}
		invs = append(invs, inv)
	}
	SortInvocations(invs)
	return invs, nil
}

// Attach returns a Run for a command sent earlier, so it can be waited for.
func (c *Client) Attach(ctx context.Context, commandID string) (*Run, error) {
	cmd, err := c.Describe(ctx, commandID)
	if err != nil {
		return nil, err
	}
	r := &Run{
		CommandIDs:      []string{cmd.ID},
		Document:        cmd.Document,
		DocumentVersion: cmd.DocumentVersion,
		ByTargets:       len(cmd.InstanceIDs) == 0,
		SentAt:          cmd.Requested,
		requestedAt:     cmd.Requested,
		Expires:         cmd.Expires,
		client:          c,
		names:           target.Names(ctx, c.Nodes, cmd.InstanceIDs),
	}
	if r.names == nil {
		r.names = map[string]string{}
	}
	if r.Expires.IsZero() {
		r.Expires = c.clock().Now().Add(defaultDelivery + defaultExecute)
	}
	r.commands = []*sentCommand{{id: cmd.ID, expected: len(cmd.InstanceIDs)}}
	return r, nil
}

// CancelCommand cancels a command, on every node or on the given ones.
func (c *Client) CancelCommand(ctx context.Context, commandID string, nodeIDs []string) error {
	err := c.retry(ctx, time.Time{}, func(ctx context.Context) error {
		_, err := c.API.CancelCommand(ctx, &ssm.CancelCommandInput{CommandId: aws.String(commandID), InstanceIds: nodeIDs}, noSDKRetries)
		return err
	})
	if err != nil {
		if notThereYet(err) {
			return notFound(err, commandID)
		}
		return fmt.Errorf("cancel %s: %w", commandID, err)
	}
	return nil
}

// notFound is AWS saying that a command does not exist (err, its
// InvalidCommandId or InvocationDoesNotExist), in the user's words: exit
// 254, "Operation: Code: no command ID".
func notFound(err error, commandID string) error {
	return exitcode.Reword(err, "no command %s", commandID)
}
