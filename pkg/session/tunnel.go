package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/pkg/clock"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// This file is the tunnel base that port forwarding, SSH and file copy
// share, modelled on kubectl's port-forward: a Forwarder (fakeable) dials
// streams to a remote port over one session; Tunnels listen locally, hand
// each accepted connection to one of a tunnel's sessions, replace a
// session that ends (with back-off, the listener staying open), close
// Ready once every listener is up and every first session open, and stop
// when their context is cancelled, terminating every session they started.

// Forwarder carries streams to one remote port over one session.
type Forwarder interface {
	// Dial opens a stream to the remote port. It may wait (a basic-mode
	// session carries one connection at a time).
	Dial(ctx context.Context) (net.Conn, error)
	// Done is closed when the session has ended.
	Done() <-chan struct{}
	// Err says why, once Done is closed.
	Err() error
	// Close ends the session (TerminateSession unless it has ended).
	Close() error
	// ID is the session's ID, for status lines.
	ID() string
}

// NodeError is a session the node ended with an error (the agent's
// "----------ERROR-------" reply): in basic mode, a destination it cannot
// reach. When a tunnel's first session ends so, the tunnel fails at once
// instead of retrying what would fail the same way. Msg is the agent's
// text on one line.
type NodeError struct{ Msg string }

func (e *NodeError) Error() string { return e.Msg }

// Tunnel is one local listener and the sessions behind it.
type Tunnel struct {
	// Address is where to listen ("127.0.0.1:0" picks a free port).
	Address string
	// Start starts one session to the remote port.
	Start func(ctx context.Context) (Forwarder, error)
	// Sessions is how many sessions carry the listener's connections
	// (each new connection goes to the one with the fewest); 0 means 1.
	Sessions int
	// Remote names the remote end in status lines ("db.internal:5432").
	Remote string

	ln    net.Listener
	mu    sync.Mutex
	slots []*slot
	// changed is closed (and replaced) when a slot gains or loses its
	// session.
	changed chan struct{}
}

type slot struct {
	fw     Forwarder // nil while a new session is being started
	active int
}

// Addr is the listener's address once Listen has run.
func (t *Tunnel) Addr() net.Addr { return t.ln.Addr() }

// Tunnels run a set of tunnels.
type Tunnels struct {
	List []*Tunnel
	// Reconnect replaces a session that ended for any reason but the
	// context's cancellation; without it such an end stops every tunnel
	// with an error.
	Reconnect bool
	// MinBackoff and MaxBackoff bound the wait before a new session:
	// it starts at MinBackoff (default 500 ms) and doubles, up to
	// MaxBackoff (default 30 s), while sessions keep failing to start or
	// ending within MaxBackoff of their start.
	MinBackoff, MaxBackoff time.Duration
	// Ready is closed once every listener is up and every tunnel's first
	// sessions are open. New makes it.
	Ready chan struct{}
	// Status receives status lines (a session replaced, a connection
	// that could not be carried).
	Status func(format string, args ...any)
	// Sleep waits for the back-off; nil is the system clock.
	Sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	fatal   chan error
	started []string
}

// Started is the ID of every session the tunnels started, in order.
func (ts *Tunnels) Started() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.started...)
}

// start starts a session for t and records it.
func (ts *Tunnels) start(ctx context.Context, t *Tunnel) (Forwarder, error) {
	fw, err := t.Start(ctx)
	if err != nil {
		return nil, err
	}
	ts.mu.Lock()
	ts.started = append(ts.started, fw.ID())
	ts.mu.Unlock()
	return fw, nil
}

// NewTunnels returns tunnels with their Ready channel made.
func NewTunnels(list ...*Tunnel) *Tunnels {
	return &Tunnels{List: list, Reconnect: true, Ready: make(chan struct{})}
}

// Listen opens every tunnel's listener; on failure none stays open.
func (ts *Tunnels) Listen() error {
	for i, t := range ts.List {
		ln, err := net.Listen(listenNetwork(t.Address), t.Address)
		if err != nil {
			for _, u := range ts.List[:i] {
				u.ln.Close()
			}
			return exitcode.New(exitcode.Other, "cannot listen on %s: %v", t.Address, unwrapOp(err))
		}
		t.ln = ln
	}
	return nil
}

