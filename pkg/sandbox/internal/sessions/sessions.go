package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Session Manager: StartSession, ResumeSession, TerminateSession and
// DescribeSessions, and the data channel WebSocket under
// /v1/data-channel/<session-id>. The node side (shells, commands) is in
// agent.go and port.go, the reliability in datachannel.go (the framing is
// internal/protocol's). Rules, limits and error names come from botocore's
// ssm/2014-11-06 model and protocol/session-manager.md;
// docs/sandbox-sessions.md lists the decisions.

type startSessionInput struct {
	Target       *string             `json:"Target"`
	DocumentName *string             `json:"DocumentName"`
	Reason       *string             `json:"Reason"`
	Parameters   map[string][]string `json:"Parameters"`
}

type startSessionOutput struct {
	SessionId  string `json:"SessionId"`
	TokenValue string `json:"TokenValue"`
	StreamUrl  string `json:"StreamUrl"`
}

type sessionIDInput struct {
	SessionId *string `json:"SessionId"`
}

type resumeSessionOutput struct {
	SessionId  string `json:"SessionId"`
	TokenValue string `json:"TokenValue,omitempty"`
	StreamUrl  string `json:"StreamUrl,omitempty"`
}

type terminateSessionOutput struct {
	SessionId string `json:"SessionId"`
}

type sessionFilter struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type describeSessionsInput struct {
	State      *string         `json:"State"`
	MaxResults *int32          `json:"MaxResults"`
	NextToken  *string         `json:"NextToken"`
	Filters    []sessionFilter `json:"Filters"`
}

type sessionOutputURL struct {
	S3OutputUrl         string `json:"S3OutputUrl,omitempty"`
	CloudWatchOutputUrl string `json:"CloudWatchOutputUrl,omitempty"`
}

type sessionWire struct {
	SessionId          string              `json:"SessionId"`
	Target             string              `json:"Target"`
	Status             string              `json:"Status"`
	StartDate          *protocol.EpochTime `json:"StartDate,omitempty"`
	EndDate            *protocol.EpochTime `json:"EndDate,omitempty"`
	DocumentName       string              `json:"DocumentName,omitempty"`
	Owner              string              `json:"Owner"`
	Reason             string              `json:"Reason,omitempty"`
	Details            string              `json:"Details,omitempty"`
	OutputUrl          sessionOutputURL    `json:"OutputUrl"`
	MaxSessionDuration string              `json:"MaxSessionDuration,omitempty"`
	AccessType         string              `json:"AccessType,omitempty"`
}

type describeSessionsOutput struct {
	Sessions  []sessionWire `json:"Sessions"`
	NextToken string        `json:"NextToken,omitempty"`
}

// Session statuses (SessionStatus enum).
const (
	sessionConnecting   = "Connecting"
	sessionConnected    = "Connected"
	sessionDisconnected = "Disconnected"
	sessionTerminating  = "Terminating"
	sessionTerminated   = "Terminated"
	sessionFailed       = "Failed"
)

var (
	sessionStatuses   = []string{sessionConnected, sessionConnecting, sessionDisconnected, sessionTerminated, sessionTerminating, sessionFailed}
	sessionFilterKeys = []string{"InvokedAfter", "InvokedBefore", "Target", "Owner", "Status", "SessionId", "AccessType"}
	reasonPattern     = lazyre.New(`^.{1,256}$`)
)

const (
	// The caller every request is signed as. The sandbox has one set of
	// credentials; AWS names sessions after the caller
	// ("<caller-name>-<17 hex digits>") and reports the caller's ARN as
	// the Owner.
	sessionCallerName = area.CallerName
	// DescribeSessions' page size when MaxResults is absent.
	defaultSessionPage = 20
	// IdleTimeoutMessage is MGS's channel_closed Output on an idle timeout
	// (amazon-ssm-agent#261).
	IdleTimeoutMessage = "Your session timed out due to inactivity and has been terminated."
	// MaxDurationMessage: AWS's wording is not documented.
	MaxDurationMessage = "Your session has reached its maximum session duration and has been terminated."
	// tokenWait bounds how long a new WebSocket may take to send its token.
	tokenWait = 30 * time.Second
)

// sessionRecord is a session as DescribeSessions shows it; it is persisted
// with the state.
type sessionRecord struct {
	ID                 string     `json:"id"`
	Target             string     `json:"target"`
	DocumentName       string     `json:"documentName"`
	Owner              string     `json:"owner"`
	Reason             string     `json:"reason,omitempty"`
	Status             string     `json:"status"`
	Start              time.Time  `json:"start"`
	End                *time.Time `json:"end,omitempty"`
	MaxSessionDuration string     `json:"maxSessionDuration,omitempty"`
}

