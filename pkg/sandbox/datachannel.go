package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The Session Manager data channel: the binary message framing both ends
// use (protocol/session-manager.md §4), and one session's channel as MGS and
// the agent keep it together: sequence numbers per direction, acks,
// retransmission with the agent's RTO, out-of-order buffering, and a
// WebSocket that can drop and be re-attached (ResumeSession) while the
// sequence state carries on.

// Message types (§4.5).
const (
	msgInputStreamData  = "input_stream_data"
	msgOutputStreamData = "output_stream_data"
	msgAcknowledge      = "acknowledge"
	msgChannelClosed    = "channel_closed"
)

// Payload types (§4.6).
const (
	payloadOutput            uint32 = 1
	payloadSize              uint32 = 3
	payloadHandshakeRequest  uint32 = 5
	payloadHandshakeResponse uint32 = 6
	payloadHandshakeComplete uint32 = 7
	payloadFlag              uint32 = 10
	payloadStdErr            uint32 = 11
	payloadExitCode          uint32 = 12
)

// flagTerminateSession is the Flag payload a port client sends to end
// the session (§4.7).
const flagTerminateSession uint32 = 2

const (
	// headerLength is the offset of PayloadLength: always 116.
	headerLength   = 116
	messageTypeLen = 32
	// streamPayloadSize is the agent's StreamDataPayloadSize.
	streamPayloadSize = 1024

	// The agent's reliability constants (§6.3, §9).
	resendInterval   = 100 * time.Millisecond
	initialRTO       = 200 * time.Millisecond
	initialSRTT      = 100 * time.Millisecond
	maxRTO           = time.Second
	clockGranularity = 10 * time.Millisecond
	incomingBufLimit = 100000
	// drainTimeout bounds the wait for acks before a session closes
	// (PrepareToCloseChannel).
	drainTimeout = 2 * time.Second
	// sendWindow bounds the unacknowledged output the sandbox keeps. The
	// agent sends without limit (it tracks up to 100000 messages); the
	// sandbox makes a producer wait instead, so a client that is away
	// (a dropped WebSocket) never costs unbounded memory.
	sendWindow = 4096
)

// agentMessage is one framed message (ClientMessage / AgentMessage).
type agentMessage struct {
	MessageType    string
	SchemaVersion  uint32
	CreatedDate    uint64 // epoch milliseconds
	SequenceNumber int64
	Flags          uint64
	MessageID      [16]byte // canonical UUID bytes
	PayloadType    uint32
	Payload        []byte
}

