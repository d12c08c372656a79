package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/gorilla/websocket"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/sessions"
)

// A small Session Manager client written for these tests: it speaks the
// data channel as protocol/session-manager.md describes it (token frame,
// framing, handshake, acks, out-of-order buffering, resume after a dropped
// WebSocket), independently of the sandbox's own code paths.

// testClient is one client of a session.
type testClient struct {
	t         *testing.T
	api       *ssm.Client
	sessionID string
	streamURL string
	clientID  string

	mu       sync.Mutex
	cond     *sync.Cond
	conn     *websocket.Conn
	inSeq    int64                            // next input sequence number
	unacked  map[int64]*protocol.AgentMessage // our input awaiting acks
	expected int64
	buf      map[int64]*protocol.AgentMessage
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	exitCode string
	ready    bool // session type known
	closed   *string
	resumes  int
	dupes    int
	// Output messages: how many, the largest payload, and when the
	// first and the last arrived (pacing).
	outMsgs  int
	outMax   int
	outFirst time.Time
	outLast  time.Time
}

func newTestClient(t *testing.T, s *Server, in *ssm.StartSessionInput) *testClient {
	t.Helper()
	return newTestClientFor(t, s.AWSConfig(), in)
}

// newTestClientFor starts a session with the credentials and Region of
// cfg (a location of a sandbox serving several).
func newTestClientFor(t *testing.T, cfg aws.Config, in *ssm.StartSessionInput) *testClient {
	t.Helper()
	api := ssm.NewFromConfig(cfg)
	out, err := api.StartSession(context.Background(), in)
	if err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	c := &testClient{t: t, api: api, sessionID: aws.ToString(out.SessionId), streamURL: aws.ToString(out.StreamUrl),
		clientID: protocol.UUIDString(protocol.NewUUID()), unacked: map[int64]*protocol.AgentMessage{}, buf: map[int64]*protocol.AgentMessage{}}
	c.cond = sync.NewCond(&c.mu)
	c.dial(aws.ToString(out.TokenValue))
	go c.readLoop()
	go c.resendLoop()
	t.Cleanup(func() {
		c.mu.Lock()
		conn := c.conn
		c.mu.Unlock()
		conn.Close()
	})
	return c
}

func (c *testClient) dial(token string) {
	c.t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(c.streamURL, nil)
	if err != nil {
		c.t.Fatalf("dial %s: %v", c.streamURL, err)
	}
	open, _ := json.Marshal(protocol.OpenDataChannelInput{MessageSchemaVersion: "1.0", RequestId: protocol.UUIDString(protocol.NewUUID()), TokenValue: token, ClientId: c.clientID, ClientVersion: "1.3.0.0"})
	if err := conn.WriteMessage(websocket.TextMessage, open); err != nil {
		c.t.Fatalf("token frame: %v", err)
	}
	c.mu.Lock()
	c.conn = conn
	// Our unacked input goes again on the new WebSocket.
	for seq := int64(0); seq < c.inSeq; seq++ {
		if m := c.unacked[seq]; m != nil {
			conn.WriteMessage(websocket.BinaryMessage, m.Marshal())
		}
	}
	c.mu.Unlock()
}

func (c *testClient) write(conn *websocket.Conn, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn.WriteMessage(websocket.BinaryMessage, b)
}

func (c *testClient) ack(conn *websocket.Conn, m *protocol.AgentMessage) {
	p, _ := json.Marshal(protocol.AckPayload{AcknowledgedMessageType: m.MessageType, AcknowledgedMessageId: protocol.UUIDString(m.MessageID), AcknowledgedMessageSequenceNumber: m.SequenceNumber, IsSequentialMessage: true})
	c.write(conn, protocol.Control(protocol.MsgAcknowledge, p, time.Now()))
}

// send sends one input_stream_data message.
func (c *testClient) send(pt uint32, payload []byte) {
	c.mu.Lock()
	m := &protocol.AgentMessage{MessageType: protocol.MsgInputStreamData, SchemaVersion: 1, CreatedDate: uint64(time.Now().UnixMilli()), SequenceNumber: c.inSeq, MessageID: protocol.NewUUID(), PayloadType: pt, Payload: payload}
	c.inSeq++
	c.unacked[m.SequenceNumber] = m
	conn := c.conn
	conn.WriteMessage(websocket.BinaryMessage, m.Marshal())
	c.mu.Unlock()
}

