package session

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// fakeForwarder is a session that ends when told, dialling nothing.
type fakeForwarder struct {
	id     string
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	closed bool
}

func newFakeForwarder(id string) *fakeForwarder {
	return &fakeForwarder{id: id, done: make(chan struct{})}
}

func (f *fakeForwarder) Dial(context.Context) (net.Conn, error) {
	return nil, errors.New("fake: no streams")
}
func (f *fakeForwarder) Done() <-chan struct{} { return f.done }
func (f *fakeForwarder) Err() error            { return errors.New("ended by the test") }
func (f *fakeForwarder) ID() string            { return f.id }
func (f *fakeForwarder) end()                  { f.once.Do(func() { close(f.done) }) }
func (f *fakeForwarder) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.end()
	return nil
}

func (f *fakeForwarder) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// TestTunnelsBackoff: a session that ends is replaced after 500 ms, and
// each failed start doubles the wait, up to 30 s; cancelling while
// waiting stops at once and closes what was started.
func TestTunnelsBackoff(t *testing.T) {
	first := newFakeForwarder("s-1")
	var mu sync.Mutex
	starts := 0
	started := make(chan struct{})
	tun := &Tunnel{Address: "127.0.0.1:0", Start: func(ctx context.Context) (Forwarder, error) {
		mu.Lock()
		defer mu.Unlock()
		starts++
		if starts == 1 {
			return first, nil
		}
		if starts == 2 {
			close(started)
		}
		return nil, errors.New("StartSession: throttled")
	}}
	ts := NewTunnels(tun)
	var sleeps []time.Duration
	blocked := make(chan struct{})
	ts.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		sleeps = append(sleeps, d)
		n := len(sleeps)
		mu.Unlock()
		if n == 10 {
			close(blocked)
			<-ctx.Done() // cancelled mid-backoff
			return ctx.Err()
		}
		return nil
	}
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Run(ctx) }()
	<-ts.Ready
	first.end()
	<-started
	<-blocked
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	if !reflect.DeepEqual(sleeps, want) {
		t.Errorf("back-off %v, want %v", sleeps, want)
	}
	if !first.isClosed() {
		t.Error("the ended session was not closed")
	}
}

// TestTunnelsFirstStartFails: a session that cannot start at first is an
// error at once, and the sessions that did start are closed.
func TestTunnelsFirstStartFails(t *testing.T) {
	ok := newFakeForwarder("s-ok")
	good := &Tunnel{Address: "127.0.0.1:0", Start: func(context.Context) (Forwarder, error) { return ok, nil }}
	bad := &Tunnel{Address: "127.0.0.1:0", Start: func(context.Context) (Forwarder, error) {
		return nil, errors.New("TargetNotConnected")
	}}
	ts := NewTunnels(good, bad)
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	err := ts.Run(context.Background())
	if err == nil || err.Error() != "TargetNotConnected" {
		t.Fatalf("Run returned %v", err)
	}
	if !ok.isClosed() {
		t.Error("the session that started was left open")
	}
	select {
	case <-ts.Ready:
		t.Error("Ready closed although a session did not start")
	default:
	}
}

// TestTunnelsListenInUse: a local port in use is an error naming it, and
// no listener stays open.
func TestTunnelsListenInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := &Tunnel{Address: "127.0.0.1:0"}
	ts := NewTunnels(free, &Tunnel{Address: busy.Addr().String()})
	err = ts.Listen()
	if err == nil {
		t.Fatal("no error for a port in use")
	}
	if want := "cannot listen on " + busy.Addr().String() + ": bind: address already in use"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := net.Dial("tcp", free.ln.Addr().String()); err == nil {
		t.Error("the first listener stayed open")
	}
}

// TestTunnelsListenWildcard: --address 0.0.0.0 binds IPv4's wildcard,
// and the listener says so (not a dual-stack [::], wider than asked).
func TestTunnelsListenWildcard(t *testing.T) {
	for addr, network := range map[string]string{"0.0.0.0:0": "tcp4", "127.0.0.1:0": "tcp4", "[::]:0": "tcp6", "[::1]:0": "tcp6", "localhost:0": "tcp"} {
		if got := listenNetwork(addr); got != network {
			t.Errorf("listenNetwork(%q) = %q, want %q", addr, got, network)
		}
	}
	tun := &Tunnel{Address: "0.0.0.0:0"}
	ts := NewTunnels(tun)
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	defer tun.ln.Close()
	if got := tun.Addr().String(); !strings.HasPrefix(got, "0.0.0.0:") {
		t.Errorf("listening on %s, want 0.0.0.0:PORT", got)
	}
}

func TestParseForward(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Forward
		err  string
	}{
		{in: "5432", want: Forward{Remote: 5432}},
		{in: "15432:5432", want: Forward{Local: 15432, Remote: 5432}},
		{in: "0:5432", want: Forward{Remote: 5432}},
		{in: ":5432", want: Forward{Remote: 5432}},
		{in: "15432:db.internal:5432", want: Forward{Local: 15432, Host: "db.internal", Remote: 5432}},
		{in: ":db.internal:5432", want: Forward{Host: "db.internal", Remote: 5432}},
		{in: "8080:[fd00::1]:80", want: Forward{Local: 8080, Host: "fd00::1", Remote: 80}},
		{in: "", err: `REMOTE_PORT "" is not a port number (1-65535)`},
		{in: "0", err: `REMOTE_PORT "0" is not a port number (1-65535)`},
		{in: "70000", err: `REMOTE_PORT "70000" is not a port number (1-65535)`},
		{in: "x:80", err: `LOCAL "x" is not a port number (0-65535)`},
		{in: "-1:80", err: `LOCAL "-1" is not a port number (0-65535)`},
		{in: "80:db:", err: `REMOTE_PORT "" is not a port number (1-65535)`},
		{in: "80::5432", err: "empty HOST"},
		{in: "80:a:b:5432", err: "HOST:REMOTE_PORT does not parse (an IPv6 address goes in brackets)"},
	} {
		got, err := ParseForward(tc.in)
		if tc.err != "" {
			want := "invalid forward " + strconv.Quote(tc.in) + ": " + tc.err + " (want REMOTE_PORT, LOCAL:REMOTE_PORT or LOCAL:HOST:REMOTE_PORT)"
			if err == nil || err.Error() != want || exitcode.Code(err) != exitcode.Usage {
				t.Errorf("%q: error %v (code %d), want %q (252)", tc.in, err, exitcode.Code(err), want)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}
