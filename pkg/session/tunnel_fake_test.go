package session

import (
	"context"
	"errors"
	"net"
	"reflect"
	"sync"
	"testing"
	"time"
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
