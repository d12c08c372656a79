package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// The tunnel tests run against the sandbox: a mux node (current agent)
// and a basic node (an agent from before multiplexing), both reaching an
// echo server as their port 7.

const (
	muxNode   = "i-0000000000000a001"
	basicNode = "i-0000000000000b001"
)

// echoServer answers every connection with what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	addr, stop, err := sandbox.EchoServer(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

type tunnelEnv struct {
	srv  *sandbox.Server
	api  *ssm.Client
	c    *Client
	conn Connection
}

func newTunnelEnv(t *testing.T) *tunnelEnv {
	return newTunnelEnvWith(t, sandbox.Options{})
}

func newTunnelEnvWith(t *testing.T, opts sandbox.Options) *tunnelEnv {
	echo := echoServer(t)
	ports := map[string]string{"7": echo}
	opts.Fleet = &sandbox.Fleet{Nodes: []*sandbox.Node{
		{ID: muxNode, Name: "mux-1", Ports: ports},
		{ID: basicNode, Name: "basic-1", AgentVersion: "3.0.196.0", Ports: ports},
	}}
	srv := sandbox.Start(t, opts)
	cfg := srv.AWSConfig()
	api := ssm.NewFromConfig(cfg)
	return &tunnelEnv{srv: srv, api: api, c: &Client{API: api}, conn: Connection{Region: cfg.Region, Credentials: cfg.Credentials}}
}

// tunnel is one running tunnel to node:7, with its status lines.
type runningTunnel struct {
	ts     *Tunnels
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	ids    []string
	status chan string
}

func (e *tunnelEnv) start(t *testing.T, node string, sessions int) *runningTunnel {
	t.Helper()
	rt := &runningTunnel{done: make(chan error, 1), status: make(chan string, 100)}
	tun := &Tunnel{Address: "127.0.0.1:0", Sessions: sessions, Start: func(ctx context.Context) (Forwarder, error) {
		p, err := e.c.StartPort(ctx, PortRequest{Node: target.Node{ID: node}, Port: 7}, e.conn)
		if err != nil {
			return nil, err
		}
		rt.mu.Lock()
		rt.ids = append(rt.ids, p.ID())
		rt.mu.Unlock()
		return p, nil
	}}
	rt.ts = NewTunnels(tun)
	rt.ts.MinBackoff = 10 * time.Millisecond
	rt.ts.Status = func(format string, args ...any) {
		select {
		case rt.status <- fmt.Sprintf(format, args...):
		default:
		}
	}
	if err := rt.ts.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt.cancel = cancel
	go func() { rt.done <- rt.ts.Run(ctx) }()
	select {
	case <-rt.ts.Ready:
	case err := <-rt.done:
		t.Fatalf("tunnel ended before it was ready: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-rt.done
	})
	return rt
}

func (rt *runningTunnel) sessionIDs() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.ids...)
}

// roundTrip sends n random bytes through the tunnel while reading them
// back, and checks every byte.
func roundTrip(t *testing.T, addr string, n int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, n)
	_, _ = rand.Read(want)
	// Every byte value, and a lone newline, which a shell send would turn
	// into a carriage return.
	for i := 0; i < 256 && i < n; i++ {
		want[i] = byte(i)
	}
	if n > 300 {
		want[256] = '\n' // written alone below
	}
	werr := make(chan error, 1)
	go func() {
		if n > 300 {
			if _, err := c.Write(want[:256]); err != nil {
				werr <- err
				return
			}
			if _, err := c.Write(want[256:257]); err != nil {
				werr <- err
				return
			}
			_, err := c.Write(want[257:])
			werr <- err
			return
		}
		_, err := c.Write(want)
		werr <- err
	}()
	got := make([]byte, n)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if err := <-werr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < n && got[i] == want[i] {
			i++
		}
		t.Fatalf("%d bytes came back different from byte %d", n, i)
	}
}

