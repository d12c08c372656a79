package root_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// param put NAME --type SecureString with no value, at a terminal, asks for
// the value and does not echo what is typed; the value is stored as typed.
func TestParamPutSecretPTY(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml")})
	c := startPTY(t, srv, "param", "put", "/app/secret", "--type", "SecureString")
	at := c.expect(0, "Value of /app/secret (not echoed): ")
	c.send("s3cr3t-typed\r")
	if code := c.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	<-c.done
	c.mu.Lock()
	out := c.out.String()[at:]
	c.mu.Unlock()
	if strings.Contains(out, "s3cr3t") {
		t.Errorf("the value was echoed: %q", out)
	}
	got, err := ssm.NewFromConfig(srv.AWSConfig()).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/app/secret"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(got.Parameter.Value); v != "s3cr3t-typed" || got.Parameter.Type != "SecureString" {
		t.Errorf("stored %q (%s)", v, got.Parameter.Type)
	}
}
