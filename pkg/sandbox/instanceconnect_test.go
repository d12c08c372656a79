package sandbox

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2instanceconnect"
	"golang.org/x/crypto/ssh"
)

func instanceConnectClient(s *Server) *ec2instanceconnect.Client {
	return ec2instanceconnect.NewFromConfig(s.AWSConfig(), func(o *ec2instanceconnect.Options) { o.Retryer = transportRetryer() })
}

// authorizedLine is a new key's authorized_keys line (no comment).
func authorizedLine(t *testing.T, pub any) string {
	t.Helper()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func newEd25519Line(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return authorizedLine(t, pub)
}

func newRSALine(t *testing.T) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return authorizedLine(t, &k.PublicKey)
}

// SendSSHPublicKey: a key is kept for 60 s per instance and user, and
// honoured (InstanceConnectKeys, what the test SSH server asks) only on a
// node that runs EC2 Instance Connect; the model's validation and the
// errors for unknown, hybrid and stopped instances.
func TestInstanceConnect(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	f := testFleet()
	no := false
	f.Nodes[2].InstanceConnect = &no // db-1 (linux3): its sshd does not ask
	s := Start(t, Options{Fleet: f, Clock: clock})
	c := instanceConnectClient(s)

	push := func(id, user, key string, az ...string) error {
		in := &ec2instanceconnect.SendSSHPublicKeyInput{InstanceId: aws.String(id), InstanceOSUser: aws.String(user), SSHPublicKey: aws.String(key)}
		if len(az) > 0 {
			in.AvailabilityZone = aws.String(az[0])
		}
		out, err := c.SendSSHPublicKey(ctx(), in)
		if err == nil && (!out.Success || aws.ToString(out.RequestId) == "") {
			t.Errorf("SendSSHPublicKey %s %s: Success %v RequestId %q", id, user, out.Success, aws.ToString(out.RequestId))
		}
		return err
	}
	k1, k2 := newEd25519Line(t), newEd25519Line(t)
	if err := push(linux1, "ec2-user", k1, s.Region()+"a"); err != nil {
		t.Fatal(err)
	}
	advance(30 * time.Second)
	if err := push(linux1, "ec2-user", k2); err != nil {
		t.Fatal(err)
	}
	if got := s.InstanceConnectKeys(linux1, "ec2-user"); len(got) != 2 || got[0] != k1 || got[1] != k2 {
		t.Fatalf("keys after two pushes: %q", got)
	}
	if got := s.InstanceConnectKeys(linux1, "ubuntu"); len(got) != 0 {
		t.Errorf("another user has %q", got)
	}
	if got := s.InstanceConnectKeys(linux2, "ec2-user"); len(got) != 0 {
		t.Errorf("another node has %q", got)
	}
	// 60 s after each push its key is gone.
	advance(29 * time.Second) // k1 at 59 s
	if got := s.InstanceConnectKeys(linux1, "ec2-user"); len(got) != 2 {
		t.Fatalf("at 59 s: %q", got)
	}
	advance(time.Second) // k1 at 60 s, k2 at 30 s
	if got := s.InstanceConnectKeys(linux1, "ec2-user"); len(got) != 1 || got[0] != k2 {
		t.Fatalf("at 60 s: %q, want only the second key", got)
	}
	advance(30 * time.Second)
	if got := s.InstanceConnectKeys(linux1, "ec2-user"); len(got) != 0 {
		t.Fatalf("after 60 s: %q", got)
	}

	// A node that does not run EC2 Instance Connect: AWS accepts the key
	// all the same, and the node never sees it.
	if err := push(linux3, "ec2-user", k1); err != nil {
		t.Fatalf("a node without EC2 Instance Connect: %v", err)
	}
	if got := s.InstanceConnectKeys(linux3, "ec2-user"); len(got) != 0 {
		t.Errorf("db-1 does not run EC2 Instance Connect, yet honours %q", got)
	}
	// An RSA key, and the model's numeric-user alternative.
	if err := push(linux1, "1000x", newRSALine(t)); err != nil {
		t.Errorf("RSA key, user 1000x: %v", err)
	}

	ecdsaKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.nodes.SetInstanceState(linux2, "stopped"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id, user, key, az string
		code, msg               string
	}{
		{"hybrid node", hybrid1, "ec2-user", k1, "", "InvalidArgsException",
			"1 validation error detected: Value 'mi-00000000000000006' at 'instanceId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^i-[a-f0-9]+$"},
		{"unknown instance", "i-0123456789abcdef0", "ec2-user", k1, "", "EC2InstanceNotFoundException", "The specified instance was not found."},
		{"another region's zone", linux1, "ec2-user", k1, "eu-west-3a", "EC2InstanceNotFoundException", ""},
		{"stopped", linux2, "ec2-user", k1, "", "EC2InstanceStateInvalidException", "not in a valid state"},
		{"bad user", linux1, "-root", k1, "", "InvalidArgsException", "at 'instanceOSUser' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"digits only", linux1, "1000", k1, "", "InvalidArgsException", "at 'instanceOSUser'"},
		{"long user", linux1, strings.Repeat("u", 33), k1, "", "InvalidArgsException", "Member must have length less than or equal to 32"},
		{"short key", linux1, "ec2-user", "ssh-ed25519 AAAA", "", "InvalidArgsException", "at 'sSHPublicKey' failed to satisfy constraint: Member must have length greater than or equal to 80"},
		{"not a key", linux1, "ec2-user", strings.Repeat("x", 100), "", "InvalidArgsException", "SSH Public key is invalid"},
		{"ECDSA key", linux1, "ec2-user", authorizedLine(t, &ecdsaKey.PublicKey), "", "InvalidArgsException", "SSH Public key is invalid"},
		{"bad zone", linux1, "ec2-user", k1, "zone", "InvalidArgsException", "at 'availabilityZone'"},
	} {
		var err error
		if tc.az != "" {
			err = push(tc.id, tc.user, tc.key, tc.az)
		} else {
			err = push(tc.id, tc.user, tc.key)
		}
		if errorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.code, tc.msg)
		}
	}
	if got := s.InstanceConnectKeys(linux1, "ec2-user"); len(got) != 0 {
		t.Errorf("refused pushes left keys: %q", got)
	}
	st := s.Stats().Operations["ec2-instance-connect.SendSSHPublicKey"]
	if st.Calls != 15 || st.Errors != 11 {
		t.Errorf("stats %+v, want 15 calls and 11 errors", st)
	}

	// The AWS CLI.
	k3 := newEd25519Line(t)
	var out struct {
		RequestID string `json:"RequestId"`
		Success   bool
	}
	awsCLI(t, s, &out, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", linux1,
		"--instance-os-user", "ubuntu", "--ssh-public-key", k3, "--availability-zone", s.Region()+"b")
	if !out.Success || out.RequestID == "" {
		t.Errorf("AWS CLI: %+v", out)
	}
	if got := s.InstanceConnectKeys(linux1, "ubuntu"); len(got) != 1 || got[0] != k3 {
		t.Errorf("after the AWS CLI's push: %q", got)
	}
}