func newUUID() [16]byte {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic("sandbox: no randomness: " + err.Error())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func uuidString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// marshal frames the message: big-endian fields, the type padded with
// spaces, the UUID's halves swapped, a SHA-256 digest of the payload.
func (m *agentMessage) marshal() []byte {
	b := make([]byte, headerLength+4+len(m.Payload))
	binary.BigEndian.PutUint32(b[0:4], headerLength)
	copy(b[4:36], bytes.Repeat([]byte{' '}, messageTypeLen))
	copy(b[4:36], m.MessageType)
	binary.BigEndian.PutUint32(b[36:40], m.SchemaVersion)
	binary.BigEndian.PutUint64(b[40:48], m.CreatedDate)
	binary.BigEndian.PutUint64(b[48:56], uint64(m.SequenceNumber))
	binary.BigEndian.PutUint64(b[56:64], m.Flags)
	copy(b[64:72], m.MessageID[8:16])
	copy(b[72:80], m.MessageID[0:8])
	sum := sha256.Sum256(m.Payload)
	copy(b[80:112], sum[:])
	binary.BigEndian.PutUint32(b[112:116], m.PayloadType)
	binary.BigEndian.PutUint32(b[116:120], uint32(len(m.Payload)))
	copy(b[120:], m.Payload)
	return b
}

// errDigest reports a payload whose digest does not match; the message is
// still usable (the agent does not check digests).
var errDigest = errors.New("payload digest mismatch")

// unmarshalMessage decodes a frame. The payload is everything after the
// PayloadLength field, as both real ends read it.
func unmarshalMessage(b []byte) (*agentMessage, error) {
	if len(b) < headerLength+4 {
		return nil, fmt.Errorf("message of %d bytes is shorter than its header", len(b))
	}
	hl := binary.BigEndian.Uint32(b[0:4])
	if hl == 0 || int(hl)+4 > len(b) {
		return nil, fmt.Errorf("header length %d is invalid", hl)
	}
	m := &agentMessage{
		MessageType:    strings.TrimSpace(strings.Trim(string(b[4:36]), "\x00")),
		SchemaVersion:  binary.BigEndian.Uint32(b[36:40]),
		CreatedDate:    binary.BigEndian.Uint64(b[40:48]),
		SequenceNumber: int64(binary.BigEndian.Uint64(b[48:56])),
		Flags:          binary.BigEndian.Uint64(b[56:64]),
		PayloadType:    binary.BigEndian.Uint32(b[112:116]),
	}
	copy(m.MessageID[8:16], b[64:72])
	copy(m.MessageID[0:8], b[72:80])
	m.Payload = append([]byte(nil), b[hl+4:]...)
	if m.MessageType == "" || m.CreatedDate == 0 {
		return nil, errors.New("message has no type or creation date")
	}
	sum := sha256.Sum256(m.Payload)
	if !bytes.Equal(sum[:], b[80:112]) {
		return m, errDigest
	}
	return m, nil
}

// ackPayload is an acknowledge message's JSON.
type ackPayload struct {
	AcknowledgedMessageType           string `json:"AcknowledgedMessageType"`
	AcknowledgedMessageId             string `json:"AcknowledgedMessageId"`
	AcknowledgedMessageSequenceNumber int64  `json:"AcknowledgedMessageSequenceNumber"`
	IsSequentialMessage               bool   `json:"IsSequentialMessage"`
}

// channelClosedPayload is a channel_closed message's JSON.
type channelClosedPayload struct {
	MessageId     string `json:"MessageId"`
	CreatedDate   string `json:"CreatedDate"`
	DestinationId string `json:"DestinationId"`
	SessionId     string `json:"SessionId"`
	MessageType   string `json:"MessageType"`
	SchemaVersion int    `json:"SchemaVersion"`
	Output        string `json:"Output"`
}

// openDataChannelInput is the client's first (text) frame.
type openDataChannelInput struct {
	MessageSchemaVersion string `json:"MessageSchemaVersion"`
	RequestId            string `json:"RequestId"`
	TokenValue           string `json:"TokenValue"`
	ClientId             string `json:"ClientId"`
	ClientVersion        string `json:"ClientVersion"`
}

// control builds an unsequenced message (acks, channel_closed): seq 0,
// flags 3, payload type 0.
func control(typ string, payload []byte, now time.Time) []byte {
	m := &agentMessage{MessageType: typ, SchemaVersion: 1, CreatedDate: uint64(now.UnixMilli()), Flags: 3, MessageID: newUUID(), Payload: payload}
	return m.marshal()
}

// sentMessage is an output message waiting for its ack.
type sentMessage struct {
	seq      int64
	frame    []byte
	lastSent time.Time
}

// inputHandler processes one in-order client message. ready false means
// "not ready": the message is neither acked nor consumed, and the client
// retransmits it.
type inputHandler func(m *agentMessage) (ready bool)

// dataChannel is one session's channel. The WebSocket comes and goes; the
// sequence state stays.
type dataChannel struct {
	sessionID string
	clock     func() time.Time
	logf      func(string, ...any)
	// drop is asked before each output frame is written whether the
	// ws-drop fault closes the WebSocket instead.
	drop func() bool

	// sendMu orders sequence numbers with writes: output goes out in
	// sequence order, and a re-attached WebSocket gets every unacked
	// message before anything new.
	sendMu sync.Mutex

	mu       sync.Mutex
	cond     *sync.Cond // signalled on acks, attach, detach and close
	conn     *websocket.Conn
	outSeq   int64
	unacked  []*sentMessage
	rto      time.Duration
	srtt     time.Duration
	rttvar   time.Duration
	inNext   int64
	inBuf    map[int64]*agentMessage
	handler  inputHandler
	closed   bool
	closedAt chan struct{}
	// lastInput is when the client last sent stream data (idle timeout).
	lastInput time.Time
}

func newDataChannel(sessionID string, clock func() time.Time, logf func(string, ...any), drop func() bool) *dataChannel {
	dc := &dataChannel{
		sessionID: sessionID, clock: clock, logf: logf, drop: drop,
		rto: initialRTO, srtt: initialSRTT,
		inBuf:     map[int64]*agentMessage{},
		closedAt:  make(chan struct{}),
		lastInput: clock(),
	}
	dc.cond = sync.NewCond(&dc.mu)
	go dc.resendLoop()
	return dc
}

func (dc *dataChannel) setHandler(h inputHandler) {
	dc.mu.Lock()
	dc.handler = h
	dc.mu.Unlock()
}

// attached reports whether a client WebSocket is attached.
func (dc *dataChannel) attached() bool {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return dc.conn != nil
}

// attach makes conn the channel's WebSocket: the old one (if any) is
// closed, and every unacked message is sent again on the new one, in
// order.
func (dc *dataChannel) attach(conn *websocket.Conn) {
	dc.sendMu.Lock()
	defer dc.sendMu.Unlock()
	dc.mu.Lock()
	old := dc.conn
	dc.conn = conn
	pending := make([]*sentMessage, len(dc.unacked))
	copy(pending, dc.unacked)
	dc.cond.Broadcast()
	dc.mu.Unlock()
	if old != nil {
		old.Close()
	}
	now := dc.clock()
	for _, m := range pending {
		if !dc.writeFrame(conn, m.frame, true) {
			return
		}
		dc.mu.Lock()
		m.lastSent = now
		dc.mu.Unlock()
	}
}

// detach forgets conn if it is still the channel's WebSocket.
func (dc *dataChannel) detach(conn *websocket.Conn) {
	dc.mu.Lock()
	if dc.conn == conn {
		dc.conn = nil
		dc.cond.Broadcast()
	}
	dc.mu.Unlock()
	conn.Close()
}

// writeFrame writes one binary frame; on failure (or an injected drop) the
// WebSocket is closed and detached. Called with sendMu held.
func (dc *dataChannel) writeFrame(conn *websocket.Conn, frame []byte, data bool) bool {
	if data && dc.drop != nil && dc.drop() {
		dc.logf("sandbox: session %s: fault ws-drop: closing the data channel WebSocket", dc.sessionID)
		dc.detach(conn)
		return false
	}
	conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if err := conn.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		dc.detach(conn)
		return false
	}
	return true
}

