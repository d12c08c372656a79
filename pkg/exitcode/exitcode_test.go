package exitcode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
)

func apiErr(code, msg string) error {
	return &smithy.OperationError{
		ServiceID:     "SSM",
		OperationName: "DescribeInstanceInformation",
		Err:           &smithy.GenericAPIError{Code: code, Message: msg},
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"coded", New(42, "remote"), 42},
		{"coded wrapped", fmt.Errorf("context: %w", Usagef("bad")), Usage},
		{"silent", Silent(3), 3},
		{"interrupt", context.Canceled, Interrupted},
		{"interrupt wrapped", fmt.Errorf("op: %w", context.Canceled), Interrupted},
		{"no region", fmt.Errorf("load: %w", &aws.MissingRegionError{}), Config},
		{"unknown profile", config.SharedConfigProfileNotExistError{Profile: "x"}, Config},
		{"unknown profile ptr", &config.SharedConfigProfileNotExistError{Profile: "x"}, Config},
		{"aws error", apiErr("AccessDeniedException", "no"), AWS},
		{"throttled after retries", apiErr("ThrottlingException", "Rate exceeded"), AWS},
		{"coded beats aws", Wrap(Usage, apiErr("InvalidInstanceId", "x")), Usage},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, Other},
		{"anything else", errors.New("boom"), Other},
		{"no error code: not AWS", apiErr("UnknownError", "UnknownError"), Other},
		{"unreadable answer: not AWS", fmt.Errorf("op: %w", &smithy.DeserializationError{Err: errors.New("invalid character '<'")}), Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.err); got != tt.want {
				t.Errorf("Code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"aws", apiErr("AccessDeniedException", "User: x is not authorized\nmore"), "DescribeInstanceInformation: AccessDeniedException: User: x is not authorized"},
		{"aws without message", apiErr("ThrottlingException", ""), "DescribeInstanceInformation: ThrottlingException"},
		{"own error keeps its text only", fmt.Errorf("operation error SSM: get identity: %w", New(Config, "no credentials: set AWS_PROFILE")), "no credentials: set AWS_PROFILE"},
		{"hint", &Error{Code: Config, Err: errors.New("no credentials"), Hint: "run `aws sso login`"}, "no credentials: run `aws sso login`"},
		{"region", &aws.MissingRegionError{}, "no region: set --region, AWS_REGION, or region in your AWS profile"},
		{"one line", errors.New("first\nsecond"), "first"},
		{"network", &smithy.OperationError{OperationName: "DescribeInstanceInformation", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}},
			"DescribeInstanceInformation: cannot reach AWS: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Message(tt.err); got != tt.want {
				t.Errorf("Message = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAggregate(t *testing.T) {
	reboot := RebootPending
	if runtime.GOOS == "windows" {
		reboot = RebootPendingWindows
	}
	tests := []struct {
		codes []int
		want  int
	}{
		{nil, OK},
		{[]int{0, 0}, OK},
		{[]int{0, 194}, reboot},
		{[]int{3010, 0}, reboot},
		{[]int{194, 124}, Timeout},
		{[]int{124, 1, 194}, Failed},
		{[]int{0, 42}, Failed},
		{[]int{0, 255, 124}, Failed},
	}
	for _, tt := range tests {
		if got := Aggregate(tt.codes...); got != tt.want {
			t.Errorf("Aggregate(%v) = %d, want %d", tt.codes, got, tt.want)
		}
	}
}

func TestSilent(t *testing.T) {
	if !IsSilent(Silent(1)) || IsSilent(New(1, "x")) || IsSilent(nil) {
		t.Error("IsSilent wrong")
	}
	if Wrap(1, nil) != nil {
		t.Error("Wrap(nil) should be nil")
	}
}

// Errors ssmctl words itself keep AWS's "Operation: Code: message" form.
func TestAWSErrorForms(t *testing.T) {
	err := AWSErrorf("GetParameters", "ParameterNotFound", "%s does not exist", "/x")
	if Message(err) != "GetParameters: ParameterNotFound: /x does not exist" || Code(err) != AWS {
		t.Errorf("AWSErrorf: %q, code %d", Message(err), Code(err))
	}
	err = Reword(fmt.Errorf("wrapped: %w", apiErr("InvalidCommandId", "")), "no command %s", "c-1")
	if Message(err) != "DescribeInstanceInformation: InvalidCommandId: no command c-1" || Code(err) != AWS {
		t.Errorf("Reword: %q, code %d", Message(err), Code(err))
	}
	plain := errors.New("boom")
	if Reword(plain, "x") != plain {
		t.Errorf("Reword changed a non-AWS error")
	}
}

func TestNotAWSMessage(t *testing.T) {
	got := Message(apiErr("UnknownError", "UnknownError"))
	if got != "DescribeInstanceInformation: the endpoint answered something that is not an AWS API response: is --endpoint-url (or AWS_ENDPOINT_URL) an AWS endpoint?" {
		t.Errorf("Message = %q", got)
	}
}
