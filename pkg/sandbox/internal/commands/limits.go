package commands

import (
	"net/http"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Model patterns, enums, limits, AWS's defaults and the Run Command API errors.

// Model patterns, enums and limits, and AWS's documented defaults.
var (
	instanceIDPattern     = lazyre.New(`(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)`)
	targetKeyPattern      = lazyre.New(`^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name`)
	maxConcurrencyPattern = lazyre.New(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	maxErrorsPattern      = lazyre.New(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	notificationEvents    = []string{"All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"}
	// CommandFilter value documentation: the Status values each operation
	// accepts.
	commandStatusFilterValues    = []string{"Pending", "InProgress", "Success", "Cancelled", "Failed", "TimedOut", "AccessDenied", "DeliveryTimedOut", "ExecutionTimedOut", "Incomplete", "NoInstancesInTag", "LimitExceeded"}
	invocationStatusFilterValues = []string{"Pending", "InProgress", "Delayed", "Success", "Cancelled", "Failed", "TimedOut", "AccessDenied", "DeliveryTimedOut", "ExecutionTimedOut", "Undeliverable", "InvalidPlatform", "Terminated"}
)

const (
	// SendCommand documentation: MaxConcurrency "The default value is 50",
	// MaxErrors "The default value is 0".
	defaultMaxConcurrency = "50"
	defaultMaxErrors      = "0"
	// "Understanding command timeout values": "The default for Timeout
	// (seconds) is 3600 seconds".
	defaultDeliveryTimeout = 3600
	// The agent's default execution timeout (pluginutil).
	defaultExecutionTimeout = 3600
	defaultCommandPage      = 50
	// Output limits: CommandPlugin.Output (model max 2500, the agent's
	// MaximumPluginOutputSize), StandardOutputContent 24000 and
	// StandardErrorContent 8000 (model).
	maxPluginOutput = 2500
	maxStdout       = 24000
	maxStderr       = 8000
)

func errInvalidCommandID() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidCommandId", "")
}

func errInvocationDoesNotExist() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvocationDoesNotExist", "")
}

func errDuplicateInstanceID() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "DuplicateInstanceId", "")
}
