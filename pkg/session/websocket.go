package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/session-manager-plugin/src/communicator"
	"github.com/aws/session-manager-plugin/src/config"
	pluginlog "github.com/aws/session-manager-plugin/src/log"
	"github.com/gorilla/websocket"
)

// wsConn is the data channel's WebSocket: the plugin's
// communicator.IWebSocketChannel contract (dial with SigV4 headers, a
// "keepalive" ping at once and every 5 minutes, one reader goroutine
// feeding OnMessage, OnError when the connection fails), written so that
// reconnecting while other goroutines send is free of data races, which
// the plugin's own WebSocketChannel is not.
type wsConn struct {
	communicator.IWebSocketChannel // never called: every method is below

	log pluginlog.T
	// ctx bounds every dial (the first and each reconnect's); nil is
	// context.Background().
	ctx context.Context

	writeMu sync.Mutex // serialises writes; taken before mu

	mu        sync.Mutex
	url       string
	token     string
	region    string
	signer    *v4.Signer
	creds     aws.Credentials
	conn      *websocket.Conn
	stopped   bool
	onMessage func([]byte)
	onError   func(error)
}

var _ communicator.IWebSocketChannel = (*wsConn)(nil)

func (w *wsConn) Initialize(_ pluginlog.T, url, token, region string, signer *v4.Signer, creds aws.Credentials) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.url, w.token, w.region, w.signer, w.creds = url, token, region, signer, creds
}

func (w *wsConn) GetChannelToken() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.token
}

func (w *wsConn) SetChannelToken(t string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.token = t
}

func (w *wsConn) GetStreamUrl() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.url
}

func (w *wsConn) SetOnError(f func(error)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.onError = f
}

func (w *wsConn) SetOnMessage(f func([]byte)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.onMessage = f
}

// StartPings is part of the interface; Open starts the pinger itself.
func (w *wsConn) StartPings(pluginlog.T, time.Duration) {}

// Open dials the stream URL, replacing any previous connection.
func (w *wsConn) Open(_ pluginlog.T) error {
	w.mu.Lock()
	url, region, signer, creds, stopped := w.url, w.region, w.signer, w.creds, w.stopped
	w.mu.Unlock()
	ctx := w.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if stopped {
		return errors.New("data channel closed")
	}
	header := http.Header{}
	if presigned, _ := communicator.IsPresignedURL(url); !presigned && signer != nil {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(nil)
		if err := signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), config.ServiceName, region, time.Now()); err == nil {
			header = req.Header
		}
	}
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 45 * time.Second}
	conn, resp, err := d.DialContext(ctx, url, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return errors.New("WebSocket upgrade refused: " + resp.Status)
		}
		return err
	}
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		conn.Close()
		return errors.New("data channel closed")
	}
	old := w.conn
	w.conn = conn
	w.mu.Unlock()
	if old != nil {
		old.Close()
	}
	go w.read(conn)
	go w.ping(conn)
	return nil
}

func (w *wsConn) current(conn *websocket.Conn) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn == conn && !w.stopped
}

func (w *wsConn) read(conn *websocket.Conn) {
	for {
		typ, data, err := conn.ReadMessage()
		if err != nil {
			if w.current(conn) {
				w.mu.Lock()
				onError := w.onError
				w.mu.Unlock()
				if onError != nil {
					onError(err)
				}
			}
			return
		}
		if typ != websocket.TextMessage && typ != websocket.BinaryMessage {
			continue
		}
		w.mu.Lock()
		onMessage := w.onMessage
		w.mu.Unlock()
		if onMessage != nil {
			onMessage(data)
		}
	}
}

func (w *wsConn) ping(conn *websocket.Conn) {
	for w.current(conn) {
		w.writeMu.Lock()
		err := conn.WriteControl(websocket.PingMessage, []byte("keepalive"), time.Now().Add(10*time.Second))
		w.writeMu.Unlock()
		if err != nil {
			return
		}
		for end := time.Now().Add(config.PingTimeInterval); time.Now().Before(end); {
			time.Sleep(time.Second)
			if !w.current(conn) {
				return
			}
		}
	}
}

// SendMessage writes one frame to the current connection.
func (w *wsConn) SendMessage(_ pluginlog.T, input []byte, typ int) error {
	if len(input) == 0 {
		return errors.New("empty message")
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	w.mu.Lock()
	conn, stopped := w.conn, w.stopped
	w.mu.Unlock()
	if stopped {
		return errors.New("data channel closed")
	}
	// A write that fails because the WebSocket is down is reported as
	// done. What was lost is made good without the caller: an input
	// message stays in the DataChannel's outgoing buffer until acked and
	// is resent after the reconnect, and a lost acknowledgement makes the
	// agent resend its message, which is then acknowledged again. Failing
	// it would be worse: the plugin's DataChannel delivers an output
	// message before acknowledging it and does not advance its expected
	// sequence number when the acknowledgement cannot be written, so the
	// agent's resend would be delivered a second time. The reader sees the
	// broken WebSocket and starts the reconnect.
	if conn == nil {
		return nil
	}
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if err := conn.WriteMessage(typ, input); err != nil && w.current(conn) {
		_ = conn.Close()
	}
	return nil
}

// Close drops the current connection; Open may dial again (Reconnect).
func (w *wsConn) Close(_ pluginlog.T) error {
	w.mu.Lock()
	conn := w.conn
	w.conn = nil
	w.mu.Unlock()
	if conn != nil {
		return conn.Close()
	}
	return nil
}

// shutdown closes the connection for good, with a close frame when it
// can.
func (w *wsConn) shutdown() {
	w.mu.Lock()
	conn := w.conn
	w.conn = nil
	w.stopped = true
	w.mu.Unlock()
	if conn != nil {
		w.writeMu.Lock()
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		w.writeMu.Unlock()
		conn.Close()
	}
}

// redact removes a secret from text meant for the user.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "<redacted>")
}