// resendLoop sends unacked input again, as the plugin does, until the
// session ends.
func (c *testClient) resendLoop() {
	for {
		time.Sleep(200 * time.Millisecond)
		c.mu.Lock()
		if c.closed != nil {
			c.mu.Unlock()
			return
		}
		for seq := int64(0); seq < c.inSeq; seq++ {
			if m := c.unacked[seq]; m != nil {
				c.conn.WriteMessage(websocket.BinaryMessage, m.Marshal())
			}
		}
		c.mu.Unlock()
	}
}

// readLoop handles the agent's messages; on a dropped WebSocket it calls
// ResumeSession and reconnects, as the plugin does.
func (c *testClient) readLoop() {
	for {
		c.mu.Lock()
		conn := c.conn
		done := c.closed != nil
		c.mu.Unlock()
		if done {
			return
		}
		_, b, err := conn.ReadMessage()
		if err != nil {
			c.mu.Lock()
			done := c.closed != nil
			c.mu.Unlock()
			if done {
				return
			}
			out, rerr := c.api.ResumeSession(context.Background(), &ssm.ResumeSessionInput{SessionId: &c.sessionID})
			if rerr != nil || aws.ToString(out.TokenValue) == "" {
				c.finish("resume failed")
				return
			}
			c.mu.Lock()
			c.resumes++
			c.mu.Unlock()
			conn.Close()
			c.dial(aws.ToString(out.TokenValue))
			continue
		}
		m, err := protocol.UnmarshalMessage(b)
		if err != nil {
			c.t.Errorf("agent message: %v", err)
			continue
		}
		switch m.MessageType {
		case protocol.MsgAcknowledge:
			var a protocol.AckPayload
			json.Unmarshal(m.Payload, &a)
			c.mu.Lock()
			delete(c.unacked, a.AcknowledgedMessageSequenceNumber)
			c.mu.Unlock()
		case protocol.MsgChannelClosed:
			var p protocol.ChannelClosedPayload
			json.Unmarshal(m.Payload, &p)
			c.finish(p.Output)
			return
		case protocol.MsgOutputStreamData:
			c.mu.Lock()
			exp := c.expected
			c.mu.Unlock()
			switch {
			case m.SequenceNumber < exp:
				c.mu.Lock()
				c.dupes++
				c.mu.Unlock()
				c.ack(conn, m) // unlike the plugin, re-ack duplicates
			case m.SequenceNumber > exp:
				c.mu.Lock()
				c.buf[m.SequenceNumber] = m
				c.mu.Unlock()
				c.ack(conn, m)
			default:
				c.ack(conn, m)
				c.deliver(m)
				for {
					c.mu.Lock()
					next, ok := c.buf[c.expected]
					delete(c.buf, c.expected)
					c.mu.Unlock()
					if !ok {
						break
					}
					c.deliver(next)
				}
			}
		}
	}
}

