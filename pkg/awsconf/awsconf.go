// Package awsconf loads the aws.Config every ssmctl command uses: profile,
// region, endpoint, CA bundle, retries, user agent, MFA prompting, and the
// --debug request log; configuration failures carry exit code 253.
//
// Everything not set in Options comes from the AWS SDK's own chain
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM,
// AWS_CA_BUNDLE, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, the shared config and
// credentials files, SSO, credential_process, assume-role, ...). Precedence
// is Options > environment > shared config.
//
// Credentials are resolved lazily, on the first request. When nothing is
// configured the SDK's chain ends by asking the EC2 instance metadata service,
// which off EC2 costs about a second of timeouts before "no credentials";
// AWS_EC2_METADATA_DISABLED=true skips that probe.
package awsconf

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Options are ssmctl's AWS settings. Empty fields fall back to the SDK's
// default chain.
type Options struct {
	// Profile, Region, EndpointURL and CABundle come from flags, already
	// merged with ssmctl's own config file by the caller.
	Profile, Region, EndpointURL, CABundle string

	// RetryMode is "adaptive" or "standard"; empty means AWS_RETRY_MODE or
	// retry_mode from the profile, else adaptive.
	RetryMode string
	// MaxAttempts bounds attempts per request; 0 means AWS_MAX_ATTEMPTS or
	// max_attempts from the profile, else DefaultMaxAttempts.
	MaxAttempts int

	// Debug logs one line per request attempt to DebugOut (else Stderr, else
	// os.Stderr). It never logs bodies, headers or query strings.
	Debug    bool
	DebugOut io.Writer

	// Version goes into the user agent as "ssmctl/<version>".
	Version string

	// Stdin, Stderr and CanPrompt serve the MFA token prompt of an
	// assume-role profile with mfa_serial. Without CanPrompt (stdin is not
	// a terminal) such a profile is a configuration error.
	Stdin     io.Reader
	Stderr    io.Writer
	CanPrompt bool

	// fastRetries drops retry delays and the adaptive client-side rate
	// limit, which after a throttle waits seconds; tests use it.
	fastRetries bool
}

// DefaultMaxAttempts is the number of attempts per request when neither
// Options, AWS_MAX_ATTEMPTS nor the profile says otherwise.
const DefaultMaxAttempts = 5

// Load builds the aws.Config for ssmctl. Errors carry exit code 253
// (exitcode.Config). Credentials are not fetched here; a failure to fetch
// them surfaces from the first request, also with code 253.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.EndpointURL != "" {
		if err := checkEndpoint(o.EndpointURL); err != nil {
			return aws.Config{}, err
		}
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	caPath, caFrom := o.CABundle, "--ca-bundle"
	if caPath == "" {
		caPath, caFrom = os.Getenv("AWS_CA_BUNDLE"), "AWS_CA_BUNDLE"
	}
	if caPath != "" {
		bundle, err := readCABundle(caPath, caFrom)
		if err != nil {
			return aws.Config{}, err
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(bundle)))
	}
	opts = append(opts, config.WithAssumeRoleCredentialOptions(func(ao *stscreds.AssumeRoleOptions) {
		ao.TokenProvider = mfaTokenProvider(o, aws.ToString(ao.SerialNumber))
	}))

	version := o.Version
	if version == "" {
		version = "dev"
	}
	apiOptions := []func(*middleware.Stack) error{awsmiddleware.AddUserAgentKeyValue("ssmctl", version)}
	if o.Debug {
		apiOptions = append(apiOptions, debugMiddleware(newDebugLog(firstWriter(o.DebugOut, o.Stderr, os.Stderr))))
	}
	opts = append(opts, config.WithAPIOptions(apiOptions))
	// The SDK's own log lines (e.g. "WARN failed to discard remaining HTTP
	// response body", aws-sdk-go-v2#2737) would break the rule that stderr
	// carries only ssmctl's messages; with --debug they join its log.
	sdkLog := logging.Logger(logging.Nop{})
	if o.Debug {
		sdkLog = logging.NewStandardLogger(firstWriter(o.DebugOut, o.Stderr, os.Stderr))
	}
	opts = append(opts, config.WithLogger(sdkLog))

	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if caPath != "" && strings.Contains(err.Error(), "custom CA bundle") {
			// The SDK parses the bundle; its error names no file.
			return aws.Config{}, exitcode.New(exitcode.Config, "CA bundle %s (from %s): no certificate in it could be parsed", caPath, caFrom)
		}
		return aws.Config{}, loadError(err)
	}
	if cfg.Region == "" {
		return aws.Config{}, exitcode.New(exitcode.Config, "no region: set --region, AWS_REGION, or region in your AWS profile")
	}
	if err := setRetryer(&cfg, o); err != nil {
		return aws.Config{}, err
	}
	if cfg.Credentials != nil {
		cfg.Credentials = aws.NewCredentialsCache(&credentialsProvider{inner: cfg.Credentials})
	}
	if o.EndpointURL != "" {
		// A service-specific variable (AWS_ENDPOINT_URL_SSM) would otherwise
		// beat the explicit endpoint when a client is built.
		cfg.ConfigSources = append([]any{explicitEndpoint{}}, cfg.ConfigSources...)
	}
	return cfg, nil
}

func firstWriter(ws ...io.Writer) io.Writer {
	for _, w := range ws {
		if w != nil {
			return w
		}
	}
	return io.Discard
}

func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exitcode.New(exitcode.Config, "invalid endpoint URL %q: want http(s)://host[:port]", raw)
	}
	return nil
}

