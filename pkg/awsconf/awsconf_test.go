package awsconf

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

const (
	testKeyID  = "AKIAEXAMPLEKEYID0001"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
	testToken  = "IQoJb3JpZ2luX2VjSESSIONTOKENSECRET"
)

// isolate points the SDK at empty temp config files and clears every AWS
// variable, so this machine's configuration cannot leak into a test.
func isolate(t *testing.T) (configFile, credsFile string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	configFile, credsFile = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	writeFile(t, configFile, "")
	writeFile(t, credsFile, "")
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credsFile)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return configFile, credsFile
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func staticCreds(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", testKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	t.Setenv("AWS_SESSION_TOKEN", testToken)
}

// fakeAWS answers SSM DescribeInstanceInformation (AWS JSON 1.1) and STS
// AssumeRole (query protocol), throttling the first `throttle` SSM calls.
type fakeAWS struct {
	*httptest.Server
	mu       sync.Mutex
	throttle int
	requests []*http.Request
	bodies   []string
}

func newFakeAWS(t *testing.T, tls bool) *fakeAWS {
	f := &fakeAWS{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.bodies = append(f.bodies, string(body))
		throttle := f.throttle > 0
		if throttle {
			f.throttle--
		}
		f.mu.Unlock()
		if r.Header.Get("X-Amz-Target") == "" {
			form, _ := url.ParseQuery(string(body))
			if form.Get("Action") != "AssumeRole" {
				http.Error(w, "unexpected", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAROLEKEY</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>roletoken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "req-1")
		if throttle {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		io.WriteString(w, `{"InstanceInformationList":[{"InstanceId":"i-0123456789abcdef0","PingStatus":"Online"}]}`)
	})
	if tls {
		f.Server = httptest.NewUnstartedServer(h)
		f.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes a test makes fail on purpose
		f.StartTLS()
	} else {
		f.Server = httptest.NewServer(h)
	}
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAWS) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func describe(ctx context.Context, cfg aws.Config) error {
	_, err := ssm.NewFromConfig(cfg).DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("tag:Owner"), Values: []string{"BODYSECRET"}}},
	})
	return err
}

func wantCode(t *testing.T, err error, code int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want code %d %q", code, msg)
	}
	if got := exitcode.Code(err); got != code {
		t.Errorf("exit code %d, want %d (err: %v)", got, code, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not contain %q", err.Error(), msg)
	}
}

