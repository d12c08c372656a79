package sessions

import (
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// The Session Manager data channel: the binary message framing both ends
// use (protocol/session-manager.md §4), and one session's channel as MGS and
// the agent keep it together: sequence numbers per direction, acks,
// retransmission with the agent's RTO, out-of-order buffering, and a
// WebSocket that can drop and be re-attached (ResumeSession) while the
// sequence state carries on.

// flagTerminateSession is the Flag payload a port client sends to end
// the session (§4.7; the other flags are in port.go).
const flagTerminateSession uint32 = 2

const (
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
	// minDropAge: the ws-drop fault spares a WebSocket younger than this.
	// The plugin registers its reconnect handler only after it has opened
	// the channel, so a drop within its first moment leaves it hung, which
	// no real network does that fast.
	minDropAge = time.Second
	// handshakeResendDelay: see sentMessage.handshake.
	handshakeResendDelay = 2 * time.Second
	// sendWindow bounds the unacknowledged output the sandbox keeps: the
	// agent's outgoing buffer of 100000 messages. Past it the agent sends
	// without tracking; the sandbox makes the producer wait instead, so a
	// client that is away costs at most about 100 MB.
	sendWindow = 100000
)

// sentMessage is an output message waiting for its ack.
type sentMessage struct {
	seq      int64
	frame    []byte
	lastSent time.Time
	// handshake messages are resent after handshakeResendDelay at the
	// earliest, not the RTO: a port client dies of a frame arriving just
	// after it processed HandshakeComplete (§6.2), which an early resend
	// caused whenever its ack came late.
	handshake bool
}

// inputHandler processes one in-order client message. ready false means
// "not ready": the message is neither acked nor consumed, and the client
// retransmits it.
type inputHandler func(m *protocol.AgentMessage) (ready bool)

// dataChannel is one session's channel. The WebSocket comes and goes; the
// sequence state stays.
type dataChannel struct {
	sessionID string
	clock     func() time.Time
	logf      func(string, ...any)
	// drop is asked before each new output message is first written
	// whether the ws-drop fault closes the WebSocket instead (never before
	// a retransmission, so a session always makes progress).
	drop func() bool
	// closeEvery, when set, is how long a WebSocket stays attached before
	// the sandbox closes it (the ws-close-every fault).
	closeEvery time.Duration

	// sendMu orders sequence numbers with writes: output goes out in
	// sequence order, and a re-attached WebSocket gets every unacked
	// message before anything new.
	sendMu sync.Mutex

	// writeMu serializes frames on the WebSocket (gorilla allows one
	// writer); acks take only this lock, so the reader never waits for
	// output.
	writeMu sync.Mutex

	mu         sync.Mutex
	cond       *sync.Cond // signalled on acks, attach, detach and close
	conn       *websocket.Conn
	attachedAt time.Time
	outSeq     int64
	unacked    []*sentMessage
	rto        time.Duration
	srtt       time.Duration
	rttvar     time.Duration
	inNext     int64
	inBuf      map[int64]*protocol.AgentMessage
	handler    inputHandler
	closed     bool
	closedAt   chan struct{}
	// lastInput is when the client last sent stream data (idle timeout).
	lastInput time.Time
	// acks wait here for ackPump, so that reading never waits for a
	// write: a client blocked writing to us would otherwise stop reading
	// what we write.
	acks    [][]byte
	ackWake chan struct{}
	// ackBusy counts acks queued or being written (flushAcks).
	ackBusy int
}

func newDataChannel(sessionID string, clock func() time.Time, logf func(string, ...any), drop func() bool) *dataChannel {
	dc := &dataChannel{
		sessionID: sessionID, clock: clock, logf: logf, drop: drop,
		rto: initialRTO, srtt: initialSRTT,
		inBuf:     map[int64]*protocol.AgentMessage{},
		closedAt:  make(chan struct{}),
		lastInput: clock(),
		ackWake:   make(chan struct{}, 1),
	}
	dc.cond = sync.NewCond(&dc.mu)
	go dc.resendLoop()
	go dc.ackPump()
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
	dc.attachedAt = time.Now()
	pending := make([]*sentMessage, len(dc.unacked))
	copy(pending, dc.unacked)
	dc.cond.Broadcast()
	dc.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if dc.closeEvery > 0 {
		time.AfterFunc(dc.closeEvery, func() { dc.closeWebSocket(conn) })
	}
	now := dc.clock()
	for _, m := range pending {
		if !dc.writeFrame(conn, m.frame, false) {
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

// closeWebSocket ends conn, if it is still the channel's WebSocket, as
// the service ends a data channel WebSocket about hourly: a close frame
// 1000 "Bye" (aws/session-manager-plugin#135 quotes the plugin's log,
// `websocket: close 1000 (normal): Bye`), then the connection closes.
// The session lives on; the client resumes it.
func (dc *dataChannel) closeWebSocket(conn *websocket.Conn) {
	dc.mu.Lock()
	current := dc.conn == conn
	dc.mu.Unlock()
	if !current {
		return
	}
	dc.logf("sandbox: session %s: fault ws-close-every: closing the data channel WebSocket", dc.sessionID)
	dc.writeMu.Lock()
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "Bye"), time.Now().Add(time.Second))
	dc.writeMu.Unlock()
	dc.detach(conn)
}

// writeFrame writes one binary frame; on failure (or an injected drop) the
// WebSocket is closed and detached. Data frames are written with sendMu
// held, so they keep their order; fresh ones (first transmissions) are
// subject to the ws-drop fault.
func (dc *dataChannel) writeFrame(conn *websocket.Conn, frame []byte, fresh bool) bool {
	dc.mu.Lock()
	young := time.Since(dc.attachedAt) < minDropAge
	dc.mu.Unlock()
	if fresh && !young && dc.drop != nil && dc.drop() {
		dc.logf("sandbox: session %s: fault ws-drop: closing the data channel WebSocket", dc.sessionID)
		dc.detach(conn)
		return false
	}
	dc.writeMu.Lock()
	conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	err := conn.WriteMessage(websocket.BinaryMessage, frame)
	dc.writeMu.Unlock()
	if err != nil {
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
	m := &protocol.AgentMessage{MessageType: protocol.MsgOutputStreamData, SchemaVersion: 1, CreatedDate: uint64(now.UnixMilli()),
		SequenceNumber: seq, Flags: flags, MessageID: protocol.NewUUID(), PayloadType: payloadType, Payload: payload}
	sm := &sentMessage{seq: seq, frame: m.Marshal(), lastSent: now,
		handshake: payloadType == protocol.PayloadHandshakeRequest || payloadType == protocol.PayloadHandshakeComplete}
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
		if len(dc.unacked) > 0 && dc.conn != nil {
			due := dc.rto
			if dc.unacked[0].handshake {
				due = max(due, handshakeResendDelay)
			}
			if dc.clock().Sub(dc.unacked[0].lastSent) > due {
				head = dc.unacked[0]
			}
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
			dc.logf("sandbox: session %s: resending output message %d", dc.sessionID, head.seq)
			if dc.writeFrame(conn, head.frame, false) {
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

// ack queues the acknowledgement of a client message.
func (dc *dataChannel) ack(_ *websocket.Conn, m *protocol.AgentMessage) {
	p, _ := json.Marshal(protocol.AckPayload{
		AcknowledgedMessageType:           m.MessageType,
		AcknowledgedMessageId:             protocol.UUIDString(m.MessageID),
		AcknowledgedMessageSequenceNumber: m.SequenceNumber,
		IsSequentialMessage:               true,
	})
	dc.mu.Lock()
	dc.acks = append(dc.acks, protocol.Control(protocol.MsgAcknowledge, p, dc.clock()))
	dc.ackBusy++
	dc.mu.Unlock()
	select {
	case dc.ackWake <- struct{}{}:
	default:
	}
}

// ackPump writes queued acks on the current WebSocket (acks are matched
// by sequence number, whichever connection carries them).
func (dc *dataChannel) ackPump() {
	for {
		select {
		case <-dc.closedAt:
			return
		case <-dc.ackWake:
		}
		dc.mu.Lock()
		acks, conn := dc.acks, dc.conn
		dc.acks = nil
		dc.mu.Unlock()
		if conn != nil { // else the client sends those messages again
			for _, a := range acks {
				if !dc.writeFrame(conn, a, false) {
					break
				}
			}
		}
		dc.mu.Lock()
		dc.ackBusy -= len(acks)
		dc.cond.Broadcast()
		dc.mu.Unlock()
	}
}

// flushAcks waits until every queued ack has been written (or the channel
// closed). The handshake needs it: the plugin must have the ack of its
// HandshakeResponse before HandshakeComplete, because a port client
// cannot take any frame in the moment after HandshakeComplete (§6.2).
func (dc *dataChannel) flushAcks() {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	for dc.ackBusy > 0 && !dc.closed {
		dc.cond.Wait()
	}
}

// receive handles one binary frame from the client (§6.2, agent rules).
func (dc *dataChannel) receive(conn *websocket.Conn, frame []byte) {
	m, err := protocol.UnmarshalMessage(frame)
	if errors.Is(err, protocol.ErrDigest) {
		dc.logf("sandbox: session %s: %s message %d: payload digest mismatch", dc.sessionID, m.MessageType, m.SequenceNumber)
	} else if err != nil {
		dc.logf("sandbox: session %s: dropping a message: %v", dc.sessionID, err)
		return
	}
	switch m.MessageType {
	case protocol.MsgAcknowledge:
		var a protocol.AckPayload
		if json.Unmarshal(m.Payload, &a) == nil {
			dc.onAck(a.AcknowledgedMessageSequenceNumber)
		}
	case protocol.MsgInputStreamData:
		dc.receiveStream(conn, m)
	default:
		// Unknown types are ignored, as the agent does.
	}
}

func (dc *dataChannel) receiveStream(conn *websocket.Conn, m *protocol.AgentMessage) {
	dc.mu.Lock()
	next, h := dc.inNext, dc.handler
	dc.mu.Unlock()
	switch {
	case m.SequenceNumber < next:
		// A duplicate: ack again, as the agent does, except a
		// HandshakeResponse the client resent before our ack reached it:
		// the first ack settles it, and a second could reach a port client
		// in the moment after HandshakeComplete, which it cannot survive.
		if m.PayloadType != protocol.PayloadHandshakeResponse {
			dc.ack(conn, m)
		}
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
// without progress while a client is attached (the agent's
// PrepareToCloseChannel waits 2 s in all; a busy client of the sandbox
// gets longer while it keeps acking), and at most wait in all, for a
// client that is reconnecting.
func (dc *dataChannel) drain(wait time.Duration, abort <-chan struct{}) {
	deadline := time.Now().Add(wait)
	var attachedFor time.Duration
	last := -1
	for {
		dc.mu.Lock()
		n, attached := len(dc.unacked), dc.conn != nil
		dc.mu.Unlock()
		if n == 0 || dc.isClosed() || time.Now().After(deadline) || attachedFor >= drainTimeout {
			return
		}
		if n != last {
			// Acks are arriving: a slow client is not a stuck one.
			attachedFor, last = 0, n
		}
		select {
		case <-abort:
			return
		case <-time.After(10 * time.Millisecond):
		}
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
		dc.writeMu.Lock()
		defer dc.writeMu.Unlock()
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		conn.Close()
	}
}

func (dc *dataChannel) channelClosedFrame(output string) []byte {
	now := dc.clock().UTC()
	p, _ := json.Marshal(protocol.ChannelClosedPayload{
		MessageId:     protocol.UUIDString(protocol.NewUUID()),
		CreatedDate:   now.Format("2006-01-02T15:04:05.000Z"),
		DestinationId: protocol.UUIDString(protocol.NewUUID()),
		SessionId:     dc.sessionID,
		MessageType:   protocol.MsgChannelClosed,
		SchemaVersion: 1,
		Output:        output,
	})
	return protocol.Control(protocol.MsgChannelClosed, p, now)
}