// The fleet attribute: a default from the platform, and refused where
// AWS has no EC2 Instance Connect.
func TestInstanceConnectFleet(t *testing.T) {
	t.Parallel()
	f, err := ParseFleet([]byte(`nodes:
  - {id: i-00000000000000001}
  - {id: i-00000000000000002, platform: {type: Linux, name: Ubuntu, version: "24.04"}}
  - {id: i-00000000000000003, platform: {type: Linux, name: Red Hat Enterprise Linux, version: "9.4"}}
  - {id: i-00000000000000004, platform: {type: Linux, name: Red Hat Enterprise Linux, version: "9.4"}, instanceConnect: true}
  - {id: i-00000000000000005, instanceConnect: false}
  - {id: i-00000000000000006, platform: {type: Windows}}
  - {id: mi-00000000000000007}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, false, true, false, false, false}
	for i, n := range f.Nodes {
		if n.OffersInstanceConnect() != want[i] {
			t.Errorf("%s (%s): instanceConnect %v, want %v", n.ID, n.Platform.Name, n.OffersInstanceConnect(), want[i])
		}
	}
	for _, bad := range []string{
		`nodes: [{id: mi-00000000000000007, instanceConnect: true}]`,
		`nodes: [{id: i-00000000000000006, platform: {type: Windows}, instanceConnect: true}]`,
	} {
		if _, err := ParseFleet([]byte(bad)); err == nil || !strings.Contains(err.Error(), "instanceConnect: EC2 Instance Connect is for EC2 (i-) Linux and macOS nodes only") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
