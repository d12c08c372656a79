// Package instanceconnect is the sandbox's EC2 Instance Connect API:
// SendSSHPublicKey, which keeps a public key for an instance's OS user for
// 60 seconds. Like AWS, the API accepts a key whether or not the node
// will ever look at it; whether a node honours it (runs EC2 Instance
// Connect's AuthorizedKeysCommand) is its fleet attribute instanceConnect,
// and ActiveKeys, which the sandbox's test SSH server asks, answers only
// for such nodes. Pushed keys live in memory only (they last 60 s), not
// in the state file. Limits and error names come from botocore's
// ec2-instance-connect/2018-04-02 model; docs/sandbox-instance-connect.md
// lists each rule with its source.
package instanceconnect

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// TTL is how long a pushed key stays (the API reference: "The key remains
// for 60 seconds").
const TTL = 60 * time.Second

// service is EC2 Instance Connect: the model's target prefix and errors.
// The model has no ValidationException; AWS answers a constraint
// violation as InvalidArgsException with the usual "1 validation error
// detected: ..." message (seen for an mi- ID in
// github.com/mludvig/aws-ssm-tools/issues/44).
var service = &router.Service{
	SigningName: "ec2-instance-connect", TargetPrefix: "AWSEC2InstanceConnectService", Protocol: protocol.JSON11,
	Throttle:        protocol.APIError{Status: 400, Type: "ThrottlingException", Message: "Rate exceeded"},
	Internal:        protocol.APIError{Status: 500, Type: "ServiceException", Message: "The service encountered an error."},
	ValidationError: "InvalidArgsException",
}

// The model's patterns. InstanceOSUser's second alternative,
// (^(?=.{2,32}$)[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$),
// has a lookahead RE2 lacks: it is the lengths 2-32 (checked apart) and
// userNumeric.
var (
	instanceIDPattern   = lazyre.New(`^i-[a-f0-9]+$`)
	userPattern         = lazyre.New(`^[A-Za-z_][A-Za-z0-9\@\._-]{0,30}[A-Za-z0-9\$_-]?$`)
	userNumeric         = lazyre.New(`^[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$`)
	availabilityPattern = lazyre.New(`^(\w+-){2,3}\d+\w+$`)
)

// userPatternText is the model's InstanceOSUser pattern, as AWS quotes it.
const userPatternText = `(^[A-Za-z_][A-Za-z0-9\@\._-]{0,30}[A-Za-z0-9\$_-]?$)|(^(?=.{2,32}$)[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$)`

// Area is EC2 Instance Connect.
type Area struct {
	h     *area.Host
	nodes *nodes.Area

	mu   sync.Mutex
	keys map[slot][]pushed
}

// slot is where keys are kept: an instance's OS user.
type slot struct{ instance, user string }

type pushed struct {
	key     ssh.PublicKey
	expires time.Time
}

// New registers SendSSHPublicKey.
func New(h *area.Host, n *nodes.Area) *Area {
	a := &Area{h: h, nodes: n, keys: map[slot][]pushed{}}
	h.Router.Register(service, "SendSSHPublicKey", router.Handle(a.sendSSHPublicKey))
	return a
}

type sendSSHPublicKeyInput struct {
	InstanceID       *string `json:"InstanceId"`
	InstanceOSUser   *string `json:"InstanceOSUser"`
	SSHPublicKey     *string `json:"SSHPublicKey"`
	AvailabilityZone *string `json:"AvailabilityZone"`
}

type sendSSHPublicKeyOutput struct {
	RequestID string `json:"RequestId"`
	Success   bool   `json:"Success"`
}

