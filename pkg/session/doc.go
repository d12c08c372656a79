// Package session owns Session Manager sessions. For shells it resolves the one node a
// session targets, checks the session document, calls StartSession, opens
// the data channel with the official session-manager-plugin's protocol
// code, runs an interactive shell (raw terminal, resize, the "~." escape,
// asciicast recording) or a one-shot command (live stdout and stderr, the
// remote exit code), and leaves no session it started open. RunPlugin is
// the plugin's own main, for ssmctl invoked as session-manager-plugin.
// It also lists and terminates sessions (history.go) and reads and writes
// the account's session preferences (prefs.go).
//
// # Tunnels
//
// tunnel.go is the base port forwarding, SSH and file copy share: a
// Forwarder dials streams to a remote port over one session (PortSession,
// port.go: smux streams when the agent multiplexes, one raw connection at
// a time otherwise); Tunnels listen locally, spread connections over a
// tunnel's sessions, replace a session that ends (back-off from 500 ms
// doubling to 30 s, the listener staying open), close Ready once every
// listener is up and every first session open, and terminate every
// session they started when their context is cancelled. In port mode the
// channel sends bytes exactly (SendExact), keeps at most SendWindow
// messages unacknowledged, delivers payloads outside its lock and resends
// everything unacknowledged after a WebSocket reconnect.
//
// # The data channel
//
// The plugin's datachannel.DataChannel does the framing, sequence numbers,
// acknowledgements, buffering, handshake and RTO computation. Its session
// handlers are not used (they print status on stdout, own the signals and
// call os.Exit); Channel drives the DataChannel with handlers of its own.
// Because the DataChannel is not safe for concurrent use, every call into
// it happens under one mutex, its WebSocket is ssmctl's own (wsConn, which
// implements the plugin's IWebSocketChannel), and resending is a loop of
// ours with the plugin's timings. The plugin's logger (seelog, which reads
// and writes under /usr/local/sessionmanagerplugin) is never set up: its
// log lines are dropped, or with --debug shown on stderr with tokens
// redacted. See docs/sessions.md.
package session
