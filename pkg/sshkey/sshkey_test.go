package sshkey_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/sandbox/sshtest"
	"github.com/ssmctl/ssmctl/pkg/sshkey"
	"github.com/ssmctl/ssmctl/pkg/target"
)

const nodeID = "i-0000000000000d001"

// TestPlaceLoginRemove places a one-time key with a Run Command, logs in
// to the test SSH server (which reads the node user's authorized_keys)
// with the key from the agent socket, removes it, and checks the key is
// gone from the node, the file's other lines kept, and a second login
// refused.
func TestPlaceLoginRemove(t *testing.T) {
	ss, err := sshtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	srv := sandbox.Start(t, sandbox.Options{Fleet: &sandbox.Fleet{Nodes: []*sandbox.Node{{ID: nodeID, Name: "web-1"}}}})
	home, err := srv.NodeUserHome(nodeID, "tester")
	if err != nil {
		t.Fatal(err)
	}
	authorized := filepath.Join(home, ".ssh", "authorized_keys")
	ss.SetAuthorizedKeys(func(user string) string {
		h, _ := srv.NodeUserHome(nodeID, user)
		return filepath.Join(h, ".ssh", "authorized_keys")
	})
	api := ssm.NewFromConfig(srv.AWSConfig())
	nodes := &target.Resolver{SSM: api}
	rc := &runcmd.Client{API: api, Nodes: nodes}
	node := target.Node{ID: nodeID, Name: "web-1", PlatformType: "Linux"}

	key, err := sshkey.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := sshkey.Place(ctx, rc, node, "tester", key, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(authorized)
	if err != nil || string(b) != key.AuthorizedLine()+"\n" {
		t.Fatalf("authorized_keys %q (%v), want the key's line", b, err)
	}
	for path, mode := range map[string]os.FileMode{filepath.Dir(authorized): 0o700 | os.ModeDir, authorized: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode(), err, mode)
		}
	}
	// Another key of the user's, added after: kept by the removal.
	other := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1c2VyJ3Mgb3duIGtleSwga2VwdCBieSB0aGUgcmVtb3Zh users-own\n"
	f, _ := os.OpenFile(authorized, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(other)
	f.Close()

	sock, stop, err := key.Agent()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if fi, err := os.Stat(filepath.Dir(sock)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("agent directory mode %v (%v), want 0700", fi.Mode(), err)
	}
	login := func() error {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return err
		}
		defer conn.Close()
		c, err := ssh.Dial("tcp", ss.Addr, &ssh.ClientConfig{
			User:            "tester",
			Auth:            []ssh.AuthMethod{ssh.PublicKeysCallback(agent.NewClient(conn).Signers)},
			HostKeyCallback: ssh.FixedHostKey(ss.HostKey()),
		})
		if err != nil {
			return err
		}
		return c.Close()
	}
	if err := login(); err != nil {
		t.Fatalf("login with the placed key: %v", err)
	}
	logins := ss.Logins()
	if len(logins) != 1 || logins[0].User != "tester" || !bytes.Equal(logins[0].Key.Marshal(), key.PublicKey().Marshal()) {
		t.Errorf("logins %+v, want tester with the ephemeral key", logins)
	}

	if err := p.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Remove(ctx); err != nil {
		t.Errorf("a second Remove: %v", err)
	}
	b, _ = os.ReadFile(authorized)
	if string(b) != other {
		t.Errorf("authorized_keys after removal %q, want only the user's own key", b)
	}
	if err := login(); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("login after removal: %v, want refused", err)
	}
	stop()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the agent socket outlived stop: %v", err)
	}
}

// TestPlaceRefusesWindows: no key for a Windows node, before any call.
func TestPlaceRefusesWindows(t *testing.T) {
	key, _ := sshkey.New()
	_, err := sshkey.Place(context.Background(), nil, target.Node{ID: nodeID, PlatformType: "Windows"}, "tester", key, nil)
	if err == nil || !strings.Contains(err.Error(), "needs a Linux or macOS node") {
		t.Errorf("err %v", err)
	}
	_, err = sshkey.Place(context.Background(), nil, target.Node{ID: nodeID, PlatformType: "Linux"}, "a/b", key, nil)
	if err == nil || !strings.Contains(err.Error(), "invalid login user") {
		t.Errorf("err %v", err)
	}
}

// TestHasIdentity: ssh has a key to offer when an identity file exists or
// its agent holds a key.
func TestHasIdentity(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	getenv := func(k string) string { return env[k] }
	cfg := sshkey.ParseConfig("user ops\nidentityfile ~/.ssh/id_rsa\nidentityfile ~/.ssh/id_ed25519\nidentitiesonly no\n")
	if cfg.User != "ops" || len(cfg.IdentityFiles) != 2 || cfg.IdentitiesOnly {
		t.Fatalf("ParseConfig: %+v", cfg)
	}
	if cfg.HasIdentity(getenv) {
		t.Error("no key file, no agent: has identity")
	}
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519"), []byte("x"), 0o600)
	if !cfg.HasIdentity(getenv) {
		t.Error("a key file: no identity")
	}
	os.Remove(filepath.Join(home, ".ssh", "id_ed25519"))
	key, _ := sshkey.New()
	sock, stop, err := key.Agent()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	env["SSH_AUTH_SOCK"] = sock
	if !cfg.HasIdentity(getenv) {
		t.Error("an agent with a key: no identity")
	}
	cfg.IdentityAgent = "none"
	if cfg.HasIdentity(getenv) {
		t.Error("IdentityAgent none: has identity")
	}
}

// TestNodeRemoverFallback: the placing script leaves a remover on the
// node that takes the key out after the TTL by itself (here 1 s), should
// ssmctl never get to remove it.
func TestNodeRemoverFallback(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	home := filepath.Join(dir, "home", "tester")
	getent := "#!/bin/sh\nprintf 'tester:x:%s:%s::" + home + ":/bin/sh\\n' \"$(id -u)\" \"$(id -g)\"\n"
	if err := os.WriteFile(filepath.Join(bin, "getent"), []byte(getent), 0o755); err != nil {
		t.Fatal(err)
	}
	key, _ := sshkey.New()
	cmd := exec.Command("sh", "-c", sshkey.PlaceScript("tester", key.AuthorizedLine(), key.Marker, time.Second))
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	authorized := filepath.Join(home, ".ssh", "authorized_keys")
	if b, _ := os.ReadFile(authorized); !strings.Contains(string(b), key.Marker) {
		t.Fatalf("not placed: %q", b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(authorized)
		if err == nil && len(b) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still there long after the TTL: %q (%v)", b, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// InstanceConnectRefusal: EC2 instances and the model's user names only.
func TestInstanceConnectRefusal(t *testing.T) {
	for _, tc := range []struct {
		id, user string
		ok       bool
	}{
		{"i-0123456789abcdef0", "ec2-user", true},
		{"i-0123456789abcdef0", "1000x", true},
		{"i-0123456789abcdef0", "a.b@c$", true},
		{"mi-0123456789abcdef0", "ec2-user", false},
		{"i-0123456789abcdef0", "1000", false},
		{"i-0123456789abcdef0", "-root", false},
		{"i-0123456789abcdef0", strings.Repeat("u", 33), false},
	} {
		got := sshkey.InstanceConnectRefusal(target.Node{ID: tc.id}, tc.user)
		if (got == "") != tc.ok {
			t.Errorf("%s %s: %q, want ok %v", tc.id, tc.user, got, tc.ok)
		}
	}
}
