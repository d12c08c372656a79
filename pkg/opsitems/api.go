package opsitems

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// API is the part of *ssm.Client that OpsCenter commands use.
type API interface {
	CreateOpsItem(ctx context.Context, in *ssm.CreateOpsItemInput, optFns ...func(*ssm.Options)) (*ssm.CreateOpsItemOutput, error)
	GetOpsItem(ctx context.Context, in *ssm.GetOpsItemInput, optFns ...func(*ssm.Options)) (*ssm.GetOpsItemOutput, error)
	UpdateOpsItem(ctx context.Context, in *ssm.UpdateOpsItemInput, optFns ...func(*ssm.Options)) (*ssm.UpdateOpsItemOutput, error)
	DescribeOpsItems(ctx context.Context, in *ssm.DescribeOpsItemsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeOpsItemsOutput, error)
	AssociateOpsItemRelatedItem(ctx context.Context, in *ssm.AssociateOpsItemRelatedItemInput, optFns ...func(*ssm.Options)) (*ssm.AssociateOpsItemRelatedItemOutput, error)
	DisassociateOpsItemRelatedItem(ctx context.Context, in *ssm.DisassociateOpsItemRelatedItemInput, optFns ...func(*ssm.Options)) (*ssm.DisassociateOpsItemRelatedItemOutput, error)
	ListOpsItemRelatedItems(ctx context.Context, in *ssm.ListOpsItemRelatedItemsInput, optFns ...func(*ssm.Options)) (*ssm.ListOpsItemRelatedItemsOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Client is OpsCenter.
type Client struct {
	API API
}
