package ssh_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2instanceconnect"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	sshcmd "github.com/ssmctl/ssmctl/internal/cmd/ssh"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/sandbox/sshtest"
	"github.com/ssmctl/ssmctl/pkg/sshkey"
)

const nodeID = "i-0000000000000c001"

// sshFleet is a sandbox whose node web-1 reaches a test SSH server as its
// port 22.
func sshFleet(t *testing.T) (*sandbox.Server, *sshtest.Server) {
	t.Helper()
	ss, err := sshtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	srv := sandbox.Start(t, sandbox.Options{Fleet: &sandbox.Fleet{Nodes: []*sandbox.Node{
		{ID: nodeID, Name: "web-1", Ports: map[string]string{"22": ss.Addr}},
		{ID: "i-0000000000000c002", Name: "web-2"},
		{ID: "i-0000000000000c003", Name: "web-2"},
		{ID: "i-0000000000000c004", Name: "bare-1"},
	}}})
	return srv, ss
}

// TestSSHProxy runs ssh-proxy in-process with an x/crypto/ssh client on
// its stdin and stdout: exec "echo hi" answers "hi", and the session is
// terminated once the client closes.
func TestSSHProxy(t *testing.T) {
	srv, ss := sshFleet(t)
	c := cmdtest.New(t, srv)
	clientEnd, proxyEnd := net.Pipe()
	c.Streams.In = proxyEnd
	c.Streams.SetOut(proxyEnd)
	code := make(chan int, 1)
	go func() {
		code <- c.Run(context.Background(), "ssh-proxy", "web-1", "22")
		proxyEnd.Close()
	}()

	conn, chans, reqs, err := ssh.NewClientConn(clientEnd, "web-1:22", &ssh.ClientConfig{
		User:            "ec2-user",
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(ss.Signer())},
		HostKeyCallback: ssh.FixedHostKey(ss.HostKey()),
	})
	if err != nil {
		t.Fatalf("ssh handshake through ssh-proxy: %v (stderr %q)", err, c.ErrOut.String())
	}
	client := ssh.NewClient(conn, chans, reqs)
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Output("echo hi")
	if err != nil || string(out) != "hi\n" {
		t.Fatalf("echo hi: %q, %v", out, err)
	}
	// A second command on the same connection, with its exit status.
	sess, err = client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var ee *ssh.ExitError
	if err := sess.Run("exit 3"); !errors.As(err, &ee) || ee.ExitStatus() != 3 {
		t.Fatalf("exit 3: %v", err)
	}
	client.Close()
	if got := <-code; got != 0 {
		t.Fatalf("ssh-proxy exit %d, stderr %q", got, c.ErrOut.String())
	}
	if s := c.ErrOut.String(); s != "" {
		t.Errorf("stderr %q, want nothing", s)
	}
	api := ssm.NewFromConfig(srv.AWSConfig())
	active, err := api.DescribeSessions(context.Background(), &ssm.DescribeSessionsInput{State: types.SessionStateActive})
	if err != nil {
		t.Fatal(err)
	}
	if len(active.Sessions) != 0 {
		t.Errorf("%d sessions still active: %s", len(active.Sessions), aws.ToString(active.Sessions[0].SessionId))
	}
}

// TestSSHProxyTargets: a target that matches several nodes or none is a
// usage error (252) before any session, never a picker on ssh's stdin.
func TestSSHProxyTargets(t *testing.T) {
	srv, _ := sshFleet(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"ssh-proxy", "web-2", "22"}, 252, "web-2 matches 2 nodes; a session needs one"},
		{[]string{"ssh-proxy", "nosuch", "22"}, 252, "no managed node matches nosuch"},
		{[]string{"ssh-proxy", "web-1", "0"}, 252, `invalid PORT "0"`},
		{[]string{"ssh-proxy", "web-1"}, 252, "ssh-proxy takes HOST and PORT"},
	} {
		c := cmdtest.New(t, srv)
		if got := c.Run(context.Background(), tc.args...); got != tc.code || !strings.Contains(c.ErrOut.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, got, c.ErrOut.String(), tc.code, tc.msg)
		}
		if c.Out.Len() != 0 {
			t.Errorf("%v: stdout %q", tc.args, c.Out.String())
		}
	}
}

