package session

import (
	"context"
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
	// runs on the channel's reader and must not call the Channel.
	OnPayload func(Payload)
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

	mu sync.Mutex
	dc *datachannel.DataChannel
	ws *wsConn

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
	c := &Channel{opts: o, log: l, done: make(chan struct{}), typeSet: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(ctx)
	uuid.SwitchFormat(uuid.CleanHyphen)
	c.dc = &datachannel.DataChannel{}
	c.dc.Initialize(l, uuid.NewV4().String(), o.SessionID, o.TargetID, false)
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
		err = c.dc.Open(l)
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
		return nil, fmt.Errorf("the session ended before it started: %s", orDefault(agentError(c.endReason), "channel closed"))
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
	c.mu.Lock()
	st := c.dc.GetSessionType()
	c.mu.Unlock()
	if st != config.ShellPluginName {
		c.Close()
		return nil, fmt.Errorf("the node opened a %s session; ssmctl session handles shells and commands", st)
	}
	return c, nil
}

// Send sends data to the node as one stream message (at most 1024 bytes
// is what the agent expects; larger input is split).
func (c *Channel) Send(t message.PayloadType, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), config.StreamDataPayloadSize)
		c.mu.Lock()
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

// receive handles one WebSocket message from the service.
func (c *Channel) receive(raw []byte) {
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
		_ = c.dc.HandleOutputMessage(c.log, m, raw)
		c.mu.Unlock()
	case message.AcknowledgeMessage:
		c.mu.Lock()
		_ = c.dc.HandleAcknowledgeMessage(c.log, m)
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
	switch message.PayloadType(m.PayloadType) {
	case message.Output, message.StdErr, message.ExitCode:
		if c.opts.OnPayload != nil && len(m.Payload) > 0 {
			c.opts.OnPayload(Payload{Type: message.PayloadType(m.PayloadType), Data: m.Payload})
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
		rerr = c.dc.Reconnect(c.log)
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
