package target

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// SSMAPI is the part of *ssm.Client the resolver uses.
type SSMAPI interface {
	DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
}

// TaggingAPI is the part of *resourcegroupstaggingapi.Client the resolver uses.
type TaggingAPI interface {
	GetResources(ctx context.Context, in *resourcegroupstaggingapi.GetResourcesInput, optFns ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// GroupsAPI is the part of *resourcegroups.Client the resolver uses.
type GroupsAPI interface {
	ListGroupResources(ctx context.Context, in *resourcegroups.ListGroupResourcesInput, optFns ...func(*resourcegroups.Options)) (*resourcegroups.ListGroupResourcesOutput, error)
}

var (
	_ SSMAPI     = (*ssm.Client)(nil)
	_ TaggingAPI = (*resourcegroupstaggingapi.Client)(nil)
	_ GroupsAPI  = (*resourcegroups.Client)(nil)
)
