// Package sshkey is ssmctl ssh's ephemeral keys: a one-time ed25519 key
// made in memory, its private half served to ssh by an agent socket of
// ssmctl's own (never written to disk), and its public half placed for
// the login user for 60 seconds in one of two ways. EC2 Instance Connect
// (PushInstanceConnect: SendSSHPublicKey, for EC2 instances; AWS keeps
// the key 60 s and the node's sshd fetches it, if the node runs EC2
// Instance Connect). Or a Run Command (Place: AWS-RunShellScript, which
// runs as root) that appends it to the user's ~/.ssh/authorized_keys, and
// another that removes it after the login, at the latest 60 seconds
// after it was placed; the placing script also leaves a remover on the
// node that takes the key out after 60 seconds should ssmctl not get to
// it. See docs/ssh.md.
package sshkey

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/ssmctl/ssmctl/pkg/cmdline"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// TTL is how long a placed key may stay on the node.
const TTL = 60 * time.Second

// Key is a one-time key.
type Key struct {
	priv   ed25519.PrivateKey
	signer ssh.Signer
	// Marker is the key's comment in authorized_keys,
	// "ssmctl-ephemeral-<16 hex digits>": the removal deletes the lines
	// that end with it.
	Marker string
}

// New makes a key.
func New() (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	return &Key{priv: priv, signer: signer, Marker: "ssmctl-ephemeral-" + hex.EncodeToString(id[:])}, nil
}

// PublicKey is the key's public half.
func (k *Key) PublicKey() ssh.PublicKey { return k.signer.PublicKey() }

// AuthorizedLine is the key's authorized_keys line, without its newline.
func (k *Key) AuthorizedLine() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.signer.PublicKey()))) + " " + k.Marker
}

// Agent serves the key to ssh on a unix socket in a new 0700 directory
// (ssh -o IdentityAgent=SOCK). stop closes it and removes the directory.
func (k *Key) Agent() (sock string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "ssmctl-agent-")
	if err != nil {
		return "", nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	sock = filepath.Join(dir, "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: k.priv, Comment: k.Marker}); err != nil {
		ln.Close()
		os.RemoveAll(dir)
		return "", nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = agent.ServeAgent(keyring, c)
			}()
		}
	}()
	var once sync.Once
	return sock, func() {
		once.Do(func() {
			ln.Close()
			os.RemoveAll(dir)
		})
	}, nil
}

// homeLookup finds the user's home directory and ids from the node's user
// database (getent; id as a fallback for the ids).
const homeLookup = `pw=$(getent passwd "$u") || { echo "no user $u on this node" >&2; exit 3; }
h=$(printf %s "$pw" | cut -d: -f6); uid=$(printf %s "$pw" | cut -d: -f3); gid=$(printf %s "$pw" | cut -d: -f4)
[ -n "$h" ] || { echo "user $u has no home directory" >&2; exit 3; }
f="$h/.ssh/authorized_keys"
`

// removeLines deletes the marker's lines from $f in place (keeping its
// owner and mode); m is the marker.
const removeLines = `if [ -f "$f" ]; then { grep -v -F -e "$m" "$f" || [ $? -eq 1 ]; } > "$f.ssmctl-$$" && cat "$f.ssmctl-$$" > "$f"; rm -f "$f.ssmctl-$$"; fi`

// PlaceScript appends line to user's authorized_keys (creating ~/.ssh
// 0700 and the file 0600, owned by the user), and leaves a remover that
// deletes it after ttl.
func PlaceScript(user, line, marker string, ttl time.Duration) string {
	q := func(s string) string { return cmdline.Quote(s, cmdline.Sh) }
	return `set -e
u=` + q(user) + `; k=` + q(line) + `; m=` + q(marker) + `
` + homeLookup + `if [ ! -d "$h/.ssh" ]; then mkdir -p "$h/.ssh"; chmod 700 "$h/.ssh"; chown "$uid:$gid" "$h/.ssh" 2>/dev/null || true; fi
if [ ! -f "$f" ]; then : > "$f"; chmod 600 "$f"; chown "$uid:$gid" "$f" 2>/dev/null || true; fi
printf '%s\n' "$k" >> "$f"
( sleep ` + fmt.Sprint(int(ttl.Seconds())) + `; ` + removeLines + ` ) </dev/null >/dev/null 2>&1 &
echo "placed $m for $u in $f"
`
}