// TestSSHProxyNothingListens: a node with nothing on the port ends the
// session with the agent's error while ssh still waits (stdin open): exit
// 255 with that error on stderr, nothing on stdout.
func TestSSHProxyNothingListens(t *testing.T) {
	srv, _ := sshFleet(t)
	c := cmdtest.New(t, srv)
	in, w := net.Pipe()
	defer w.Close()
	c.Streams.In = in
	if got := c.Run(context.Background(), "ssh-proxy", "bare-1", "22"); got != 255 {
		t.Fatalf("exit %d, want 255; stderr %q", got, c.ErrOut.String())
	}
	if !strings.Contains(c.ErrOut.String(), "connection refused") || c.Out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q", c.ErrOut.String(), c.Out.String())
	}
}

// TestSSHNotInstalled: without ssh in PATH, ssmctl ssh is one clear line
// and exit 255.
func TestSSHNotInstalled(t *testing.T) {
	srv, _ := sshFleet(t)
	t.Setenv("PATH", t.TempDir())
	c := cmdtest.New(t, srv)
	if got := c.Run(context.Background(), "ssh", "web-1"); got != 255 {
		t.Fatalf("exit %d, want 255; stderr %q", got, c.ErrOut.String())
	}
	if want := "ssmctl: ssh not found in PATH: install an OpenSSH client"; !strings.HasPrefix(c.ErrOut.String(), want) {
		t.Errorf("stderr %q, want %q...", c.ErrOut.String(), want)
	}
}

// TestSSHArgs: ssh gets ProxyCommand, USER@ID and the words after TARGET
// as given; its exit code is ssmctl's.
func TestSSHArgs(t *testing.T) {
	srv, _ := sshFleet(t)
	c := cmdtest.New(t, srv)
	var got []string
	code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
		return sshcmd.NewCmdSSH(f, func(o *sshcmd.Options) error {
			o.Proxy = func() (string, error) { return "/bin/ssmctl ssh-proxy %h %p", nil }
			o.Exec = func(_ context.Context, args []string) (int, error) { got = args; return 5, nil }
			o.Ephemeral, o.EphemeralSet = false, true // TestSSHEphemeralKey covers them
			return sshcmd.SSHRun(context.Background(), o)
		})
	}, nil, "ssh", "ops@web-1", "--", "-p", "22", "uptime")
	if code != 5 {
		t.Fatalf("exit %d, want ssh's 5; stderr %q", code, c.ErrOut.String())
	}
	want := []string{"-o", "ProxyCommand=/bin/ssmctl ssh-proxy %h %p", "ops@" + nodeID, "-p", "22", "uptime"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ssh args %q, want %q", got, want)
	}
}

// loginWithAgent logs in to the test SSH server as user with the keys of
// the agent ssh was given (-o IdentityAgent=SOCK in args), as ssh would.
func loginWithAgent(ss *sshtest.Server, user string, args []string) error {
	var sock string
	for _, a := range args {
		if s, ok := strings.CutPrefix(a, "IdentityAgent="); ok {
			sock = s
		}
	}
	if sock == "" {
		return errors.New("no IdentityAgent in ssh's arguments")
	}
	ac, err := net.Dial("unix", sock)
	if err != nil {
		return err
	}
	defer ac.Close()
	conn, err := ssh.Dial("tcp", ss.Addr, &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.PublicKeysCallback(agent.NewClient(ac).Signers)},
		HostKeyCallback: ssh.FixedHostKey(ss.HostKey()),
	})
	if err != nil {
		return err
	}
	return conn.Close()
}

// eicFunc is a fake EC2 Instance Connect.
type eicFunc func() error

func (f eicFunc) SendSSHPublicKey(context.Context, *ec2instanceconnect.SendSSHPublicKeyInput, ...func(*ec2instanceconnect.Options)) (*ec2instanceconnect.SendSSHPublicKeyOutput, error) {
	if err := f(); err != nil {
		return nil, err
	}
	return &ec2instanceconnect.SendSSHPublicKeyOutput{Success: true}, nil
}