// send sends one output_stream_data message, waiting while the send
// window is full. It fails only once the channel is closed.
func (dc *dataChannel) send(payloadType uint32, payload []byte) error {
	// Wait for room before taking sendMu, which attach needs.
	dc.mu.Lock()
	for len(dc.unacked) >= sendWindow && !dc.closed {
		dc.cond.Wait()
	}
	dc.mu.Unlock()
	dc.sendMu.Lock()
	defer dc.sendMu.Unlock()
	dc.mu.Lock()
	if dc.closed {
		dc.mu.Unlock()
		return errChannelClosed
	}
	seq := dc.outSeq
	dc.outSeq++
	var flags uint64
	if seq == 0 {
		flags = 1
	}
	now := dc.clock()
	m := &agentMessage{MessageType: msgOutputStreamData, SchemaVersion: 1, CreatedDate: uint64(now.UnixMilli()),
		SequenceNumber: seq, Flags: flags, MessageID: newUUID(), PayloadType: payloadType, Payload: payload}
	sm := &sentMessage{seq: seq, frame: m.marshal(), lastSent: now}
	dc.unacked = append(dc.unacked, sm)
	conn := dc.conn
	dc.mu.Unlock()
	if conn != nil {
		dc.writeFrame(conn, sm.frame, true)
	}
	return nil
}

var errChannelClosed = errors.New("the data channel is closed")

// sendControl writes an unsequenced message on the current WebSocket.
func (dc *dataChannel) sendControl(frame []byte) {
	dc.mu.Lock()
	conn := dc.conn
	dc.mu.Unlock()
	if conn == nil {
		return
	}
	dc.sendMu.Lock()
	defer dc.sendMu.Unlock()
	dc.writeFrame(conn, frame, false)
}

// resendLoop resends the oldest unacked message once its RTO has passed
// (the agent looks at the head of the buffer only).
func (dc *dataChannel) resendLoop() {
	t := time.NewTicker(resendInterval)
	defer t.Stop()
	for {
		select {
		case <-dc.closedAt:
			return
		case <-t.C:
		}
		dc.mu.Lock()
		var head *sentMessage
		if len(dc.unacked) > 0 && dc.conn != nil && dc.clock().Sub(dc.unacked[0].lastSent) > dc.rto {
			head = dc.unacked[0]
		}
		dc.mu.Unlock()
		if head == nil || !dc.sendMu.TryLock() {
			continue
		}
		dc.mu.Lock()
		conn := dc.conn
		stillUnacked := len(dc.unacked) > 0 && dc.unacked[0] == head
		dc.mu.Unlock()
		if conn != nil && stillUnacked {
			if dc.writeFrame(conn, head.frame, true) {
				dc.mu.Lock()
				head.lastSent = dc.clock()
				dc.mu.Unlock()
			}
		}
		dc.sendMu.Unlock()
	}
}

// onAck removes the acked message and updates the RTO (Jacobson/Karels).
func (dc *dataChannel) onAck(seq int64) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	for i, m := range dc.unacked {
		if m.seq != seq {
			continue
		}
		r := dc.clock().Sub(m.lastSent)
		diff := dc.srtt - r
		if diff < 0 {
			diff = -diff
		}
		dc.rttvar = dc.rttvar*3/4 + diff/4
		dc.srtt = dc.srtt*7/8 + r/8
		dc.rto = min(maxRTO, dc.srtt+max(clockGranularity, 4*dc.rttvar))
		dc.unacked = append(dc.unacked[:i], dc.unacked[i+1:]...)
		dc.cond.Broadcast()
		return
	}
}