// testBytes is 256 KiB, or SSMCTL_TUNNEL_TEST_BYTES for a large run.
func testBytes(t *testing.T) int {
	if s := os.Getenv("SSMCTL_TUNNEL_TEST_BYTES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("SSMCTL_TUNNEL_TEST_BYTES=%q: want a number of bytes", s)
		}
		return n
	}
	return 256 << 10
}

func TestTunnelRoundTrip(t *testing.T) {
	e := newTunnelEnv(t)
	for _, tc := range []struct {
		name, node      string
		sessions, conns int
	}{
		{"mux", muxNode, 1, 2},
		{"basic", basicNode, 1, 2},
		{"mux two sessions", muxNode, 2, 2},
		{"mux 16 connections over 4 sessions", muxNode, 4, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := e.start(t, tc.node, tc.sessions)
			addr := rt.ts.List[0].Addr().String()
			n := testBytes(t) * 2 / tc.conns
			var wg sync.WaitGroup
			for range tc.conns {
				wg.Add(1)
				go func() { defer wg.Done(); roundTrip(t, addr, n) }()
			}
			wg.Wait()
			if got := len(rt.sessionIDs()); got != tc.sessions {
				t.Errorf("%d sessions started, want %d", got, tc.sessions)
			}
		})
	}
}