// listenNetwork is the network to listen on addr with: "tcp4" for an IPv4
// address and "tcp6" for an IPv6 one, so that 0.0.0.0 binds IPv4's
// wildcard only (with "tcp" Go binds a dual-stack [::], wider than asked,
// and reports it as [::]), and "tcp" for a name such as localhost.
func listenNetwork(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "tcp"
	}
	switch ip := net.ParseIP(host); {
	case ip == nil:
		return "tcp"
	case ip.To4() != nil:
		return "tcp4"
	}
	return "tcp6"
}

// unwrapOp drops net.OpError's repetition of the address.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// Run starts each tunnel's sessions, closes Ready, and serves until ctx
// is cancelled (it returns ctx's error) or, without Reconnect, a session
// ends (it returns why). A session that cannot be started at first is an
// error at once. Every session started is closed before Run returns.
// Listen must have been called.
func (ts *Tunnels) Run(ctx context.Context) error {
	if ts.Status == nil {
		ts.Status = func(string, ...any) {}
	}
	if ts.Sleep == nil {
		ts.Sleep = clock.System{}.Sleep
	}
	if ts.MinBackoff <= 0 {
		ts.MinBackoff = 500 * time.Millisecond
	}
	if ts.MaxBackoff <= 0 {
		ts.MaxBackoff = 30 * time.Second
	}
	ts.conns = map[net.Conn]struct{}{}
	ts.fatal = make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		for _, t := range ts.List {
			t.ln.Close()
		}
		ts.closeConns()
		wg.Wait()
		ts.closeAll()
	}()

	if err := ts.startAll(ctx); err != nil {
		return err
	}
	for _, t := range ts.List {
		for i := range t.slots {
			wg.Add(1)
			go func() { defer wg.Done(); ts.keep(ctx, t, i) }()
		}
		wg.Add(1)
		go func() { defer wg.Done(); ts.accept(ctx, t, &wg) }()
	}
	if ts.Ready != nil {
		close(ts.Ready)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-ts.fatal:
		return err
	}
}

// startAll starts every tunnel's first sessions, in parallel.
func (ts *Tunnels) startAll(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for _, t := range ts.List {
		n := max(t.Sessions, 1)
		t.slots = make([]*slot, n)
		t.changed = make(chan struct{})
		for i := range t.slots {
			t.slots[i] = &slot{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				fw, err := ts.start(ctx, t)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
				t.set(i, fw)
			}()
		}
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// set gives slot i its session (nil while replacing it).
func (t *Tunnel) set(i int, fw Forwarder) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.slots[i].fw = fw
	close(t.changed)
	t.changed = make(chan struct{})
}

// keep watches slot i's session and replaces it when it ends.
func (ts *Tunnels) keep(ctx context.Context, t *Tunnel, i int) {
	delay := ts.MinBackoff
	started := time.Now()
	first := true
	for {
		t.mu.Lock()
		fw := t.slots[i].fw
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-fw.Done():
		}
		if ctx.Err() != nil {
			return
		}
		t.set(i, nil)
		why := fw.Err()
		_ = fw.Close()
		var nodeErr *NodeError
		if first && errors.As(why, &nodeErr) {
			ts.fail(exitcode.Wrap(exitcode.Other, fmt.Errorf("%s: session %s: %w", t.Addr(), fw.ID(), why)))
			return
		}
		first = false
		if !ts.Reconnect {
			ts.fail(exitcode.Wrap(exitcode.Other, fmt.Errorf("%s: session %s ended: %w", t.Addr(), fw.ID(), why)))
			return
		}
		if time.Since(started) >= ts.MaxBackoff {
			delay = ts.MinBackoff
		}
		for {
			ts.Status("%s: session %s ended (%v); starting a new one in %v", t.Addr(), fw.ID(), why, delay)
			if ts.Sleep(ctx, delay) != nil {
				return
			}
			delay = min(delay*2, ts.MaxBackoff)
			next, err := ts.start(ctx, t)
			if ctx.Err() != nil {
				if next != nil {
					_ = next.Close()
				}
				return
			}
			if err == nil {
				ts.Status("%s: session %s started", t.Addr(), next.ID())
				started = time.Now()
				t.set(i, next)
				break
			}
			why = err
			ts.Status("%s: no new session: %v", t.Addr(), err)
		}
	}
}