func (c *testClient) deliver(m *protocol.AgentMessage) {
	c.mu.Lock()
	c.expected++
	c.mu.Unlock()
	switch m.PayloadType {
	case protocol.PayloadHandshakeRequest:
		var req protocol.HandshakeRequest
		if err := json.Unmarshal(m.Payload, &req); err != nil || req.AgentVersion == "" {
			c.t.Errorf("HandshakeRequest %s: %v", m.Payload, err)
		}
		resp, _ := json.Marshal(map[string]any{"ClientVersion": "1.3.0.0", "ProcessedClientActions": []map[string]any{{"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": nil, "Error": ""}}, "Errors": nil})
		c.send(protocol.PayloadHandshakeResponse, resp)
	case protocol.PayloadHandshakeComplete:
		var hc struct{ HandshakeTimeToComplete int64 }
		if err := json.Unmarshal(m.Payload, &hc); err != nil {
			c.t.Errorf("HandshakeComplete %s: %v", m.Payload, err)
		}
		c.setReady()
	case protocol.PayloadOutput:
		c.mu.Lock()
		c.stdout.Write(m.Payload)
		now := time.Now()
		if c.outMsgs == 0 {
			c.outFirst = now
		}
		c.outMsgs++
		c.outLast = now
		c.outMax = max(c.outMax, len(m.Payload))
		c.mu.Unlock()
		c.setReady()
	case protocol.PayloadStdErr:
		c.mu.Lock()
		c.stderr.Write(m.Payload)
		c.mu.Unlock()
	case protocol.PayloadExitCode:
		c.mu.Lock()
		c.exitCode = string(m.Payload)
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *testClient) setReady() {
	c.mu.Lock()
	c.ready = true
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *testClient) finish(output string) {
	c.mu.Lock()
	if c.closed == nil {
		c.closed = &output
	}
	c.cond.Broadcast()
	c.mu.Unlock()
}

// waitUntil waits for cond (called with c.mu held); the deadline only
// stops a hung test.
func (c *testClient) waitUntil(what string, cond func() bool) {
	c.t.Helper()
	timer := time.AfterFunc(60*time.Second, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(60 * time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("waiting for %s; stdout so far:\n%s", what, c.stdout.String())
		}
		c.cond.Wait()
	}
}

func (c *testClient) waitOutput(s string) {
	c.t.Helper()
	c.waitUntil("output "+s, func() bool { return strings.Contains(c.stdout.String(), s) })
}

// waitClosed waits for channel_closed and returns its Output.
func (c *testClient) waitClosed() string {
	c.t.Helper()
	c.waitUntil("channel_closed", func() bool { return c.closed != nil })
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.closed
}

func (c *testClient) typeLine(s string) {
	c.waitUntil("the session type", func() bool { return c.ready })
	c.send(protocol.PayloadOutput, []byte(s))
}

// sessionStatus is a session's status as DescribeSessions reports it, ""
// for an unknown session. A session moves from Active to History only, so
// asking in that order always finds it.
func sessionStatus(t *testing.T, s *Server, id string) types.SessionStatus {
	t.Helper()
	for _, state := range []string{"Active", "History"} {
		for _, r := range describe(t, s, state) {
			if r.SessionId == id {
				return r.Status
			}
		}
	}
	return ""
}

func TestShellSession(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true})
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), Reason: aws.String("testing")})
	if !strings.HasPrefix(c.sessionID, area.CallerName+"-") || !strings.Contains(c.streamURL, "/v1/data-channel/"+c.sessionID+"?") || !strings.Contains(c.streamURL, "role=publish_subscribe") {
		t.Errorf("session %s at %s", c.sessionID, c.streamURL)
	}
	c.waitUntil("the session type", func() bool { return c.ready })
	c.send(protocol.PayloadSize, []byte(`{"cols":91,"rows":37}`))
	c.typeLine("stty size; pwd; echo hi-$((6*7))\r")
	c.waitOutput("hi-42")
	c.waitOutput("37 91")
	dir, _ := s.NodeDir("i-0a1b2c3d4e5f60001")
	c.waitOutput(dir)
	if got := sessionStatus(t, s, c.sessionID); got != types.SessionStatusConnected {
		t.Errorf("status %s while connected", got)
	}
	active := describe(t, s, "Active")
	if len(active) != 1 || active[0].SessionId != c.sessionID || active[0].Reason != "testing" || active[0].Owner != s.host.CallerARN() {
		t.Errorf("active sessions: %+v", active)
	}
	c.typeLine("whoami\r")
	c.waitOutput(me.Username + "\r\n")
	c.typeLine("exit\r")
	if out := c.waitClosed(); out != "" {
		t.Errorf("channel_closed Output %q, want empty", out)
	}
	hist := describe(t, s, "History")
	if len(hist) != 1 || hist[0].Status != types.SessionStatusTerminated || hist[0].EndDate == nil {
		t.Errorf("history: %+v", hist)
	}
}

