package activations

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"net/http"
	"slices"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// The agent's registration and DeregisterManagedInstance.
//
// RegisterManagedInstance is the call `amazon-ssm-agent -register` makes
// (the agent's own SSM model, not botocore's): ActivationId,
// ActivationCode and the agent's public key in, InstanceId out. The agent
// then reports its platform with UpdateInstanceInformation; the sandbox
// takes those members in the same call (Name, Tags, Platform*,
// ComputerName, IPAddress, AgentVersion), which is what
// `ssmctl sandbox register` sends.

type registerInput struct {
	ActivationCode  *string           `json:"ActivationCode"`
	ActivationId    *string           `json:"ActivationId"`
	PublicKey       *string           `json:"PublicKey"`
	PublicKeyType   *string           `json:"PublicKeyType"`
	Fingerprint     *string           `json:"Fingerprint"`
	Name            *string           `json:"Name"`
	Tags            map[string]string `json:"Tags"`
	PlatformType    *string           `json:"PlatformType"`
	PlatformName    *string           `json:"PlatformName"`
	PlatformVersion *string           `json:"PlatformVersion"`
	ComputerName    *string           `json:"ComputerName"`
	IPAddress       *string           `json:"IPAddress"`
	AgentVersion    *string           `json:"AgentVersion"`
}

type registerOutput struct {
	InstanceId string `json:"InstanceId"`
}

type deregisterInput struct {
	InstanceId *string `json:"InstanceId"`
}

// ManagedInstanceId pattern (the eks_c: form is EKS's own and not
// emulated, but it passes validation as AWS lets it).
var managedInstanceIDPattern = lazyre.New(`(^mi-[0-9a-f]{17}$)|(^eks_c:[0-9A-Za-z][A-Za-z0-9\-_]{0,99}_\w{17}$)`)

func (a *Area) registerManagedInstance(in *registerInput) (*registerOutput, error) {
	var v protocol.Validator
	if v.Required("activationId", in.ActivationId != nil) {
		v.Pattern("activationId", *in.ActivationId, activationIDPattern)
	}
	if v.Required("activationCode", in.ActivationCode != nil) {
		v.Length("activationCode", *in.ActivationCode, 20, 250)
	}
	if in.Name != nil {
		v.Length("name", *in.Name, 0, 256)
		v.Pattern("name", *in.Name, instanceNamePattern)
	}
	if in.PlatformType != nil {
		v.Enum("platformType", *in.PlatformType, protocol.PlatformTypes...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, k := range tags.SortedKeys(in.Tags) {
		if err := tags.Check(k, in.Tags[k]); err != nil {
			return nil, protocol.ErrValidation(err.Error())
		}
	}

	now := a.h.Clock().UTC()
	var act activation
	err := a.mutate(func(st *state) error {
		i := slices.IndexFunc(st.Activations, func(x *activation) bool { return x.ID == *in.ActivationId })
		// The model's InvalidActivation: "The activation might have been
		// deleted, or the ActivationId and the ActivationCode don't match."
		if i < 0 || st.Activations[i].CodeSHA256 != hashCode(*in.ActivationCode) {
			return protocol.Errorf(http.StatusBadRequest, "InvalidActivation", "Not existing activation ID %s, or the activation code doesn't match it.", *in.ActivationId)
		}
		x := st.Activations[i]
		switch {
		case x.expired(now):
			// The agent reports "ActivationExpired" (aws/amazon-ssm-agent#134).
			return protocol.Errorf(http.StatusBadRequest, "ActivationExpired", "Activation %s expired at %s.", x.ID, x.Expires.Format("2006-01-02T15:04:05Z"))
		case x.RegistrationsCount >= x.RegistrationLimit:
			return protocol.Errorf(http.StatusBadRequest, "InvalidActivation", "Activation %s has reached its registration limit (%d).", x.ID, x.RegistrationLimit)
		}
		x.RegistrationsCount++
		act = *x
		return nil
	})
	if err != nil {
		return nil, err
	}

	n := &nodes.Node{
		ID:           newManagedInstanceID(),
		Name:         act.DefaultInstanceName,
		ComputerName: protocol.Deref(in.ComputerName),
		Platform: nodes.Platform{
			Type: protocol.Deref(in.PlatformType), Name: protocol.Deref(in.PlatformName), Version: protocol.Deref(in.PlatformVersion),
		},
		AgentVersion: protocol.Deref(in.AgentVersion),
		Ping:         "Online",
		IP:           protocol.Deref(in.IPAddress),
		// CreateActivation's Tags: "tags assigned to the activation are
		// automatically applied to the on-premises servers or VMs."
		Tags:             maps.Clone(act.Tags),
		ActivationID:     act.ID,
		IAMRole:          act.IamRole,
		RegistrationDate: &now,
	}
	if in.Name != nil && *in.Name != "" {
		n.Name = *in.Name
	}
	if n.Tags == nil {
		n.Tags = map[string]string{}
	}
	maps.Copy(n.Tags, in.Tags)
	if err := a.nodes.Register(n); err != nil {
		// Give the registration back: the node was not made.
		_ = a.mutate(func(st *state) error {
			for _, x := range st.Activations {
				if x.ID == act.ID && x.RegistrationsCount > 0 {
					x.RegistrationsCount--
				}
			}
			return nil
		})
		return nil, protocol.ErrValidation(err.Error())
	}
	a.h.Log("registered %s through activation %s", n.ID, act.ID)
	return &registerOutput{InstanceId: n.ID}, nil
}

func (a *Area) deregisterManagedInstance(in *deregisterInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("instanceId", in.InstanceId != nil) {
		v.Length("instanceId", *in.InstanceId, 20, 124)
		v.Pattern("instanceId", *in.InstanceId, managedInstanceIDPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// DeregisterManagedInstance does not give the activation its
	// registration back: "The Activation Code and Activation ID must not
	// have already been used on the maximum number of activations
	// specified when they were created."
	if !a.nodes.Deregister(*in.InstanceId) {
		return nil, protocol.ErrInvalidInstanceID("Instance id " + *in.InstanceId + " is not a registered managed instance.")
	}
	return &protocol.Empty{}, nil
}

func newManagedInstanceID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "mi-" + hex.EncodeToString(b)[:17]
}