// TestSSHKeyVia: under --key-via auto an EC2 instance gets the key from
// EC2 Instance Connect (no Run Command) and the node's sshd takes it; when
// EC2 Instance Connect refuses (AccessDenied, no client), a Run Command
// places it instead; --key-via instance-connect does not fall back, and
// run-command never asks EC2 Instance Connect.
func TestSSHKeyVia(t *testing.T) {
	srv, ss := sshFleet(t)
	ss.SetKeysCommand(func(user string) []string { return srv.InstanceConnectKeys(nodeID, user) })
	ss.SetAuthorizedKeys(func(user string) string {
		home, _ := srv.NodeUserHome(nodeID, user)
		return home + "/.ssh/authorized_keys"
	})
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: ec2-instance-connect:SendSSHPublicKey"}
	for _, tc := range []struct {
		name     string
		via      string
		eic      func(c *cmdutil.Factory) func(ctx context.Context) (sshkey.InstanceConnectAPI, error)
		code     int
		sends    int64
		eicCalls int64
		stderr   []string
	}{
		{name: "auto: EC2 Instance Connect", via: "auto", code: 0, sends: 0, eicCalls: 1,
			stderr: []string{"Sending a one-time key for ops on web-1 (" + nodeID + ") with EC2 Instance Connect (valid for 1m0s; nothing is written on the node)"}},
		{name: "auto: AccessDenied, then a Run Command", via: "auto", code: 0, sends: 2,
			eic: func(*cmdutil.Factory) func(context.Context) (sshkey.InstanceConnectAPI, error) {
				return func(context.Context) (sshkey.InstanceConnectAPI, error) {
					return eicFunc(func() error { return denied }), nil
				}
			},
			stderr: []string{
				"EC2 Instance Connect did not take the key (EC2 Instance Connect: AccessDeniedException: not authorized to perform: ec2-instance-connect:SendSSHPublicKey); placing it with a Run Command instead",
				"Placing a one-time key for ops on web-1 (" + nodeID + ") with a Run Command (removed when ssh exits, at the latest after 1m0s)",
			}},
		{name: "auto: no client, then a Run Command", via: "auto", code: 0, sends: 2,
			eic: func(*cmdutil.Factory) func(context.Context) (sshkey.InstanceConnectAPI, error) {
				return func(context.Context) (sshkey.InstanceConnectAPI, error) { return nil, errors.New("no endpoint") }
			},
			stderr: []string{"EC2 Instance Connect did not take the key (no endpoint); placing it with a Run Command instead"}},
		{name: "instance-connect: no fallback", via: "instance-connect", code: 255, sends: 0,
			eic: func(*cmdutil.Factory) func(context.Context) (sshkey.InstanceConnectAPI, error) {
				return func(context.Context) (sshkey.InstanceConnectAPI, error) {
					return eicFunc(func() error { return denied }), nil
				}
			},
			stderr: []string{"ssmctl: placing the ephemeral key for ops on web-1 (" + nodeID + "): EC2 Instance Connect: AccessDeniedException: not authorized"}},
		{name: "run-command", via: "run-command", code: 0, sends: 2, eicCalls: 0,
			stderr: []string{"Placing a one-time key for ops on web-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetStats()
			c := cmdtest.New(t, srv)
			var loginErr error
			execed := false
			code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
				return sshcmd.NewCmdSSH(f, func(o *sshcmd.Options) error {
					o.Proxy = func() (string, error) { return "/bin/ssmctl ssh-proxy %h %p", nil }
					o.SSHConfig = func(context.Context, []string) (string, error) { return "user ops\n", nil }
					if tc.eic != nil {
						o.InstanceConnect = tc.eic(f)
					}
					o.Exec = func(_ context.Context, args []string) (int, error) {
						execed = true
						loginErr = loginWithAgent(ss, "ops", args)
						return 0, nil
					}
					return sshcmd.SSHRun(context.Background(), o)
				})
			}, nil, "ssh", "--ephemeral-key", "--key-via", tc.via, "ops@web-1")
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, c.ErrOut.String())
			}
			if tc.code == 0 && (!execed || loginErr != nil) {
				t.Errorf("login with the one-time key: ran ssh %v, %v", execed, loginErr)
			}
			if tc.code != 0 && execed {
				t.Errorf("ssh ran after a failed placement")
			}
			for _, want := range tc.stderr {
				if !strings.Contains(c.ErrOut.String(), want) {
					t.Errorf("stderr %q lacks %q", c.ErrOut.String(), want)
				}
			}
			st := srv.Stats().Operations
			if got := st["ssm.SendCommand"].Calls; got != tc.sends {
				t.Errorf("%d Run Commands, want %d", got, tc.sends)
			}
			if got := st["ec2-instance-connect.SendSSHPublicKey"].Calls; got != tc.eicCalls {
				t.Errorf("%d SendSSHPublicKey calls, want %d", got, tc.eicCalls)
			}
		})
	}
}
