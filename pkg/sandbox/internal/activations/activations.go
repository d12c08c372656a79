package activations

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// CreateActivation, DescribeActivations, DeleteActivation. Rules, limits
// and error names come from botocore's ssm/2014-11-06 model unless a
// comment says otherwise (docs/sandbox-activations.md).

// activation is one activation as the state file keeps it.
type activation struct {
	ID                  string            `json:"id"`
	CodeSHA256          string            `json:"codeSha256"`
	Description         string            `json:"description,omitempty"`
	DefaultInstanceName string            `json:"defaultInstanceName,omitempty"`
	IamRole             string            `json:"iamRole"`
	RegistrationLimit   int               `json:"registrationLimit"`
	RegistrationsCount  int               `json:"registrationsCount"`
	Created             time.Time         `json:"created"`
	Expires             time.Time         `json:"expires"`
	Tags                map[string]string `json:"tags,omitempty"`
}

func (act *activation) expired(now time.Time) bool { return !now.Before(act.Expires) }

// Wire types (AWS member names).

type registrationMetadata struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

type createActivationInput struct {
	Description          *string                `json:"Description"`
	DefaultInstanceName  *string                `json:"DefaultInstanceName"`
	IamRole              *string                `json:"IamRole"`
	RegistrationLimit    *int32                 `json:"RegistrationLimit"`
	ExpirationDate       *protocol.EpochTime    `json:"ExpirationDate"`
	Tags                 []tags.Wire            `json:"Tags"`
	RegistrationMetadata []registrationMetadata `json:"RegistrationMetadata"`
}

type createActivationOutput struct {
	ActivationId   string `json:"ActivationId"`
	ActivationCode string `json:"ActivationCode"`
}

type activationFilter struct {
	FilterKey    *string  `json:"FilterKey"`
	FilterValues []string `json:"FilterValues"`
}

type describeActivationsInput struct {
	Filters    []activationFilter `json:"Filters"`
	MaxResults *int32             `json:"MaxResults"`
	NextToken  *string            `json:"NextToken"`
}

type activationWire struct {
	ActivationId        string              `json:"ActivationId"`
	Description         string              `json:"Description,omitempty"`
	DefaultInstanceName string              `json:"DefaultInstanceName,omitempty"`
	IamRole             string              `json:"IamRole"`
	RegistrationLimit   int                 `json:"RegistrationLimit"`
	RegistrationsCount  int                 `json:"RegistrationsCount"`
	ExpirationDate      *protocol.EpochTime `json:"ExpirationDate"`
	Expired             bool                `json:"Expired"`
	CreatedDate         *protocol.EpochTime `json:"CreatedDate"`
	Tags                []tags.Tag          `json:"Tags,omitempty"`
}

type describeActivationsOutput struct {
	ActivationList []activationWire `json:"ActivationList"`
	NextToken      string           `json:"NextToken,omitempty"`
}

type activationIDInput struct {
	ActivationId *string `json:"ActivationId"`
}

