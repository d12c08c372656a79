package session

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/session-manager-plugin/src/message"
)

// A reconnect gives up as soon as the channel's context is cancelled, even
// in the middle of a backoff, and the channel ends with the context's
// error instead of sleeping through its remaining attempts (200 ms + 400 ms
// + 800 ms + 1.6 s here).
func TestReconnectStopsWhenContextCancelled(t *testing.T) {
	_, srv := newFakeAgent(t, "NonInteractiveCommands", func(a *fakeAgent) {
		a.send(message.Output, []byte("before\n"))
		time.Sleep(100 * time.Millisecond)
		a.mu.Lock()
		conn := a.conn
		a.mu.Unlock()
		conn.Close() // the drop
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var resumes atomic.Int32
	cancelled := make(chan time.Time, 1)
	o := ChannelOptions{
		SessionID: "s-1",
		StreamURL: wsURL(srv),
		Token:     "secret-token-1",
		TargetID:  "i-0123456789abcdef0",
		Resume: func(context.Context) (string, error) {
			// The second failure is followed by a 200 ms backoff: cancel
			// 50 ms into it.
			if resumes.Add(1) == 2 {
				time.AfterFunc(50*time.Millisecond, func() {
					cancelled <- time.Now()
					cancel()
				})
			}
			return "", errors.New("ResumeSession: service unavailable")
		},
	}
	ch, err := OpenChannel(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()

	var at time.Time
	select {
	case at = <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatalf("the reconnect never reached its second attempt (%d ResumeSession calls)", resumes.Load())
	}
	select {
	case <-ch.Done():
	case <-time.After(2 * time.Second):
		t.Fatalf("the channel still reconnects 2 s after its context was cancelled (%d ResumeSession calls)", resumes.Load())
	}
	if waited := time.Since(at); waited > 2*time.Second {
		t.Errorf("the channel ended %v after the cancel", waited)
	}
	if err := ch.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() = %v, want the context's error", err)
	}
	if n := resumes.Load(); n != 2 {
		t.Errorf("ResumeSession called %d times after the cancel, want 2 in all", n)
	}
}

// TestSendWindowBoundsUnacked: with the agent acknowledging nothing, the
// channel sends SendWindow messages and then waits (the plugin's buffer
// would drop its oldest message at 10000); the acknowledgements let the
// rest go.
func TestSendWindowBoundsUnacked(t *testing.T) {
	a, srv := newFakeAgent(t, "Port", func(a *fakeAgent) {})
	a.holdAcksNow()
	ch, err := OpenChannel(context.Background(), ChannelOptions{SessionID: "s-1", StreamURL: wsURL(srv), Token: "secret-token-1", TargetID: "i-0123456789abcdef0", Port: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	const extra = 5
	allSent := make(chan error, 1)
	go func() {
		for i := 0; i < SendWindow+extra; i++ {
			if err := ch.SendExact(message.Output, []byte{byte(i)}); err != nil {
				allSent <- err
				return
			}
		}
		allSent <- nil
	}()
	for deadline := time.Now().Add(30 * time.Second); a.heldCount() < SendWindow; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the agent got %d messages, want %d", a.heldCount(), SendWindow)
		}
	}
	select {
	case err := <-allSent:
		t.Fatalf("every message was sent (%v) while %d were unacknowledged", err, SendWindow)
	case <-time.After(100 * time.Millisecond):
	}
	if n := a.heldCount(); n != SendWindow {
		t.Fatalf("%d messages unacknowledged, want the window, %d", n, SendWindow)
	}
	a.releaseAcks()
	select {
	case err := <-allSent:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the acknowledgements did not open the window")
	}
	for range extra {
		if m := a.next(); message.PayloadType(m.PayloadType) != message.Output {
			t.Fatalf("payload type %d after the window opened", m.PayloadType)
		}
	}
}

// TestNodeErrorBeforeStart: a session the node fails before the client
// knows its type (an agent in basic mode that cannot reach the
// destination) is a NodeError, whichever message comes first.
func TestNodeErrorBeforeStart(t *testing.T) {
	_, srv := newFakeAgent(t, "", func(a *fakeAgent) {
		a.closeChannel("\n----------ERROR-------\nUnable to start port forwarding: dial tcp: lookup db.invalid: no such host")
	})
	_, err := OpenChannel(context.Background(), ChannelOptions{SessionID: "s-1", StreamURL: wsURL(srv), Token: "secret-token-1", TargetID: "i-0123456789abcdef0", Port: true})
	var nodeErr *NodeError
	if !errors.As(err, &nodeErr) {
		t.Fatalf("error %v, want a NodeError", err)
	}
	if want := "the session ended before it started: Unable to start port forwarding: dial tcp: lookup db.invalid: no such host"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
