// Package sshtest is a test-only SSH server for the sandbox: put its
// address in a fleet's port map as port 22 and AWS-StartSSHSession (and
// so `ssmctl ssh-proxy` and `ssmctl ssh`) reaches it through a node.
//
// It accepts one client key, made when the server starts, for any user;
// once SetAuthorizedKeys names where they are, the keys listed in the
// user's authorized_keys file (read at each login, as sshd does); and,
// once SetKeysCommand gives it one, the keys an AuthorizedKeysCommand
// prints for the user (as EC2 Instance Connect's does for the keys
// SendSSHPublicKey pushed in the last 60 seconds). It
// answers "exec" requests by running the command with sh -c (stdin,
// stdout and stderr on the channel, the exit status as "exit-status").
// Shells, terminals and forwarding are refused. It is a separate package
// so that the ssmctl binary does not carry an SSH server.
package sshtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Server is a running test SSH server.
type Server struct {
	// Addr is where it listens (127.0.0.1 and a free port).
	Addr string

	ln        net.Listener
	config    *ssh.ServerConfig
	clientKey ed25519.PrivateKey
	client    ssh.Signer
	hostKey   ssh.PublicKey
	wg        sync.WaitGroup

	mu             sync.Mutex
	authorizedKeys func(user string) string
	keysCommand    func(user string) []string
	logins         []Login
}

// Login is a successful authentication: the user and the key.
type Login struct {
	User string
	Key  ssh.PublicKey
}

// SetAuthorizedKeys makes the server accept, for a user, the keys listed
// in the file path(user) names (e.g. the user's home on a sandbox node,
// sandbox.Server.NodeUserHome, then .ssh/authorized_keys).
func (s *Server) SetAuthorizedKeys(path func(user string) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorizedKeys = path
}

// SetKeysCommand makes the server also accept, for a user, the keys (in
// authorized_keys format) keys(user) returns at each login, as sshd's
// AuthorizedKeysCommand: e.g. the sandbox's
// Server.InstanceConnectKeys for a node.
func (s *Server) SetKeysCommand(keys func(user string) []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keysCommand = keys
}

// Logins are the successful authentications so far, in order.
func (s *Server) Logins() []Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Login(nil), s.logins...)
}

// accepts says whether key may log in as user.
func (s *Server) accepts(user string, key ssh.PublicKey) bool {
	if bytes.Equal(key.Marshal(), s.client.PublicKey().Marshal()) {
		return true
	}
	s.mu.Lock()
	f, cmd := s.authorizedKeys, s.keysCommand
	s.mu.Unlock()
	if cmd != nil && listed([]byte(strings.Join(cmd(user), "\n")), key) {
		return true
	}
	if f == nil {
		return false
	}
	b, err := os.ReadFile(f(user))
	return err == nil && listed(b, key)
}

// listed says whether key is one of the authorized_keys lines in b.
func listed(b []byte, key ssh.PublicKey) bool {
	for len(b) > 0 {
		k, _, _, rest, err := ssh.ParseAuthorizedKey(b)
		if err != nil {
			return false
		}
		if bytes.Equal(k.Marshal(), key.Marshal()) {
			return true
		}
		b = rest
	}
	return false
}

// Start listens on a free loopback port and serves until Close.
func Start() (*Server, error) {
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	host, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		return nil, err
	}
	_, clientPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	client, err := ssh.NewSignerFromKey(clientPriv)
	if err != nil {
		return nil, err
	}
	s := &Server{clientKey: clientPriv, client: client, hostKey: host.PublicKey()}
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(m ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if s.accepts(m.User(), key) {
				s.mu.Lock()
				s.logins = append(s.logins, Login{User: m.User(), Key: key})
				s.mu.Unlock()
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	s.config.AddHostKey(host)
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Addr = s.ln.Addr().String()
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Close stops listening; connections being served end with their
// commands.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// Signer is the client key the server accepts (for an x/crypto/ssh client).
func (s *Server) Signer() ssh.Signer { return s.client }

// HostKey is the server's host key (for a client's HostKeyCallback).
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey }

// PrivateKey is the client key in OpenSSH's format, for ssh -i (write it
// to a 0600 file).
func (s *Server) PrivateKey() ([]byte, error) {
	b, err := ssh.MarshalPrivateKey(s.clientKey, "sshtest")
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(b), nil
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.handle(c)
	}
}

func (s *Server) handle(c net.Conn) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, s.config)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go session(ch, creqs)
	}
}

// session answers a session channel's requests: the first exec runs.
func session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for r := range reqs {
		if r.Type != "exec" {
			_ = r.Reply(false, nil)
			continue
		}
		var p struct{ Command string }
		if err := ssh.Unmarshal(r.Payload, &p); err != nil {
			_ = r.Reply(false, nil)
			continue
		}
		_ = r.Reply(true, nil)
		go ssh.DiscardRequests(reqs)
		status := run(ch, p.Command)
		_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
		return
	}
}

// run runs command with sh -c on the channel and returns its exit status.
func run(ch ssh.Channel, command string) uint32 {
	cmd := exec.Command("sh", "-c", command)
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 255
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(ch.Stderr(), "sshtest: %v\n", err)
		return 127
	}
	go func() {
		_, _ = io.Copy(stdin, ch)
		stdin.Close()
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return uint32(ee.ExitCode())
	default:
		return 255
	}
}
