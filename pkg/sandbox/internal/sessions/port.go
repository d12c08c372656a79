package sessions

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/xtaci/smux"
)

// Port sessions (AWS-StartPortForwardingSession, ...ToRemoteHost,
// AWS-StartSSHSession and the account's Port documents), as the agent's
// port plugin runs them (protocol/session-manager.md §8;
// amazon-ssm-agent agent/session/plugins/port): after the handshake,
// either smux multiplexing (one smux stream per client connection) or the
// basic mode (one connection at a time, raw bytes). The node reaches its
// destination through the fleet's port map: node port "80" goes to the
// loopback address the fleet file names; a port the map lacks is closed,
// and a remote host under .invalid does not resolve.

const (
	flagDisconnectToPort   uint32 = 1
	flagConnectToPortError uint32 = 3
	portForwardingType            = "LocalPortForwarding"
	// Version gates (§8.1).
	muxMinClientVersion     = "1.1.70"
	muxMinAgentVersion      = "3.0.196.0" // mux iff the agent is newer
	keepAliveOffAfterClient = "1.2.331.0" // smux keepalive off iff the client is newer
	dialTimeout             = 5 * time.Second
)

// compareVersions compares dotted numeric versions component by
// component (missing components count as 0). ok is false when either is
// not a version.
func compareVersions(a, b string) (cmp int, ok bool) {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		var err error
		if i < len(pa) {
			if x, err = strconv.Atoi(pa[i]); err != nil {
				return 0, false
			}
		}
		if i < len(pb) {
			if y, err = strconv.Atoi(pb[i]); err != nil {
				return 0, false
			}
		}
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, true
}

func versionAtLeast(v, min string) bool {
	c, ok := compareVersions(v, min)
	return ok && c >= 0
}

func versionAbove(v, min string) bool {
	c, ok := compareVersions(v, min)
	return ok && c > 0
}

// portTarget is where the node dials for a port session: the port map's
// address for portNumber. The sandbox simulates one network per node, so
// a remote host (…ToRemoteHost's host) reaches the same port map.
func (ls *liveSession) portTarget() (addr string, err error) {
	props, _ := ls.properties.(map[string]any)
	port, _ := props["portNumber"].(string)
	host, _ := props["host"].(string)
	if host == "" {
		host = "localhost"
	}
	if unresolvable(host) {
		// What the agent's dial reports for a name DNS does not know.
		return "", fmt.Errorf("dial tcp: lookup %s: no such host", host)
	}
	var ports map[string]string
	if n, ok := ls.a.nodes.Get(ls.nodeID); ok {
		ports = n.Ports
	}
	if a, ok := ports[port]; ok {
		return a, nil
	}
	return "", fmt.Errorf("dial tcp %s: connect: connection refused (the sandbox node's port map has no port %s)", net.JoinHostPort(host, port), port)
}

// unresolvable reports a host no DNS resolves: names under the reserved
// top-level domain .invalid (RFC 6761), so tests can name an unknown
// remote host.
func unresolvable(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "invalid" || strings.HasSuffix(h, ".invalid")
}

func (ls *liveSession) dialTarget() (net.Conn, error) {
	addr, err := ls.portTarget()
	if err != nil {
		return nil, err
	}
	return net.DialTimeout("tcp", addr, dialTimeout)
}

// runPort performs the handshake with the document's properties, then
// forwards in mux or basic mode.
func (ls *liveSession) runPort() {
	clientVersion, ok := ls.handshake(ls.properties)
	if !ok {
		return
	}
	props, _ := ls.properties.(map[string]any)
	typ, _ := props["type"].(string)
	if typ == portForwardingType && versionAbove(ls.agentVersion, muxMinAgentVersion) && versionAtLeast(clientVersion, muxMinClientVersion) {
		ls.runPortMux(!versionAbove(clientVersion, keepAliveOffAfterClient))
		return
	}
	ls.runPortBasic(typ == portForwardingType)
}

// flagValue reads a Flag payload.
func flagValue(m *protocol.AgentMessage) (uint32, bool) {
	if m.PayloadType != protocol.PayloadFlag || len(m.Payload) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(m.Payload), true
}

