package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
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
	if len(FaultNames()) != 3 {
		t.Errorf("FaultNames: %v", FaultNames())
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
