package activations

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetServiceSetting, UpdateServiceSetting, ResetServiceSetting: the
// account's SSM settings. The setting IDs and their values are the
// UpdateServiceSettingRequest documentation's; the defaults are AWS's for
// a new account (docs/sandbox-activations.md).

// setting is a customized setting as the state file keeps it.
type setting struct {
	Value        string    `json:"value"`
	LastModified time.Time `json:"lastModified"`
	User         string    `json:"user"`
}

// settingRule is one setting the sandbox knows: its default and the
// values UpdateServiceSetting accepts (nil: any).
type settingRule struct {
	def    string
	values []string
}

// TierSetting is the managed-instance activation tier.
const TierSetting = "/ssm/managed-instance/activation-tier"

var settingRules = map[string]settingRule{
	TierSetting: {"standard", []string{"standard", "advanced"}},
	"/ssm/parameter-store/default-parameter-tier":      {"Standard", []string{"Standard", "Advanced", "Intelligent-Tiering"}},
	"/ssm/parameter-store/high-throughput-enabled":     {"false", []string{"true", "false"}},
	"/ssm/opsinsights/opscenter":                       {"Disabled", []string{"Enabled", "Disabled"}},
	"/ssm/documents/console/public-sharing-permission": {"Enable", []string{"Enable", "Disable"}},
	"/ssm/appmanager/appmanager-enabled":               {"False", []string{"True", "False"}},
}

type settingIDInput struct {
	SettingId *string `json:"SettingId"`
}

type updateSettingInput struct {
	SettingId    *string `json:"SettingId"`
	SettingValue *string `json:"SettingValue"`
}

type settingWire struct {
	SettingId        string              `json:"SettingId"`
	SettingValue     string              `json:"SettingValue"`
	LastModifiedDate *protocol.EpochTime `json:"LastModifiedDate,omitempty"`
	LastModifiedUser string              `json:"LastModifiedUser"`
	ARN              string              `json:"ARN"`
	Status           string              `json:"Status"`
}

type settingOutput struct {
	ServiceSetting settingWire `json:"ServiceSetting"`
}

// settingPath takes a SettingId as a path (/ssm/...) or as the setting's
// ARN (arn:aws:ssm:REGION:ACCOUNT:servicesetting/ssm/...) and answers the
// path, or ServiceSettingNotFound.
func (a *Area) settingPath(id string) (string, settingRule, error) {
	path := id
	if strings.HasPrefix(id, "arn:") {
		prefix := a.h.ARN("ssm", a.h.Region, "servicesetting")
		rest, ok := strings.CutPrefix(id, prefix)
		if !ok {
			path = ""
		} else {
			path = rest
		}
	}
	rule, ok := settingRules[path]
	if !ok {
		return "", rule, protocol.Errorf(http.StatusBadRequest, "ServiceSettingNotFound", "ServiceSetting %s is not found.", id)
	}
	return path, rule, nil
}

// lookup validates a request's SettingId (and, for an update, its
// SettingValue) and finds the setting.
func (a *Area) lookup(id, value *string, update bool) (string, settingRule, error) {
	var v protocol.Validator
	if v.Required("settingId", id != nil) {
		v.Length("settingId", *id, 1, 1000)
	}
	if update && v.Required("settingValue", value != nil) {
		v.Length("settingValue", *value, 1, 4096)
	}
	if err := v.Err(); err != nil {
		return "", settingRule{}, err
	}
	return a.settingPath(*id)
}

func (a *Area) settingWire(st *state, path string, rule settingRule) settingWire {
	w := settingWire{
		SettingId: path, SettingValue: rule.def, LastModifiedUser: "System",
		ARN: a.h.ARN("ssm", a.h.Region, "servicesetting"+path), Status: "Default",
	}
	if s := st.Settings[path]; s != nil {
		w.SettingValue, w.LastModifiedDate, w.LastModifiedUser, w.Status = s.Value, protocol.Epoch(s.LastModified), s.User, "Customized"
	}
	return w
}

func (a *Area) getServiceSetting(in *settingIDInput) (*settingOutput, error) {
	path, rule, err := a.lookup(in.SettingId, nil, false)
	if err != nil {
		return nil, err
	}
	var out settingOutput
	a.view(func(st *state) { out.ServiceSetting = a.settingWire(st, path, rule) })
	return &out, nil
}

func (a *Area) updateServiceSetting(in *updateSettingInput) (*protocol.Empty, error) {
	path, rule, err := a.lookup(in.SettingId, in.SettingValue, true)
	if err != nil {
		return nil, err
	}
	if rule.values != nil && !slices.Contains(rule.values, *in.SettingValue) {
		return nil, protocol.ErrValidation(fmt.Sprintf("%s is not a valid value for %s: want %s.", *in.SettingValue, path, strings.Join(rule.values, " or ")))
	}
	err = a.mutate(func(st *state) error {
		st.Settings[path] = &setting{Value: *in.SettingValue, LastModified: a.h.Clock().UTC(), User: a.h.CallerARN()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (a *Area) resetServiceSetting(in *settingIDInput) (*settingOutput, error) {
	path, rule, err := a.lookup(in.SettingId, nil, false)
	if err != nil {
		return nil, err
	}
	var out settingOutput
	err = a.mutate(func(st *state) error {
		delete(st.Settings, path)
		out.ServiceSetting = a.settingWire(st, path, rule)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SessionAllowed is Session Manager's check of the activation tier: a
// session to an on-premises (mi-) node needs the advanced-instances tier.
// AWS answers StartSession 400 BadRequest "Enable advanced-instances tier
// to use Session Manager with your on-premises instances" (as reported in
// aws-samples/sagemaker-ssh-helper#11 and #44).
func (a *Area) SessionAllowed(nodeID string) error {
	if !strings.HasPrefix(nodeID, "mi-") {
		return nil
	}
	tier := settingRules[TierSetting].def
	a.view(func(st *state) {
		if s := st.Settings[TierSetting]; s != nil {
			tier = s.Value
		}
	})
	if tier != "advanced" {
		return protocol.Errorf(http.StatusBadRequest, "BadRequest", "Enable advanced-instances tier to use Session Manager with your on-premises instances")
	}
	return nil
}