func readCABundle(path, from string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return nil, exitcode.New(exitcode.Config, "CA bundle %s (from %s): %v", path, from, err)
	}
	if !hasPEMCertificate(data) {
		return nil, exitcode.New(exitcode.Config, "CA bundle %s (from %s): no PEM certificate in it", path, from)
	}
	return data, nil
}

// hasPEMCertificate reports whether data holds a PEM CERTIFICATE block.
// The certificates themselves are parsed once, by the SDK: parsing a
// system bundle (AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt is
// common) takes milliseconds that every invocation would pay twice.
func hasPEMCertificate(data []byte) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" {
			return true
		}
	}
}

// explicitEndpoint is a config source that tells service clients to ignore
// configured endpoints (AWS_ENDPOINT_URL_<SERVICE>, services sections), so
// the explicit base endpoint stands.
type explicitEndpoint struct{}

func (explicitEndpoint) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return true, true, nil
}

func loadError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var profile config.SharedConfigProfileNotExistError
	var profilePtr *config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &profile):
		return &exitcode.Error{Code: exitcode.Config, Err: fmt.Errorf("unknown AWS profile %q: %w", profile.Profile, errNotInFiles)}
	case errors.As(err, &profilePtr):
		return &exitcode.Error{Code: exitcode.Config, Err: fmt.Errorf("unknown AWS profile %q: %w", profilePtr.Profile, errNotInFiles)}
	}
	return &exitcode.Error{Code: exitcode.Config, Err: fmt.Errorf("AWS config: %s", oneLine(err.Error()))}
}

var errNotInFiles = errors.New("not in the AWS config or credentials file (see `aws configure list-profiles`)")

func setRetryer(cfg *aws.Config, o Options) error {
	mode := o.RetryMode
	if mode == "" {
		mode = string(cfg.RetryMode)
	}
	if mode == "" {
		mode = string(aws.RetryModeAdaptive)
	}
	attempts := o.MaxAttempts
	if attempts == 0 {
		attempts = cfg.RetryMaxAttempts
	}
	if attempts == 0 {
		attempts = DefaultMaxAttempts
	}
	if attempts < 0 {
		return exitcode.New(exitcode.Config, "invalid max attempts %d: want 1 or more", attempts)
	}
	standard := func(so *retry.StandardOptions) {
		so.MaxAttempts = attempts
		if o.fastRetries {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}
	}
	switch aws.RetryMode(strings.ToLower(mode)) {
	case aws.RetryModeAdaptive:
		cfg.RetryMode = aws.RetryModeAdaptive
		cfg.Retryer = func() aws.Retryer {
			return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
				ao.StandardOptions = append(ao.StandardOptions, standard)
				if o.fastRetries {
					ao.RequestCost = 0
				}
			})
		}
	case aws.RetryModeStandard:
		cfg.RetryMode = aws.RetryModeStandard
		cfg.Retryer = func() aws.Retryer { return retry.NewStandard(standard) }
	default:
		return exitcode.New(exitcode.Config, "unknown retry mode %q: want adaptive or standard", mode)
	}
	// The retryer already carries the bound; a non-zero value here would
	// make clients re-wrap it with the environment's value.
	cfg.RetryMaxAttempts = 0
	return nil
}

// credentialsProvider turns a failure to get credentials into a
// configuration error that says what to do.
type credentialsProvider struct {
	inner aws.CredentialsProvider
}

func (p *credentialsProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.inner.Retrieve(ctx)
	if err == nil {
		return creds, nil
	}
	var coded *exitcode.Error
	if errors.Is(err, context.Canceled) || errors.As(err, &coded) {
		return aws.Credentials{}, err
	}
	return aws.Credentials{}, &exitcode.Error{Code: exitcode.Config, Err: &CredentialsError{Err: err}}
}

// CredentialsError is a failure to get AWS credentials. Its message is one
// line that says what to do and why, without secrets.
type CredentialsError struct {
	Err error
}

func (e *CredentialsError) Error() string {
	return "no credentials: set AWS_PROFILE or run `aws sso login` (" + credentialsCause(e.Err) + ")"
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialsCause says why credentials failed in one line. credential_process
// errors can quote the process's output, which may hold secrets, so only
// their kind is kept.
func credentialsCause(err error) string {
	var proc *processcreds.ProviderError
	if errors.As(err, &proc) {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "credential_process failed: " + exit.ProcessState.String()
		}
		return "credential_process failed; run the command by hand to see why"
	}
	msg := oneLine(err.Error())
	msg = strings.TrimPrefix(msg, "failed to refresh cached credentials, ")
	const maxCause = 300
	if len(msg) > maxCause {
		msg = msg[:maxCause] + "..."
	}
	return msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mfaTokenProvider prompts for the MFA code of an assume-role profile on
// the terminal, or explains why it cannot.
func mfaTokenProvider(o Options, serial string) func() (string, error) {
	return func() (string, error) {
		if !o.CanPrompt || o.Stdin == nil {
			return "", exitcode.New(exitcode.Config,
				"the AWS profile needs an MFA code for %s (mfa_serial) and ssmctl asks for it only on a terminal: run on a terminal, or export credentials from `aws sts get-session-token`", serial)
		}
		fmt.Fprintf(firstWriter(o.Stderr, os.Stderr), "MFA code for %s: ", serial)
		code, err := readLine(o.Stdin)
		if err != nil && code == "" {
			return "", exitcode.New(exitcode.Config, "reading the MFA code: %v", err)
		}
		code = strings.TrimSpace(code)
		if code == "" {
			return "", exitcode.New(exitcode.Config, "no MFA code given for %s", serial)
		}
		return code, nil
	}
}

// readLine reads up to a newline one byte at a time, so that nothing past
// the line is consumed from a shared stdin.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
}
