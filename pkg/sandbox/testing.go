package sandbox

import (
	"io"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Start runs a sandbox for a test: on 127.0.0.1 with a free port (whatever
// opts.Listen says), serving until the test ends. It fails the test if the
// sandbox cannot start.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	opts.Listen = "127.0.0.1:0"
	s, err := New(opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	s.Start()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("sandbox: close: %v", err)
		}
	})
	return s
}

// AWSConfig is an aws.Config pointed at the sandbox: its endpoint, region
// and static credentials, and a standard retryer bounded to 3 attempts
// without a client-side retry quota (so injected faults are retried as
// often as asked, not rationed).
func (s *Server) AWSConfig() aws.Config {
	return s.AWSConfigFor(s.accountID, s.region)
}

// AWSConfigFor is AWSConfig for an account and Region: the account's
// credentials (none for an account the sandbox does not serve) and the
// Region, whether or not the sandbox serves it there.
func (s *Server) AWSConfigFor(account, region string) aws.Config {
	c := s.creds[account]
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// EchoServer listens on a free loopback port and sends back what each
// connection sends (closeAfter > 0: closes each connection after that
// many bytes), a destination for a fleet's port map in port forwarding
// tests. stop closes the listener.
func EchoServer(closeAfter int) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if closeAfter > 0 {
					_, _ = io.CopyN(c, c, int64(closeAfter))
					return
				}
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String(), func() { ln.Close() }, nil
}
