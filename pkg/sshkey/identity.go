package sshkey

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh/agent"
)

// Config is what `ssh -G DEST` says ssh would use: the login user, the
// identity files it tries and the agent it asks.
type Config struct {
	User           string
	IdentityFiles  []string
	IdentityAgent  string
	IdentitiesOnly bool
}

// ParseConfig reads `ssh -G` output (lowercase keywords, one per line).
func ParseConfig(out string) Config {
	var c Config
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		switch k {
		case "user":
			c.User = v
		case "identityfile":
			c.IdentityFiles = append(c.IdentityFiles, v)
		case "identityagent":
			c.IdentityAgent = v
		case "identitiesonly":
			c.IdentitiesOnly = v == "yes"
		}
	}
	return c
}

// HasIdentity says whether ssh would offer any key: an identity file that
// exists, or an agent that holds a key. Whether the node accepts it cannot
// be known without trying; no key at all is certain to fail.
func (c Config) HasIdentity(getenv func(string) string) bool {
	home := getenv("HOME")
	for _, f := range c.IdentityFiles {
		if strings.HasPrefix(f, "~/") && home != "" {
			f = filepath.Join(home, f[2:])
		}
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	sock := c.IdentityAgent
	switch sock {
	case "none":
		return false
	case "", "SSH_AUTH_SOCK":
		sock = getenv("SSH_AUTH_SOCK")
	default:
		if strings.HasPrefix(sock, "$") {
			sock = getenv(strings.TrimPrefix(sock, "$"))
		}
	}
	if sock == "" {
		return false
	}
	conn, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	keys, err := agent.NewClient(conn).List()
	return err == nil && len(keys) > 0
}
