package awsconf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// debugLog serialises lines from concurrent requests.
type debugLog struct {
	mu sync.Mutex
	w  io.Writer
}

func newDebugLog(w io.Writer) *debugLog { return &debugLog{w: w} }

func (l *debugLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "debug: "+format+"\n", args...)
}

// debugMiddleware logs each attempt of each operation:
//
//	debug: SSM.DescribeInstanceInformation attempt 1 -> 400 ThrottlingException (12ms)
//	debug: SSM.DescribeInstanceInformation retrying after ThrottlingException (attempt 2)
//	debug: SSM.DescribeInstanceInformation attempt 2 -> 200 (9ms)
//
// It sits in the Finalize step right after the retry loop, so it sees every
// attempt, and it looks only at the operation name, the status code and the
// error code: never at headers (Authorization, X-Amz-Security-Token), bodies
// or URLs.
func debugMiddleware(l *debugLog) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		// The stack is built for each operation call, so this state is per call.
		attempt := 0
		lastErr := ""
		mw := middleware.FinalizeMiddlewareFunc("ssmctlDebug", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			attempt++
			op := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
			if attempt > 1 {
				l.printf("%s retrying after %s (attempt %d)", op, lastErr, attempt)
			}
			start := time.Now()
			out, md, err := next.HandleFinalize(ctx, in)
			took := time.Since(start)
			status := statusOf(md, err)
			if err != nil {
				lastErr = errorSummary(err)
				l.printf("%s attempt %d -> %s %s (%dms)", op, attempt, status, lastErr, took.Milliseconds())
			} else {
				l.printf("%s attempt %d -> %s (%dms)", op, attempt, status, took.Milliseconds())
			}
			return out, md, err
		})
		if _, ok := stack.Finalize.Get("Retry"); ok {
			return stack.Finalize.Insert(mw, "Retry", middleware.After)
		}
		return stack.Finalize.Add(mw, middleware.After)
	}
}

func statusOf(md middleware.Metadata, err error) string {
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && resp != nil {
		return fmt.Sprint(resp.StatusCode)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprint(re.HTTPStatusCode())
	}
	return "no response"
}

// errorSummary names an error by its AWS error code, or else by its
// innermost cause with any URL reduced to scheme, host and path.
func errorSummary(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	var creds *CredentialsError
	if errors.As(err, &creds) {
		return "no credentials"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		target := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			target = u.Scheme + "://" + u.Host + u.Path
		}
		return oneLine(fmt.Sprintf("%s %s: %v", ue.Op, target, ue.Err))
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return oneLine(err.Error())
}
