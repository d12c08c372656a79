package session

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/session-manager-plugin/src/message"
	"github.com/gorilla/websocket"
	"github.com/twinj/uuid"
)

// fakeAgent is MGS and an agent in one, just enough of the protocol to
// test the client: a token frame, an optional handshake, sequence numbers
// and acks (no retransmission: the test network loses nothing), and a
// script of what to do with input.
type fakeAgent struct {
	t         *testing.T
	token     string
	handshake string // session type announced, "" to skip the handshake

	// script runs once the session has started; it sends with send and
	// reads input payloads from in.
	script func(a *fakeAgent)

	mu        sync.Mutex
	conn      *websocket.Conn
	seq       int64
	in        chan message.ClientMessage
	tokenErr  bool
	startOnce sync.Once
	frames    []string // the text frames received (token frames)
	// holdAcks keeps the Output messages received unacknowledged (held,
	// by sequence number) until releaseAcks.
	holdAcks bool
	held     map[int64]message.ClientMessage
}

// holdAcksNow makes the agent keep Output messages unacknowledged.
func (a *fakeAgent) holdAcksNow() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.holdAcks, a.held = true, map[int64]message.ClientMessage{}
}

// heldCount is how many distinct Output messages are held.
func (a *fakeAgent) heldCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.held)
}

// releaseAcks acknowledges every held message and stops holding.
func (a *fakeAgent) releaseAcks() {
	a.mu.Lock()
	held := a.held
	a.holdAcks, a.held = false, nil
	a.mu.Unlock()
	for _, m := range held {
		a.ack(m)
	}
}

func newFakeAgent(t *testing.T, handshake string, script func(a *fakeAgent)) (*fakeAgent, *httptest.Server) {
	a := &fakeAgent{t: t, token: "secret-token-1", handshake: handshake, script: script, in: make(chan message.ClientMessage, 100)}
	srv := httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(srv.Close)
	return a, srv
}

func (a *fakeAgent) serve(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	_, first, err := conn.ReadMessage()
	if err != nil {
		return
	}
	var open struct{ TokenValue string }
	_ = json.Unmarshal(first, &open)
	a.mu.Lock()
	a.frames = append(a.frames, string(first))
	a.conn = conn
	a.mu.Unlock()
	if open.TokenValue != a.token {
		a.mu.Lock()
		a.tokenErr = true
		a.mu.Unlock()
		a.closeChannel("bad token")
		return
	}
	a.startOnce.Do(func() { go a.run() })
	for {
		_, raw, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var m message.ClientMessage
		if m.DeserializeClientMessage(nopLog{}, raw) != nil {
			continue
		}
		if m.MessageType == message.InputStreamMessage {
			a.mu.Lock()
			hold := a.holdAcks && message.PayloadType(m.PayloadType) == message.Output
			if hold {
				a.held[m.SequenceNumber] = m
			}
			a.mu.Unlock()
			if hold {
				continue
			}
			a.ack(m)
			a.in <- m
		}
	}
}

func (a *fakeAgent) run() {
	if a.handshake != "" {
		req, _ := json.Marshal(message.HandshakeRequestPayload{AgentVersion: "3.3.0.0", RequestedClientActions: []message.RequestedClientAction{{
			ActionType: message.SessionType, ActionParameters: json.RawMessage(`{"SessionType":"` + a.handshake + `","Properties":null}`)}}})
		a.send(message.HandshakeRequestPayloadType, req)
		resp := <-a.in
		if message.PayloadType(resp.PayloadType) != message.HandshakeResponsePayloadType {
			a.t.Errorf("first input is payload type %d, want a HandshakeResponse", resp.PayloadType)
		}
		a.send(message.HandshakeCompletePayloadType, []byte(`{"HandshakeTimeToComplete":1000000,"CustomerMessage":"Hello from the agent."}`))
	}
	a.script(a)
}

func (a *fakeAgent) send(t message.PayloadType, data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := message.ClientMessage{MessageType: message.OutputStreamMessage, SchemaVersion: 1, CreatedDate: uint64(time.Now().UnixMilli()),
		SequenceNumber: a.seq, MessageId: uuid.NewV4(), PayloadType: uint32(t), Payload: data}
	a.seq++
	b, err := m.SerializeClientMessage(nopLog{})
	if err != nil {
		a.t.Error(err)
		return
	}
	_ = a.conn.WriteMessage(websocket.BinaryMessage, b)
}

// ack acknowledges m. It formats the message ID itself and builds the
// message without the plugin's SerializeClientMessageWithAcknowledgeContent:
// both read or set twinj/uuid's global format, which the client under test
// (in this same process) sets under its own lock, so using them here would
// be a data race that no real agent, in its own process, could have.
func (a *fakeAgent) ack(m message.ClientMessage) {
	id := hex.EncodeToString(m.MessageId.Bytes())
	id = id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	payload, _ := json.Marshal(message.AcknowledgeContent{
		MessageType: m.MessageType, MessageId: id, SequenceNumber: m.SequenceNumber, IsSequentialMessage: true})
	am := message.ClientMessage{MessageType: message.AcknowledgeMessage, SchemaVersion: 1, CreatedDate: uint64(time.Now().UnixMilli()),
		Flags: 3, MessageId: uuid.NewV4(), Payload: payload}
	b, err := am.SerializeClientMessage(nopLog{})
	if err != nil {
		a.t.Error(err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = a.conn.WriteMessage(websocket.BinaryMessage, b)
}

func (a *fakeAgent) closeChannel(output string) {
	payload, _ := json.Marshal(message.ChannelClosed{MessageType: message.ChannelClosedMessage, SchemaVersion: 1, Output: output, SessionId: "s-1"})
	m := message.ClientMessage{MessageType: message.ChannelClosedMessage, SchemaVersion: 1, CreatedDate: uint64(time.Now().UnixMilli()),
		Flags: 3, MessageId: uuid.NewV4(), Payload: payload}
	b, _ := m.SerializeClientMessage(nopLog{})
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = a.conn.WriteMessage(websocket.BinaryMessage, b)
}

// next returns the next input payload of type Output or Size.
func (a *fakeAgent) next() message.ClientMessage {
	select {
	case m := <-a.in:
		return m
	case <-time.After(10 * time.Second):
		a.t.Error("no input from the client")
		return message.ClientMessage{}
	}
}

// fakeAPI is the SSM control plane for these tests.
type fakeAPI struct {
	API
	mu         sync.Mutex
	terminated []string
	resumed    int
	token      string
}

func (f *fakeAPI) TerminateSession(_ context.Context, in *ssm.TerminateSessionInput, _ ...func(*ssm.Options)) (*ssm.TerminateSessionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.terminated = append(f.terminated, aws.ToString(in.SessionId))
	return &ssm.TerminateSessionOutput{SessionId: in.SessionId}, nil
}

func (f *fakeAPI) ResumeSession(_ context.Context, in *ssm.ResumeSessionInput, _ ...func(*ssm.Options)) (*ssm.ResumeSessionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resumed++
	return &ssm.ResumeSessionOutput{SessionId: in.SessionId, TokenValue: aws.String(f.token)}, nil
}

func (f *fakeAPI) terminatedIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.terminated...)
}

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/data-channel/s-1?role=publish_subscribe"
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
