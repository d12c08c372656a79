// Package calendar is Change Calendar: the state of calendars now or at a
// time (GetCalendarState), listing, reading and creating them
// (ChangeCalendar documents), and the Gate that commands which change
// managed nodes (run, patch install, automation start) pass before they
// start.
package calendar

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// API is the part of *ssm.Client that Change Calendar uses.
type API interface {
	GetCalendarState(ctx context.Context, in *ssm.GetCalendarStateInput, optFns ...func(*ssm.Options)) (*ssm.GetCalendarStateOutput, error)
	ListDocuments(ctx context.Context, in *ssm.ListDocumentsInput, optFns ...func(*ssm.Options)) (*ssm.ListDocumentsOutput, error)
	GetDocument(ctx context.Context, in *ssm.GetDocumentInput, optFns ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error)
	CreateDocument(ctx context.Context, in *ssm.CreateDocumentInput, optFns ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Client is Change Calendar on one account and region.
type Client struct {
	API API
}