var (
	// ActivationId and DefaultInstanceName patterns.
	activationIDPattern  = lazyre.New(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	instanceNamePattern  = lazyre.New(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	activationFilterKeys = []string{"ActivationIds", "DefaultInstanceName", "IamRole"}
	// An IAM role name (IAM's RoleName pattern [\w+=,.@-]+), with an
	// optional path (service-role/Name), as CreateActivation takes it.
	roleNamePattern = lazyre.New(`^([\w+=,.@-]+/)*[\w+=,.@-]+$`)
)

const (
	// CreateActivationRequest.ExpirationDate: "You can specify a date up
	// to 30 days in advance. If you don't provide an expiration date, the
	// activation code expires in 24 hours."
	maxExpiry     = 30 * 24 * time.Hour
	defaultExpiry = 24 * time.Hour
	// RegistrationLimit: "The default value is 1."
	defaultLimit = 1
	// DescribeActivations' MaxResults is 1..50; AWS documents no default
	// page size: the sandbox's is 50.
	defaultActivationPage = 50
)

// validateRole applies the model's IamRole length and the sandbox's
// reading of the documentation: a role name (with its path), not an ARN,
// and not a service-linked role.
func (a *Area) validateRole(v *protocol.Validator, role *string) *protocol.APIError {
	if !v.Required("iamRole", role != nil) {
		return nil
	}
	v.Length("iamRole", *role, 0, 64)
	if v.Err() != nil {
		return nil
	}
	// AWS looks the role up in IAM and answers "Not existing role:
	// arn:aws:iam::ACCOUNT:role/NAME" when it finds none; the sandbox has
	// no IAM, so a name IAM could not hold is the role that does not exist.
	if !roleNamePattern.MatchString(*role) {
		return protocol.ErrValidation("Not existing role: " + a.h.ARN("iam", "", "role/"+*role))
	}
	// IamRole documentation: "You can't specify an IAM service-linked role
	// for this parameter."
	if strings.HasPrefix(*role, "aws-service-role/") {
		return protocol.ErrValidation("Service-linked role " + *role + " can't be used for an activation: create a role that trusts ssm.amazonaws.com.")
	}
	return nil
}

func (a *Area) createActivation(in *createActivationInput) (*createActivationOutput, error) {
	var v protocol.Validator
	roleErr := a.validateRole(&v, in.IamRole)
	if in.Description != nil {
		v.Length("description", *in.Description, 0, 256)
	}
	if in.DefaultInstanceName != nil {
		v.Length("defaultInstanceName", *in.DefaultInstanceName, 0, 256)
		v.Pattern("defaultInstanceName", *in.DefaultInstanceName, instanceNamePattern)
	}
	v.IntRange("registrationLimit", in.RegistrationLimit, 1, 1000)
	tags.ValidateList(&v, in.Tags)
	for i, m := range in.RegistrationMetadata {
		p := fmt.Sprintf("registrationMetadata.%d.member", i+1)
		if v.Required(p+".key", m.Key != nil) {
			v.Length(p+".key", *m.Key, 1, 128)
			notBlank(&v, p+".key", *m.Key)
		}
		if v.Required(p+".value", m.Value != nil) {
			v.Length(p+".value", *m.Value, 1, 2048)
			notBlank(&v, p+".value", *m.Value)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if roleErr != nil {
		return nil, roleErr
	}
	tagMap := map[string]string{}
	for _, t := range in.Tags {
		if tags.Reserved(*t.Key) {
			return nil, protocol.ErrValidation("Tag keys beginning with aws: are reserved for AWS.")
		}
		tagMap[*t.Key] = *t.Value
	}
	if len(tagMap) > tags.MaxPerResource {
		return nil, protocol.ErrTooManyTags()
	}
	now := a.h.Clock().UTC()
	expires := now.Add(defaultExpiry)
	if in.ExpirationDate != nil {
		expires = time.Time(*in.ExpirationDate).UTC()
		// The model names no exception for a bad date; the sandbox answers
		// InvalidParameters, the operation's only client error.
		if !expires.After(now) {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidParameters", "ExpirationDate %s is not in the future.", expires.Format(time.RFC3339))
		}
		if expires.Sub(now) > maxExpiry {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidParameters", "ExpirationDate %s is more than 30 days ahead: an activation expires at most 30 days after it is created.", expires.Format(time.RFC3339))
		}
	}
	limit := defaultLimit
	if in.RegistrationLimit != nil {
		limit = int(*in.RegistrationLimit)
	}
	code := newCode()
	act := &activation{
		ID: newActivationID(), CodeSHA256: hashCode(code),
		Description: protocol.Deref(in.Description), DefaultInstanceName: protocol.Deref(in.DefaultInstanceName),
		IamRole: *in.IamRole, RegistrationLimit: limit, Created: now, Expires: expires, Tags: tagMap,
	}
	if len(act.Tags) == 0 {
		act.Tags = nil
	}
	err := a.mutate(func(st *state) error {
		st.Activations = append(st.Activations, act)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &createActivationOutput{ActivationId: act.ID, ActivationCode: code}, nil
}

// notBlank is the RegistrationMetadata pattern ^(?!\s*$).+, which Go's
// regexp (no look-ahead) can't compile.
func notBlank(v *protocol.Validator, path, s string) {
	if s != "" && strings.TrimSpace(s) == "" {
		v.Add(protocol.QuoteValue(s), path, `Member must satisfy regular expression pattern: ^(?!\s*$).+`)
	}
}

func (a *Area) describeActivations(in *describeActivationsInput) (*describeActivationsOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	for i, f := range in.Filters {
		if f.FilterKey != nil {
			v.Enum(fmt.Sprintf("filters.%d.member.filterKey", i+1), *f.FilterKey, activationFilterKeys...)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, f := range in.Filters {
		// The model lets FilterKey be missing; AWS's InvalidFilter is the
		// answer to a filter it can't apply.
		if f.FilterKey == nil {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilter", "A filter needs a FilterKey: ActivationIds, DefaultInstanceName or IamRole.")
		}
	}
	size := defaultActivationPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeActivations", in.Filters)
	now := a.h.Clock()
	var out describeActivationsOutput
	var ok bool
	a.view(func(st *state) {
		var matched []*activation
		for _, act := range st.Activations {
			if matchesAll(act, in.Filters) {
				matched = append(matched, act)
			}
		}
		out.ActivationList, out.NextToken, ok = protocol.PageOf(matched, protocol.Deref(in.NextToken), fp, size, func(act *activation) activationWire {
			return wire(act, now)
		})
	})
	if !ok {
		return nil, protocol.ErrInvalidNextToken()
	}
	return &out, nil
}

func matchesAll(act *activation, filters []activationFilter) bool {
	for _, f := range filters {
		var have string
		switch *f.FilterKey {
		case "ActivationIds":
			have = act.ID
		case "DefaultInstanceName":
			have = act.DefaultInstanceName
		case "IamRole":
			have = act.IamRole
		}
		if !slices.Contains(f.FilterValues, have) {
			return false
		}
	}
	return true
}

func wire(act *activation, now time.Time) activationWire {
	return activationWire{
		ActivationId: act.ID, Description: act.Description, DefaultInstanceName: act.DefaultInstanceName,
		IamRole: act.IamRole, RegistrationLimit: act.RegistrationLimit, RegistrationsCount: act.RegistrationsCount,
		ExpirationDate: protocol.Epoch(act.Expires), Expired: act.expired(now), CreatedDate: protocol.Epoch(act.Created),
		Tags: listOrNil(act.Tags),
	}
}

func listOrNil(m map[string]string) []tags.Tag {
	if len(m) == 0 {
		return nil
	}
	return tags.List(m)
}

func (a *Area) deleteActivation(in *activationIDInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("activationId", in.ActivationId != nil) {
		v.Pattern("activationId", *in.ActivationId, activationIDPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// DeleteActivation: "Deleting an activation doesn't de-register managed
	// nodes."
	err := a.mutate(func(st *state) error {
		i := slices.IndexFunc(st.Activations, func(act *activation) bool { return act.ID == *in.ActivationId })
		if i < 0 {
			return errInvalidActivationID(*in.ActivationId)
		}
		st.Activations = slices.Delete(st.Activations, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func errInvalidActivationID(id string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidActivationId", "Activation ID %s doesn't exist.", id)
}

func newActivationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newCode is an activation code as AWS issues them: 20 characters of the
// base64 alphabet (the model's ActivationCode is 20..250).
func newCode() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}
