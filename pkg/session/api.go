package session

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// API is the part of *ssm.Client that sessions use.
type API interface {
	StartSession(ctx context.Context, in *ssm.StartSessionInput, optFns ...func(*ssm.Options)) (*ssm.StartSessionOutput, error)
	ResumeSession(ctx context.Context, in *ssm.ResumeSessionInput, optFns ...func(*ssm.Options)) (*ssm.ResumeSessionOutput, error)
	TerminateSession(ctx context.Context, in *ssm.TerminateSessionInput, optFns ...func(*ssm.Options)) (*ssm.TerminateSessionOutput, error)
	DescribeDocument(ctx context.Context, in *ssm.DescribeDocumentInput, optFns ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error)
	GetDocument(ctx context.Context, in *ssm.GetDocumentInput, optFns ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error)
}

var _ API = (*ssm.Client)(nil)
