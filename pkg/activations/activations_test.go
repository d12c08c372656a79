package activations

import (
	"strings"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func TestParseExpiry(t *testing.T) {
	for in, want := range map[string]time.Time{
		"90m":                  now.Add(90 * time.Minute),
		"36h":                  now.Add(36 * time.Hour),
		"7d":                   now.Add(7 * 24 * time.Hour),
		"2026-11-20":           time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		"2026-11-20T18:30:00Z": time.Date(2026, 11, 20, 18, 30, 0, 0, time.UTC),
	} {
		got, err := ParseExpiry(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0d", "-1h", "0s", "soon", "2h30", "7 days"} {
		if _, err := ParseExpiry(bad, now); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := CreateInput{Role: "service-role/SSMServiceRole", Name: "DevOnPrem", Limit: 1000, Expires: now.Add(MaxExpiry),
		Tags: map[string]string{"Environment": "Dev"}, Metadata: map[string]string{"k": "v"}}
	if err := ok.Validate(now); err != nil {
		t.Errorf("valid input refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(in *CreateInput)
		msg  string
	}{
		{"no role", func(in *CreateInput) { in.Role = "" }, "no IAM role"},
		{"role 65", func(in *CreateInput) { in.Role = strings.Repeat("r", 65) }, "at most 64"},
		{"role arn", func(in *CreateInput) { in.Role = "arn:aws:iam::1:role/R" }, "is an ARN"},
		{"role chars", func(in *CreateInput) { in.Role = "a role" }, "not an IAM role name"},
		{"service-linked", func(in *CreateInput) { in.Role = "aws-service-role/ssm.amazonaws.com/X" }, "service-linked"},
		{"limit -1", func(in *CreateInput) { in.Limit = -1 }, "want 1 to 1000"},
		{"limit 1001", func(in *CreateInput) { in.Limit = 1001 }, "want 1 to 1000"},
		{"expiry 30 days and a second", func(in *CreateInput) { in.Expires = now.Add(MaxExpiry + time.Second) }, "more than 30 days"},
		{"expiry now", func(in *CreateInput) { in.Expires = now }, "not in the future"},
		{"description", func(in *CreateInput) { in.Description = strings.Repeat("d", 257) }, "at most 256"},
		{"name", func(in *CreateInput) { in.Name = "a;b" }, "name"},
		{"aws: tag", func(in *CreateInput) { in.Tags = map[string]string{"AWS:x": "v"} }, "reserved"},
		{"blank metadata", func(in *CreateInput) { in.Metadata = map[string]string{"k": " "} }, "not blank"},
	} {
		in := ok
		tc.edit(&in)
		err := in.Validate(now)
		if exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want a usage error with %q", tc.name, err, tc.msg)
		}
	}
}

func TestInstructions(t *testing.T) {
	ins := Instructions("0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f", "ab+/cd'ef", "eu-west-3")
	if len(ins) != 4 {
		t.Fatalf("%d installs", len(ins))
	}
	all := ""
	for _, in := range ins {
		all += strings.Join(in.Lines, "\n") + "\n"
	}
	for _, want := range []string{
		`amazon-ssm-agent -register -code 'ab+/cd'\''ef' -id 0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f -region eu-west-3`,
		"https://amazon-ssm-eu-west-3.s3.eu-west-3.amazonaws.com/latest/debian_amd64/amazon-ssm-agent.deb",
		"sudo systemctl restart snap.amazon-ssm-agent.amazon-ssm-agent.service",
		`$code = 'ab+/cd''ef'`,
		"$region = 'eu-west-3'",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in\n%s", want, all)
		}
	}
	secret := Instructions("0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f", Secret, "eu-west-3")
	if l := secret[0].Lines[4]; !strings.Contains(l, `-code "$ACTIVATION_CODE" `) {
		t.Errorf("code from the file: %s", l)
	}
}