func TestNonInteractiveSession(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true})
	for _, code := range []string{"0", "1", "42"} {
		t.Run("exit "+code, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, s, &ssm.StartSessionInput{
				Target: aws.String("i-0a1b2c3d4e5f60002"), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
				Parameters: map[string][]string{"command": {"sh -c 'echo out-1; echo err-1 >&2; echo out-2; exit " + code + "'"}, "separateOutputStream": {"true"}},
			})
			if out := c.waitClosed(); out != "" {
				t.Errorf("channel_closed Output %q", out)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.stdout.String() != "out-1\nout-2\n" || c.stderr.String() != "err-1\n" || c.exitCode != "EXIT_CODE: "+code {
				t.Errorf("stdout %q, stderr %q, exit %q", c.stdout.String(), c.stderr.String(), c.exitCode)
			}
		})
	}
	t.Run("combined", func(t *testing.T) {
		t.Parallel()
		// Without separateOutputStream the agent sends stdout and stderr
		// together as Output, and no exit code.
		c := newTestClient(t, s, &ssm.StartSessionInput{
			Target: aws.String("i-0a1b2c3d4e5f60002"), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
			Parameters: map[string][]string{"command": {"sh -c 'echo out; echo err >&2; exit 3'"}},
		})
		c.waitClosed()
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.stdout.String() != "out\nerr\n" || c.stderr.Len() != 0 || c.exitCode != "" {
			t.Errorf("stdout %q, stderr %q, exit %q", c.stdout.String(), c.stderr.String(), c.exitCode)
		}
	})
	t.Run("prefixes", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, s, &ssm.StartSessionInput{
			Target: aws.String("i-0a1b2c3d4e5f60002"), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
			Parameters: map[string][]string{"command": {"echo hello"}, "separateOutputStream": {"true"}, "stdOutSeparatorPrefix": {"OUT: "}},
		})
		c.waitClosed()
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.stdout.String() != "OUT: hello\n" || c.exitCode != "EXIT_CODE: 0" {
			t.Errorf("stdout %q, exit %q", c.stdout.String(), c.exitCode)
		}
	})
	// A Windows node runs the command in PowerShell, where there is no sh:
	// "sh -c ..." fails as PowerShell fails an unknown command, exit 1.
	t.Run("sh on Windows", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, s, &ssm.StartSessionInput{
			Target: aws.String("i-0a1b2c3d4e5f60005"), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
			Parameters: map[string][]string{"command": {"sh -c 'echo hi'"}, "separateOutputStream": {"true"}},
		})
		c.waitClosed()
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.stdout.Len() != 0 || !strings.HasPrefix(c.stderr.String(), "sh : The term 'sh' is not recognized") || c.exitCode != "EXIT_CODE: 1" {
			t.Errorf("stdout %q, stderr %q, exit %q", c.stdout.String(), c.stderr.String(), c.exitCode)
		}
	})
	t.Run("PowerShell line on Windows", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, s, &ssm.StartSessionInput{
			Target: aws.String("i-0a1b2c3d4e5f60005"), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
			Parameters: map[string][]string{"command": {"echo 'a b'; exit 4"}, "separateOutputStream": {"true"}},
		})
		c.waitClosed()
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.stdout.String() != "a b\n" || c.exitCode != "EXIT_CODE: 4" {
			t.Errorf("stdout %q, stderr %q, exit %q", c.stdout.String(), c.stderr.String(), c.exitCode)
		}
	})
	t.Run("no such program", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, s, &ssm.StartSessionInput{
			Target: aws.String("i-0a1b2c3d4e5f60002"), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
			Parameters: map[string][]string{"command": {"no-such-program-here"}, "separateOutputStream": {"true"}},
		})
		c.waitClosed()
		c.mu.Lock()
		defer c.mu.Unlock()
		if !strings.Contains(c.stderr.String(), "no-such-program-here") || c.exitCode != "EXIT_CODE: 1" {
			t.Errorf("stderr %q, exit %q", c.stderr.String(), c.exitCode)
		}
	})
}