// RemoveScript deletes marker's lines from user's authorized_keys.
func RemoveScript(user, marker string) string {
	q := func(s string) string { return cmdline.Quote(s, cmdline.Sh) }
	return `set -e
u=` + q(user) + `; m=` + q(marker) + `
` + homeLookup + removeLines + `
if grep -q -F -e "$m" "$f" 2>/dev/null; then echo "$m is still in $f" >&2; exit 4; fi
echo "removed $m for $u from $f"
`
}

// Check refuses, without I/O, what no key can be placed for: a Windows
// node (no sh, no authorized_keys of this kind) or a user name that is
// not one.
func Check(node target.Node, user string) error {
	if cmdline.For(node.PlatformType) != cmdline.Sh {
		return exitcode.Usagef("--ephemeral-key needs a Linux or macOS node: %s is %s", label(node), node.PlatformType)
	}
	if user == "" || strings.ContainsAny(user, "/:\n\x00") {
		return exitcode.Usagef("invalid login user %q for --ephemeral-key", user)
	}
	return nil
}

// Placement is a key placed on a node for a user.
type Placement struct {
	rc     *runcmd.Client
	node   target.Node
	user   string
	key    *Key
	mu     sync.Mutex
	done   bool
	err    error
	timer  *time.Timer
	onDone func(error)
	via    Via
}

// Via is how the key was placed: ViaRunCommand or ViaInstanceConnect.
func (p *Placement) Via() Via { return p.via }

// Place puts key in user's authorized_keys on node with a Run Command and
// waits for it to succeed. The key is removed by Remove, or 60 s after
// placing (ssmctl's timer, and the node's own remover as a fallback);
// onRemoved, when set, is told how the timer's removal went.
func Place(ctx context.Context, rc *runcmd.Client, node target.Node, user string, key *Key, onRemoved func(error)) (*Placement, error) {
	if err := Check(node, user); err != nil {
		return nil, err
	}
	if err := runScript(ctx, rc, node, PlaceScript(user, key.AuthorizedLine(), key.Marker, TTL), "ssmctl ssh: place an ephemeral key"); err != nil {
		return nil, fmt.Errorf("placing the ephemeral key for %s on %s: %w", user, label(node), err)
	}
	p := &Placement{rc: rc, node: node, user: user, key: key, onDone: onRemoved, via: ViaRunCommand}
	p.timer = time.AfterFunc(TTL, func() {
		err := p.Remove(context.Background())
		if p.onDone != nil {
			p.onDone(err)
		}
	})
	return p, nil
}

// Remove takes the key out of the node's authorized_keys (once; later
// calls return the first one's error). For a key pushed by EC2 Instance
// Connect it does nothing: AWS drops it 60 s after the push.
func (p *Placement) Remove(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return p.err
	}
	p.done = true
	p.timer.Stop()
	err := runScript(context.WithoutCancel(ctx), p.rc, p.node, RemoveScript(p.user, p.key.Marker), "ssmctl ssh: remove an ephemeral key")
	if err != nil {
		p.err = fmt.Errorf("removing the ephemeral key %s for %s on %s (the node's own remover takes it out within %s of placing): %w", p.key.Marker, p.user, label(p.node), TTL, err)
	}
	return p.err
}

// runScript runs script on node with AWS-RunShellScript and waits for it.
func runScript(ctx context.Context, rc *runcmd.Client, node target.Node, script, comment string) error {
	specs, err := target.ParseAll([]string{node.ID}, nil)
	if err != nil {
		return err
	}
	run, err := rc.Start(ctx, runcmd.Request{
		Specs:            specs,
		Commands:         []string{script},
		Comment:          comment,
		ExecutionTimeout: 60 * time.Second,
	})
	if err != nil {
		return err
	}
	res, err := run.Wait(ctx, runcmd.WaitOptions{})
	if err != nil {
		return err
	}
	if len(res.Invocations) != 1 {
		return fmt.Errorf("command %s: %d invocations", strings.Join(run.CommandIDs, " "), len(res.Invocations))
	}
	inv := res.Invocations[0]
	if inv.State() != runcmd.StateSuccess {
		msg := strings.TrimSpace(inv.Stderr)
		if msg == "" {
			msg = strings.TrimSpace(inv.Stdout)
		}
		return errors.New(strings.TrimSpace(fmt.Sprintf("command %s %s (exit %d): %s", inv.CommandID, inv.Status, inv.ResponseCode, msg)))
	}
	return nil
}

func label(n target.Node) string {
	if n.Name != "" && n.Name != n.ID {
		return n.Name + " (" + n.ID + ")"
	}
	return n.ID
}
