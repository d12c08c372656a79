package session

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aws/session-manager-plugin/src/config"
	"github.com/aws/session-manager-plugin/src/message"
	"github.com/aws/session-manager-plugin/src/version"
	"github.com/xtaci/smux"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Port forwarding documents (AWS-owned Session documents).
const (
	PortForwardingDocument           = "AWS-StartPortForwardingSession"
	PortForwardingToRemoteDocument   = "AWS-StartPortForwardingSessionToRemoteHost"
	portForwardingType               = "LocalPortForwarding"
	connectToPortErrorNotice         = "the node could not connect to %s (ConnectToPortError; see the SSM Agent's log)"
	portSessionEndedByServiceMessage = "ended by Session Manager"
)

// PortRequest is one port session: the remote end on or behind a node.
type PortRequest struct {
	Node target.Node
	// Host is the remote host the node connects to; "" is the node
	// itself (AWS-StartPortForwardingSession), anything else uses
	// AWS-StartPortForwardingSessionToRemoteHost.
	Host string
	Port int
	// Reason is StartSession's Reason.
	Reason string
	// Notice receives what the user should know while the session runs:
	// the agent's CustomerMessage, a connection the node could not make.
	Notice func(format string, args ...any)
}

// Remote is "host:port" as the user sees it ("localhost" for the node).
func (r PortRequest) Remote() string {
	h := r.Host
	if h == "" {
		h = "localhost"
	}
	return net.JoinHostPort(h, strconv.Itoa(r.Port))
}

// PortSession is a started port session: a Forwarder whose streams are
// smux streams over the data channel when the agent multiplexes
// (AgentVersion > 3.0.196.0), or, with older agents, one raw connection at
// a time (basic mode), as the plugin decides (protocol §8.1).
type PortSession struct {
	Started *Started
	c       *Client
	ch      *Channel
	notice  func(format string, args ...any)
	remote  string

	// mux mode
	mux     *smux.Session
	muxEnd  net.Conn // our end of the pipe smux speaks over
	muxOnce sync.Once

	// basic mode: one connection at a time
	slot     chan struct{}
	attached atomic.Pointer[net.Conn] // the channel's end of the current connection

	closeOnce sync.Once
}

var _ Forwarder = (*PortSession)(nil)

