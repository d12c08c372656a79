package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func TestParseFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		name    string
		value   float64
		wantErr string
	}{
		{in: "throttle=0.2", name: "throttle", value: 0.2},
		{in: "error=0.05", name: "error", value: 0.05},
		{in: " error = 1 ", name: "error", value: 1},
		{in: "throttle=0", name: "throttle", value: 0},
		{in: "ws-drop=0.01", name: "ws-drop", value: 0.01},
		{in: "lost-reply=0.5", name: "lost-reply", value: 0.5},
		{in: "stall=1", name: "stall", value: 1},
		{in: "ws-dorp=0.1", wantErr: `unknown fault "ws-dorp"`},
		{in: "throttle=1.5", wantErr: "between 0 and 1"},
		{in: "throttle=-0.1", wantErr: "between 0 and 1"},
		{in: "throttle=NaN", wantErr: "between 0 and 1"},
		{in: "throttle=lots", wantErr: "not a number"},
		{in: "throttle", wantErr: "want NAME=PROBABILITY"},
		{in: "=0.1", wantErr: "want NAME=PROBABILITY"},
		{in: "", wantErr: "want NAME=PROBABILITY"},
	}
	for _, tc := range tests {
		name, value, err := ParseFault(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseFault(%q) = %v, want error containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || name != tc.name || value != tc.value {
			t.Errorf("ParseFault(%q) = %q, %v, %v", tc.in, name, value, err)
		}
		var f Faults
		if err := f.Set(name, value); err != nil {
			t.Errorf("Set(%q, %v): %v", name, value, err)
		}
	}
	if err := (&Faults{}).Set("bogus", 0.1); err == nil {
		t.Error("Set(bogus) succeeded")
	}
	if len(FaultNames()) != 9 {
		t.Errorf("FaultNames: %v", FaultNames())
	}
}

func TestFaultSettings(t *testing.T) {
	t.Parallel()
	var f Faults
	for _, spec := range []string{"lost-reply=0.5", "lost-reply-as=close", "stall=1", "stall-for=250ms", "ws-close-every=1h"} {
		if err := f.Add(spec); err != nil {
			t.Fatalf("Add(%q): %v", spec, err)
		}
	}
	if f.LostReply != 0.5 || f.LostReplyAs != LostReplyAsClose || f.Stall != 1 || f.StallFor != 250*time.Millisecond || f.WSCloseEvery != time.Hour {
		t.Errorf("faults %+v", f)
	}
	for spec, want := range map[string]string{
		"lost-reply-as=drop": "want error or close",
		"stall-for=soon":     "positive duration",
		"stall-for=-1s":      "positive duration",
		"ws-close-every=0":   "positive duration",
		"lost-reply=2":       "between 0 and 1",
		"stall-fro=1s":       `unknown fault "stall-fro"`,
	} {
		if err := f.Add(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Add(%q) = %v, want %q", spec, err, want)
		}
	}
	if _, err := New(Options{Faults: Faults{Error: 1, Ops: []string{"PutParamter"}}}); err == nil || !strings.Contains(err.Error(), `"PutParamter" is not an operation`) {
		t.Errorf("unknown fault operation: %v", err)
	}
	if _, err := New(Options{Faults: Faults{LostReplyAs: "drop"}}); err == nil {
		t.Error("LostReplyAs drop accepted")
	}
}

// noRetries is an SSM client that makes each call once.
func noRetries(s *Server) *ssm.Client {
	return ssm.NewFromConfig(s.AWSConfig(), func(o *ssm.Options) { o.Retryer = aws.NopRetryer{} })
}

func putVersion(t *testing.T, c *ssm.Client, name, value string) (int64, error) {
	t.Helper()
	out, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		return 0, err
	}
	return out.Version, nil
}

func paramVersion(t *testing.T, s *Server, name string) int64 {
	t.Helper()
	out, err := ssmClient(s).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("GetParameter %s: %v", name, err)
	}
	return out.Parameter.Version
}