func (r *sessionRecord) active() bool {
	return r.Status != sessionTerminated && r.Status != sessionFailed
}

func newSessionID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return sessionCallerName + "-" + hex.EncodeToString(b)[:17]
}

func newToken() string {
	b := make([]byte, 96)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// streamURL is where the client dials the data channel, shaped like AWS's
// (role=publish_subscribe and an opaque cell-number).
func (a *Area) streamURL(id string) string {
	cell := make([]byte, 24)
	rand.Read(cell)
	q := url.Values{}
	q.Set("role", "publish_subscribe")
	q.Set("cell-number", base64.StdEncoding.EncodeToString(cell))
	return "ws://" + a.cfg.Addr() + "/v1/data-channel/" + url.PathEscape(id) + "?" + q.Encode()
}

// sessionRegistry holds the live sessions (those with a data channel).
type sessionRegistry struct {
	mu   sync.Mutex
	live map[string]*liveSession
	// conns are the data channel WebSockets being served, closed at Close
	// (one still waiting for its token would otherwise hold Close up).
	conns map[*websocket.Conn]bool
	// wg counts the data channels being served; closing is set (under mu)
	// before Close waits on it, so no Add can race the Wait.
	wg      sync.WaitGroup
	closing bool
}

// enter registers a data channel WebSocket being served; false once the
// sandbox is closing, when the connection must be dropped.
func (r *sessionRegistry) enter(c *websocket.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	r.wg.Add(1)
	if r.conns == nil {
		r.conns = map[*websocket.Conn]bool{}
	}
	r.conns[c] = true
	return true
}

// leave is enter's end.
func (r *sessionRegistry) leave(c *websocket.Conn) {
	r.mu.Lock()
	delete(r.conns, c)
	r.mu.Unlock()
	r.wg.Done()
}

func (r *sessionRegistry) get(id string) *liveSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live[id]
}