// bigOutput writes n random bytes into the node's directory and returns
// their SHA-256.
func bigOutput(t *testing.T, s *Server, node string, n int) string {
	t.Helper()
	dir, err := s.NodeDir(node)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func catBig(t *testing.T, s *Server, node string) *testClient {
	return newTestClient(t, s, &ssm.StartSessionInput{
		Target: aws.String(node), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
		Parameters: map[string][]string{"command": {"cat big.bin"}, "separateOutputStream": {"true"}},
	})
}

func TestLargeOutputIntact(t *testing.T) {
	// Not parallel: 10 MiB takes a core for a while.
	s := Start(t, Options{NoPacing: true})
	want := bigOutput(t, s, "i-0a1b2c3d4e5f60003", 10<<20)
	c := catBig(t, s, "i-0a1b2c3d4e5f60003")
	c.waitClosed()
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := sha256.Sum256(c.stdout.Bytes())
	if got := hex.EncodeToString(sum[:]); got != want || c.exitCode != "EXIT_CODE: 0" {
		t.Errorf("%d bytes with sha256 %s, exit %q; want 10 MiB with %s", c.stdout.Len(), got, c.exitCode, want)
	}
}

func TestResumeAfterDroppedWebSocket(t *testing.T) {
	t.Parallel()
	// At the agent's pace (a WebSocket is never dropped in its first
	// second), 1 MiB takes over a second: room for a few drops.
	s := Start(t, Options{Faults: Faults{WSDrop: 0.01}, Seed: 7})
	want := bigOutput(t, s, "i-0a1b2c3d4e5f60003", 1<<20)
	c := catBig(t, s, "i-0a1b2c3d4e5f60003")
	if out := c.waitClosed(); out != "" {
		t.Errorf("channel_closed Output %q", out)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := sha256.Sum256(c.stdout.Bytes())
	if got := hex.EncodeToString(sum[:]); got != want || c.exitCode != "EXIT_CODE: 0" {
		t.Errorf("%d bytes with sha256 %s, exit %q; want 1 MiB with %s", c.stdout.Len(), got, c.exitCode, want)
	}
	if c.resumes == 0 {
		t.Error("the WebSocket was never dropped: the test proves nothing")
	}
	if n := s.Stats().Operations["ssm.ResumeSession"].Calls; n != int64(c.resumes) {
		t.Errorf("%d ResumeSession calls, the client made %d", n, c.resumes)
	}
	t.Logf("%d resumes, %d duplicates ignored", c.resumes, c.dupes)
}

func TestTerminateSession(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true})
	// An EC2 node: a hybrid one needs the advanced-instances tier.
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")})
	c.typeLine("echo up-$((1+1))\r")
	c.waitOutput("up-2")
	for i := 0; i < 2; i++ { // idempotent
		out, err := c.api.TerminateSession(context.Background(), &ssm.TerminateSessionInput{SessionId: &c.sessionID})
		if err != nil || aws.ToString(out.SessionId) != c.sessionID {
			t.Fatalf("TerminateSession: %v", err)
		}
	}
	if out := c.waitClosed(); out != "" {
		t.Errorf("channel_closed Output %q", out)
	}
	if st := sessionStatus(t, s, c.sessionID); st != types.SessionStatusTerminated {
		t.Errorf("status %s", st)
	}
	out, err := c.api.ResumeSession(context.Background(), &ssm.ResumeSessionInput{SessionId: &c.sessionID})
	if err != nil || out.TokenValue != nil {
		t.Errorf("ResumeSession of an ended session: token %v, %v", out.TokenValue, err)
	}
	if _, err := c.api.TerminateSession(context.Background(), &ssm.TerminateSessionInput{SessionId: aws.String("nobody-0123456789abcdef0")}); err != nil {
		t.Errorf("TerminateSession of an unknown session: %v", err)
	}
}

// createPreferences creates SSM-SessionManagerRunShell with inputs.
func createPreferences(t *testing.T, s *Server, inputs map[string]any) error {
	t.Helper()
	content, _ := json.Marshal(map[string]any{"schemaVersion": "1.0", "description": "Session Manager preferences", "sessionType": "Standard_Stream", "inputs": inputs})
	_, err := ssm.NewFromConfig(s.AWSConfig()).CreateDocument(context.Background(), &ssm.CreateDocumentInput{
		Name: aws.String(documents.PreferencesDocument), DocumentType: types.DocumentTypeSession, Content: aws.String(string(content)),
	})
	return err
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	// A one-minute idle timeout, scaled to 0.3 s.
	s := Start(t, Options{NoPacing: true, TimeoutScale: 0.005})
	if err := createPreferences(t, s, map[string]any{"idleSessionTimeout": "1", "s3EncryptionEnabled": true}); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")})
	if out := c.waitClosed(); out != sessions.IdleTimeoutMessage {
		t.Errorf("channel_closed Output %q, want %q", out, sessions.IdleTimeoutMessage)
	}
	hist := describe(t, s, "History")
	if len(hist) != 1 || hist[0].Status != types.SessionStatusTerminated {
		t.Errorf("history %+v", hist)
	}
}

