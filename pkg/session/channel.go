package session

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/session-manager-plugin/src/config"
	"github.com/aws/session-manager-plugin/src/datachannel"
	pluginlog "github.com/aws/session-manager-plugin/src/log"
	"github.com/aws/session-manager-plugin/src/message"
	"github.com/aws/session-manager-plugin/src/service"
	"github.com/aws/session-manager-plugin/src/version"
	"github.com/gorilla/websocket"
	"github.com/twinj/uuid"

	"github.com/ssmctl/ssmctl/pkg/clock"
)

// Payload is one piece of stream data from the node.
type Payload struct {
	Type message.PayloadType
	Data []byte
}

// ChannelOptions open a data channel.
type ChannelOptions struct {
	SessionID string
	StreamURL string
	Token     string
	TargetID  string
	// Region and Credentials sign the WebSocket upgrade (SigV4, service
	// ssmmessages) as the plugin does; zero credentials leave it unsigned.
	Region      string
	Credentials aws.Credentials
	// Resume calls ResumeSession and returns the new token ("" when the
	// session is over). Nil disables reconnecting.
	Resume func(ctx context.Context) (string, error)
	// OnPayload receives every payload from the node in order, once. It
	// runs on the channel's reader, outside the channel's lock, so it may
	// block (a slow local reader holds back the acknowledgements, which is
	// the only flow control the protocol has) and may call Send.
	OnPayload func(Payload)
	// Ready, when set, is asked under the channel's lock before a stream
	// payload is taken: false leaves it unacknowledged, so the agent sends
	// it again later (a basic-mode port session with no local connection,
	// as the plugin does). It must be quick and must not call the Channel.
	Ready func() bool
	// Port accepts a Port session (port forwarding) instead of a shell or
	// command: Output and Flag payloads are delivered, and sends are
	// exact (no shell newline rewriting).
	Port bool
	// OnNotice receives status text meant for the user (the agent's
	// CustomerMessage).
	OnNotice func(string)
	// Log receives the plugin code's log lines (nil discards them).
	Log pluginlog.T
}

// Channel is an open data channel: the plugin's datachannel.DataChannel
// (framing, sequence numbers, acknowledgements, buffers, the handshake and
// retransmission timeouts) over a WebSocket of ours.
//
// The plugin's DataChannel is not safe for concurrent use (unlocked
// sequence counter, list walks and RTO fields), so every call into it is
// made under mu: by the WebSocket reader, by Send, and by the resend loop,
// which replaces the plugin's own unlocked scheduler.
type Channel struct {
	opts ChannelOptions
	log  pluginlog.T
	// ctx is OpenChannel's context, cancelled also by Close: reconnects
	// (their backoff, ResumeSession and the dial) and Send's retries stop
	// when it is done.
	ctx    context.Context
	cancel context.CancelFunc

	// deliverMu is held by receive for a whole WebSocket message, so the
	// payloads it queues under mu reach OnPayload in order even when a
	// reconnect's new reader starts while the old one is delivering.
	deliverMu sync.Mutex
	mu        sync.Mutex
	dc        *datachannel.DataChannel
	ws        *wsConn
	// pending are payloads handle took under mu, delivered by receive
	// after it lets go of mu.
	pending []Payload
	// acked is closed (and replaced) under mu when an acknowledgement
	// frees room in the send window.
	acked chan struct{}

	done      chan struct{}
	doneOnce  sync.Once
	endReason string
	endErr    error
	// closed is set when the service sent channel_closed: the session has
	// ended at AWS and needs no TerminateSession.
	closed   bool
	typeSet  chan struct{}
	typeOnce sync.Once
}

// ErrResendTimeout is the end of a session whose node stopped
// acknowledging what the client sent (3000 resends, about 5 minutes).
var ErrResendTimeout = errors.New("the node stopped acknowledging input")