// closeAll ends every live session (at Close).
func (r *sessionRegistry) closeAll() {
	r.mu.Lock()
	all := make([]*liveSession, 0, len(r.live))
	for _, ls := range r.live {
		all = append(all, ls)
	}
	r.mu.Unlock()
	for _, ls := range all {
		ls.end(sessionTerminated, "", false)
	}
	r.mu.Lock()
	r.closing = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

func (a *Area) startSession(in *startSessionInput) (*startSessionOutput, error) {
	var v protocol.Validator
	if v.Required("target", in.Target != nil) {
		v.Length("target", *in.Target, 1, 400)
	}
	if in.DocumentName != nil {
		v.Pattern("documentName", *in.DocumentName, documents.DocumentARNPattern)
	}
	if in.Reason != nil {
		v.Length("reason", *in.Reason, 1, 256)
		v.Pattern("reason", *in.Reason, reasonPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	docName := documents.PreferencesDocument
	if in.DocumentName != nil {
		docName = documents.Name(*in.DocumentName)
	}

	var (
		rec    *sessionRecord
		ls     *liveSession
		outErr error
	)
	var content *documents.Content
	d, found, _ := a.documents.Find(docName, "", "")
	switch {
	case !found && docName == documents.PreferencesDocument:
		// An account that never set preferences has no
		// SSM-SessionManagerRunShell; AWS starts a shell with the
		// default preferences.
		content = &documents.Content{SchemaVersion: "1.0", SessionType: documents.SessionTypeShell}
	case !found:
		return nil, documents.ErrInvalidDocument(fmt.Sprintf("Document %s does not exist in your account.", docName))
	case d.DocumentType != "Session":
		return nil, documents.ErrInvalidDocument(fmt.Sprintf("Document %s is a %s document: StartSession needs a Session document.", d.Name, d.DocumentType))
	default:
		content = d.Content
	}
	params, perr := documents.ResolveParameters(docName, content, in.Parameters)
	if perr != nil {
		return nil, perr
	}
	n, ok := a.nodes.Get(*in.Target)
	if !ok || n.Ping == "ConnectionLost" || n.Ping == "Inactive" {
		return nil, protocol.Errorf(http.StatusBadRequest, "TargetNotConnected", "%s is not connected.", *in.Target)
	}
	if a.cfg.Allow != nil {
		if err := a.cfg.Allow(n.ID); err != nil {
			return nil, err
		}
	}
	idle, maxD := a.documents.SessionLimits(content)
	err := a.mutate(func(st *state) error {
		rec = &sessionRecord{
			ID: newSessionID(), Target: n.ID, DocumentName: docName, Owner: a.h.CallerARN(),
			Status: sessionConnecting, Start: a.h.Clock().UTC(),
		}
		if in.Reason != nil {
			rec.Reason = *in.Reason
		}
		if maxD > 0 {
			rec.MaxSessionDuration = fmt.Sprint(maxD)
		}
		st.Sessions = append(st.Sessions, rec)
		st.sessionByID[rec.ID] = rec
		ls = &liveSession{
			a: a, id: rec.ID, sessionType: content.SessionType,
			properties:   documents.Substitute(content.Properties, params),
			nodeID:       n.ID,
			platform:     n.Platform.Type,
			agentVersion: n.AgentVersion,
			idle:         a.scaledSession(time.Duration(idle) * time.Minute),
			tokens:       map[string]bool{},
			started:      a.h.Clock(),
		}
		if maxD > 0 {
			ls.maxDuration = a.scaledSession(time.Duration(maxD) * time.Minute)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	token := newToken()
	ls.tokens[token] = true
	ls.init()
	a.sessions.mu.Lock()
	a.sessions.live[ls.id] = ls
	a.sessions.mu.Unlock()
	a.sessions.wg.Add(1)
	go func() {
		defer a.sessions.wg.Done()
		ls.watch()
	}()
	return &startSessionOutput{SessionId: rec.ID, TokenValue: token, StreamUrl: a.streamURL(rec.ID)}, outErr
}

func (a *Area) resumeSession(in *sessionIDInput) (*resumeSessionOutput, error) {
	var v protocol.Validator
	if v.Required("sessionId", in.SessionId != nil) {
		v.Length("sessionId", *in.SessionId, 1, 96)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var rec *sessionRecord
	a.view(func(st *state) { rec = st.sessionByID[*in.SessionId] })
	if rec == nil {
		return nil, protocol.Errorf(http.StatusBadRequest, "DoesNotExistException", "Session %s does not exist.", *in.SessionId)
	}
	out := &resumeSessionOutput{SessionId: rec.ID}
	ls := a.sessions.get(rec.ID)
	if ls == nil || ls.ended() {
		// A session that has ended cannot be resumed: no token, which
		// the plugin reports as "Session: <id> timed out."
		return out, nil
	}
	out.TokenValue = ls.issueToken()
	out.StreamUrl = a.streamURL(rec.ID)
	return out, nil
}

func (a *Area) terminateSession(in *sessionIDInput) (*terminateSessionOutput, error) {
	var v protocol.Validator
	if v.Required("sessionId", in.SessionId != nil) {
		v.Length("sessionId", *in.SessionId, 1, 96)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// TerminateSession is idempotent: an unknown or ended session is not
	// an error (the model lists no error for it but InternalServerError).
	if ls := a.sessions.get(*in.SessionId); ls != nil {
		ls.end(sessionTerminated, "", false)
	}
	return &terminateSessionOutput{SessionId: *in.SessionId}, nil
}

func (a *Area) describeSessions(in *describeSessionsInput) (*describeSessionsOutput, error) {
	var v protocol.Validator
	if v.Required("state", in.State != nil) {
		v.Enum("state", *in.State, "Active", "History")
	}
	v.IntRange("maxResults", in.MaxResults, 1, 200)
	if in.Filters != nil {
		v.Count("filters", len(in.Filters), 1, 6)
	}
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, sessionFilterKeys...)
		}
		if v.Required(p+".value", f.Value != nil) {
			v.Length(p+".value", *f.Value, 1, 400)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	type match func(*sessionRecord) bool
	var matches []match
	for _, f := range in.Filters {
		key, val := *f.Key, *f.Value
		switch key {
		case "InvokedAfter", "InvokedBefore":
			t, err := protocol.ParseFilterTime(val)
			if err != nil {
				return nil, protocol.ErrValidation(fmt.Sprintf("The %s filter value %q is not a timestamp such as 2024-08-29T00:00:00Z.", key, val))
			}
			if key == "InvokedAfter" {
				matches = append(matches, func(r *sessionRecord) bool { return !r.Start.Before(t) })
			} else {
				matches = append(matches, func(r *sessionRecord) bool { return r.Start.Before(t) })
			}
		case "Target":
			matches = append(matches, func(r *sessionRecord) bool { return r.Target == val })
		case "Owner":
			matches = append(matches, func(r *sessionRecord) bool { return r.Owner == val })
		case "Status":
			if !slices.Contains(sessionStatuses, val) {
				return nil, protocol.ErrValidation(fmt.Sprintf("The Status filter value %q is not a session status: use one of %s.", val, strings.Join(sessionStatuses, ", ")))
			}
			matches = append(matches, func(r *sessionRecord) bool { return r.Status == val })
		case "SessionId":
			matches = append(matches, func(r *sessionRecord) bool { return r.ID == val })
		case "AccessType":
			if val != "Standard" && val != "JustInTime" {
				return nil, protocol.ErrValidation(fmt.Sprintf("The AccessType filter value %q is invalid: use Standard or JustInTime.", val))
			}
			matches = append(matches, func(r *sessionRecord) bool { return val == "Standard" })
		}
	}
	wantActive := *in.State == "Active"
	var out describeSessionsOutput
	var err error
	a.view(func(st *state) {
		var sel []*sessionRecord
	next:
		for _, r := range st.Sessions {
			if r.active() != wantActive {
				continue
			}
			for _, m := range matches {
				if !m(r) {
					continue next
				}
			}
			sel = append(sel, r)
		}
		// Newest first.
		sort.SliceStable(sel, func(i, j int) bool { return sel[i].Start.After(sel[j].Start) })
		fp := protocol.PageFingerprint("DescribeSessions", *in.State, in.Filters)
		offset, ok := protocol.DecodePageToken(protocol.Deref(in.NextToken), fp, len(sel))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		size := defaultSessionPage
		if in.MaxResults != nil {
			size = int(*in.MaxResults)
		}
		from, to, nextTok := protocol.Page(len(sel), offset, size, fp)
		out.NextToken = nextTok
		out.Sessions = make([]sessionWire, 0, to-from)
		for _, r := range sel[from:to] {
			w := sessionWire{
				SessionId: r.ID, Target: r.Target, Status: r.Status, StartDate: protocol.Epoch(r.Start),
				DocumentName: r.DocumentName, Owner: r.Owner, Reason: r.Reason,
				MaxSessionDuration: r.MaxSessionDuration,
			}
			if r.End != nil {
				w.EndDate = protocol.Epoch(*r.End)
			}
			out.Sessions = append(out.Sessions, w)
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// setStatus records a session's new status (and its end).
func (a *Area) setSessionStatus(id, status string) {
	a.mutate(func(st *state) error {
		r := st.sessionByID[id]
		if r == nil || !r.active() {
			return nil
		}
		r.Status = status
		if !r.active() {
			now := a.h.Clock().UTC()
			r.End = &now
		}
		return nil
	})
}

// The data channel endpoint.

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// The plugin sends no Origin; the token authorizes the channel.
	CheckOrigin: func(*http.Request) bool { return true },
}

// serveDataChannel answers GET /v1/data-channel/<session-id>. A SigV4
// header may or may not be present (plugins before 1.2.764 send none); the
// session token in the first frame is what authorizes the channel.
func (a *Area) serveDataChannel(w http.ResponseWriter, r *http.Request) {
	id, err := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/v1/data-channel/"))
	if err != nil || id == "" || strings.Contains(id, "/") {
		http.NotFound(w, r)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	if !a.sessions.enter(conn) {
		conn.Close()
		return
	}
	defer a.sessions.leave(conn)

	conn.SetReadDeadline(time.Now().Add(tokenWait))
	typ, first, err := conn.ReadMessage()
	if err != nil {
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Time{})
	var open protocol.OpenDataChannelInput
	if typ != websocket.TextMessage || json.Unmarshal(first, &open) != nil {
		a.refuseChannel(conn, id, "The first message on the data channel must be the OpenDataChannelInput JSON.")
		return
	}
	ls := a.sessions.get(id)
	if ls == nil || !ls.useToken(open.TokenValue) {
		a.refuseChannel(conn, id, "The session token is not valid for this session.")
		return
	}
	a.h.Log("sandbox: session %s: data channel attached (client %s)", id, open.ClientVersion)
	// Read while the unacked output is sent again: the client's acks must
	// keep flowing.
	go ls.attach(conn)
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			ls.detach(conn)
			return
		}
		ls.dc.receive(conn, data)
	}
}

// refuseChannel answers a bad or missing token as the sandbox decided to:
// channel_closed with an error Output, then close (AWS's answer is not
// documented).
func (a *Area) refuseChannel(conn *websocket.Conn, id, msg string) {
	dc := &dataChannel{sessionID: id, clock: a.h.Clock}
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	conn.WriteMessage(websocket.BinaryMessage, dc.channelClosedFrame(nodes.OutputErrorTitle+msg))
	conn.Close()
}

// liveSession is a session whose data channel exists: from StartSession
// until it ends.
type liveSession struct {
	a            *Area
	id           string
	sessionType  string
	properties   any
	nodeID       string
	platform     string
	agentVersion string
	idle         time.Duration
	maxDuration  time.Duration
	started      time.Time

	dc     *dataChannel
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	tokens   map[string]bool
	running  bool // the agent side has started
	ending   bool // end has begun (the client may still resume to drain)
	finished bool
	abort    chan struct{} // closed to cut a drain short
	done     chan struct{} // closed when the session has ended
}

func (ls *liveSession) init() {
	ls.ctx, ls.cancel = context.WithCancel(context.Background())
	ls.done = make(chan struct{})
	ls.abort = make(chan struct{})
	ls.dc = newDataChannel(ls.id, ls.a.h.Clock, ls.a.h.Log, ls.a.h.Router.DrawWSDrop)
	ls.dc.closeEvery = ls.a.h.Router.WSCloseEvery()
}

func (ls *liveSession) issueToken() string {
	t := newToken()
	ls.mu.Lock()
	ls.tokens[t] = true
	ls.mu.Unlock()
	return t
}

// useToken consumes a token: each is good for one WebSocket.
func (ls *liveSession) useToken(t string) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if t == "" || !ls.tokens[t] || ls.finished {
		return false
	}
	delete(ls.tokens, t)
	return true
}

func (ls *liveSession) ended() bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.finished
}

// attach connects a client WebSocket; the first one starts the agent side.
func (ls *liveSession) attach(conn *websocket.Conn) {
	ls.dc.attach(conn)
	ls.a.setSessionStatus(ls.id, sessionConnected)
	ls.mu.Lock()
	start := !ls.running && !ls.finished
	ls.running = true
	ls.mu.Unlock()
	if start {
		ls.a.sessions.wg.Add(1)
		go func() {
			defer ls.a.sessions.wg.Done()
			ls.run()
		}()
	}
}

func (ls *liveSession) detach(conn *websocket.Conn) {
	ls.dc.detach(conn)
	if !ls.ended() && !ls.dc.attached() {
		ls.a.setSessionStatus(ls.id, sessionDisconnected)
	}
}

// end finishes the session once: it stops the agent side, optionally waits
// for the client to ack what was sent, sends channel_closed with output
// and records the final status.
func (ls *liveSession) end(status, output string, drain bool) {
	ls.mu.Lock()
	if ls.ending {
		// Already ending: an end without drain (TerminateSession, a
		// timeout, Close) cuts a drain short.
		if !drain && !ls.finished {
			select {
			case <-ls.abort:
			default:
				close(ls.abort)
			}
		}
		ls.mu.Unlock()
		return
	}
	ls.ending = true
	ls.mu.Unlock()
	if drain {
		// A client that is reconnecting gets some time to come back for
		// the rest of the output, and may still resume meanwhile.
		ls.dc.drain(tokenWait, ls.abort)
	} else {
		ls.a.setSessionStatus(ls.id, sessionTerminating)
	}
	ls.mu.Lock()
	ls.finished = true
	ls.mu.Unlock()
	ls.cancel()
	// The history shows the end before the client hears of it.
	ls.a.setSessionStatus(ls.id, status)
	ls.dc.close(output)
	ls.a.sessions.mu.Lock()
	delete(ls.a.sessions.live, ls.id)
	ls.a.sessions.mu.Unlock()
	close(ls.done)
	ls.a.h.Log("sandbox: session %s: %s", ls.id, status)
}

// watch enforces the idle timeout (no input from the client for that
// long) and the maximum session duration (a hard stop).
func (ls *liveSession) watch() {
	tick := min(max(ls.idle/20, 10*time.Millisecond), time.Second)
	if ls.maxDuration > 0 {
		tick = min(tick, max(ls.maxDuration/20, 10*time.Millisecond))
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ls.done:
			return
		case <-t.C:
		}
		now := ls.a.h.Clock()
		switch {
		case ls.maxDuration > 0 && now.Sub(ls.started) >= ls.maxDuration:
			ls.end(sessionTerminated, MaxDurationMessage, false)
		case now.Sub(ls.dc.idleSince()) >= ls.idle:
			ls.end(sessionTerminated, IdleTimeoutMessage, false)
		}
	}
}
