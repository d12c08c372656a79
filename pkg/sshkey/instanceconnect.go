package sshkey

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2instanceconnect"
	"github.com/aws/smithy-go"
	"golang.org/x/crypto/ssh"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Via is how a key reaches the node: --key-via.
type Via string

const (
	// ViaAuto is EC2 Instance Connect for an EC2 instance (i-) and a user
	// name it accepts, and a Run Command otherwise or when EC2 Instance
	// Connect refuses the key.
	ViaAuto Via = "auto"
	// ViaInstanceConnect is EC2 Instance Connect's SendSSHPublicKey only.
	ViaInstanceConnect Via = "instance-connect"
	// ViaRunCommand is a Run Command that edits authorized_keys only.
	ViaRunCommand Via = "run-command"
)

// Vias are the --key-via choices.
var Vias = []string{string(ViaAuto), string(ViaInstanceConnect), string(ViaRunCommand)}

// ParseVia reads a --key-via value.
func ParseVia(s string) (Via, bool) {
	for _, v := range Vias {
		if s == v {
			return Via(s), true
		}
	}
	return "", false
}

// InstanceConnectAPI is the EC2 Instance Connect call ssmctl makes.
type InstanceConnectAPI interface {
	SendSSHPublicKey(ctx context.Context, in *ec2instanceconnect.SendSSHPublicKeyInput, optFns ...func(*ec2instanceconnect.Options)) (*ec2instanceconnect.SendSSHPublicKeyOutput, error)
}

// From the ec2-instance-connect model: InstanceId's pattern, and
// InstanceOSUser's two alternatives (the second's lookahead, a length of
// 2 to 32, checked apart: RE2 has none).
var (
	eicInstanceID  = lazyre.New(`^i-[a-f0-9]+$`)
	eicUser        = lazyre.New(`^[A-Za-z_][A-Za-z0-9\@\._-]{0,30}[A-Za-z0-9\$_-]?$`)
	eicUserNumeric = lazyre.New(`^[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$`)
)

// InstanceConnectRefusal says, without I/O, why EC2 Instance Connect
// cannot take a key for user on node ("" when it can try): it serves EC2
// instances only (not mi- hybrid nodes), and user names that match its
// model's pattern.
func InstanceConnectRefusal(node target.Node, user string) string {
	if !eicInstanceID.MatchString(node.ID) || len(node.ID) < 10 || len(node.ID) > 32 {
		return fmt.Sprintf("%s is not an EC2 instance (EC2 Instance Connect serves i- IDs only)", label(node))
	}
	if len(user) > 32 || !eicUser.MatchString(user) && (len(user) < 2 || !eicUserNumeric.MatchString(user)) {
		return fmt.Sprintf("EC2 Instance Connect does not accept the user name %q", user)
	}
	return ""
}

// PushInstanceConnect hands key's public half to EC2 Instance Connect
// (SendSSHPublicKey) for user on node. AWS keeps it for 60 seconds, for
// the node's sshd to fetch through EC2 Instance Connect's
// AuthorizedKeysCommand, and answers success whether or not the node runs
// that command: a pushed key may be ignored. Nothing is written on the
// node, so the placement's Remove does nothing.
func PushInstanceConnect(ctx context.Context, api InstanceConnectAPI, node target.Node, user string, key *Key) (*Placement, error) {
	if err := Check(node, user); err != nil {
		return nil, err
	}
	if why := InstanceConnectRefusal(node, user); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key.PublicKey())))
	out, err := api.SendSSHPublicKey(ctx, &ec2instanceconnect.SendSSHPublicKeyInput{
		InstanceId:     aws.String(node.ID),
		InstanceOSUser: aws.String(user),
		SSHPublicKey:   aws.String(line),
	})
	if err != nil {
		return nil, &instanceConnectError{err}
	}
	if !out.Success {
		return nil, fmt.Errorf("EC2 Instance Connect: SendSSHPublicKey answered Success false (request %s)", aws.ToString(out.RequestId))
	}
	return &Placement{node: node, user: user, key: key, via: ViaInstanceConnect, done: true}, nil
}

// instanceConnectError is a failed SendSSHPublicKey, said shortly: the
// exception and its message when AWS answered, the SDK's error otherwise.
type instanceConnectError struct{ err error }

func (e *instanceConnectError) Error() string {
	var ae smithy.APIError
	if errors.As(e.err, &ae) {
		return "EC2 Instance Connect: " + ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return "EC2 Instance Connect: " + e.err.Error()
}

func (e *instanceConnectError) Unwrap() error { return e.err }