// OpenChannel dials the stream URL, sends the token and waits until the
// session type is known (handshake, or the first output of an agent that
// skips it). The caller must call Close.
func OpenChannel(ctx context.Context, o ChannelOptions) (*Channel, error) {
	l := o.Log
	if l == nil {
		l = nopLog{}
	}
	c := &Channel{opts: o, log: l, done: make(chan struct{}), typeSet: make(chan struct{}), acked: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(ctx)
	c.dc = &datachannel.DataChannel{}
	c.dc.Initialize(l, newUUID(), o.SessionID, o.TargetID, false)
	c.ws = &wsConn{log: l, ctx: c.ctx}
	c.dc.SetWsChannel(c.ws)
	var signer *v4.Signer
	if o.Credentials.HasKeys() {
		signer = v4.NewSigner()
	}
	c.dc.SetWebsocket(l, o.StreamURL, o.Token, o.Region, signer, o.Credentials)
	c.ws.SetOnMessage(c.receive)
	c.ws.SetOnError(c.lost)
	c.dc.RegisterOutputStreamHandler(c.handle, true)

	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			if err := (clock.System{}).Sleep(ctx, time.Duration(attempt)*200*time.Millisecond); err != nil {
				c.Close()
				return nil, err
			}
		}
		c.mu.Lock()
		err = c.dial()
		c.mu.Unlock()
		if err == nil {
			break
		}
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("cannot open the data channel: %s", redact(err.Error(), o.Token))
	}
	go c.resendLoop()
	go func() {
		select {
		case set := <-c.dc.IsSessionTypeSet():
			if set {
				c.typeOnce.Do(func() { close(c.typeSet) })
			} else {
				c.end("", errors.New("the node did not say which kind of session this is"))
			}
		case <-c.done:
		}
	}()
	select {
	case <-c.typeSet:
	case <-c.done:
		c.Close()
		if c.endErr != nil {
			return nil, c.endErr
		}
		if strings.Contains(c.endReason, agentErrorTitle) {
			return nil, fmt.Errorf("the session ended before it started: %w", &NodeError{Msg: agentError(c.endReason)})
		}
		return nil, fmt.Errorf("the session ended before it started: %s", orDefault(agentError(c.endReason), "channel closed"))
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
	c.mu.Lock()
	st := c.dc.GetSessionType()
	c.mu.Unlock()
	switch {
	case o.Port && st != config.PortPluginName:
		c.Close()
		return nil, fmt.Errorf("the node opened a %s session where a port session was asked for", st)
	case !o.Port && st != config.ShellPluginName:
		c.Close()
		return nil, fmt.Errorf("the node opened a %s session; ssmctl session handles shells and commands", st)
	}
	return c, nil
}

// uuidMu serialises the plugin code's use of the uuid package's global
// format, which it sets (SwitchFormat) each time it acknowledges a
// message or sends the token while other channels format IDs: a data
// race once several sessions run in one process (port forwarding). The
// token is sent by dial, without the plugin, so no dial holds it.
var uuidMu sync.Mutex

// newUUID is a new ID in the form the service expects.
func newUUID() string {
	uuidMu.Lock()
	defer uuidMu.Unlock()
	uuid.SwitchFormat(uuid.CleanHyphen)
	return uuid.NewV4().String()
}

// dial connects the WebSocket and sends the token frame
// (OpenDataChannelInput), as the DataChannel's Open does. The caller
// holds mu, or is OpenChannel before the channel is shared.
func (c *Channel) dial() error {
	if err := c.ws.Open(c.log); err != nil {
		return fmt.Errorf("failed to open data channel with error: %v", err)
	}
	b, err := json.Marshal(service.OpenDataChannelInput{
		MessageSchemaVersion: aws.String(config.MessageSchemaVersion),
		RequestId:            aws.String(newUUID()),
		TokenValue:           aws.String(c.ws.GetChannelToken()),
		ClientId:             aws.String(c.dc.ClientId),
		ClientVersion:        aws.String(version.Version),
	})
	if err != nil {
		return err
	}
	return c.ws.SendMessage(c.log, b, websocket.TextMessage)
}

