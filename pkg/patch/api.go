// Package patch is Patch Manager: patch baselines and patch groups, the
// fleet's patch compliance (DescribeInstancePatchStates) and a node's
// patches, the baseline override file, and the Run Command request that
// runs AWS-RunPatchBaseline (sent and waited for by pkg/runcmd, as `run`
// does).
package patch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// API is the part of *ssm.Client Patch Manager's commands use.
type API interface {
	DescribePatchBaselines(ctx context.Context, in *ssm.DescribePatchBaselinesInput, optFns ...func(*ssm.Options)) (*ssm.DescribePatchBaselinesOutput, error)
	GetPatchBaseline(ctx context.Context, in *ssm.GetPatchBaselineInput, optFns ...func(*ssm.Options)) (*ssm.GetPatchBaselineOutput, error)
	DescribePatchGroups(ctx context.Context, in *ssm.DescribePatchGroupsInput, optFns ...func(*ssm.Options)) (*ssm.DescribePatchGroupsOutput, error)
	DescribeInstancePatchStates(ctx context.Context, in *ssm.DescribeInstancePatchStatesInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstancePatchStatesOutput, error)
	DescribeInstancePatches(ctx context.Context, in *ssm.DescribeInstancePatchesInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstancePatchesOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Client is Patch Manager on one account and region.
type Client struct {
	API API
}
