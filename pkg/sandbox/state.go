package sandbox

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// state is Session Manager's part of the state file (its "sessions"),
// behind Server.sec. It is what is left of the one state struct the
// sandbox had: the other areas keep theirs in their own packages.
type state struct {
	// Session Manager sessions, oldest first.
	Sessions []*sessionRecord

	sessionByID map[string]*sessionRecord
}

func newState() *state {
	st := &state{}
	st.index()
	return st
}

func (st *state) index() {
	st.sessionByID = make(map[string]*sessionRecord, len(st.Sessions))
	for _, r := range st.Sessions {
		st.sessionByID[r.ID] = r
	}
}

// restore rebuilds what a state file does not hold: parsed documents and
// the commands' resolved limits. Invocations a previous run left unfinished
// never got a terminal answer from their node, which AWS reports as
// DeliveryTimedOut ("Understanding command timeout values").
func (st *state) restore() error {
	// A session's data channel does not survive a restart: sessions a
	// previous run left open have ended.
	for _, r := range st.Sessions {
		if r.active() {
			r.Status = sessionTerminated
			if r.End == nil {
				end := r.Start
				r.End = &end
			}
		}
	}
	return nil
}

// loadState reads the state's members from the state file the store read.
func loadState(sf *store.Store) (*state, error) {
	st := &state{}
	for _, m := range []struct {
		key string
		v   any
	}{{"sessions", &st.Sessions}} {
		if err := sf.Load(m.key, m.v); err != nil {
			return nil, err
		}
	}
	if err := st.restore(); err != nil {
		return nil, sf.Corrupt(err)
	}
	st.index()
	return st, nil
}

// members are the state's members of the state file.
func (st *state) members() []store.Member {
	return []store.Member{{Key: "sessions", Value: st.Sessions}}
}

// view runs fn with the state locked for reading.
func (s *Server) view(fn func(st *state)) {
	s.sec.View(func() { fn(s.st) })
}

// mutate runs fn with the state locked and, if fn succeeds, persists the
// state (when the sandbox has a StatePath).
func (s *Server) mutate(fn func(st *state) error) error {
	return s.sec.Mutate(func() error { return fn(s.st) })
}
