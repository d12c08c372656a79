package session

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// Reliability of tunnels under load and under the service's WebSocket
// close. Fast by default; SSMCTL_TUNNEL_TEST_CONNS and
// SSMCTL_TUNNEL_TEST_CONN_BYTES make the concurrency test as large as the
// issue asks (64 connections of 8 MiB each way):
//
//	SSMCTL_TUNNEL_TEST_CONNS=64 SSMCTL_TUNNEL_TEST_CONN_BYTES=8388608 \
//	  go test -count=1 -timeout 60m -run TestTunnelConcurrentConnections ./pkg/session/
//
// A large run is paced as the agent is unless SSMCTL_TUNNEL_TEST_PACED=0.
// make test runs it at full size, unpaced and without -race (make
// tunnel-load, about 80 s on a 2-core machine: docs/port-forward.md).

// envInt is the positive integer in the environment variable name, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// hashedStream is n pseudo-random bytes from seed, read in pieces.
type hashedStream struct {
	rng  *rand.ChaCha8
	left int
}

func (s *hashedStream) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), s.left, 32<<10)]
	_, _ = s.rng.Read(p)
	s.left -= len(p)
	return len(p), nil
}

// hashedRoundTrip sends n seeded random bytes through addr while reading
// them back, and compares the SHA-256 of what was sent with that of what
// came back, so a large run needs no copy of the data.
func hashedRoundTrip(addr string, n int, seed uint64) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	sent := sha256.New()
	werr := make(chan error, 1)
	go func() {
		_, err := io.Copy(c, io.TeeReader(&hashedStream{rng: rand.NewChaCha8(key), left: n}, sent))
		werr <- err
	}()
	got := sha256.New()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Minute))
	m, err := io.Copy(got, io.LimitReader(c, int64(n)))
	if err != nil {
		return err
	}
	if err := <-werr; err != nil {
		return err
	}
	if m != int64(n) {
		return io.ErrUnexpectedEOF
	}
	if !bytes.Equal(sent.Sum(nil), got.Sum(nil)) {
		return errSHA256
	}
	return nil
}

var errSHA256 = errors.New("the SHA-256 of the bytes read back differs from that of the bytes sent")

// TestTunnelConcurrentConnections opens N connections at once through one
// tunnel (one session) and sends M bytes each way on each, every byte
// checked by SHA-256: in mux mode the connections share the session; in
// basic mode (an agent from before multiplexing) they take turns.
func TestTunnelConcurrentConnections(t *testing.T) {
	conns := envInt(t, "SSMCTL_TUNNEL_TEST_CONNS", 16)
	size := envInt(t, "SSMCTL_TUNNEL_TEST_CONN_BYTES", 256<<10)
	// Unpaced by default, to keep the test quick; a large run is paced as
	// the agent is, unless SSMCTL_TUNNEL_TEST_PACED=0.
	paced := os.Getenv("SSMCTL_TUNNEL_TEST_CONNS") != ""
	if v := os.Getenv("SSMCTL_TUNNEL_TEST_PACED"); v != "" {
		paced = v != "0"
	}
	e := newTunnelEnvWith(t, sandbox.Options{NoPacing: !paced})
	for _, tc := range []struct{ name, node string }{{"mux", muxNode}, {"basic", basicNode}} {
		t.Run(tc.name, func(t *testing.T) {
			rt := e.start(t, tc.node, 1)
			addr := rt.ts.List[0].Addr().String()
			var wg sync.WaitGroup
			errs := make(chan error, conns)
			for i := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := hashedRoundTrip(addr, size, uint64(i+1)); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("connection: %v", err)
			}
			if ids := rt.sessionIDs(); len(ids) != 1 {
				t.Errorf("sessions %v, want one", ids)
			}
		})
	}
}

// TestTunnelResumesAfterServiceClose: the service closes each data
// channel WebSocket periodically (close 1000 "Bye", about hourly on AWS;
// the sandbox's ws-close-every fault, here every 300 ms). The channel
// resumes the same session (ResumeSession) each time, in mux and basic
// mode, and a transfer spanning several closes arrives intact.
func TestTunnelResumesAfterServiceClose(t *testing.T) {
	e := newTunnelEnvWith(t, sandbox.Options{Faults: sandbox.Faults{WSCloseEvery: 300 * time.Millisecond}})
	for _, tc := range []struct{ name, node string }{{"mux", muxNode}, {"basic", basicNode}} {
		t.Run(tc.name, func(t *testing.T) {
			before := resumeCalls(e.srv)
			rt := e.start(t, tc.node, 1)
			// About a second at the agent's pace: several closes.
			if err := hashedRoundTrip(rt.ts.List[0].Addr().String(), 1<<20, 1); err != nil {
				t.Fatal(err)
			}
			if resumeCalls(e.srv) == before {
				t.Error("no ResumeSession: the WebSocket was not closed during the transfer")
			}
			if ids := rt.sessionIDs(); len(ids) != 1 {
				t.Errorf("sessions %v: the closes should not have replaced the session", ids)
			}
		})
	}
}

func resumeCalls(srv *sandbox.Server) int64 {
	var n int64
	for op, st := range srv.Stats().Operations {
		if strings.HasSuffix(op, "ResumeSession") {
			n += st.Calls
		}
	}
	return n
}
