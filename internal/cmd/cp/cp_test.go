package cp_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/internal/cmd/cp"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

const nodeID = "i-0000000000000c001"

func TestSplitRemote(t *testing.T) {
	for _, c := range []struct {
		arg, spec, path string
		remote          bool
	}{
		{"web-1:/tmp/x", "web-1", "/tmp/x", true},
		{"i-0123456789abcdef0:a:b", "i-0123456789abcdef0", "a:b", true},
		{"tag:Role=web:/tmp/x", "tag:Role=web", "/tmp/x", true},
		{"group:prod:~/x", "group:prod", "~/x", true},
		{"@db:/etc/app.conf", "@db", "/etc/app.conf", true},
		{"web-1:", "web-1", "", true},
		{"./a:b", "", "./a:b", false},
		{"/abs/a:b", "", "/abs/a:b", false},
		{"~/a:b", "", "~/a:b", false},
		{"dir/a:b", "", "dir/a:b", false},
		{"plain", "", "plain", false},
		{":x", "", ":x", false},
		{"", "", "", false},
	} {
		spec, path, remote := cp.SplitRemote(c.arg)
		if spec != c.spec || path != c.path || remote != c.remote {
			t.Errorf("SplitRemote(%q) = %q, %q, %v; want %q, %q, %v", c.arg, spec, path, remote, c.spec, c.path, c.remote)
		}
	}
}

// TestCpProgressOnTerminal: on a terminal, the bar reaches 100% and is
// taken down before the final line.
func TestCpProgressOnTerminal(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{NoPacing: true, Fleet: &sandbox.Fleet{Nodes: []*sandbox.Node{{ID: nodeID, Name: "web-1"}}}})
	dir := t.TempDir()
	src := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(src, bytes.Repeat([]byte("0123456789"), 30000), 0o644); err != nil {
		t.Fatal(err)
	}
	c := cmdtest.New(t, srv)
	c.Streams.SetStderrTTY(true)
	if code := c.Run(context.Background(), "cp", src, "web-1:"+dir+"/g.bin"); code != 0 {
		t.Fatalf("exit %d: %s", code, c.ErrOut)
	}
	errOut := c.ErrOut.String()
	for _, want := range []string{"web-1:" + dir + "/g.bin  [....................]  0 B/293.0 KiB  0%", "[##########..........]", "[####################]  293.0 KiB/293.0 KiB  100%", "\r\x1b[K" + src + " -> web-1:" + dir + "/g.bin (293.0 KiB, sha256 "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%q", want, errOut)
		}
	}
	if c.Out.Len() != 0 {
		t.Errorf("stdout: %q", c.Out)
	}
}

// TestCpInterrupted: an upload cancelled mid-way (Ctrl-C) terminates its
// session, exits 130 and leaves the destination unwritten.
func TestCpInterrupted(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{Fleet: &sandbox.Fleet{Nodes: []*sandbox.Node{{ID: nodeID, Name: "web-1"}}}})
	dir := t.TempDir()
	src := filepath.Join(dir, "big")
	if err := os.WriteFile(src, make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the node's script has made its temporary file: the
		// session is open and the data is flowing (paced, 4 MiB takes
		// seconds).
		for ctx.Err() == nil {
			if m, _ := filepath.Glob(dst + ".ssmctl-cp.*"); len(m) > 0 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	c := cmdtest.New(t, srv)
	code := c.Run(ctx, "cp", src, "web-1:"+dst)
	cancel()
	if code != 130 || !strings.HasPrefix(c.ErrOut.String(), "ssmctl: interrupted; session ") || !strings.Contains(c.ErrOut.String(), " terminated") {
		t.Fatalf("exit %d: %q", code, c.ErrOut)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("the destination exists: %v", err)
	}
	api := ssm.NewFromConfig(srv.AWSConfig())
	out, err := api.DescribeSessions(context.Background(), &ssm.DescribeSessionsInput{State: types.SessionStateActive})
	if err != nil || len(out.Sessions) != 0 {
		t.Errorf("active sessions after the interrupt: %v %v", out, err)
	}
}