// StartPort starts a port session on r.Node and opens its data channel;
// a session that cannot be used is terminated.
func (c *Client) StartPort(ctx context.Context, r PortRequest, conn Connection) (*PortSession, error) {
	req := Request{Document: PortForwardingDocument, Reason: r.Reason,
		Parameters: map[string][]string{"portNumber": {strconv.Itoa(r.Port)}, "localPortNumber": {"0"}}}
	if r.Host != "" {
		req.Document = PortForwardingToRemoteDocument
		req.Parameters["host"] = []string{r.Host}
	}
	s, err := c.StartOn(ctx, r.Node, req)
	if err != nil {
		return nil, err
	}
	notice := r.Notice
	if notice == nil {
		notice = func(string, ...any) {}
	}
	p := &PortSession{Started: s, c: c, notice: notice, remote: r.Remote()}
	var basic bool
	ch, err := c.openWith(ctx, s, conn, func(o *ChannelOptions) {
		o.Port = true
		o.OnPayload = p.payload
		o.OnNotice = func(m string) { notice("%s", m) }
		o.Ready = func() bool { return !basic || p.attached.Load() != nil }
	})
	if err != nil {
		return nil, s.Failure(ctx, err)
	}
	p.ch = ch
	ch.mu.Lock()
	agent := ch.dc.GetAgentVersion()
	props, _ := ch.dc.GetSessionProperties().(map[string]any)
	ch.mu.Unlock()
	typ, _ := props["type"].(string)
	if typ != portForwardingType || !version.DoesAgentSupportTCPMultiplexing(ch.log, agent) {
		basic = true
		p.slot = make(chan struct{}, 1)
		return p, nil
	}
	if err := p.startMux(agent); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// startMux runs an smux client over a pipe whose other end is pumped to
// and from the data channel.
func (p *PortSession) startMux(agent string) error {
	ours, theirs := net.Pipe()
	cfg := smux.DefaultConfig()
	cfg.KeepAliveDisabled = version.DoesAgentSupportDisableSmuxKeepAlive(p.ch.log, agent)
	m, err := smux.Client(theirs, cfg)
	if err != nil {
		return err
	}
	p.mux, p.muxEnd = m, ours
	go func() {
		pump(ours, p.ch)
		m.Close()
	}()
	go func() {
		<-p.ch.Done()
		p.closeMux()
	}()
	return nil
}

func (p *PortSession) closeMux() {
	p.muxOnce.Do(func() {
		p.mux.Close()
		p.muxEnd.Close()
	})
}

// pump sends what is read from r to the node, 1024 bytes a message, until
// r or the channel ends.
func pump(r io.Reader, ch *Channel) {
	buf := make([]byte, config.StreamDataPayloadSize)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if ch.SendExact(message.Output, buf[:n]) != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// payload takes one payload from the node (outside the channel's lock).
func (p *PortSession) payload(pl Payload) {
	if pl.Type == message.Flag {
		if len(pl.Data) == 4 && message.PayloadTypeFlag(binary.BigEndian.Uint32(pl.Data)) == message.ConnectToPortError {
			p.notice(connectToPortErrorNotice, p.remote)
		}
		return
	}
	if p.mux != nil {
		_, _ = p.muxEnd.Write(pl.Data)
		return
	}
	if c := p.attached.Load(); c != nil {
		_, _ = (*c).Write(pl.Data)
	}
}

// Dial opens a stream to the remote port: an smux stream, or in basic
// mode the session's one connection, once the previous one is closed.
func (p *PortSession) Dial(ctx context.Context) (net.Conn, error) {
	if p.mux != nil {
		s, err := p.mux.OpenStream()
		if err != nil {
			select {
			case <-p.ch.Done():
				return nil, p.Err()
			default:
			}
			return nil, err
		}
		return s, nil
	}
	select {
	case p.slot <- struct{}{}:
	case <-p.ch.Done():
		return nil, p.Err()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	local, chEnd := net.Pipe()
	p.attached.Store(&chEnd)
	go func() {
		pump(chEnd, p.ch)
		// The local side ended: the agent closes its connection to the
		// destination and dials again on the next data (§8.2).
		p.attached.Store(nil)
		chEnd.Close()
		_ = p.ch.SendFlag(message.DisconnectToPort)
		<-p.slot
	}()
	go func() {
		<-p.ch.Done()
		chEnd.Close()
	}()
	return local, nil
}

// Basic reports whether the session carries one connection at a time.
func (p *PortSession) Basic() bool { return p.mux == nil }

// ID is the session's ID.
func (p *PortSession) ID() string { return p.Started.SessionID }

// Done is closed when the session has ended.
func (p *PortSession) Done() <-chan struct{} { return p.ch.Done() }

// Err says why the session ended, once Done is closed: the agent's error,
// a data channel that could not be resumed, or the service ending it.
func (p *PortSession) Err() error {
	<-p.ch.Done()
	if err := p.ch.Err(); err != nil {
		return err
	}
	if r := agentError(p.ch.Reason()); r != "" {
		return errors.New(r)
	}
	return errors.New(portSessionEndedByServiceMessage)
}

// Close ends the session: TerminateSession unless the service ended it.
func (p *PortSession) Close() error {
	var err error
	p.closeOnce.Do(func() {
		closedByService := p.ch.ClosedByService()
		p.ch.Close()
		if p.mux != nil {
			p.closeMux()
		}
		if !closedByService {
			err = p.c.terminate(context.Background(), p.Started.SessionID)
		}
	})
	return err
}

// PortError words a port session's start failure for the user.
func PortError(r PortRequest, err error) error {
	var e *exitcode.Error
	if errors.As(err, &e) {
		return err
	}
	return exitcode.New(exitcode.Other, "%s via %s: %v", r.Remote(), NodeLabel(r.Node), err)
}
