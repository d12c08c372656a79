package protocol

import (
	"net/http"
	"testing"
)

func TestCredentialScope(t *testing.T) {
	for authz, want := range map[string][2]string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/eu-west-1/ssm/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc": {"AKIDEXAMPLE", "eu-west-1"},
		"AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKID2/20261205/us-east-1/sts/aws4_request, Signature=abc":                  {"AKID2", "us-east-1"},
		"AWS4-HMAC-SHA256 Credential=AKID/eu-west-1/ssm/aws4_request, Signature=abc":                                                {"", ""},
		"": {"", ""},
	} {
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if key, region := CredentialScope(r); key != want[0] || region != want[1] {
			t.Errorf("%q: got %q, %q; want %q, %q", authz, key, region, want[0], want[1])
		}
	}
}
