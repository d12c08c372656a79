// Package activations owns hybrid activations: creating them (with the
// rules AWS applies, checked before any call so a refused one creates
// nothing), listing them and the mi- nodes registered through them,
// deleting them, deregistering nodes, the managed-instance activation
// tier (a service setting), the registration commands an activation's
// code and ID go into, and the agent's registration against the sandbox.
package activations

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// API is the part of *ssm.Client that activations use.
type API interface {
	CreateActivation(ctx context.Context, in *ssm.CreateActivationInput, optFns ...func(*ssm.Options)) (*ssm.CreateActivationOutput, error)
	DescribeActivations(ctx context.Context, in *ssm.DescribeActivationsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeActivationsOutput, error)
	DeleteActivation(ctx context.Context, in *ssm.DeleteActivationInput, optFns ...func(*ssm.Options)) (*ssm.DeleteActivationOutput, error)
	DeregisterManagedInstance(ctx context.Context, in *ssm.DeregisterManagedInstanceInput, optFns ...func(*ssm.Options)) (*ssm.DeregisterManagedInstanceOutput, error)
	DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
	GetServiceSetting(ctx context.Context, in *ssm.GetServiceSettingInput, optFns ...func(*ssm.Options)) (*ssm.GetServiceSettingOutput, error)
	UpdateServiceSetting(ctx context.Context, in *ssm.UpdateServiceSettingInput, optFns ...func(*ssm.Options)) (*ssm.UpdateServiceSettingOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Client is the activations of one account and region.
type Client struct {
	API    API
	Region string
}