// sessionState is DescribeSessions' status of a session, looking in the
// active sessions and in the history.
func (e *tunnelEnv) sessionState(t *testing.T, id string) types.SessionStatus {
	t.Helper()
	for _, st := range []types.SessionState{types.SessionStateActive, types.SessionStateHistory} {
		out, err := e.api.DescribeSessions(context.Background(), &ssm.DescribeSessionsInput{
			State:   st,
			Filters: []types.SessionFilter{{Key: types.SessionFilterKeySessionId, Value: aws.String(id)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Sessions) > 0 {
			return out.Sessions[0].Status
		}
	}
	return ""
}

func TestTunnelCancelTerminatesSessions(t *testing.T) {
	e := newTunnelEnv(t)
	rt := e.start(t, muxNode, 2)
	roundTrip(t, rt.ts.List[0].Addr().String(), 1024)
	rt.cancel()
	if err := <-rt.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	rt.done <- nil // for the cleanup
	ids := rt.sessionIDs()
	if len(ids) != 2 {
		t.Fatalf("sessions %v, want 2", ids)
	}
	for _, id := range ids {
		if st := e.sessionState(t, id); st != types.SessionStatusTerminated {
			t.Errorf("session %s is %q after cancel, want Terminated", id, st)
		}
	}
	if _, err := net.Dial("tcp", rt.ts.List[0].Addr().String()); err == nil {
		t.Error("the listener is still open after cancel")
	}
}

func TestTunnelReconnectsAfterTerminateSession(t *testing.T) {
	e := newTunnelEnv(t)
	for _, node := range []string{muxNode, basicNode} {
		t.Run(node, func(t *testing.T) {
			rt := e.start(t, node, 1)
			addr := rt.ts.List[0].Addr().String()
			roundTrip(t, addr, 4096)
			first := rt.sessionIDs()[0]
			if _, err := e.api.TerminateSession(context.Background(), &ssm.TerminateSessionInput{SessionId: aws.String(first)}); err != nil {
				t.Fatal(err)
			}
			// The next session's start is announced; the listener stayed
			// open all along.
			for line := range rt.status {
				if strings.Contains(line, "started") {
					break
				}
			}
			roundTrip(t, addr, 4096)
			ids := rt.sessionIDs()
			if len(ids) != 2 || ids[1] == first {
				t.Fatalf("sessions %v: want a second one", ids)
			}
		})
	}
}

func TestTunnelWithoutReconnectEnds(t *testing.T) {
	e := newTunnelEnv(t)
	rt := &runningTunnel{}
	tun := &Tunnel{Address: "127.0.0.1:0", Start: func(ctx context.Context) (Forwarder, error) {
		p, err := e.c.StartPort(ctx, PortRequest{Node: target.Node{ID: muxNode}, Port: 7}, e.conn)
		if err == nil {
			rt.ids = append(rt.ids, p.ID())
		}
		return p, err
	}}
	ts := NewTunnels(tun)
	ts.Reconnect = false
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ts.Run(context.Background()) }()
	<-ts.Ready
	if _, err := e.api.TerminateSession(context.Background(), &ssm.TerminateSessionInput{SessionId: aws.String(rt.ids[0])}); err != nil {
		t.Fatal(err)
	}
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "ended") {
		t.Fatalf("Run returned %v, want the session's end", err)
	}
}

// TestTunnelSurvivesWebSocketDrops drops the data channel's WebSocket
// while data flows (the ws-drop fault): the channel resumes the session
// and resends everything unacknowledged, and every byte arrives once.
func TestTunnelSurvivesWebSocketDrops(t *testing.T) {
	e := newTunnelEnvWith(t, sandbox.Options{Faults: sandbox.Faults{WSDrop: 0.01}, Seed: 7})
	rt := e.start(t, muxNode, 1)
	roundTrip(t, rt.ts.List[0].Addr().String(), 2<<20)
	var resumed int64
	for op, st := range e.srv.Stats().Operations {
		if strings.HasSuffix(op, "ResumeSession") {
			resumed += st.Calls
		}
	}
	if resumed == 0 {
		t.Error("no WebSocket was dropped (no ResumeSession): the test proves nothing")
	}
	if ids := rt.sessionIDs(); len(ids) != 1 {
		t.Errorf("sessions %v: the drops should not have replaced the session", ids)
	}
}

// TestPortUnknownRemoteHost: a remote host the node cannot resolve fails
// a basic-mode session at its start, and in mux mode each connection,
// with a notice naming the host (ConnectToPortError).
func TestPortUnknownRemoteHost(t *testing.T) {
	e := newTunnelEnv(t)
	req := PortRequest{Node: target.Node{ID: basicNode}, Host: "db.invalid", Port: 7}
	rt := &runningTunnel{}
	ts := NewTunnels(&Tunnel{Address: "127.0.0.1:0", Start: func(ctx context.Context) (Forwarder, error) {
		p, err := e.c.StartPort(ctx, req, e.conn)
		if err == nil {
			rt.ids = append(rt.ids, p.ID())
		}
		return p, err
	}})
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	err := ts.Run(context.Background())
	var nodeErr *NodeError
	if !errors.As(err, &nodeErr) || !strings.Contains(err.Error(), "lookup db.invalid: no such host") {
		t.Errorf("basic mode: Run returned %v, want the node's failed lookup", err)
	}
	if len(rt.ids) != 1 {
		t.Errorf("sessions %v: want one, not retried", rt.ids)
	}

	notices := make(chan string, 10)
	req.Node.ID = muxNode
	req.Warn = func(format string, args ...any) { notices <- fmt.Sprintf(format, args...) }
	p, err := e.c.StartPort(context.Background(), req, e.conn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s, err := p.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _ = s.Write([]byte("hello"))
	_ = s.SetReadDeadline(time.Now().Add(30 * time.Second))
	if n, err := s.Read(make([]byte, 10)); err == nil {
		t.Errorf("read %d bytes from a stream to an unknown host", n)
	}
	if got, want := <-notices, "the node could not connect to db.invalid:7"; !strings.HasPrefix(got, want) {
		t.Errorf("notice %q, want %q...", got, want)
	}
}

// TestPortSendsBytesExactly: a lone newline, which the plugin's send
// rewrites to a carriage return for shells, crosses a port session as is
// (basic mode, where one read is one message).
func TestPortSendsBytesExactly(t *testing.T) {
	e := newTunnelEnv(t)
	p, err := e.c.StartPort(context.Background(), PortRequest{Node: target.Node{ID: basicNode}, Port: 7}, e.conn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !p.Basic() {
		t.Fatal("the old agent's session is not in basic mode")
	}
	c, err := p.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, b := range []byte{'\n', '\r', 0, 0xff} {
		if _, err := c.Write([]byte{b}); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 1)
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatal(err)
		}
		if got[0] != b {
			t.Errorf("sent %q, the echo sent back %q", b, got[0])
		}
	}
}
