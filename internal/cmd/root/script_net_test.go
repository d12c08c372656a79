package root_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/sandbox/sshtest"
)

// The scripts' network helpers, for port forwarding.

// echoServerCmd is `echoserver VAR`: start an echo server on a free
// loopback port for the rest of the script and set VAR to its address
// (for a fleet's port map).
func echoServerCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: echoserver VAR")
	}
	addr, stop, err := sandbox.EchoServer(0)
	ts.Check(err)
	ts.Defer(stop)
	ts.Setenv(args[0], addr)
}

// sshServerFor is sshserver with the script's sandbox from servers.
func sshServerFor(servers *sync.Map) func(*testscript.TestScript, bool, []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		sshServerCmd(ts, neg, args, func() *sandbox.Server {
			if v, ok := servers.Load(ts); ok {
				return v.(*sandbox.Server)
			}
			return nil
		})
	}
}

// sshServerCmd is `sshserver VAR KEYFILE`: start a test SSH server on a
// free loopback port for the rest of the script, set VAR to its address
// (for a fleet's port map as port 22) and write the one client key it
// accepts to KEYFILE, mode 0600, for ssh -i. With NODE (an ID), it also
// accepts the keys in a user's ~/.ssh/authorized_keys on that node of the
// script's sandbox (started later), as sshd would, and the keys EC2
// Instance Connect pushed for the user on that node in the last 60 s if
// the node runs it (its fleet attribute instanceConnect), as its
// AuthorizedKeysCommand would.
func sshServerCmd(ts *testscript.TestScript, neg bool, args []string, sandboxOf func() *sandbox.Server) {
	if neg || len(args) != 2 && len(args) != 3 {
		ts.Fatalf("usage: sshserver VAR KEYFILE [NODE]")
	}
	s, err := sshtest.Start()
	ts.Check(err)
	ts.Defer(func() { s.Close() })
	if len(args) == 3 {
		node := args[2]
		s.SetAuthorizedKeys(func(user string) string {
			srv := sandboxOf()
			if srv == nil {
				return ""
			}
			home, _ := srv.NodeUserHome(node, user)
			return filepath.Join(home, ".ssh", "authorized_keys")
		})
		s.SetKeysCommand(func(user string) []string {
			if srv := sandboxOf(); srv != nil {
				return srv.InstanceConnectKeys(node, user)
			}
			return nil
		})
	}
	key, err := s.PrivateKey()
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), key, 0o600))
	ts.Setenv(args[0], s.Addr)
}

// freePortCmd is `freeport VAR`: set VAR to a loopback TCP port that is
// free now.
func freePortCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// tcpcheckMain is the program `tcpcheck ADDR BYTES`: connect to ADDR,
// send BYTES random bytes while reading, and exit 0 when exactly those
// bytes come back (an echo at the far end), 1 otherwise. ADDR may be
// @FILE:N, the first word of line N of FILE (a --ready-file).
func tcpcheckMain() int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "tcpcheck: "+format+"\n", args...)
		return 1
	}
	if len(os.Args) != 3 {
		return fail("usage: tcpcheck ADDR|@FILE:LINE BYTES")
	}
	addr := os.Args[1]
	if ref, ok := strings.CutPrefix(addr, "@"); ok {
		a, err := addrFromFile(ref)
		if err != nil {
			return fail("%v", err)
		}
		addr = a
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n <= 0 {
		return fail("BYTES %q: want a positive number", os.Args[2])
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return fail("%v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	want := make([]byte, n)
	_, _ = rand.Read(want)
	go func() { _, _ = c.Write(want) }()
	got := make([]byte, n)
	if k, err := io.ReadFull(c, got); err != nil {
		return fail("%d of %d bytes came back: %v", k, n, err)
	}
	if !bytes.Equal(got, want) {
		return fail("the %d bytes that came back differ from those sent", n)
	}
	fmt.Printf("%d bytes round trip through %s\n", n, addr)
	return 0
}

// addrFromFile reads "FILE:N": the first word of line N (from 1) of FILE.
func addrFromFile(ref string) (string, error) {
	i := strings.LastIndex(ref, ":")
	if i < 0 {
		return "", fmt.Errorf("%q: want @FILE:LINE", ref)
	}
	line, err := strconv.Atoi(ref[i+1:])
	if err != nil || line < 1 {
		return "", fmt.Errorf("%q: want @FILE:LINE", ref)
	}
	f, err := os.Open(ref[:i])
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for k := 1; sc.Scan(); k++ {
		if k == line {
			if w := strings.Fields(sc.Text()); len(w) > 0 {
				return w[0], nil
			}
		}
	}
	return "", fmt.Errorf("%s has no line %d", ref[:i], line)
}