func TestMaxSessionDuration(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true, TimeoutScale: 0.005})
	if err := createPreferences(t, s, map[string]any{"maxSessionDuration": "1"}); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")})
	if out := c.waitClosed(); out != sessions.MaxDurationMessage {
		t.Errorf("channel_closed Output %q, want %q", out, sessions.MaxDurationMessage)
	}
	hist := describe(t, s, "History")
	if len(hist) != 1 || hist[0].MaxSessionDuration != "1" || hist[0].Status != types.SessionStatusTerminated {
		t.Errorf("history %+v", hist)
	}
}

func TestPreferencesValidated(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	for _, in := range []map[string]any{{"idleSessionTimeout": "0"}, {"idleSessionTimeout": "61"}, {"maxSessionDuration": "1441"}, {"maxSessionDuration": "ten"}} {
		if err := createPreferences(t, s, in); apiCode(err) != "InvalidDocumentContent" {
			t.Errorf("inputs %v: %v, want InvalidDocumentContent", in, err)
		}
	}
	if err := createPreferences(t, s, map[string]any{"idleSessionTimeout": "60", "maxSessionDuration": "1440"}); err != nil {
		t.Errorf("the limits themselves: %v", err)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestStartSessionErrors(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	api := ssm.NewFromConfig(s.AWSConfig())
	windowsOnly := `{"schemaVersion":"1.0","sessionType":"InteractiveCommands","parameters":{},"properties":{"windows":{"commands":"Get-Date"}}}`
	if _, err := api.CreateDocument(context.Background(), &ssm.CreateDocumentInput{Name: aws.String("WindowsOnly"), DocumentType: types.DocumentTypeSession, Content: aws.String(windowsOnly)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   ssm.StartSessionInput
		want string
	}{
		{"offline node", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60006")}, "TargetNotConnected"},
		{"unknown node", ssm.StartSessionInput{Target: aws.String("i-00000000000000000")}, "TargetNotConnected"},
		{"unknown document", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("No-Such-Doc")}, "InvalidDocument"},
		{"command document", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("AWS-RunShellScript")}, "InvalidDocument"},
		{"missing command", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("AWS-StartInteractiveCommand")}, "InvalidParameters"},
		{"unknown parameter", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("AWS-StartInteractiveCommand"), Parameters: map[string][]string{"command": {"ls"}, "colour": {"red"}}}, "InvalidParameters"},
		{"bad port", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("AWS-StartPortForwardingSession"), Parameters: map[string][]string{"portNumber": {"70000"}}}, "InvalidParameters"},
		{"remote host needs host", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("AWS-StartPortForwardingSessionToRemoteHost")}, "InvalidParameters"},
		{"empty reason", ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), Reason: aws.String("")}, "ValidationException"},
	}
	for _, tc := range tests {
		if _, err := api.StartSession(context.Background(), &tc.in); apiCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	// Valid port documents start (the data path is not there yet).
	for _, doc := range []string{"AWS-StartPortForwardingSession", "AWS-StartSSHSession"} {
		if _, err := api.StartSession(context.Background(), &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String(doc)}); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
	// A document with Windows commands only starts, and the Linux node's
	// agent then fails it, as the real agent does.
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), DocumentName: aws.String("WindowsOnly")})
	if out := c.waitClosed(); out != nodes.OutputErrorTitle+"Commands cannot be empty for session type InteractiveCommands" {
		t.Errorf("channel_closed Output %q", out)
	}
	if st := sessionStatus(t, s, c.sessionID); st != types.SessionStatusFailed {
		t.Errorf("status %s, want Failed", st)
	}
}

func TestDataChannelToken(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true})
	out, err := ssm.NewFromConfig(s.AWSConfig()).StartSession(context.Background(), &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")})
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"not-the-token", ""} {
		conn, _, err := websocket.DefaultDialer.Dial(aws.ToString(out.StreamUrl), nil)
		if err != nil {
			t.Fatal(err)
		}
		open, _ := json.Marshal(protocol.OpenDataChannelInput{MessageSchemaVersion: "1.0", TokenValue: token})
		conn.WriteMessage(websocket.TextMessage, open)
		_, b, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("token %q: %v", token, err)
		}
		m, err := protocol.UnmarshalMessage(b)
		if err != nil || m.MessageType != protocol.MsgChannelClosed || !strings.Contains(string(m.Payload), "not valid") {
			t.Errorf("token %q: %v %+v", token, err, m)
		}
		conn.Close()
	}
	if st := sessionStatus(t, s, aws.ToString(out.SessionId)); st != types.SessionStatusConnecting {
		t.Errorf("status %s after refused tokens, want Connecting", st)
	}
}