// ack acknowledges a client message on conn.
func (dc *dataChannel) ack(conn *websocket.Conn, m *agentMessage) {
	p, _ := json.Marshal(ackPayload{
		AcknowledgedMessageType:           m.MessageType,
		AcknowledgedMessageId:             uuidString(m.MessageID),
		AcknowledgedMessageSequenceNumber: m.SequenceNumber,
		IsSequentialMessage:               true,
	})
	dc.sendMu.Lock()
	defer dc.sendMu.Unlock()
	dc.writeFrame(conn, control(msgAcknowledge, p, dc.clock()), false)
}

// receive handles one binary frame from the client (§6.2, agent rules).
func (dc *dataChannel) receive(conn *websocket.Conn, frame []byte) {
	m, err := unmarshalMessage(frame)
	if errors.Is(err, errDigest) {
		dc.logf("sandbox: session %s: %s message %d: payload digest mismatch", dc.sessionID, m.MessageType, m.SequenceNumber)
	} else if err != nil {
		dc.logf("sandbox: session %s: dropping a message: %v", dc.sessionID, err)
		return
	}
	switch m.MessageType {
	case msgAcknowledge:
		var a ackPayload
		if json.Unmarshal(m.Payload, &a) == nil {
			dc.onAck(a.AcknowledgedMessageSequenceNumber)
		}
	case msgInputStreamData:
		dc.receiveStream(conn, m)
	default:
		// Unknown types are ignored, as the agent does.
	}
}

func (dc *dataChannel) receiveStream(conn *websocket.Conn, m *agentMessage) {
	dc.mu.Lock()
	next, h := dc.inNext, dc.handler
	dc.mu.Unlock()
	switch {
	case m.SequenceNumber < next:
		dc.ack(conn, m) // a duplicate: ack again
	case m.SequenceNumber > next:
		dc.mu.Lock()
		room := len(dc.inBuf) < incomingBufLimit
		if room {
			dc.inBuf[m.SequenceNumber] = m
		}
		dc.mu.Unlock()
		if room {
			dc.ack(conn, m)
		}
	default:
		if h == nil || !h(m) {
			return // not ready: no ack, the client sends it again
		}
		dc.ack(conn, m)
		dc.mu.Lock()
		dc.inNext++
		dc.lastInput = dc.clock()
		dc.mu.Unlock()
		// Buffered messages that are now in order.
		for {
			dc.mu.Lock()
			b, ok := dc.inBuf[dc.inNext]
			h = dc.handler
			dc.mu.Unlock()
			if !ok || h == nil || !h(b) {
				return
			}
			dc.mu.Lock()
			delete(dc.inBuf, b.SequenceNumber)
			dc.inNext++
			dc.mu.Unlock()
		}
	}
}

// inputConsumed reports whether the client message seq has been handled
// and acked.
func (dc *dataChannel) inputConsumed(seq int64) bool {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return dc.inNext > seq
}

// idleSince is when the client last sent stream data.
func (dc *dataChannel) idleSince() time.Time {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return dc.lastInput
}

// drain waits until every output message is acked: at most drainTimeout
// while a client is attached (the agent's PrepareToCloseChannel), and at
// most wait in all, for a client that is reconnecting.
func (dc *dataChannel) drain(wait time.Duration) {
	deadline := time.Now().Add(wait)
	var attachedFor time.Duration
	for {
		dc.mu.Lock()
		empty, attached := len(dc.unacked) == 0, dc.conn != nil
		dc.mu.Unlock()
		if empty || dc.isClosed() || time.Now().After(deadline) || attachedFor >= drainTimeout {
			return
		}
		time.Sleep(10 * time.Millisecond)
		if attached {
			attachedFor += 10 * time.Millisecond
		}
	}
}

func (dc *dataChannel) isClosed() bool {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return dc.closed
}

// close sends channel_closed with output (if a client is attached), closes
// the WebSocket and stops the channel. It is idempotent.
func (dc *dataChannel) close(output string) {
	dc.mu.Lock()
	if dc.closed {
		dc.mu.Unlock()
		return
	}
	dc.closed = true
	close(dc.closedAt)
	dc.cond.Broadcast()
	dc.mu.Unlock()
	dc.sendControl(dc.channelClosedFrame(output))
	dc.mu.Lock()
	conn := dc.conn
	dc.conn = nil
	dc.mu.Unlock()
	if conn != nil {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		conn.Close()
	}
}

func (dc *dataChannel) channelClosedFrame(output string) []byte {
	now := dc.clock().UTC()
	p, _ := json.Marshal(channelClosedPayload{
		MessageId:     uuidString(newUUID()),
		CreatedDate:   now.Format("2006-01-02T15:04:05.000Z"),
		DestinationId: uuidString(newUUID()),
		SessionId:     dc.sessionID,
		MessageType:   msgChannelClosed,
		SchemaVersion: 1,
		Output:        output,
	})
	return control(msgChannelClosed, p, now)
}