func (a *Area) sendSSHPublicKey(in *sendSSHPublicKeyInput) (*sendSSHPublicKeyOutput, error) {
	var v protocol.Validator
	if v.Required("instanceId", in.InstanceID != nil) {
		v.Length("instanceId", *in.InstanceID, 10, 32)
		v.Pattern("instanceId", *in.InstanceID, instanceIDPattern)
	}
	if v.Required("instanceOSUser", in.InstanceOSUser != nil) {
		u := *in.InstanceOSUser
		v.Length("instanceOSUser", u, 1, 32)
		if !userPattern.MatchString(u) && (len(u) < 2 || !userNumeric.MatchString(u)) {
			v.Add(protocol.QuoteValue(u), "instanceOSUser", "Member must satisfy regular expression pattern: "+userPatternText)
		}
	}
	if v.Required("sSHPublicKey", in.SSHPublicKey != nil) {
		v.Length("sSHPublicKey", *in.SSHPublicKey, 80, 4096)
	}
	if in.AvailabilityZone != nil {
		v.Length("availabilityZone", *in.AvailabilityZone, 6, 32)
		v.Pattern("availabilityZone", *in.AvailabilityZone, availabilityPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	key, err := parseKey(*in.SSHPublicKey)
	if err != nil {
		return nil, err
	}
	id := *in.InstanceID
	n, ok := a.nodes.Get(id)
	// An Availability Zone is its region's name and a letter: one of
	// another region cannot hold the instance.
	if !ok || in.AvailabilityZone != nil && !strings.HasPrefix(*in.AvailabilityZone, a.h.Region) {
		return nil, protocol.Errorf(http.StatusBadRequest, "EC2InstanceNotFoundException", "The specified instance was not found.")
	}
	if n.InstanceState() != "running" {
		return nil, protocol.Errorf(http.StatusBadRequest, "EC2InstanceStateInvalidException",
			"Unable to connect because the instance is not in a valid state. Connecting to a stopped or terminated instance is not supported. If the instance is stopped, start your instance, and try to connect again.")
	}
	now := a.h.Clock()
	a.mu.Lock()
	s := slot{id, *in.InstanceOSUser}
	a.keys[s] = append(live(a.keys[s], now), pushed{key: key, expires: now.Add(TTL)})
	a.mu.Unlock()
	return &sendSSHPublicKeyOutput{RequestID: protocol.NewRequestID(), Success: true}, nil
}

// parseKey reads an OpenSSH public key line. AWS refuses what is not an
// RSA or ED25519 key (as EC2 key pairs), with InvalidArgsException "...
// SSH Public key is invalid" (github.com/aws/aws-cli/issues/6811 for an
// sk-ssh-ed25519 key; github.com/danmx/sigil/issues/116 shows "RSA - "
// before "SSH" for a bad RSA one, which the sandbox does not tell apart).
// The error messages for a missing or stopped instance are the model's
// descriptions of those errors: AWS's own wording is not documented.
func parseKey(s string) (ssh.PublicKey, error) {
	key, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil || len(bytes.TrimSpace(rest)) > 0 {
		return nil, invalidKey()
	}
	if t := key.Type(); t != ssh.KeyAlgoRSA && t != ssh.KeyAlgoED25519 {
		return nil, invalidKey()
	}
	return key, nil
}

func invalidKey() *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidArgsException", "Invalid input parameter received for Illegal argument exception: SSH Public key is invalid")
}

// live are the keys that have not expired at now.
func live(ks []pushed, now time.Time) []pushed {
	out := ks[:0]
	for _, k := range ks {
		if now.Before(k.expires) {
			out = append(out, k)
		}
	}
	return out
}

// ActiveKeys are the keys pushed for user on the node in the last 60
// seconds, as authorized_keys lines, if the node honours them (its
// instanceConnect attribute); none otherwise. This is what EC2 Instance
// Connect's AuthorizedKeysCommand would print to sshd.
func (a *Area) ActiveKeys(id, user string) []string {
	n, ok := a.nodes.Get(id)
	if !ok || !n.OffersInstanceConnect() || n.InstanceState() != "running" {
		return nil
	}
	now := a.h.Clock()
	a.mu.Lock()
	defer a.mu.Unlock()
	s := slot{id, user}
	ks := live(a.keys[s], now)
	if len(ks) == 0 {
		delete(a.keys, s)
		return nil
	}
	a.keys[s] = ks
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.key)))
	}
	return out
}