// A lost reply is a call carried out whose answer the client never sees:
// the SDK, not retrying, gets a 500 while the parameter's version went up.
func TestLostReplyFault(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{LostReply: 1, Ops: []string{"PutParameter"}}})
	c := noRetries(s)
	_, err := putVersion(t, c, "/lost/x", "v1")
	var re *awshttp.ResponseError
	if errorCode(err) != "InternalServerError" || !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("put under lost-reply=1: %v, want a 500 InternalServerError", err)
	}
	if v := paramVersion(t, s, "/lost/x"); v != 1 {
		t.Fatalf("after a lost reply the parameter is at version %d, want 1 (carried out)", v)
	}
	if _, err := putVersion(t, c, "/lost/x", "v2"); errorCode(err) != "InternalServerError" {
		t.Fatalf("second put: %v", err)
	}
	if v := paramVersion(t, s, "/lost/x"); v != 2 {
		t.Errorf("version %d after two lost replies, want 2", v)
	}
	st := s.Stats().Operations["ssm.PutParameter"]
	if st.Calls != 2 || st.LostReplies != 2 || st.Errors != 2 || st.Throttled != 0 {
		t.Errorf("PutParameter stats %+v", st)
	}
	// The other operations answer as usual.
	if got := s.Stats().Operations["ssm.GetParameter"]; got.Calls != 2 || got.Errors != 0 || got.LostReplies != 0 {
		t.Errorf("GetParameter stats %+v", got)
	}
}

// lost-reply-as=close closes the connection after carrying the call out:
// the client sees a connection error, not an AWS error.
func TestLostReplyFaultClose(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{LostReply: 1, LostReplyAs: LostReplyAsClose, Ops: []string{"PutParameter"}}})
	c := noRetries(s)
	_, err := putVersion(t, c, "/lost/y", "v1")
	if err == nil || errorCode(err) != "" {
		t.Fatalf("put under lost-reply-as=close: %v, want a connection error", err)
	}
	if !retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err).Bool() {
		t.Errorf("the SDK does not take %v for a connection error it would retry", err)
	}
	if v := paramVersion(t, s, "/lost/y"); v != 1 {
		t.Fatalf("version %d, want 1 (carried out)", v)
	}
	if st := s.Stats().Operations["ssm.PutParameter"]; st.Calls != 1 || st.LostReplies != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A stalled call gets no answer until the client gives up, and is then
// never carried out; with a short stall-for it is carried out late.
func TestStallFault(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{Stall: 1, Ops: []string{"PutParameter"}}})
	c := noRetries(s)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/stall/x"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("put under stall=1: %v, want the client's deadline", err)
	}
	if _, err := ssmClient(s).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/stall/x")}); errorCode(err) != "ParameterNotFound" {
		t.Errorf("a call abandoned during its stall was carried out: %v", err)
	}
	if st := s.Stats().Operations["ssm.PutParameter"]; st.Stalled != 1 || st.Calls != 0 {
		t.Errorf("stats %+v", st)
	}

	s = Start(t, Options{Faults: Faults{Stall: 1, StallFor: 50 * time.Millisecond}})
	start := time.Now()
	if _, err := putVersion(t, noRetries(s), "/stall/y", "v"); err != nil {
		t.Fatalf("put under stall-for=50ms: %v", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("a stalled call answered after %s", d)
	}
	if st := s.Stats().Operations["ssm.PutParameter"]; st.Stalled != 1 || st.Calls != 1 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Ops restricts the per-call faults to the operations named.
func TestFaultOps(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{Error: 1, Ops: []string{"PutParameter"}}})
	if codes := callN(t, s, 3); codes[""] != 3 {
		t.Errorf("DescribeInstanceInformation outside the faulted operations: %v", codes)
	}
	if _, err := putVersion(t, noRetries(s), "/ops/x", "v"); errorCode(err) != "InternalServerError" {
		t.Errorf("PutParameter: %v", err)
	}
}

// callN makes n DescribeInstanceInformation calls and counts the error codes.
func callN(t *testing.T, s *Server, n int) map[string]int {
	t.Helper()
	c := ssmClient(s)
	codes := map[string]int{}
	for range n {
		_, err := c.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
		codes[errorCode(err)]++
	}
	return codes
}

