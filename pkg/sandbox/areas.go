package sandbox

import (
	"net/http"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/params"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tagging"
)

// openAreas opens the service areas, in dependency order: an area may use
// the areas opened before it. Each area loads its section of the state
// file, registers its operations with the router and closes through the
// host. A new service is one line here.
func (s *Server) openAreas(h *area.Host, opts Options, fleet *Fleet) error {
	var prm *params.Area
	timing := commands.Timing{InvocationDelay: opts.InvocationDelay, RebootDelay: opts.RebootDelay, TimeoutScale: opts.TimeoutScale}
	for _, open := range []func() error{
		func() (err error) { s.nodes, err = nodes.New(h, fleet); return err },
		func() (err error) { s.documents, err = documents.New(h); return err },
		func() (err error) { prm, err = params.New(h, opts.KMSKeys); return err },
		func() error { tagging.New(h, s.nodes, prm); return nil },
		func() (err error) { _, err = commands.New(h, s.nodes, s.documents, timing); return err },
		func() error { return s.openSessions(h) },
	} {
		if err := open(); err != nil {
			return err
		}
	}
	return nil
}

// openSessions opens Session Manager, which still lives in this package
// (sessions.go, datachannel.go, session_agent.go, session_port.go, and
// its state in state.go): it is the next area to move.
func (s *Server) openSessions(h *area.Host) error {
	st := newState()
	if h.Store.Loaded() {
		var err error
		if st, err = loadState(h.Store); err != nil {
			return err
		}
	}
	s.st = st
	s.sec = h.Section(st.members)
	s.sessions = &sessionRegistry{live: map[string]*liveSession{}}
	h.OnClose(func() error {
		// Data channel WebSockets are hijacked connections, which
		// http.Server.Shutdown leaves alone: end the sessions.
		s.sessions.closeAll()
		return nil
	})
	r := h.Router
	r.Register(router.SSM, "StartSession", router.Handle(s.startSession))
	r.Register(router.SSM, "ResumeSession", router.Handle(s.resumeSession))
	r.Register(router.SSM, "TerminateSession", router.Handle(s.terminateSession))
	r.Register(router.SSM, "DescribeSessions", router.Handle(s.describeSessions))
	r.RegisterStream("/v1/data-channel/", http.HandlerFunc(s.serveDataChannel))
	return nil
}
