package activations

import (
	"errors"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

func newArea(t *testing.T) *Area {
	t.Helper()
	sf, err := store.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &area.Host{Region: "eu-west-3", AccountID: "123456789012", Clock: time.Now, Router: router.New(router.Config{}), Store: sf}
	n, err := nodes.New(h, nodes.DefaultFleet())
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(h, n)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func apiType(err error) string {
	var ae *protocol.APIError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}

func TestSettingIDs(t *testing.T) {
	a := newArea(t)
	for id, want := range map[string]string{
		TierSetting: "",
		"arn:aws:ssm:eu-west-3:123456789012:servicesetting/ssm/managed-instance/activation-tier": "",
		"arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/managed-instance/activation-tier": "ServiceSettingNotFound",
		"arn:aws:ssm:eu-west-3:999999999999:servicesetting/ssm/managed-instance/activation-tier": "ServiceSettingNotFound",
		"/ssm/managed-instance/default-ec2-instance-management-role":                             "ServiceSettingNotFound",
		"managed-instance/activation-tier":                                                       "ServiceSettingNotFound",
	} {
		id := id
		_, err := a.getServiceSetting(&settingIDInput{SettingId: &id})
		if got := apiType(err); got != want {
			t.Errorf("%s: %v, want %q", id, err, want)
		}
	}
	empty := ""
	if _, err := a.getServiceSetting(&settingIDInput{SettingId: &empty}); apiType(err) != "ValidationException" {
		t.Errorf("empty SettingId: %v", err)
	}
	if _, err := a.getServiceSetting(&settingIDInput{}); apiType(err) != "ValidationException" {
		t.Errorf("no SettingId: %v", err)
	}
}

func TestSessionAllowed(t *testing.T) {
	a := newArea(t)
	if err := a.SessionAllowed("i-0a1b2c3d4e5f60001"); err != nil {
		t.Errorf("EC2 node: %v", err)
	}
	err := a.SessionAllowed("mi-0a1b2c3d4e5f60004")
	var ae *protocol.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Type != "BadRequest" {
		t.Errorf("mi- node in the standard tier: %v", err)
	}
	id, v := TierSetting, "advanced"
	if _, err := a.updateServiceSetting(&updateSettingInput{SettingId: &id, SettingValue: &v}); err != nil {
		t.Fatal(err)
	}
	if err := a.SessionAllowed("mi-0a1b2c3d4e5f60004"); err != nil {
		t.Errorf("mi- node in the advanced tier: %v", err)
	}
}