func TestRegionAndProfilePrecedence(t *testing.T) {
	config := `[default]
region = eu-west-1
[profile other]
region = ap-south-1
[profile noregion]
output = json
`
	tests := []struct {
		name                string
		opt                 Options
		env                 map[string]string
		wantRegion, wantErr string
	}{
		{name: "profile default", wantRegion: "eu-west-1"},
		{name: "env beats profile", env: map[string]string{"AWS_REGION": "us-east-2"}, wantRegion: "us-east-2"},
		{name: "option beats env", opt: Options{Region: "sa-east-1"}, env: map[string]string{"AWS_REGION": "us-east-2"}, wantRegion: "sa-east-1"},
		{name: "AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "other"}, wantRegion: "ap-south-1"},
		{name: "profile option beats AWS_PROFILE", opt: Options{Profile: "default"}, env: map[string]string{"AWS_PROFILE": "other"}, wantRegion: "eu-west-1"},
		{name: "env region beats chosen profile", opt: Options{Profile: "other"}, env: map[string]string{"AWS_REGION": "us-east-2"}, wantRegion: "us-east-2"},
		{name: "unknown profile option", opt: Options{Profile: "nope"}, wantErr: `unknown AWS profile "nope"`},
		{name: "unknown AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "nope"}, wantErr: `unknown AWS profile "nope"`},
		{name: "no region", opt: Options{Profile: "noregion"}, wantErr: "no region: set --region, AWS_REGION, or region in your AWS profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, _ := isolate(t)
			writeFile(t, cf, config)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := Load(context.Background(), tt.opt)
			if tt.wantErr != "" {
				wantCode(t, err, exitcode.Config, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.wantRegion {
				t.Errorf("region %q, want %q", cfg.Region, tt.wantRegion)
			}
		})
	}
}

func TestNoRegionAtAll(t *testing.T) {
	isolate(t)
	_, err := Load(context.Background(), Options{})
	wantCode(t, err, exitcode.Config, "no region")
}

func TestEndpointPrecedence(t *testing.T) {
	optSrv, envSrv, ssmEnvSrv, profSrv := newFakeAWS(t, false), newFakeAWS(t, false), newFakeAWS(t, false), newFakeAWS(t, false)
	servers := map[*fakeAWS]string{optSrv: "option", envSrv: "AWS_ENDPOINT_URL", ssmEnvSrv: "AWS_ENDPOINT_URL_SSM", profSrv: "profile"}
	tests := []struct {
		name string
		opt  string
		env  map[string]string
		want *fakeAWS
	}{
		{name: "profile", want: profSrv},
		{name: "env beats profile", env: map[string]string{"AWS_ENDPOINT_URL": envSrv.URL}, want: envSrv},
		{name: "service env beats env", env: map[string]string{"AWS_ENDPOINT_URL": envSrv.URL, "AWS_ENDPOINT_URL_SSM": ssmEnvSrv.URL}, want: ssmEnvSrv},
		{name: "option beats env", opt: optSrv.URL, env: map[string]string{"AWS_ENDPOINT_URL": envSrv.URL}, want: optSrv},
		{name: "option beats service env", opt: optSrv.URL, env: map[string]string{"AWS_ENDPOINT_URL_SSM": ssmEnvSrv.URL}, want: optSrv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, _ := isolate(t)
			writeFile(t, cf, "[default]\nregion = eu-west-1\nendpoint_url = "+profSrv.URL+"\n")
			staticCreds(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			before := map[*fakeAWS]int{}
			for s := range servers {
				before[s] = s.calls()
			}
			cfg, err := Load(context.Background(), Options{EndpointURL: tt.opt})
			if err != nil {
				t.Fatal(err)
			}
			if err := describe(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			for s, name := range servers {
				hit := s.calls() > before[s]
				if hit != (s == tt.want) {
					t.Errorf("%s server hit = %v, want the %s server", name, hit, servers[tt.want])
				}
			}
		})
	}
}

func TestInvalidEndpoint(t *testing.T) {
	isolate(t)
	_, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: "localhost:4566"})
	wantCode(t, err, exitcode.Config, `invalid endpoint URL "localhost:4566"`)
}

// TestNoCredentials makes a real SDK call with nothing configured: the error
// comes back through the SDK's middleware wrapping and still maps to 253.
func TestNoCredentials(t *testing.T) {
	isolate(t)
	srv := newFakeAWS(t, false)
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = describe(context.Background(), cfg)
	wantCode(t, err, exitcode.Config, "no credentials: set AWS_PROFILE or run `aws sso login` (")
	var ce *CredentialsError
	if !errors.As(err, &ce) {
		t.Errorf("no *CredentialsError in %v", err)
	}
	if msg := exitcode.Message(err); strings.Contains(msg, "\n") {
		t.Errorf("message is not one line: %q", msg)
	}
	t.Logf("message: %s", exitcode.Message(err))
	if srv.calls() != 0 {
		t.Errorf("%d requests sent without credentials", srv.calls())
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("no-credentials failure took %v", took)
	}
}

func TestCredentialProcessOutputNotQuoted(t *testing.T) {
	cf, _ := isolate(t)
	writeFile(t, cf, "[default]\nregion = eu-west-1\ncredential_process = /bin/echo {\"Version\":1,\"SecretAccessKey\":\"LEAKED-SECRET\"\n")
	srv := newFakeAWS(t, false)
	cfg, err := Load(context.Background(), Options{EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	err = describe(context.Background(), cfg)
	wantCode(t, err, exitcode.Config, "credential_process failed")
	if strings.Contains(err.Error(), "LEAKED-SECRET") {
		t.Errorf("error quotes the process output: %v", err)
	}
}

func TestRetriesThrottling(t *testing.T) {
	tests := []struct {
		name         string
		opt          Options
		env          map[string]string
		throttle     int
		wantCalls    int
		wantErrCode  int
		wantRetryMsg string
	}{
		{name: "adaptive retries throttling", throttle: 2, wantCalls: 3},
		{name: "standard mode", opt: Options{RetryMode: "standard"}, throttle: 2, wantCalls: 3},
		{name: "bounded attempts", opt: Options{MaxAttempts: 2}, throttle: 5, wantCalls: 2, wantErrCode: exitcode.AWS},
		{name: "default bound is 5", throttle: 9, wantCalls: 5, wantErrCode: exitcode.AWS},
		{name: "AWS_MAX_ATTEMPTS", env: map[string]string{"AWS_MAX_ATTEMPTS": "3"}, throttle: 9, wantCalls: 3, wantErrCode: exitcode.AWS},
		{name: "option beats AWS_MAX_ATTEMPTS", opt: Options{MaxAttempts: 2}, env: map[string]string{"AWS_MAX_ATTEMPTS": "4"}, throttle: 9, wantCalls: 2, wantErrCode: exitcode.AWS},
		{name: "AWS_RETRY_MODE", env: map[string]string{"AWS_RETRY_MODE": "standard"}, throttle: 1, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			staticCreds(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			srv := newFakeAWS(t, false)
			srv.throttle = tt.throttle
			opt := tt.opt
			opt.Region, opt.EndpointURL, opt.fastRetries = "eu-west-1", srv.URL, true
			cfg, err := Load(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if r1, r2 := cfg.Retryer(), cfg.Retryer(); r1 == r2 {
				t.Error("cfg.Retryer returns the same retryer twice")
			}
			err = describe(context.Background(), cfg)
			if got := exitcode.Code(err); got != tt.wantErrCode {
				t.Errorf("exit code %d, want %d (err %v)", got, tt.wantErrCode, err)
			}
			if srv.calls() != tt.wantCalls {
				t.Errorf("%d attempts, want %d", srv.calls(), tt.wantCalls)
			}
		})
	}
}

// TestAdaptiveRetryReal runs the production retryer, delays included: after
// a throttle, adaptive mode's client-side rate limit waits about 2 seconds.
func TestAdaptiveRetryReal(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the adaptive rate limit")
	}
	isolate(t)
	staticCreds(t)
	srv := newFakeAWS(t, false)
	srv.throttle = 1
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := describe(context.Background(), cfg); err != nil {
		t.Fatalf("throttling surfaced: %v", err)
	}
	if srv.calls() != 2 {
		t.Errorf("%d attempts, want 2", srv.calls())
	}
}

func TestRetryModeResolved(t *testing.T) {
	isolate(t)
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Retryer().(*retry.AdaptiveMode); !ok || cfg.RetryMode != aws.RetryModeAdaptive {
		t.Errorf("default retryer %T mode %q, want adaptive", cfg.Retryer(), cfg.RetryMode)
	}
	if got := cfg.Retryer().MaxAttempts(); got != DefaultMaxAttempts {
		t.Errorf("max attempts %d, want %d", got, DefaultMaxAttempts)
	}
	_, err = Load(context.Background(), Options{Region: "eu-west-1", RetryMode: "legacy"})
	wantCode(t, err, exitcode.Config, `unknown retry mode "legacy"`)
}

func TestDebugLog(t *testing.T) {
	isolate(t)
	staticCreds(t)
	srv := newFakeAWS(t, false)
	srv.throttle = 1
	var out bytes.Buffer
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL, Debug: true, DebugOut: &out, fastRetries: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := describe(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	log := out.String()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 3 ||
		!strings.HasPrefix(lines[0], "debug: SSM.DescribeInstanceInformation attempt 1 -> 400 ThrottlingException (") ||
		lines[1] != "debug: SSM.DescribeInstanceInformation retrying after ThrottlingException (attempt 2)" ||
		!strings.HasPrefix(lines[2], "debug: SSM.DescribeInstanceInformation attempt 2 -> 200 (") ||
		!strings.HasSuffix(lines[2], "ms)") {
		t.Errorf("debug log:\n%s", log)
	}
	// The request really carried what must not be logged.
	req := srv.requests[len(srv.requests)-1]
	if !strings.Contains(srv.bodies[len(srv.bodies)-1], "BODYSECRET") || req.Header.Get("X-Amz-Security-Token") != testToken || !strings.Contains(req.Header.Get("Authorization"), testKeyID) {
		t.Fatal("test request lacks the secrets it should carry")
	}
	for _, secret := range []string{testSecret, testToken, testKeyID, "BODYSECRET", "Authorization", "Signature", req.Header.Get("Authorization")} {
		if strings.Contains(log, secret) {
			t.Errorf("debug log contains %q:\n%s", secret, log)
		}
	}
}

func TestDebugOffLogsNothing(t *testing.T) {
	isolate(t)
	staticCreds(t)
	srv := newFakeAWS(t, false)
	var stderr bytes.Buffer
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	if err := describe(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
}

func TestUserAgent(t *testing.T) {
	isolate(t)
	staticCreds(t)
	srv := newFakeAWS(t, false)
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL, Version: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if err := describe(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if ua := srv.requests[0].Header.Get("User-Agent"); !strings.Contains(ua, " ssmctl/1.2.3") {
		t.Errorf("User-Agent %q lacks ssmctl/1.2.3", ua)
	}
}

func TestCABundle(t *testing.T) {
	srv := newFakeAWS(t, true)
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	writeFile(t, good, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	garbage := filepath.Join(dir, "garbage.pem")
	writeFile(t, garbage, "not a certificate")
	missing := filepath.Join(dir, "missing.pem")
	corrupt := filepath.Join(dir, "corrupt.pem")
	writeFile(t, corrupt, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")

	t.Run("option", func(t *testing.T) {
		isolate(t)
		staticCreds(t)
		cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL, CABundle: good})
		if err != nil {
			t.Fatal(err)
		}
		if err := describe(context.Background(), cfg); err != nil {
			t.Fatalf("TLS call with the bundle: %v", err)
		}
	})
	t.Run("without the bundle TLS fails", func(t *testing.T) {
		isolate(t)
		staticCreds(t)
		cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := describe(context.Background(), cfg); err == nil {
			t.Fatal("TLS call without the bundle succeeded")
		}
	})
	t.Run("env", func(t *testing.T) {
		isolate(t)
		staticCreds(t)
		t.Setenv("AWS_CA_BUNDLE", good)
		cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := describe(context.Background(), cfg); err != nil {
			t.Fatalf("TLS call with AWS_CA_BUNDLE: %v", err)
		}
	})
	for name, tc := range map[string]struct {
		opt, env, want string
	}{
		"missing file":        {opt: missing, want: "CA bundle " + missing + " (from --ca-bundle): no such file or directory"},
		"garbage file":        {opt: garbage, want: "CA bundle " + garbage + " (from --ca-bundle): no PEM certificate"},
		"missing env file":    {env: missing, want: "CA bundle " + missing + " (from AWS_CA_BUNDLE)"},
		"option beats env":    {opt: missing, env: good, want: "(from --ca-bundle)"},
		"garbage in env file": {env: garbage, want: "(from AWS_CA_BUNDLE): no PEM certificate"},
		"corrupt certificate": {env: corrupt, want: "CA bundle " + corrupt + " (from AWS_CA_BUNDLE): no certificate in it could be parsed"},
	} {
		t.Run(name, func(t *testing.T) {
			isolate(t)
			if tc.env != "" {
				t.Setenv("AWS_CA_BUNDLE", tc.env)
			}
			_, err := Load(context.Background(), Options{Region: "eu-west-1", CABundle: tc.opt})
			wantCode(t, err, exitcode.Config, tc.want)
		})
	}
}

func TestMFAPrompt(t *testing.T) {
	const config = `[profile base]
region = eu-west-1
[profile admin]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
`
	setup := func(t *testing.T) *fakeAWS {
		cf, credsFile := isolate(t)
		writeFile(t, cf, config)
		writeFile(t, credsFile, "[base]\naws_access_key_id = "+testKeyID+"\naws_secret_access_key = "+testSecret+"\n")
		return newFakeAWS(t, false)
	}

	t.Run("no terminal", func(t *testing.T) {
		srv := setup(t)
		cfg, err := Load(context.Background(), Options{Profile: "admin", EndpointURL: srv.URL, Stdin: strings.NewReader("123456\n")})
		if err != nil {
			t.Fatal(err)
		}
		err = describe(context.Background(), cfg)
		wantCode(t, err, exitcode.Config, "needs an MFA code for arn:aws:iam::123456789012:mfa/alice")
		if srv.calls() != 0 {
			t.Errorf("%d requests sent", srv.calls())
		}
	})
	t.Run("terminal", func(t *testing.T) {
		srv := setup(t)
		var stderr bytes.Buffer
		stdin := strings.NewReader("123456\nrest of stdin\n")
		cfg, err := Load(context.Background(), Options{Profile: "admin", EndpointURL: srv.URL, Stdin: stdin, Stderr: &stderr, CanPrompt: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := describe(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "MFA code for arn:aws:iam::123456789012:mfa/alice: ") {
			t.Errorf("prompt %q", stderr.String())
		}
		form, _ := url.ParseQuery(srv.bodies[0])
		if form.Get("Action") != "AssumeRole" || form.Get("TokenCode") != "123456" || form.Get("SerialNumber") != "arn:aws:iam::123456789012:mfa/alice" {
			t.Errorf("AssumeRole request %q", srv.bodies[0])
		}
		if auth := srv.requests[1].Header.Get("Authorization"); !strings.Contains(auth, "ASIAROLEKEY") {
			t.Errorf("SSM call not signed with the role's credentials: %q", auth)
		}
		if rest, _ := io.ReadAll(stdin); string(rest) != "rest of stdin\n" {
			t.Errorf("prompt consumed past its line; left %q", rest)
		}
	})
}

// The SDK's own log lines never reach stderr unless --debug asks for them.
func TestSDKLoggerSilentUnlessDebug(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_REGION", "us-east-1")
	cfg, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Logger.(logging.Nop); !ok {
		t.Errorf("logger without --debug is %T, want logging.Nop", cfg.Logger)
	}
	var buf bytes.Buffer
	cfg, err = Load(context.Background(), Options{Debug: true, DebugOut: &buf})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger.Logf(logging.Warn, "hello")
	if !strings.Contains(buf.String(), "hello") {
		t.Errorf("debug logger wrote %q", buf.String())
	}
}