func TestDescribeSessions(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true})
	api := ssm.NewFromConfig(s.AWSConfig())
	var ids []string
	for i := 0; i < 5; i++ {
		out, err := api.StartSession(context.Background(), &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.SessionId))
	}
	api.TerminateSession(context.Background(), &ssm.TerminateSessionInput{SessionId: &ids[0]})
	var got []string
	p := ssm.NewDescribeSessionsPaginator(api, &ssm.DescribeSessionsInput{State: types.SessionStateActive, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Sessions) > 2 {
			t.Errorf("page of %d", len(page.Sessions))
		}
		for _, s := range page.Sessions {
			got = append(got, aws.ToString(s.SessionId))
			if s.StartDate == nil || aws.ToString(s.Owner) == "" || s.Status != types.SessionStatusConnecting {
				t.Errorf("session %+v", s)
			}
		}
	}
	if len(got) != 4 {
		t.Errorf("active %v", got)
	}
	hist, err := api.DescribeSessions(context.Background(), &ssm.DescribeSessionsInput{State: types.SessionStateHistory,
		Filters: []types.SessionFilter{{Key: types.SessionFilterKeySessionId, Value: &ids[0]}, {Key: types.SessionFilterKeyTargetId, Value: aws.String("i-0a1b2c3d4e5f60001")}}})
	if err != nil || len(hist.Sessions) != 1 || hist.Sessions[0].Status != types.SessionStatusTerminated || hist.Sessions[0].EndDate == nil {
		t.Errorf("history %+v, %v", hist, err)
	}
	bad := []*ssm.DescribeSessionsInput{
		{State: types.SessionStateActive, MaxResults: aws.Int32(201)},
		{State: types.SessionStateActive, Filters: []types.SessionFilter{{Key: types.SessionFilterKeyInvokedAfter, Value: aws.String("yesterday")}}},
		{State: types.SessionStateActive, Filters: []types.SessionFilter{{Key: types.SessionFilterKeyStatus, Value: aws.String("Sleeping")}}},
	}
	for _, in := range bad {
		if _, err := api.DescribeSessions(context.Background(), in); apiCode(err) != "ValidationException" {
			t.Errorf("%+v: %v, want ValidationException", in, err)
		}
	}
	if _, err := api.DescribeSessions(context.Background(), &ssm.DescribeSessionsInput{State: types.SessionStateActive, NextToken: aws.String("bogus")}); apiCode(err) != "InvalidNextToken" {
		t.Errorf("bad token: %v", err)
	}
}

