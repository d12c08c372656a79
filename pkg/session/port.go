package session

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
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
	// SSH starts AWS-StartSSHSession (Host must be empty): the document
	// ssh's ProxyCommand uses, whose one connection is the session.
	SSH bool
	// Reason is StartSession's Reason.
	Reason string
	// Warn receives a connection the node could not make
	// (ConnectToPortError); Notice the agent's CustomerMessage.
	Warn, Notice func(format string, args ...any)
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
	warn    func(format string, args ...any)
	remote  string

	// mode is modeUnknown until the handshake has told which mode the
	// agent speaks; the reader consults it (Ready, payload) while
	// StartPort sets it, hence atomic. Before it is known nothing is
	// taken: the agent sends again.
	mode atomic.Int32

	// mux mode: set before mode
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
	switch {
	case r.SSH:
		req.Document = SSHDocument
		req.Parameters = map[string][]string{"portNumber": {strconv.Itoa(r.Port)}}
	case r.Host != "":
		req.Document = PortForwardingToRemoteDocument
		req.Parameters["host"] = []string{r.Host}
	}
	s, err := c.StartOn(ctx, r.Node, req)
	if err != nil {
		return nil, err
	}
	p := &PortSession{Started: s, c: c, warn: orDiscard(r.Warn), remote: r.Remote()}
	notice := orDiscard(r.Notice)
	ch, err := c.openWith(ctx, s, conn, func(o *ChannelOptions) {
		o.Port = true
		o.OnPayload = p.payload
		o.OnNotice = func(m string) { notice("%s", m) }
		o.Ready = p.ready
	})
	if err != nil {
		// The node's own refusal (basic mode dials at once) keeps its
		// type, so a tunnel does not retry it; the agent's text holds no
		// token.
		if errors.As(err, new(*NodeError)) && ctx.Err() == nil {
			return nil, exitcode.Wrap(exitcode.Other, fmt.Errorf("session %s: %w", s.SessionID, err))
		}
		return nil, s.Failure(ctx, err)
	}
	p.ch = ch
	ch.mu.Lock()
	agent := ch.dc.GetAgentVersion()
	props, _ := ch.dc.GetSessionProperties().(map[string]any)
	ch.mu.Unlock()
	typ, _ := props["type"].(string)
	if typ != portForwardingType || !version.DoesAgentSupportTCPMultiplexing(ch.log, agent) {
		p.slot = make(chan struct{}, 1)
		p.mode.Store(modeBasic)
		return p, nil
	}
	if err := p.startMux(agent); err != nil {
		p.Close()
		return nil, err
	}
	p.mode.Store(modeMux)
	return p, nil
}

// The modes of a port session.
const (
	modeUnknown int32 = iota
	modeBasic
	modeMux
)

// ready says whether a payload from the node can be taken now (under the
// channel's lock): in basic mode only while a local connection is
// attached, as the plugin does.
func (p *PortSession) ready() bool {
	switch p.mode.Load() {
	case modeMux:
		return true
	case modeBasic:
		return p.attached.Load() != nil
	}
	return false
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
			p.warn(connectToPortErrorNotice, p.remote)
		}
		return
	}
	if p.mode.Load() == modeMux {
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
	if !p.Basic() {
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
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		pump(chEnd, p.ch)
		// The local side ended: the agent closes its connection to the
		// destination and dials again on the next data (§8.2).
		p.attached.Store(nil)
		chEnd.Close()
		_ = p.ch.SendFlag(message.DisconnectToPort)
		<-p.slot
	}()
	go func() {
		select {
		case <-p.ch.Done():
			chEnd.Close()
		case <-finished:
		}
	}()
	return local, nil
}

// Basic reports whether the session carries one connection at a time.
func (p *PortSession) Basic() bool { return p.mode.Load() == modeBasic }

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
	if r := p.ch.Reason(); strings.Contains(r, agentErrorTitle) {
		return fmt.Errorf("the node ended the session: %w", &NodeError{Msg: agentError(r)})
	} else if r := agentError(r); r != "" {
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

// Forward is one SPEC of port-forward: a local port (0: any free one) to
// a remote port on the node, or on Host behind it.
type Forward struct {
	Local  int
	Host   string
	Remote int
}

// ParseForward reads REMOTE_PORT, LOCAL:REMOTE_PORT or
// LOCAL:HOST:REMOTE_PORT; LOCAL empty or 0 is any free port, HOST may be
// a bracketed IPv6 address. A bad spec is a usage error (exit 252).
func ParseForward(spec string) (Forward, error) {
	bad := func(why string) (Forward, error) {
		return Forward{}, exitcode.Usagef("invalid forward %q: %s (want REMOTE_PORT, LOCAL:REMOTE_PORT or LOCAL:HOST:REMOTE_PORT)", spec, why)
	}
	var local, host, remote string
	switch parts := strings.Split(spec, ":"); {
	case len(parts) == 1:
		remote = parts[0]
	case len(parts) == 2:
		local, remote = parts[0], parts[1]
	default:
		var rest string
		local, rest, _ = strings.Cut(spec, ":")
		h, p, err := net.SplitHostPort(rest)
		if err != nil {
			return bad("HOST:REMOTE_PORT does not parse (an IPv6 address goes in brackets)")
		}
		host, remote = h, p
		if host == "" {
			return bad("empty HOST")
		}
		if strings.ContainsAny(host, " /\t") {
			return bad("HOST " + strconv.Quote(host) + " is not a host name or address")
		}
	}
	var f Forward
	var err error
	if f.Remote, err = portNumber(remote, false); err != nil {
		return bad("REMOTE_PORT " + err.Error())
	}
	if local != "" {
		if f.Local, err = portNumber(local, true); err != nil {
			return bad("LOCAL " + err.Error())
		}
	}
	f.Host = host
	return f, nil
}

// portNumber reads a TCP port: 1-65535, or 0 when zero is allowed.
func portNumber(s string, zero bool) (int, error) {
	n, err := strconv.Atoi(s)
	low := 1
	if zero {
		low = 0
	}
	if err != nil || n < low || n > 65535 || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q is not a port number (%d-65535)", s, low)
	}
	return n, nil
}

// PortTunnelOptions are what port forwarding adds to its tunnels.
type PortTunnelOptions struct {
	// Address is the local address to listen on.
	Address string
	// Sessions per forward (1 and up).
	Sessions int
	Reason   string
	// Warn and Notice are PortRequest's.
	Warn, Notice func(format string, args ...any)
}

// PortTunnels are the tunnels of forwards to node: each forward listens on
// its own port and has its own sessions.
func (c *Client) PortTunnels(node target.Node, forwards []Forward, conn Connection, o PortTunnelOptions) *Tunnels {
	list := make([]*Tunnel, len(forwards))
	for i, f := range forwards {
		r := PortRequest{Node: node, Host: f.Host, Port: f.Remote, Reason: o.Reason, Warn: o.Warn, Notice: o.Notice}
		list[i] = &Tunnel{
			Address:  net.JoinHostPort(o.Address, strconv.Itoa(f.Local)),
			Sessions: o.Sessions,
			Remote:   r.Remote(),
			Start: func(ctx context.Context) (Forwarder, error) {
				p, err := c.StartPort(ctx, r, conn)
				if err != nil {
					return nil, err
				}
				return p, nil
			},
		}
	}
	return NewTunnels(list...)
}

// orDiscard is f, or a function that drops its arguments.
func orDiscard(f func(format string, args ...any)) func(format string, args ...any) {
	if f == nil {
		return func(string, ...any) {}
	}
	return f
}