// SendWindow is how many stream messages may be sent and not yet
// acknowledged: Send waits for acknowledgements beyond it. The plugin's
// outgoing buffer holds 10000 and, when full, drops the oldest unacked
// message (lost data); a window below that never lets it fill.
const SendWindow = 4096

// waitWindow waits, under mu, until the send window has room; it returns
// with mu held, or with an error and mu released.
func (c *Channel) waitWindow() error {
	for {
		c.mu.Lock()
		if c.dc.OutgoingMessageBuffer.Messages.Len() < SendWindow {
			return nil
		}
		acked := c.acked
		c.mu.Unlock()
		select {
		case <-acked:
		case <-c.done:
			return c.Err()
		case <-c.ctx.Done():
			return c.ctx.Err()
		}
	}
}

// SendExact sends data as stream messages of at most 1024 bytes, byte for
// byte. Unlike Send it never rewrites a lone newline (the plugin turns
// "\n" into "\r" for shells), so it is what port sessions send with. It
// waits while the send window is full.
func (c *Channel) SendExact(t message.PayloadType, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), config.StreamDataPayloadSize)
		if err := c.waitWindow(); err != nil {
			return err
		}
		err := c.sendLocked(t, data[:n])
		c.mu.Unlock()
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// SendFlag sends a Flag payload (DisconnectToPort, TerminateSession).
func (c *Channel) SendFlag(f message.PayloadTypeFlag) error {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(f))
	return c.SendExact(message.Flag, b[:])
}

// sendLocked frames one input_stream_data message with the next sequence
// number, writes it and keeps it for resending until acknowledged, as the
// DataChannel's SendInputDataMessage does but without its newline
// rewriting. The caller holds mu.
func (c *Channel) sendLocked(t message.PayloadType, data []byte) error {
	m := message.ClientMessage{
		MessageType:    message.InputStreamMessage,
		SchemaVersion:  1,
		CreatedDate:    uint64(time.Now().UnixMilli()),
		MessageId:      uuid.NewV4(),
		PayloadType:    uint32(t),
		Payload:        data,
		SequenceNumber: c.dc.StreamDataSequenceNumber,
	}
	raw, err := m.SerializeClientMessage(c.log)
	if err != nil {
		return err
	}
	if err := c.ws.SendMessage(c.log, raw, websocket.BinaryMessage); err != nil {
		return err
	}
	c.dc.AddDataToOutgoingMessageBuffer(datachannel.StreamingMessage{
		Content: raw, SequenceNumber: m.SequenceNumber, LastSentTime: time.Now(), ResendAttempt: new(int),
	})
	c.dc.StreamDataSequenceNumber++
	return nil
}

// Send sends data to the node as one stream message (at most 1024 bytes
// is what the agent expects; larger input is split).
func (c *Channel) Send(t message.PayloadType, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), config.StreamDataPayloadSize)
		if err := c.waitWindow(); err != nil {
			return err
		}
		err := c.dc.SendInputDataMessage(c.log, t, data[:n])
		c.mu.Unlock()
		if err != nil {
			select {
			case <-c.done:
				return c.Err()
			default:
			}
			// A dropped WebSocket: the message is not in the resend
			// buffer, so retry until the reconnect has happened.
			if (clock.System{}).Sleep(c.ctx, 50*time.Millisecond) != nil {
				return err
			}
			continue
		}
		data = data[n:]
	}
	return nil
}

// Resize tells the node the terminal size.
func (c *Channel) Resize(cols, rows int) error {
	b, _ := json.Marshal(message.SizeData{Cols: uint32(cols), Rows: uint32(rows)})
	return c.Send(message.Size, b)
}

// Done is closed when the session has ended: channel_closed from the
// service, a failed reconnect, or Close.
func (c *Channel) Done() <-chan struct{} { return c.done }

// Reason is channel_closed's Output: empty for a normal end.
func (c *Channel) Reason() string {
	<-c.done
	return c.endReason
}