func TestSessionHistoryPersists(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := New(Options{StatePath: path, NoPacing: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	out, err := ssm.NewFromConfig(s.AWSConfig()).StartSession(context.Background(), &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001"), Reason: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := Start(t, Options{StatePath: path})
	hist := describe(t, s2, "History")
	if len(hist) != 1 || hist[0].SessionId != aws.ToString(out.SessionId) || hist[0].Reason != "kept" || hist[0].Status != types.SessionStatusTerminated {
		t.Errorf("history after a restart: %+v", hist)
	}
}

// echoServer accepts connections and echoes what they send; closeAfter
// > 0 closes each connection after that many bytes.
func echoServer(t *testing.T, closeAfter int) string {
	t.Helper()
	addr, stop, err := EchoServer(closeAfter)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

// portFleet is one node whose port 80 (and 22) go to addr.
func portFleet(addr, agentVersion string) *Fleet {
	return &Fleet{Nodes: []*Node{{ID: "i-0123456789abcdef0", Name: "tunnel-1", AgentVersion: agentVersion,
		Ports: map[string]string{"80": addr, "22": addr, "5432": addr}}}}
}

func TestPortSessionBasic(t *testing.T) {
	t.Parallel()
	addr := echoServer(t, 0)
	// An agent at 3.0.196.0 makes LocalPortForwarding basic (no smux).
	s := Start(t, Options{NoPacing: true, Fleet: portFleet(addr, "3.0.196.0")})
	for _, tc := range []struct {
		doc    string
		params map[string][]string
	}{
		{"AWS-StartPortForwardingSession", map[string][]string{"portNumber": {"80"}}},
		{"AWS-StartPortForwardingSessionToRemoteHost", map[string][]string{"host": {"db.internal"}, "portNumber": {"5432"}}},
	} {
		c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0123456789abcdef0"), DocumentName: aws.String(tc.doc), Parameters: tc.params})
		c.typeLine("ping-1\n")
		c.waitOutput("ping-1\n")
		// DisconnectToPort closes the destination; the next data dials again.
		c.send(protocol.PayloadFlag, []byte{0, 0, 0, 1})
		c.send(protocol.PayloadOutput, []byte("ping-2\n"))
		c.waitOutput("ping-2\n")
		c.send(protocol.PayloadFlag, []byte{0, 0, 0, 2}) // TerminateSession
		c.waitClosed()
		if st := sessionStatus(t, s, c.sessionID); st != types.SessionStatusTerminated {
			t.Errorf("%s: status %s", tc.doc, st)
		}
	}
}

// TestPortSessionPaced: port data from the node comes as the agent's port
// plugin sends it (port_basic.go WritePump, port_mux.go
// transferDataToMgs): messages of at most 1024 bytes, each followed by a
// 1 ms pause, so 64 KiB echoed back takes at least 63 ms from the first
// message to the last.
func TestPortSessionPaced(t *testing.T) {
	t.Parallel()
	addr := echoServer(t, 0)
	s := Start(t, Options{Fleet: portFleet(addr, "3.0.196.0")})
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0123456789abcdef0"),
		DocumentName: aws.String("AWS-StartPortForwardingSession"), Parameters: map[string][]string{"portNumber": {"80"}}})
	const size = 64 << 10
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	c.waitUntil("the session type", func() bool { return c.ready })
	for off := 0; off < size; off += 4096 {
		c.send(protocol.PayloadOutput, data[off:off+4096])
	}
	c.waitUntil("64 KiB echoed", func() bool { return c.stdout.Len() >= size })
	c.mu.Lock()
	defer c.mu.Unlock()
	if !bytes.Equal(c.stdout.Bytes(), data) {
		t.Fatalf("the echo differs from what was sent (%d bytes back)", c.stdout.Len())
	}
	if c.outMax > 1024 {
		t.Errorf("an Output message of %d bytes: the agent sends at most 1024", c.outMax)
	}
	if c.outMsgs < size/1024 {
		t.Errorf("%d Output messages for %d bytes", c.outMsgs, size)
	}
	if d, min := c.outLast.Sub(c.outFirst), time.Duration(c.outMsgs-1)*time.Millisecond; d < min {
		t.Errorf("%d messages came in %s: with a 1 ms pause after each, at least %s", c.outMsgs, d, min)
	}
}

func TestSSHSessionEndsWithDestination(t *testing.T) {
	t.Parallel()
	addr := echoServer(t, 5)
	s := Start(t, Options{NoPacing: true, Fleet: portFleet(addr, "")})
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0123456789abcdef0"), DocumentName: aws.String("AWS-StartSSHSession")})
	c.typeLine("hello")
	c.waitOutput("hello")
	if out := c.waitClosed(); out != "" {
		t.Errorf("channel_closed Output %q", out)
	}
}

func TestPortSessionClosedPort(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{NoPacing: true, Fleet: portFleet("127.0.0.1:9", "3.0.196.0")})
	c := newTestClient(t, s, &ssm.StartSessionInput{Target: aws.String("i-0123456789abcdef0"), DocumentName: aws.String("AWS-StartPortForwardingSession"), Parameters: map[string][]string{"portNumber": {"8443"}}})
	if out := c.waitClosed(); !strings.HasPrefix(out, nodes.OutputErrorTitle+"Unable to start port forwarding") {
		t.Errorf("channel_closed Output %q", out)
	}
}

func TestCloseWithWaitingWebSocket(t *testing.T) {
	t.Parallel()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	out, err := ssm.NewFromConfig(s.AWSConfig()).StartSession(context.Background(), &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")})
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(aws.ToString(out.StreamUrl), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// No token frame: Close must not wait for one.
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(15 * time.Second): // half the time a WebSocket has to send its token
		t.Fatal("Close waits for a WebSocket that never sent its token")
	}
}