func (ts *Tunnels) fail(err error) {
	select {
	case ts.fatal <- err:
	default:
	}
}

// accept hands each connection to a session until the listener closes.
func (ts *Tunnels) accept(ctx context.Context, t *Tunnel, wg *sync.WaitGroup) {
	for {
		c, err := t.ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				ts.fail(exitcode.New(exitcode.Other, "%s: %v", t.Addr(), unwrapOp(err)))
			}
			return
		}
		if !ts.track(c) {
			c.Close()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ts.untrack(c)
			ts.serve(ctx, t, c)
		}()
	}
}

func (ts *Tunnels) track(c net.Conn) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.conns == nil {
		return false
	}
	ts.conns[c] = struct{}{}
	return true
}

func (ts *Tunnels) untrack(c net.Conn) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	delete(ts.conns, c)
	c.Close()
}

func (ts *Tunnels) closeConns() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for c := range ts.conns {
		c.Close()
	}
	ts.conns = nil
}

// closeAll ends every session still open, in parallel.
func (ts *Tunnels) closeAll() {
	var wg sync.WaitGroup
	for _, t := range ts.List {
		t.mu.Lock()
		for _, s := range t.slots {
			if s.fw != nil {
				wg.Add(1)
				go func(fw Forwarder) { defer wg.Done(); _ = fw.Close() }(s.fw)
			}
		}
		t.mu.Unlock()
	}
	wg.Wait()
}

// serve carries one local connection through the least busy session,
// waiting for one while all are being replaced. A session that has just
// ended (and is not yet replaced) is passed over for the next.
func (ts *Tunnels) serve(ctx context.Context, t *Tunnel, local net.Conn) {
	for attempt := 1; ; attempt++ {
		s, fw, err := t.pick(ctx)
		if err != nil {
			return
		}
		remote, err := fw.Dial(ctx)
		if err != nil {
			t.release(s)
			if ctx.Err() != nil {
				return
			}
			select {
			case <-fw.Done():
				if attempt < maxDialAttempts {
					t.await(ctx, s, fw)
					continue
				}
			default:
			}
			ts.Status("%s: connection from %s not carried: %v", t.Addr(), local.RemoteAddr(), err)
			return
		}
		splice(local, remote)
		t.release(s)
		return
	}
}

// maxDialAttempts bounds how many ended sessions one connection tries.
const maxDialAttempts = 3

// await waits until slot s no longer holds fw (keep has noticed its end).
func (t *Tunnel) await(ctx context.Context, s *slot, fw Forwarder) {
	for {
		t.mu.Lock()
		cur, changed := s.fw, t.changed
		t.mu.Unlock()
		if cur != fw {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}

// pick takes the live slot with the fewest connections.
func (t *Tunnel) pick(ctx context.Context) (*slot, Forwarder, error) {
	for {
		t.mu.Lock()
		var best *slot
		for _, s := range t.slots {
			if s.fw != nil && (best == nil || s.active < best.active) {
				best = s
			}
		}
		if best != nil {
			best.active++
			fw := best.fw
			t.mu.Unlock()
			return best, fw, nil
		}
		changed := t.changed
		t.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func (t *Tunnel) release(s *slot) {
	t.mu.Lock()
	s.active--
	t.mu.Unlock()
}

// splice copies both ways until either side ends, then closes both (the
// protocol has no half-close).
func splice(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(a, b); done <- struct{}{} }()
	go func() { _, _ = io.Copy(b, a); done <- struct{}{} }()
	<-done
	a.Close()
	b.Close()
	<-done
}
