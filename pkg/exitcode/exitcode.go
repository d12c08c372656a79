// Package exitcode owns ssmctl's exit-code table and the error type that
// carries a code from wherever a failure is found to the one place that
// prints it.
package exitcode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The exit-code table (docs/exit-codes.md). One target passes its remote exit
// code through unchanged, so any value from 1 to 255 may also appear.
const (
	OK = 0
	// Failed: the remote command ran and failed (on several targets: at least one did).
	Failed = 1
	// Timeout: the command timed out (execution or delivery) and none failed outright.
	Timeout = 124
	// Interrupted: Ctrl-C (SIGINT), after cancelling what could be
	// cancelled; the other signals' codes are in signal.go.
	Interrupted = 130
	// RebootPending: a reboot is owed and has not happened (Linux and macOS).
	RebootPending = 194
	// RebootPendingWindows is the Windows form of RebootPending; a POSIX exit
	// status cannot carry it, so it is only used where the platform allows.
	RebootPendingWindows = 3010
	// Usage: bad flag, argument, target spec, name or value, found before any
	// AWS call; also a target that matches no node.
	Usage = 252
	// Config: no region, no credentials, unknown profile.
	Config = 253
	// AWS: AWS answered with an error.
	AWS = 254
	// Other: anything else (network unreachable, internal error).
	Other = 255
)

// Error is an error with the exit code it should end the process with.
type Error struct {
	Code int
	Err  error
	// Silent means the diagnostics were already printed; print nothing more.
	Silent bool
	// Hint is an optional second clause telling the user what to do.
	Hint string
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	if e.Hint != "" {
		return e.Err.Error() + ": " + e.Hint
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a formatted message.
func New(code int, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Wrap attaches a code to err. A nil err stays nil.
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Usagef is shorthand for New(Usage, ...).
func Usagef(format string, args ...any) error { return New(Usage, format, args...) }

// AWSErrorf is an answer of AWS that ssmctl words itself (a name missing
// from a list AWS returned, say), in the one form AWS errors are printed
// in, "Operation: Code: message", with exit code 254.
func AWSErrorf(operation, code, format string, args ...any) error {
	return &Error{Code: AWS, Err: fmt.Errorf("%s: %s: %s", operation, code, fmt.Sprintf(format, args...))}
}

// Reword replaces the message of err, an AWS error, with ssmctl's own
// words and keeps its operation and code: "Operation: Code: message", exit
// 254. Anything but an AWS error comes back unchanged.
func Reword(err error, format string, args ...any) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	msg := api.ErrorCode() + ": " + fmt.Sprintf(format, args...)
	var op *smithy.OperationError
	if errors.As(err, &op) {
		msg = op.Operation() + ": " + msg
	}
	return &Error{Code: AWS, Err: errors.New(msg)}
}

// Silent returns an error that exits with code and prints nothing: the
// command has already said what went wrong (or, for a passed-through remote
// exit code, nothing needs saying).
func Silent(code int) error { return &Error{Code: code, Silent: true} }

// IsSilent reports whether err asks to be printed nowhere.
func IsSilent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Silent
}

// Code maps an error to its exit code. nil is OK.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	var region *aws.MissingRegionError
	var profile config.SharedConfigProfileNotExistError
	var profilePtr *config.SharedConfigProfileNotExistError
	if errors.As(err, &region) || errors.As(err, &profile) || errors.As(err, &profilePtr) {
		return Config
	}
	if _, ok := notAWS(err); ok {
		return Other
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return AWS
	}
	return Other
}

// notAWS is the message for an answer that did not come from AWS: the SDK
// could not read it (an HTML page, garbage) or it named no error code (the
// SDK's "UnknownError"), as when --endpoint-url points at some other HTTP
// server. It names the endpoint and the HTTP status. ok is false for
// anything else.
func notAWS(err error) (msg string, ok bool) {
	var de *smithy.DeserializationError
	var api smithy.APIError
	switch {
	case errors.As(err, &de):
	case errors.As(err, &api) && api.ErrorCode() == "UnknownError":
	default:
		return "", false
	}
	endpoint, answer := "the endpoint", "something"
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		r := re.Response.Response
		if r.Request != nil && r.Request.URL != nil {
			endpoint = r.Request.URL.Scheme + "://" + r.Request.URL.Host
		}
		answer = fmt.Sprintf("HTTP %d", r.StatusCode)
		if ct := r.Header.Get("Content-Type"); ct != "" {
			answer += " (" + ct + ")"
		}
	}
	msg = fmt.Sprintf("%s answered %s that is not an AWS API response: is --endpoint-url (or AWS_ENDPOINT_URL) an AWS endpoint?", endpoint, answer)
	var op *smithy.OperationError
	if errors.As(err, &op) {
		msg = op.Operation() + ": " + msg
	}
	return msg, true
}

// Message is the one line printed on stderr for err. AWS errors read
// "OperationName: ErrorCode: message" with the SDK's request plumbing cut.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var region *aws.MissingRegionError
	if errors.As(err, &region) {
		return "no region: set --region, AWS_REGION, or region in your AWS profile"
	}
	// An *Error was written for the user: its own text is the message,
	// without the SDK plumbing around it.
	var e *Error
	if errors.As(err, &e) {
		return oneLine(e.Error())
	}
	if msg, ok := notAWS(err); ok {
		return msg
	}
	var api smithy.APIError
	var op *smithy.OperationError
	if errors.As(err, &api) {
		msg := api.ErrorCode()
		if m := api.ErrorMessage(); m != "" {
			msg += ": " + m
		}
		if errors.As(err, &op) {
			msg = op.Operation() + ": " + msg
		}
		return oneLine(msg)
	}
	var dns *net.DNSError
	var netOp *net.OpError
	if errors.As(err, &netOp) || errors.As(err, &dns) {
		if errors.As(err, &op) {
			return oneLine(op.Operation() + ": cannot reach AWS: " + innermost(err).Error())
		}
	}
	return oneLine(err.Error())
}

func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// oneLine keeps a message to one line, so scripts can rely on it.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// Aggregate combines the codes of several targets with the precedence
// 1 > 124 > 194 > 0. Any other non-zero code counts as a failure (1).
func Aggregate(codes ...int) int {
	rank := func(c int) int {
		switch c {
		case OK:
			return 0
		case RebootPending, RebootPendingWindows:
			return 1
		case Timeout:
			return 2
		default:
			return 3
		}
	}
	best := OK
	for _, c := range codes {
		if rank(c) > rank(best) {
			best = c
		}
	}
	if rank(best) == 3 {
		return Failed
	}
	if best == RebootPending || best == RebootPendingWindows {
		return Reboot
	}
	return best
}

// Reboot is the code ssmctl itself exits with for a pending reboot: 3010 on
// Windows, where an exit status can carry it, and 194 elsewhere.
var Reboot = func() int {
	if runtime.GOOS == "windows" {
		return RebootPendingWindows
	}
	return RebootPending
}()
