// Package sessions is Session Manager: StartSession, ResumeSession,
// TerminateSession and DescribeSessions, the sessions' history (the state
// file's "sessions"), the data channel WebSocket under /v1/data-channel/
// and the agent's session side: shells in a PTY, one-shot commands, the
// agent's pacing and port forwarding. It reads nodes and documents
// through their areas.
package sessions

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Config is Session Manager's part of the sandbox's options.
type Config struct {
	// Addr is the sandbox's listening address (host:port), asked when a
	// session starts, for its StreamUrl.
	Addr func() string
	// NoPacing lifts the agent's pacing (sandbox.Options.NoPacing).
	NoPacing bool
	// TimeoutScale multiplies the idle timeout and the maximum session
	// duration when positive (sandbox.Options.TimeoutScale).
	TimeoutScale float64
	// Allow, when set, may refuse a session to a node before it starts
	// (the activations area's tier check); its error is the answer.
	Allow func(nodeID string) error
}

// Area is Session Manager.
type Area struct {
	h         *area.Host
	nodes     *nodes.Area
	documents *documents.Area
	cfg       Config
	// sessions are the live sessions, those with a data channel.
	sessions *sessionRegistry

	sec *store.Section // guards st
	st  *state
}

// New loads the sessions' history from the state file and registers
// Session Manager's operations and the data channel.
func New(h *area.Host, n *nodes.Area, d *documents.Area, cfg Config) (*Area, error) {
	a := &Area{h: h, nodes: n, documents: d, cfg: cfg, st: &state{}}
	if err := h.Store.Load("sessions", &a.st.Sessions); err != nil {
		return nil, err
	}
	a.st.restore()
	a.sec = h.Section(func() []store.Member { return []store.Member{{Key: "sessions", Value: a.st.Sessions}} })
	a.sessions = &sessionRegistry{live: map[string]*liveSession{}}
	h.OnClose(func() error {
		// Data channel WebSockets are hijacked connections, which
		// http.Server.Shutdown leaves alone: end the sessions.
		a.sessions.closeAll()
		return nil
	})

	r := h.Router
	r.Register(router.SSM, "StartSession", router.Handle(a.startSession))
	r.Register(router.SSM, "ResumeSession", router.Handle(a.resumeSession))
	r.Register(router.SSM, "TerminateSession", router.Handle(a.terminateSession))
	r.Register(router.SSM, "DescribeSessions", router.Handle(a.describeSessions))
	r.RegisterStream("/v1/data-channel/", http.HandlerFunc(a.serveDataChannel))
	return a, nil
}

// state is Session Manager's part of the state file: the sessions,
// oldest first.
type state struct {
	Sessions    []*sessionRecord
	sessionByID map[string]*sessionRecord
}

// restore indexes the sessions. A session's data channel does not
// survive a restart: sessions a previous run left open have ended.
func (st *state) restore() {
	st.sessionByID = make(map[string]*sessionRecord, len(st.Sessions))
	for _, r := range st.Sessions {
		st.sessionByID[r.ID] = r
		if r.active() {
			r.Status = sessionTerminated
			if r.End == nil {
				end := r.Start
				r.End = &end
			}
		}
	}
}

// view runs fn with the sessions locked for reading.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the sessions locked and, if fn succeeds, saves
// them.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// scaledSession applies Config.TimeoutScale to a session's timeouts.
func (a *Area) scaledSession(d time.Duration) time.Duration {
	if a.cfg.TimeoutScale > 0 {
		return time.Duration(float64(d) * a.cfg.TimeoutScale)
	}
	return d
}

// Serves says whether a data channel request (GET /v1/data-channel/ID) is
// for one of this area's live sessions: a sandbox serving several
// accounts and Regions sends it to the location that opened the session.
func (a *Area) Serves(r *http.Request) bool {
	id, err := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/v1/data-channel/"))
	return err == nil && a.sessions.get(id) != nil
}
