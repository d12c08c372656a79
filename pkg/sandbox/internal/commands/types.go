package commands

import (
	"encoding/json"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Wire types of the Run Command operations.

// Run Command: SendCommand, ListCommands, ListCommandInvocations,
// GetCommandInvocation and CancelCommand. Commands run on the fleet's
// simulated nodes (agent.go). Rules, limits and error names come from
// botocore's ssm/2014-11-06 model; statuses and their meaning from the
// model's StatusDetails documentation and "Understanding command statuses"
// (AWS Systems Manager User Guide). docs/sandbox-run-command.md lists the decisions.

type targetWire struct {
	Key    *string  `json:"Key,omitempty"`
	Values []string `json:"Values"`
}

type notificationConfig struct {
	NotificationArn    string   `json:"NotificationArn"`
	NotificationEvents []string `json:"NotificationEvents"`
	NotificationType   string   `json:"NotificationType"`
}

type cloudWatchOutputConfig struct {
	CloudWatchLogGroupName  string `json:"CloudWatchLogGroupName"`
	CloudWatchOutputEnabled bool   `json:"CloudWatchOutputEnabled"`
}

type notificationConfigInput struct {
	NotificationArn    *string  `json:"NotificationArn"`
	NotificationEvents []string `json:"NotificationEvents"`
	NotificationType   *string  `json:"NotificationType"`
}

type cloudWatchOutputConfigInput struct {
	CloudWatchLogGroupName  *string `json:"CloudWatchLogGroupName"`
	CloudWatchOutputEnabled *bool   `json:"CloudWatchOutputEnabled"`
}

type sendCommandInput struct {
	InstanceIds            []string                     `json:"InstanceIds"`
	Targets                []targetWire                 `json:"Targets"`
	DocumentName           *string                      `json:"DocumentName"`
	DocumentVersion        *string                      `json:"DocumentVersion"`
	DocumentHash           *string                      `json:"DocumentHash"`
	DocumentHashType       *string                      `json:"DocumentHashType"`
	TimeoutSeconds         *int32                       `json:"TimeoutSeconds"`
	Comment                *string                      `json:"Comment"`
	Parameters             map[string][]string          `json:"Parameters"`
	OutputS3Region         *string                      `json:"OutputS3Region"`
	OutputS3BucketName     *string                      `json:"OutputS3BucketName"`
	OutputS3KeyPrefix      *string                      `json:"OutputS3KeyPrefix"`
	MaxConcurrency         *string                      `json:"MaxConcurrency"`
	MaxErrors              *string                      `json:"MaxErrors"`
	ServiceRoleArn         *string                      `json:"ServiceRoleArn"`
	NotificationConfig     *notificationConfigInput     `json:"NotificationConfig"`
	CloudWatchOutputConfig *cloudWatchOutputConfigInput `json:"CloudWatchOutputConfig"`
	AlarmConfiguration     json.RawMessage              `json:"AlarmConfiguration"`
}

type commandWire struct {
	CommandId              string                 `json:"CommandId"`
	DocumentName           string                 `json:"DocumentName"`
	DocumentVersion        string                 `json:"DocumentVersion"`
	Comment                string                 `json:"Comment"`
	ExpiresAfter           *protocol.EpochTime    `json:"ExpiresAfter,omitempty"`
	Parameters             map[string][]string    `json:"Parameters"`
	InstanceIds            []string               `json:"InstanceIds"`
	Targets                []targetWire           `json:"Targets"`
	RequestedDateTime      *protocol.EpochTime    `json:"RequestedDateTime"`
	Status                 string                 `json:"Status"`
	StatusDetails          string                 `json:"StatusDetails"`
	OutputS3Region         string                 `json:"OutputS3Region"`
	OutputS3BucketName     string                 `json:"OutputS3BucketName"`
	OutputS3KeyPrefix      string                 `json:"OutputS3KeyPrefix"`
	MaxConcurrency         string                 `json:"MaxConcurrency"`
	MaxErrors              string                 `json:"MaxErrors"`
	TargetCount            int                    `json:"TargetCount"`
	CompletedCount         int                    `json:"CompletedCount"`
	ErrorCount             int                    `json:"ErrorCount"`
	DeliveryTimedOutCount  int                    `json:"DeliveryTimedOutCount"`
	ServiceRole            string                 `json:"ServiceRole"`
	NotificationConfig     notificationConfig     `json:"NotificationConfig"`
	CloudWatchOutputConfig cloudWatchOutputConfig `json:"CloudWatchOutputConfig"`
	TimeoutSeconds         int                    `json:"TimeoutSeconds"`
	AlarmConfiguration     json.RawMessage        `json:"AlarmConfiguration,omitempty"`
}

type sendCommandOutput struct {
	Command commandWire `json:"Command"`
}

type commandFilter struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type listCommandsInput struct {
	CommandId  *string         `json:"CommandId"`
	InstanceId *string         `json:"InstanceId"`
	MaxResults *int32          `json:"MaxResults"`
	NextToken  *string         `json:"NextToken"`
	Filters    []commandFilter `json:"Filters"`
}

type listCommandsOutput struct {
	Commands  []commandWire `json:"Commands"`
	NextToken string        `json:"NextToken,omitempty"`
}

type listCommandInvocationsInput struct {
	CommandId  *string         `json:"CommandId"`
	InstanceId *string         `json:"InstanceId"`
	MaxResults *int32          `json:"MaxResults"`
	NextToken  *string         `json:"NextToken"`
	Filters    []commandFilter `json:"Filters"`
	Details    *bool           `json:"Details"`
}

type commandPluginWire struct {
	Name                   string              `json:"Name"`
	Status                 string              `json:"Status"`
	StatusDetails          string              `json:"StatusDetails"`
	ResponseCode           int                 `json:"ResponseCode"`
	ResponseStartDateTime  *protocol.EpochTime `json:"ResponseStartDateTime,omitempty"`
	ResponseFinishDateTime *protocol.EpochTime `json:"ResponseFinishDateTime,omitempty"`
	Output                 string              `json:"Output"`
	StandardOutputUrl      string              `json:"StandardOutputUrl"`
	StandardErrorUrl       string              `json:"StandardErrorUrl"`
	OutputS3Region         string              `json:"OutputS3Region"`
	OutputS3BucketName     string              `json:"OutputS3BucketName"`
	OutputS3KeyPrefix      string              `json:"OutputS3KeyPrefix"`
}

type commandInvocationWire struct {
	CommandId              string                 `json:"CommandId"`
	InstanceId             string                 `json:"InstanceId"`
	InstanceName           string                 `json:"InstanceName"`
	Comment                string                 `json:"Comment"`
	DocumentName           string                 `json:"DocumentName"`
	DocumentVersion        string                 `json:"DocumentVersion"`
	RequestedDateTime      *protocol.EpochTime    `json:"RequestedDateTime"`
	Status                 string                 `json:"Status"`
	StatusDetails          string                 `json:"StatusDetails"`
	TraceOutput            string                 `json:"TraceOutput"`
	StandardOutputUrl      string                 `json:"StandardOutputUrl"`
	StandardErrorUrl       string                 `json:"StandardErrorUrl"`
	CommandPlugins         []commandPluginWire    `json:"CommandPlugins"`
	ServiceRole            string                 `json:"ServiceRole"`
	NotificationConfig     notificationConfig     `json:"NotificationConfig"`
	CloudWatchOutputConfig cloudWatchOutputConfig `json:"CloudWatchOutputConfig"`
}

type listCommandInvocationsOutput struct {
	CommandInvocations []commandInvocationWire `json:"CommandInvocations"`
	NextToken          string                  `json:"NextToken,omitempty"`
}

type getCommandInvocationInput struct {
	CommandId  *string `json:"CommandId"`
	InstanceId *string `json:"InstanceId"`
	PluginName *string `json:"PluginName"`
}

type getCommandInvocationOutput struct {
	CommandId              string                 `json:"CommandId"`
	InstanceId             string                 `json:"InstanceId"`
	Comment                string                 `json:"Comment"`
	DocumentName           string                 `json:"DocumentName"`
	DocumentVersion        string                 `json:"DocumentVersion"`
	PluginName             string                 `json:"PluginName"`
	ResponseCode           int                    `json:"ResponseCode"`
	ExecutionStartDateTime string                 `json:"ExecutionStartDateTime"`
	ExecutionElapsedTime   string                 `json:"ExecutionElapsedTime"`
	ExecutionEndDateTime   string                 `json:"ExecutionEndDateTime"`
	Status                 string                 `json:"Status"`
	StatusDetails          string                 `json:"StatusDetails"`
	StandardOutputContent  string                 `json:"StandardOutputContent"`
	StandardOutputUrl      string                 `json:"StandardOutputUrl"`
	StandardErrorContent   string                 `json:"StandardErrorContent"`
	StandardErrorUrl       string                 `json:"StandardErrorUrl"`
	CloudWatchOutputConfig cloudWatchOutputConfig `json:"CloudWatchOutputConfig"`
}

type cancelCommandInput struct {
	CommandId   *string  `json:"CommandId"`
	InstanceIds []string `json:"InstanceIds"`
}