func TestThrottleFault(t *testing.T) {
	t.Parallel()
	const n = 200
	run := func() (map[string]int, Stats) {
		s := Start(t, Options{Faults: Faults{Throttle: 0.5}, Seed: 42})
		return callN(t, s, n), s.Stats()
	}
	codes, st := run()
	throttled := codes["ThrottlingException"]
	if throttled < 70 || throttled > 130 || throttled+codes[""] != n {
		t.Fatalf("throttle=0.5: %v", codes)
	}
	op := st.Operations["ssm.DescribeInstanceInformation"]
	if op.Calls != n || op.Throttled != int64(throttled) || op.Errors != int64(throttled) || st.TotalCalls != n {
		t.Errorf("stats %+v, total %d; want %d calls, %d throttled", op, st.TotalCalls, n, throttled)
	}
	// The same seed throttles the same calls.
	again, _ := run()
	if again["ThrottlingException"] != throttled {
		t.Errorf("seed 42 again: %d throttled, first run %d", again["ThrottlingException"], throttled)
	}
	// Retries absorb throttling: the SDK's standard retryer (3 attempts).
	s := Start(t, Options{Faults: Faults{Throttle: 0.3}, Seed: 1})
	c := ssm.NewFromConfig(s.AWSConfig(), func(o *ssm.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	})
	failed := 0
	for range 50 {
		if _, err := c.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{}); err != nil {
			failed++
		}
	}
	if failed > 10 {
		t.Errorf("%d of 50 calls failed despite retries", failed)
	}
}

func TestErrorFault(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{Error: 1}})
	got := rawCall(t, s, "AmazonSSM.DescribeInstanceInformation", `{}`, &signSpec{})
	if got.Status != 500 || got.Type != "InternalServerError" {
		t.Errorf("error=1: %d %s", got.Status, got.Type)
	}
	// Faults never touch the sandbox's own endpoints.
	resp, err := http.Get(s.URL() + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("stats under error=1: %d", resp.StatusCode)
	}
	// Nor do they apply before authentication.
	if got := rawCall(t, s, "AmazonSSM.DescribeInstanceInformation", `{}`, nil); got.Type != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned under error=1: %s", got.Type)
	}
	st := s.Stats().Operations["ssm.DescribeInstanceInformation"]
	if st.Errors != 2 || st.Throttled != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestServiceSpecificFaults(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{Throttle: 1}})
	got := rawCall(t, s, "ResourceGroupsTaggingAPI_20170126.GetResources", `{}`, &signSpec{service: "tagging"})
	if got.Status != 400 || got.Type != "ThrottledException" {
		t.Errorf("tagging throttle: %d %s", got.Status, got.Type)
	}
	_, err := groupsClient(s).ListGroupResources(context.Background(), nil)
	if code := errorCode(err); code != "TooManyRequestsException" {
		t.Errorf("resource-groups throttle: %v", err)
	}
}

func TestStatsEndpoint(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	callN(t, s, 3)
	rawCall(t, s, "AmazonSSM.Nope", `{}`, &signSpec{})
	rawCall(t, s, "AmazonSSM.DescribeInstanceInformation", `{"MaxResults":1}`, &signSpec{})

	var st Stats
	resp, err := http.Get(s.URL() + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	op := st.Operations["ssm.DescribeInstanceInformation"]
	if op.Calls != 4 || op.Errors != 1 || st.TotalCalls != 5 || st.UnknownOperations != 1 {
		t.Errorf("stats: %+v", st)
	}
	if op.LatencyMS.Total <= 0 || op.LatencyMS.Max <= 0 || op.LatencyMS.Mean != op.LatencyMS.Total/4 {
		t.Errorf("latency: %+v", op.LatencyMS)
	}

	resp, err = http.Post(s.URL()+"/_sandbox/stats/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := s.Stats(); st.TotalCalls != 0 || len(st.Operations) != 0 {
		t.Errorf("after reset: %+v", st)
	}
	resp, err = http.Get(s.URL() + "/_sandbox/stats/reset")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET reset: %d", resp.StatusCode)
	}
}

// Close does not wait for a stalled call: its connection is closed
// without an answer.
func TestStallFaultClose(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Faults: Faults{Stall: 1}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	errc := make(chan error, 1)
	go func() {
		_, err := noRetries(s).DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
		errc <- err
	}()
	for s.Stats().Operations["ssm.DescribeInstanceInformation"].Stalled == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	// Shutdown would give up on the call after 5 s and say so.
	if err := s.Close(); err != nil {
		t.Errorf("Close with a stalled call: %v", err)
	}
	if err := <-errc; err == nil || errorCode(err) != "" {
		t.Errorf("the stalled call got %v, want a connection error", err)
	}
}
