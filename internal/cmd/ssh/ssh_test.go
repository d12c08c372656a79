package ssh_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	sshcmd "github.com/ssmctl/ssmctl/internal/cmd/ssh"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/sandbox/sshtest"
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
