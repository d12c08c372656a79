package target

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
)

// Every read of a resolution is retried by awsretry's rule (throttling,
// 5xx and the network, with back-off and a timeout per attempt, for a
// minute), not only by the SDK's few attempts: a throttle must not fail a
// run before anything is sent. The SDK's own retries are off for these
// calls so each attempt's timeout holds.

func (r *Resolver) retrying() *Resolver {
	rr := *r
	p := awsretry.Policy{Clock: r.Clock}
	if r.SSM != nil {
		rr.SSM = retryingSSM{r.SSM, p}
	}
	if r.Tagging != nil {
		rr.Tagging = retryingTagging{r.Tagging, p}
	}
	if r.Groups != nil {
		rr.Groups = retryingGroups{r.Groups, p}
	}
	return &rr
}

type retryingSSM struct {
	api SSMAPI
	p   awsretry.Policy
}

func (s retryingSSM) DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	optFns = append(optFns, func(o *ssm.Options) { o.Retryer = awsretry.NoSDKRetries() })
	return awsretry.Get(ctx, s.p, func(ctx context.Context) (*ssm.DescribeInstanceInformationOutput, error) {
		return s.api.DescribeInstanceInformation(ctx, in, optFns...)
	})
}

type retryingTagging struct {
	api TaggingAPI
	p   awsretry.Policy
}

func (s retryingTagging) GetResources(ctx context.Context, in *resourcegroupstaggingapi.GetResourcesInput, optFns ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
	optFns = append(optFns, func(o *resourcegroupstaggingapi.Options) { o.Retryer = awsretry.NoSDKRetries() })
	return awsretry.Get(ctx, s.p, func(ctx context.Context) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
		return s.api.GetResources(ctx, in, optFns...)
	})
}

type retryingGroups struct {
	api GroupsAPI
	p   awsretry.Policy
}

func (s retryingGroups) ListGroupResources(ctx context.Context, in *resourcegroups.ListGroupResourcesInput, optFns ...func(*resourcegroups.Options)) (*resourcegroups.ListGroupResourcesOutput, error) {
	optFns = append(optFns, func(o *resourcegroups.Options) { o.Retryer = awsretry.NoSDKRetries() })
	return awsretry.Get(ctx, s.p, func(ctx context.Context) (*resourcegroups.ListGroupResourcesOutput, error) {
		return s.api.ListGroupResources(ctx, in, optFns...)
	})
}
