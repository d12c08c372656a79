package root_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// param cp --to-profile copies between two accounts: here two sandboxes,
// each reached through a profile of the shared config with its own
// endpoint_url, credentials and region. Type, description and SecureString
// values arrive; the destination's own default key seals them.
func TestParamCopyToProfile(t *testing.T) {
	src := sandbox.Start(t, sandbox.Options{})
	dst := sandbox.Start(t, sandbox.Options{Region: "eu-west-1", AccountID: "210987654321"})

	ctx := context.Background()
	put := func(name, value, typ, desc string) {
		t.Helper()
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: types.ParameterType(typ)}
		if desc != "" {
			in.Description = aws.String(desc)
		}
		if _, err := ssm.NewFromConfig(src.AWSConfig()).PutParameter(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	put("/app/url", "https://example.internal", "String", "service URL")
	put("/app/hosts", "a,b,c", "StringList", "")
	put("/app/db/password", "s3cr=t \"x\"\nline 2", "SecureString", "")

	home := t.TempDir()
	var cfg, creds strings.Builder
	for _, p := range []struct {
		name string
		srv  *sandbox.Server
	}{{"src", src}, {"dst", dst}} {
		key, secret := p.srv.Credentials()
		fmt.Fprintf(&cfg, "[profile %s]\nregion = %s\nendpoint_url = %s\n\n", p.name, p.srv.Region(), p.srv.URL())
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", p.name, key, secret)
	}
	if err := os.WriteFile(filepath.Join(home, "config"), []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "credentials"), []byte(creds.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(selfAs(t, "ssmctl"), "param", "cp", "-r", "/app", "/copied", "--to-profile", "dst", "-o", "json")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "xdg"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_PROFILE=src", "AWS_EC2_METADATA_DISABLED=true", "GORACE=atexit_sleep_ms=0",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("param cp: %v\n%s", err, out)
	}

	d := ssm.NewFromConfig(dst.AWSConfig())
	got, err := d.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/copied"), Recursive: aws.Bool(true), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	kinds := map[string]string{}
	for _, p := range got.Parameters {
		values[*p.Name], kinds[*p.Name] = *p.Value, string(p.Type)
	}
	want := map[string][2]string{
		"/copied/url":         {"https://example.internal", "String"},
		"/copied/hosts":       {"a,b,c", "StringList"},
		"/copied/db/password": {"s3cr=t \"x\"\nline 2", "SecureString"},
	}
	for name, w := range want {
		if values[name] != w[0] || kinds[name] != w[1] {
			t.Errorf("%s in the destination: %q %s, want %q %s", name, values[name], kinds[name], w[0], w[1])
		}
	}
	if len(values) != len(want) {
		t.Errorf("destination holds %v", values)
	}
	md, err := d.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range md.Parameters {
		if *m.Name == "/copied/url" && aws.ToString(m.Description) != "service URL" {
			t.Errorf("description %q", aws.ToString(m.Description))
		}
	}
	// Nothing was written in the source account.
	if n := src.Stats().Operations["ssm.PutParameter"].Calls; n != 3 {
		t.Errorf("the source saw %d PutParameter calls, want the 3 of the setup", n)
	}
}