// runPortMux serves an smux server over a socket pair whose other end is
// pumped to and from the data channel; each smux stream the client opens
// is one connection to the destination.
func (ls *liveSession) runPortMux(keepAlive bool) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		ls.fail("Unable to create the multiplexer: " + err.Error())
		return
	}
	muxEnd, err := fileConn(fds[0])
	if err != nil {
		syscall.Close(fds[1]) // fileConn closed fds[0]; the other end is still ours
		ls.fail("Unable to create the multiplexer: " + err.Error())
		return
	}
	channelEnd, err := fileConn(fds[1])
	if err != nil {
		muxEnd.Close()
		ls.fail("Unable to create the multiplexer: " + err.Error())
		return
	}
	cfg := smux.DefaultConfig()
	cfg.KeepAliveDisabled = !keepAlive
	sess, err := smux.Server(muxEnd, cfg)
	if err != nil {
		ls.fail("Unable to create the multiplexer: " + err.Error())
		return
	}
	go func() {
		<-ls.ctx.Done()
		sess.Close()
		channelEnd.Close()
	}()
	ls.dc.setHandler(func(m *protocol.AgentMessage) bool {
		if f, ok := flagValue(m); ok {
			if f == flagTerminateSession {
				go ls.end(sessionTerminated, "", false)
			}
			return true // DisconnectToPort means nothing in mux mode
		}
		if m.PayloadType == protocol.PayloadOutput {
			channelEnd.Write(m.Payload)
		}
		return true
	})
	go func() {
		for {
			stream, err := sess.AcceptStream()
			if err != nil {
				return
			}
			go ls.forwardStream(stream)
		}
	}()
	ls.pumpRaw(channelEnd)
	if ls.ctx.Err() == nil {
		ls.end(sessionTerminated, "", true)
	}
}

func fileConn(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "session-mux")
	defer f.Close()
	return net.FileConn(f)
}

// forwardStream connects one smux stream to the destination; a failed
// dial is reported with the ConnectToPortError flag.
func (ls *liveSession) forwardStream(stream *smux.Stream) {
	defer stream.Close()
	dst, err := ls.dialTarget()
	if err != nil {
		ls.a.h.Log("sandbox: session %s: %v", ls.id, err)
		var p [4]byte
		binary.BigEndian.PutUint32(p[:], flagConnectToPortError)
		ls.dc.send(protocol.PayloadFlag, p[:])
		return
	}
	defer dst.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(dst, stream); done <- struct{}{} }()
	go func() { io.Copy(stream, dst); done <- struct{}{} }()
	select {
	case <-done: // either side ending closes both, as the agent does
	case <-ls.ctx.Done():
	}
}

// runPortBasic forwards one connection at a time: the destination is
// dialled after the handshake and again after a DisconnectToPort.
// localForwarding is false for SSH-style sessions, which end when the
// destination closes.
func (ls *liveSession) runPortBasic(localForwarding bool) {
	var mu sync.Mutex
	var dst net.Conn
	closed := make(chan struct{}, 1)
	connect := func() (net.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		if dst != nil {
			return dst, nil
		}
		c, err := ls.dialTarget()
		if err != nil {
			return nil, err
		}
		dst = c
		go func() {
			ls.pumpRaw(c)
			mu.Lock()
			if dst == c {
				dst = nil
			}
			mu.Unlock()
			c.Close()
			select {
			case closed <- struct{}{}:
			default:
			}
		}()
		return c, nil
	}
	if _, err := connect(); err != nil {
		ls.fail("Unable to start port forwarding: " + err.Error())
		return
	}
	ls.dc.setHandler(func(m *protocol.AgentMessage) bool {
		if f, ok := flagValue(m); ok {
			switch f {
			case flagTerminateSession:
				go ls.end(sessionTerminated, "", false)
			case flagDisconnectToPort:
				mu.Lock()
				if dst != nil {
					dst.Close()
					dst = nil
				}
				mu.Unlock()
			}
			return true
		}
		if m.PayloadType != protocol.PayloadOutput {
			return true
		}
		c, err := connect()
		if err != nil {
			ls.a.h.Log("sandbox: session %s: %v", ls.id, err)
			return true
		}
		c.Write(m.Payload)
		return true
	})
	go func() {
		<-ls.ctx.Done()
		mu.Lock()
		if dst != nil {
			dst.Close()
		}
		mu.Unlock()
	}()
	for {
		select {
		case <-ls.ctx.Done():
			return
		case <-closed:
			if !localForwarding {
				// SSH: the destination closing ends the session.
				ls.end(sessionTerminated, "", true)
				return
			}
		}
	}
}
