package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

// ssmClient is the real SDK client against s, retrying transport errors
// only, so tests see every error the sandbox answers.
func ssmClient(s *Server) *ssm.Client {
	return ssm.NewFromConfig(s.AWSConfig(), func(o *ssm.Options) { o.Retryer = transportRetryer() })
}

// errorCode is the AWS error code of err ("" if it is no API error).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

type rawResponse struct {
	Status int
	Type   string
	Header http.Header
	Body   map[string]any
}

// rawCall sends body to the sandbox as X-Amz-Target target, signed with the
// SDK's own signer unless sign is nil; sign may alter the request before and
// after signing.
type signSpec struct {
	keyID, secret, region, service string
	at                             time.Time
	after                          func(r *http.Request) // runs after signing
}

func rawCall(t *testing.T, s *Server, target, body string, sign *signSpec) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if sign != nil {
		signRequest(t, s, req, []byte(body), sign)
		if sign.after != nil {
			sign.after(req)
		}
	}
	return do(t, req)
}

func signRequest(t *testing.T, s *Server, req *http.Request, body []byte, sp *signSpec) {
	t.Helper()
	id, secret := s.Credentials()
	if sp.keyID != "" {
		id = sp.keyID
	}
	if sp.secret != "" {
		secret = sp.secret
	}
	region, service, at := s.Region(), "ssm", time.Now()
	if sp.region != "" {
		region = sp.region
	}
	if sp.service != "" {
		service = sp.service
	}
	if !sp.at.IsZero() {
		at = sp.at
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := rawResponse{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(b, &out.Body); err != nil {
		t.Fatalf("response body is not JSON: %q", b)
	}
	if tp, ok := out.Body["__type"].(string); ok {
		out.Type = tp
	}
	if out.Status >= 300 && out.Type != resp.Header.Get("X-Amzn-ErrorType") {
		t.Errorf("__type %q and X-Amzn-ErrorType %q differ", out.Type, resp.Header.Get("X-Amzn-ErrorType"))
	}
	return out
}

func TestSigV4(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	const target, body = "AmazonSSM.DescribeInstanceInformation", `{"MaxResults":5}`
	tests := []struct {
		name    string
		sign    *signSpec
		status  int
		errType string
		msg     string // substring of the message
	}{
		{name: "signed", sign: &signSpec{}, status: 200},
		{name: "unsigned", sign: nil, status: 400, errType: "MissingAuthenticationTokenException", msg: "Missing Authentication Token"},
		{name: "unknown key id", sign: &signSpec{keyID: "AKIAIOSFODNN7EXAMPLE"}, status: 400, errType: "UnrecognizedClientException", msg: "The security token included in the request is invalid."},
		{name: "wrong secret", sign: &signSpec{secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, status: 400, errType: "InvalidSignatureException", msg: "The request signature we calculated does not match the signature you provided."},
		{name: "tampered body", sign: &signSpec{after: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"MaxResults":6}`))
		}}, status: 400, errType: "InvalidSignatureException", msg: "does not match the signature"},
		{name: "tampered signed header", sign: &signSpec{after: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "AmazonSSM.GetConnectionStatus")
		}}, status: 400, errType: "InvalidSignatureException", msg: "does not match the signature"},
		{name: "expired", sign: &signSpec{at: time.Now().Add(-20 * time.Minute)}, status: 400, errType: "InvalidSignatureException", msg: "Signature expired: "},
		{name: "from the future", sign: &signSpec{at: time.Now().Add(20 * time.Minute)}, status: 400, errType: "InvalidSignatureException", msg: "Signature not yet current: "},
		{name: "within skew", sign: &signSpec{at: time.Now().Add(-10 * time.Minute)}, status: 200},
		{name: "wrong region", sign: &signSpec{region: "eu-west-1"}, status: 400, errType: "InvalidSignatureException", msg: "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{name: "wrong service", sign: &signSpec{service: "secretsmanager"}, status: 400, errType: "InvalidSignatureException", msg: "Credential should be scoped to correct service: 'ssm'."},
		{name: "garbage authorization", sign: &signSpec{after: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer abc")
		}}, status: 400, errType: "IncompleteSignatureException", msg: "Authorization header requires 'Credential' parameter."},
		{name: "content sha256 of another body", sign: &signSpec{after: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
		}}, status: 400, errType: "InvalidSignatureException", msg: "does not match the signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rawCall(t, s, target, body, tc.sign)
			if got.Status != tc.status || got.Type != tc.errType {
				t.Fatalf("got %d %q %v, want %d %q", got.Status, got.Type, got.Body["message"], tc.status, tc.errType)
			}
			if msg, _ := got.Body["message"].(string); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q does not contain %q", msg, tc.msg)
			}
		})
	}
}

func TestSigV4ExpiredMessageFormat(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := Start(t, Options{Clock: func() time.Time { return now }})
	got := rawCall(t, s, "AmazonSSM.DescribeInstanceInformation", `{}`, &signSpec{at: now.Add(-16 * time.Minute)})
	want := "Signature expired: 20260301T114400Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)"
	if got.Body["message"] != want {
		t.Errorf("message %q, want %q", got.Body["message"], want)
	}
}

func TestSDKSignedRequestsPass(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	out, err := ssmClient(s).DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.InstanceInformationList) == 0 {
		t.Error("no nodes")
	}
	// The SDK signs a different header set from botocore; also sign with
	// X-Amz-Content-Sha256, as S3-style clients do.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("X-Amz-Target", "AmazonSSM.DescribeInstanceInformation")
	sum := sha256.Sum256([]byte(`{}`))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	signRequest(t, s, req, []byte(`{}`), &signSpec{})
	if got := do(t, req); got.Status != 200 {
		t.Errorf("with X-Amz-Content-Sha256: %d %s", got.Status, got.Type)
	}
}

func TestWireErrors(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	tests := []struct {
		name, target, body string
		status             int
		errType, msg       string
	}{
		{"unknown operation", "AmazonSSM.NoSuchOperation", `{}`, 400, "UnknownOperationException", ""},
		{"not yet implemented", "AmazonSSM.CreateMaintenanceWindow", `{}`, 400, "UnknownOperationException", ""},
		{"unknown service", "Nope_20200101.Op", `{}`, 400, "UnknownOperationException", ""},
		{"no target", "", `{}`, 400, "UnknownOperationException", ""},
		{"secrets manager, an operation not served", "secretsmanager.PutResourcePolicy", `{}`, 400, "UnknownOperationException", ""},
		{"secrets manager, a member missing", "secretsmanager.GetSecretValue", `{}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null"},
		{"malformed JSON", "AmazonSSM.DescribeInstanceInformation", `{"MaxResults":`, 400, "SerializationException", ""},
		{"wrong member type", "AmazonSSM.DescribeInstanceInformation", `{"MaxResults":"ten"}`, 400, "SerializationException", ""},
		{"unknown member ignored", "AmazonSSM.DescribeInstanceInformation", `{"Bogus":1}`, 200, "", ""},
		{"empty body", "AmazonSSM.DescribeInstanceInformation", ``, 200, "", ""},
		{"above max", "AmazonSSM.DescribeInstanceInformation", `{"MaxResults":100}`, 400, "ValidationException",
			"1 validation error detected: Value '100' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"below min", "AmazonSSM.DescribeInstanceInformation", `{"MaxResults":4}`, 400, "ValidationException",
			"Value '4' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 5"},
		{"missing required", "AmazonSSM.ListTagsForResource", `{"ResourceId":"mi-0a1b2c3d4e5f60004"}`, 400, "ValidationException",
			"Value null at 'resourceType' failed to satisfy constraint: Member must not be null"},
		{"two violations", "AmazonSSM.ListTagsForResource", `{}`, 400, "ValidationException", "2 validation errors detected: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			service := "ssm"
			if strings.HasPrefix(tc.target, "secretsmanager.") {
				service = "secretsmanager"
			}
			got := rawCall(t, s, tc.target, tc.body, &signSpec{service: service})
			if got.Status != tc.status || got.Type != tc.errType {
				t.Fatalf("got %d %q %v, want %d %q", got.Status, got.Type, got.Body["message"], tc.status, tc.errType)
			}
			if msg, _ := got.Body["message"].(string); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q does not contain %q", msg, tc.msg)
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestEpochTimestamps(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	s := Start(t, Options{Clock: func() time.Time { return now }})
	got := rawCall(t, s, "AmazonSSM.DescribeInstanceInformation", `{"Filters":[{"Key":"InstanceIds","Values":["mi-0a1b2c3d4e5f60004"]}]}`, &signSpec{at: now})
	list := got.Body["InstanceInformationList"].([]any)
	info := list[0].(map[string]any)
	if reg, ok := info["RegistrationDate"].(float64); !ok || reg != float64(time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC).Unix()) {
		t.Errorf("RegistrationDate = %#v, want epoch seconds as a number", info["RegistrationDate"])
	}
	if lp, ok := info["LastPingDateTime"].(float64); !ok || lp != float64(now.Unix()) {
		t.Errorf("LastPingDateTime = %#v, want %d", info["LastPingDateTime"], now.Unix())
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.168.1.10:0", "example.com:80", "nonsense"} {
		if s, err := New(Options{Listen: addr}); err == nil {
			s.Close()
			t.Errorf("New(Listen %q) succeeded, want a refusal", addr)
		} else if !strings.Contains(err.Error(), "loopback") && !strings.Contains(err.Error(), "host:port") {
			t.Errorf("New(Listen %q): unclear error %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.2:0", "localhost:0"} {
		s, err := New(Options{Listen: addr})
		if err != nil {
			t.Errorf("New(Listen %q): %v", addr, err)
			continue
		}
		s.Close()
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"bad region", Options{Region: "moon"}, "region"},
		{"bad account", Options{AccountID: "12"}, "account"},
		{"key without secret", Options{AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}, "secret"},
		{"two fleets", Options{Nodes: 3, Fleet: DefaultFleet()}, "at most one"},
		{"bad fault", Options{Faults: Faults{Throttle: 2}}, "between 0 and 1"},
		{"missing fleet file", Options{FleetFile: "/nonexistent/fleet.yaml"}, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestServerAccessors(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Region: "eu-west-2", AccountID: "210987654321", AccessKeyID: "AKIASANDBOXTESTKEY01", SecretAccessKey: "s3cr3t"})
	id, secret := s.Credentials()
	if id != "AKIASANDBOXTESTKEY01" || secret != "s3cr3t" || s.Region() != "eu-west-2" || s.AccountID() != "210987654321" {
		t.Errorf("accessors: %s %s %s %s", id, secret, s.Region(), s.AccountID())
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q", s.URL())
	}
	want := map[string]string{
		"AWS_ENDPOINT_URL": s.URL(), "AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "eu-west-2", "AWS_EC2_METADATA_DISABLED": "true",
	}
	env := s.Env()
	if len(env) != len(want) {
		t.Errorf("Env has %d lines, want %d: %v", len(env), len(want), env)
	}
	for _, line := range env {
		k, v, _ := strings.Cut(line, "=")
		if want[k] != v {
			t.Errorf("Env %s=%q, want %q", k, v, want[k])
		}
	}
	// Random credentials differ per start and look like AWS keys.
	a, b := Start(t, Options{}), Start(t, Options{})
	ida, sa := a.Credentials()
	idb, _ := b.Credentials()
	if ida == idb || !strings.HasPrefix(ida, "AKIA") || len(ida) != 20 || len(sa) != 40 {
		t.Errorf("random credentials %q %q", ida, idb)
	}
	if err := a.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// transportRetryer retries only transport errors (a connection the Go SDK
// closed under itself, aws-sdk-go-v2#2737), never an answer from the
// sandbox: tests see every API error and count every call.
func transportRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.NoRetryCanceledError{}, retry.RetryableConnectionError{}}
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// A connection that never sends a request (a client cancelled its call
// while dialing) must not hold up Close: http.Server.Shutdown alone waits
// 5 s for such a connection.
func TestCloseWithUnusedConnection(t *testing.T) {
	t.Parallel()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // let the server see the connection
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with an unused connection open", d)
	}
}