// ClosedByService reports whether the session ended with the service's
// channel_closed (the node's shell or command ended, TerminateSession, a
// timeout): the session is over at AWS.
func (c *Channel) ClosedByService() bool {
	select {
	case <-c.done:
	default:
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Err is why the channel ended when it was not channel_closed.
func (c *Channel) Err() error {
	<-c.done
	return c.endErr
}

// Close ends the channel and its WebSocket. It does not terminate the
// session.
func (c *Channel) Close() {
	c.end("", nil)
	c.cancel()
	c.ws.shutdown()
}

func (c *Channel) end(reason string, err error) {
	c.doneOnce.Do(func() {
		c.endReason, c.endErr = reason, err
		close(c.done)
	})
}

// receive handles one WebSocket message from the service. The payloads
// it releases are delivered after mu is let go, in order.
func (c *Channel) receive(raw []byte) {
	c.deliverMu.Lock()
	defer c.deliverMu.Unlock()
	c.process(raw)
	c.mu.Lock()
	out := c.pending
	c.pending = nil
	c.mu.Unlock()
	if c.opts.OnPayload != nil {
		for _, p := range out {
			c.opts.OnPayload(p)
		}
	}
}

// process is receive's protocol part: acks, handshake, sequencing.
func (c *Channel) process(raw []byte) {
	var m message.ClientMessage
	if err := m.DeserializeClientMessage(c.log, raw); err != nil {
		return
	}
	if err := m.Validate(); err != nil {
		return
	}
	switch m.MessageType {
	case message.ChannelClosedMessage:
		cc, _ := m.DeserializeChannelClosedMessage(c.log)
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.end(cc.Output, nil)
		c.ws.shutdown()
		return
	case message.OutputStreamMessage:
		if message.PayloadType(m.PayloadType) == message.HandshakeCompletePayloadType {
			// The plugin prints CustomerMessage on stdout; ours goes to
			// the user's status stream.
			var hc message.HandshakeCompletePayload
			if json.Unmarshal(m.Payload, &hc) == nil && hc.CustomerMessage != "" {
				if c.opts.OnNotice != nil {
					c.opts.OnNotice(hc.CustomerMessage)
				}
				hc.CustomerMessage = ""
				m.Payload, _ = json.Marshal(hc)
			}
		}
		c.mu.Lock()
		uuidMu.Lock() // it acknowledges: SwitchFormat and String
		_ = c.dc.HandleOutputMessage(c.log, m, raw)
		uuidMu.Unlock()
		c.mu.Unlock()
	case message.AcknowledgeMessage:
		c.mu.Lock()
		_ = c.dc.HandleAcknowledgeMessage(c.log, m)
		close(c.acked)
		c.acked = make(chan struct{})
		c.mu.Unlock()
	}
}

// handle is the session handler the DataChannel calls, under mu, for each
// in-order stream payload that is not part of the handshake.
func (c *Channel) handle(_ pluginlog.T, m message.ClientMessage) (bool, error) {
	if c.dc.GetSessionType() == "" {
		if message.PayloadType(m.PayloadType) != message.Output {
			return true, nil
		}
		// An agent that skips the handshake starts a shell with output.
		c.dc.SetSessionType(config.ShellPluginName)
	}
	t := message.PayloadType(m.PayloadType)
	switch {
	case c.opts.Port && (t == message.Output || t == message.Flag),
		!c.opts.Port && (t == message.Output || t == message.StdErr || t == message.ExitCode):
		if c.opts.Ready != nil && !c.opts.Ready() {
			return false, nil
		}
		if len(m.Payload) > 0 {
			c.pending = append(c.pending, Payload{Type: t, Data: m.Payload})
		}
	}
	return true, nil
}

// resendLoop resends the oldest unacknowledged message once its
// retransmission timeout has passed, every 100 ms, as the plugin's
// scheduler does, but under mu and with the resend time updated.
func (c *Channel) resendLoop() {
	t := time.NewTicker(config.ResendSleepInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		c.mu.Lock()
		front := c.dc.OutgoingMessageBuffer.Messages.Front()
		if front == nil {
			c.mu.Unlock()
			continue
		}
		sm := front.Value.(datachannel.StreamingMessage)
		if time.Since(sm.LastSentTime) <= c.dc.RetransmissionTimeout {
			c.mu.Unlock()
			continue
		}
		if *sm.ResendAttempt >= config.ResendMaxAttempt {
			c.mu.Unlock()
			c.end("", ErrResendTimeout)
			return
		}
		*sm.ResendAttempt++
		_ = c.ws.SendMessage(c.log, sm.Content, websocket.BinaryMessage)
		sm.LastSentTime = time.Now()
		front.Value = sm
		c.mu.Unlock()
	}
}

// resendAllLocked resends every unacknowledged message at once, oldest
// first, after a reconnect: what was written to the dropped WebSocket may
// never have arrived, and the resend loop alone would recover it one
// message per tick. The agent acknowledges a duplicate again and drops it.
// The caller holds mu.
func (c *Channel) resendAllLocked() {
	now := time.Now()
	for e := c.dc.OutgoingMessageBuffer.Messages.Front(); e != nil; e = e.Next() {
		sm := e.Value.(datachannel.StreamingMessage)
		_ = c.ws.SendMessage(c.log, sm.Content, websocket.BinaryMessage)
		sm.LastSentTime = now
		e.Value = sm
	}
}

// lost runs when the WebSocket fails: it reconnects, or ends the channel
// with the reason it could not.
func (c *Channel) lost(err error) {
	select {
	case <-c.done:
		return
	default:
	}
	if c.opts.Resume == nil {
		c.end("", fmt.Errorf("data channel lost: %v", err))
		return
	}
	if err := c.reconnect(c.ctx); err != nil {
		c.end("", err)
	}
}

// reconnect calls ResumeSession, then dials again with the new token,
// keeping every sequence number and buffer, with the plugin's retry policy
// (6 attempts, backoff from 100 ms doubling). It gives up at once, with
// ctx's error, when ctx is done, be it in a backoff, in ResumeSession or in
// the dial.
func (c *Channel) reconnect(ctx context.Context) error {
	delay := time.Duration(config.DataChannelRetryInitialDelayMillis) * time.Millisecond
	var last error
	for attempt := 0; attempt < config.DataChannelNumMaxRetries+1; attempt++ {
		if attempt > 0 {
			if err := (clock.System{}).Sleep(ctx, delay); err != nil {
				return fmt.Errorf("data channel lost and not resumed: %w", err)
			}
			delay *= 2
			if delay > time.Duration(config.DataChannelRetryMaxIntervalMillis)*time.Millisecond {
				delay = time.Duration(config.DataChannelRetryInitialDelayMillis) * time.Millisecond
			}
		}
		select {
		case <-c.done:
			return nil
		default:
		}
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		token, rerr := c.opts.Resume(rctx)
		cancel()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("data channel lost and not resumed: %w", err)
		}
		if rerr != nil {
			last = rerr
			continue
		}
		if token == "" {
			return errors.New("the session timed out (ResumeSession returned no token)")
		}
		c.opts.Token = token
		c.mu.Lock()
		c.ws.SetChannelToken(token)
		_ = c.ws.Close(c.log)
		rerr = c.dial()
		if rerr == nil {
			c.resendAllLocked()
		}
		c.mu.Unlock()
		if rerr == nil {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("data channel lost and not resumed: %w", err)
		}
		last = errors.New(redact(rerr.Error(), token))
	}
	return fmt.Errorf("data channel lost and not resumed: %v", last)
}

// agentError puts channel_closed's text on one line, without the
// agent's "----------ERROR-------" title: the agent sends
// "\n----------ERROR-------\n<message>", and errors are printed as one
// line, which would keep only the title's empty first line.
func agentError(reason string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(reason, agentErrorTitle, "")), " ")
}

// agentErrorTitle starts channel_closed's text when the agent ended the
// session with an error.
const agentErrorTitle = "----------ERROR-------"

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
