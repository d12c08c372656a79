package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// randomBytes is n reproducible bytes of every value (not text).
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestCopyBothWays uploads a binary file to a node through
// AWS-StartInteractiveCommand, downloads it back, and checks the sha256
// both ends computed and the bytes on the node. The sandbox runs without
// the agent's pacing, so 1 MiB takes well under a second; cp.txtar copies
// 20 MB end to end.
func TestCopyBothWays(t *testing.T) {
	e := newTunnelEnvWith(t, sandbox.Options{NoPacing: true})
	node := target.Node{ID: muxNode, Name: "mux-1", PlatformType: "Linux"}
	dir, err := e.srv.NodeDir(muxNode)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, size := range []int{0, 1, 2, 3, 1<<20 + 7} {
		data := randomBytes(size, uint64(size))
		var progressed int64
		res, err := e.c.Upload(ctx, CopyOptions{Node: node, Path: "sub/", Progress: func(done, total int64) {
			if total != int64(size) {
				t.Errorf("progress total %d, want %d", total, size)
			}
			progressed = done
		}}, e.conn, bytes.NewReader(data), int64(size), sha(data), "/local/file.bin")
		if err != nil {
			t.Fatalf("upload %d bytes: %v", size, err)
		}
		if progressed != int64(size) {
			t.Errorf("progress ended at %d of %d", progressed, size)
		}
		if res.Path != "sub/file.bin" || res.SHA256 != sha(data) {
			t.Errorf("upload result %+v", res)
		}
		onNode, err := os.ReadFile(filepath.Join(dir, "sub", "file.bin"))
		if err != nil || !bytes.Equal(onNode, data) {
			t.Fatalf("the node's file differs (%d bytes, err %v)", len(onNode), err)
		}
		var back bytes.Buffer
		res, err = e.c.Download(ctx, CopyOptions{Node: node, Path: "sub/file.bin"}, e.conn, &back)
		if err != nil {
			t.Fatalf("download %d bytes: %v", size, err)
		}
		if !bytes.Equal(back.Bytes(), data) || res.Size != int64(size) || res.SHA256 != sha(data) {
			t.Fatalf("download: %d bytes back, result %+v", back.Len(), res)
		}
	}
	// No temporary file is left beside the target.
	left, _ := filepath.Glob(filepath.Join(dir, "sub", "*.ssmctl-cp.*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	assertNoActiveSessions(t, e)
}

func assertNoActiveSessions(t *testing.T, e *tunnelEnv) {
	t.Helper()
	out, err := e.api.DescribeSessions(context.Background(), &ssm.DescribeSessionsInput{State: types.SessionStateActive})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Sessions) != 0 {
		t.Errorf("%d sessions still active", len(out.Sessions))
	}
}

// TestCopyRemoteErrors: what the node cannot read or write is a
// RemoteFileError, exit 1; a Windows node is refused before any session.
func TestCopyRemoteErrors(t *testing.T) {
	e := newTunnelEnvWith(t, sandbox.Options{NoPacing: true})
	node := target.Node{ID: muxNode, Name: "mux-1", PlatformType: "Linux"}
	dir, _ := e.srv.NodeDir(muxNode)
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(err error, kind, msg string) {
		t.Helper()
		var rf *RemoteFileError
		if !errors.As(err, &rf) || rf.Kind != kind || !strings.Contains(err.Error(), msg) {
			t.Fatalf("error %v, want a %s RemoteFileError with %q", err, kind, msg)
		}
		if exitcode.Code(err) != exitcode.Failed {
			t.Errorf("exit code %d, want 1", exitcode.Code(err))
		}
	}
	_, err := e.c.Download(ctx, CopyOptions{Node: node, Path: "/nonexistent/x"}, e.conn, &bytes.Buffer{})
	check(err, "notfound", "mux-1 (i-0000000000000a001):/nonexistent/x: No such file or directory")
	_, err = e.c.Download(ctx, CopyOptions{Node: node, Path: "adir"}, e.conn, &bytes.Buffer{})
	check(err, "isdir", "Is a directory")
	_, err = e.c.Upload(ctx, CopyOptions{Node: node, Path: "/nonexistent/dir/x"}, e.conn, strings.NewReader("hi"), 2, sha([]byte("hi")), "x")
	check(err, "write", "/nonexistent/dir/x")

	_, err = e.c.Download(ctx, CopyOptions{Node: target.Node{ID: muxNode, PlatformType: "Windows"}, Path: "x"}, e.conn, &bytes.Buffer{})
	if exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), "Linux or macOS") {
		t.Errorf("Windows node: %v", err)
	}
	assertNoActiveSessions(t, e)
}

func TestRemotePathExpr(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/a b": `'/tmp/a b'`,
		"~/x y":    `"$HOME"/'x y'`,
		"~":        `"$HOME"`,
		"~/":       `"$HOME"`,
		"it's":     `'it'\''s'`,
	} {
		if got := remotePathExpr(in); got != want {
			t.Errorf("remotePathExpr(%q) = %s, want %s", in, got, want)
		}
	}
}
