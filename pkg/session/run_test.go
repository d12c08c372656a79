package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/session-manager-plugin/src/message"

	"github.com/ssmctl/ssmctl/pkg/target"
)

func started(srv string, token string) *Started {
	return &Started{SessionID: "s-1", StreamURL: srv, Token: token, Node: target.Node{ID: "i-0123456789abcdef0"}}
}

func TestCommandExitCodeAndStreams(t *testing.T) {
	for _, tc := range []struct {
		name     string
		exit     string
		wantCode int
		wantHas  bool
	}{
		{"zero", "EXIT_CODE: 0", 0, true},
		{"one", "EXIT_CODE: 1", 1, true},
		{"forty-two", "EXIT_CODE: 42", 42, true},
		{"none", "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newFakeAgent(t, "NonInteractiveCommands", func(a *fakeAgent) {
				a.send(message.Output, []byte("out 1\n"))
				a.send(message.StdErr, []byte("err 1\n"))
				a.send(message.Output, []byte("out 2\n"))
				if tc.exit != "" {
					a.send(message.ExitCode, []byte(tc.exit))
				}
				time.Sleep(50 * time.Millisecond)
				a.closeChannel("")
			})
			api := &fakeAPI{}
			c := &Client{API: api}
			var stdout, stderr syncBuffer
			res, err := c.Command(context.Background(), started(wsURL(srv), "secret-token-1"), Connection{}, &stdout, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != tc.wantCode || res.HasExitCode != tc.wantHas {
				t.Errorf("exit code %d (%v), want %d (%v)", res.ExitCode, res.HasExitCode, tc.wantCode, tc.wantHas)
			}
			if got := stdout.String(); got != "out 1\nout 2\n" {
				t.Errorf("stdout %q", got)
			}
			if got := stderr.String(); got != "Hello from the agent.\nerr 1\n" {
				t.Errorf("stderr %q", got)
			}
			// channel_closed ended the session at AWS: no TerminateSession.
			if ids := api.terminatedIDs(); len(ids) != 0 {
				t.Errorf("terminated %v after channel_closed", ids)
			}
		})
	}
}

func TestOpenFailureTerminates(t *testing.T) {
	a, srv := newFakeAgent(t, "", func(a *fakeAgent) {})
	a.token = "another"
	api := &fakeAPI{}
	c := &Client{API: api}
	_, err := c.Command(context.Background(), started(wsURL(srv), "secret-token-1"), Connection{}, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("no error for a refused token")
	}
	if strings.Contains(err.Error(), "secret-token-1") {
		t.Errorf("error shows the token: %v", err)
	}
	if ids := api.terminatedIDs(); len(ids) != 1 {
		t.Errorf("terminated %v, want the session", ids)
	}

	// Nothing listening at all.
	api = &fakeAPI{}
	c = &Client{API: api}
	srv.Close()
	_, err = c.Command(context.Background(), started(wsURL(srv), "secret-token-1"), Connection{}, io.Discard, io.Discard)
	if err == nil || strings.Contains(err.Error(), "secret-token-1") {
		t.Errorf("error %v", err)
	}
	if ids := api.terminatedIDs(); len(ids) != 1 {
		t.Errorf("terminated %v, want the session", ids)
	}
}

func TestShellPipedInput(t *testing.T) {
	got := make(chan []message.ClientMessage, 1)
	_, srv := newFakeAgent(t, "", func(a *fakeAgent) {
		a.send(message.Output, []byte("$ "))
		var msgs []message.ClientMessage
		for {
			m := a.next()
			msgs = append(msgs, m)
			if m.PayloadType == uint32(message.Output) && strings.Contains(string(m.Payload), "\x04") || m.MessageType == "" {
				break
			}
			if m.PayloadType == uint32(message.Output) {
				a.send(message.Output, m.Payload)
			}
		}
		got <- msgs
		a.closeChannel("")
	})
	api := &fakeAPI{}
	c := &Client{API: api}
	var out syncBuffer
	res, err := c.Shell(context.Background(), started(wsURL(srv), "secret-token-1"), Connection{},
		ShellOptions{In: strings.NewReader("echo hi\n"), Out: &out, InFd: -1, OutFd: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Left {
		t.Error("Left without ~.")
	}
	msgs := <-got
	if len(msgs) < 3 {
		t.Fatalf("got %d input messages", len(msgs))
	}
	if msgs[0].PayloadType != uint32(message.Size) {
		t.Errorf("first input has payload type %d, want Size", msgs[0].PayloadType)
	}
	var size message.SizeData
	_ = json.Unmarshal(msgs[0].Payload, &size)
	if size.Cols != defaultCols || size.Rows != defaultRows {
		t.Errorf("size %+v", size)
	}
	var typed string
	for _, m := range msgs[1:] {
		typed += string(m.Payload)
	}
	if typed != "echo hi\n\x04" {
		t.Errorf("sent %q, want the input then Ctrl-D", typed)
	}
	if !strings.HasPrefix(out.String(), "$ echo hi\n") {
		t.Errorf("output %q", out.String())
	}
	for i, m := range msgs {
		if m.SequenceNumber != int64(i) {
			t.Errorf("message %d has sequence number %d", i, m.SequenceNumber)
		}
	}
	if len(api.terminatedIDs()) != 0 {
		t.Error("TerminateSession after channel_closed")
	}
}

func TestResumeAfterDrop(t *testing.T) {
	var a *fakeAgent
	a, srv := newFakeAgent(t, "NonInteractiveCommands", func(a *fakeAgent) {
		a.send(message.Output, []byte("before\n"))
		time.Sleep(100 * time.Millisecond)
		a.mu.Lock()
		a.token = "secret-token-2"
		conn := a.conn
		a.mu.Unlock()
		conn.Close() // the drop
		for i := 0; i < 200; i++ {
			time.Sleep(20 * time.Millisecond)
			a.mu.Lock()
			reconnected := a.conn != conn
			a.mu.Unlock()
			if reconnected {
				break
			}
		}
		a.send(message.Output, []byte("after\n"))
		a.send(message.ExitCode, []byte("EXIT_CODE: 3"))
		time.Sleep(50 * time.Millisecond)
		a.closeChannel("")
	})
	_ = a
	api := &fakeAPI{token: "secret-token-2"}
	c := &Client{API: api}
	var stdout syncBuffer
	res, err := c.Command(context.Background(), started(wsURL(srv), "secret-token-1"), Connection{}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || stdout.String() != "before\nafter\n" {
		t.Errorf("exit %d, stdout %q", res.ExitCode, stdout.String())
	}
	if api.resumed != 1 {
		t.Errorf("ResumeSession called %d times", api.resumed)
	}
}

// A one-shot session given up before the service closed it (Ctrl-C) is
// terminated: the node's command may still be running.
func TestCommandInterruptedTerminates(t *testing.T) {
	_, srv := newFakeAgent(t, "NonInteractiveCommands", func(a *fakeAgent) {
		a.send(message.Output, []byte("started\n"))
		time.Sleep(5 * time.Second)
	})
	api := &fakeAPI{}
	c := &Client{API: api}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	go func() {
		for !strings.Contains(stdout.String(), "started") {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Command(ctx, started(wsURL(srv), "secret-token-1"), Connection{}, &stdout, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if ids := api.terminatedIDs(); len(ids) != 1 || ids[0] != "s-1" {
		t.Errorf("terminated %v, want [s-1]", ids)
	}
}
