package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// stateVersion is bumped when the state file's format changes incompatibly.
const stateVersion = 1

// state is everything the sandbox can change, in one struct behind
// Server.mu. Areas added later (commands, parameters, secrets) add fields
// here; they are persisted with the rest.
type state struct {
	Version int     `json:"version"`
	Nodes   []*Node `json:"nodes"`
	// The account's own SSM documents (the AWS-owned ones are built in).
	Documents []*document `json:"documents,omitempty"`
	// Run Command history, oldest first.
	Commands []*command `json:"commands,omitempty"`
	// Parameter Store (params.go) and the keys that seal SecureStrings
	// (kms.go).
	Parameters []*parameter `json:"parameters,omitempty"`
	KMSKeys    []*kmsKey    `json:"kmsKeys,omitempty"`
	// Session Manager sessions, oldest first.
	Sessions []*sessionRecord `json:"sessions,omitempty"`

	byID        map[string]*Node
	commandByID map[string]*command
	paramByName map[string]*parameter
	paramNames  []string // sorted
	sessionByID map[string]*sessionRecord
}

func newState(f *Fleet, keys []KMSKey) *state {
	st := &state{Version: stateVersion, Nodes: f.clone().Nodes, KMSKeys: newKMSKeys(keys)}
	st.index()
	return st
}

func (st *state) index() {
	st.byID = make(map[string]*Node, len(st.Nodes))
	for _, n := range st.Nodes {
		st.byID[n.ID] = n
	}
	st.commandByID = make(map[string]*command, len(st.Commands))
	for _, c := range st.Commands {
		st.commandByID[c.ID] = c
	}
	st.paramByName = make(map[string]*parameter, len(st.Parameters))
	st.paramNames = make([]string, 0, len(st.Parameters))
	for _, p := range st.Parameters {
		st.paramByName[p.Name] = p
		st.paramNames = append(st.paramNames, p.Name)
	}
	sort.Strings(st.paramNames)
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
	if len(st.KMSKeys) == 0 {
		// A state file from before Parameter Store: give it its keys.
		st.KMSKeys = newKMSKeys(nil)
	}
	for _, p := range st.Parameters {
		if len(p.Versions) == 0 {
			return fmt.Errorf("parameter %s has no versions", p.Name)
		}
	}
	for _, d := range st.Documents {
		if len(d.Versions) == 0 {
			return fmt.Errorf("document %s has no versions", d.Name)
		}
		for _, v := range d.Versions {
			c, err := parseContent(d.DocumentType, v.Content, v.Format)
			if err != nil {
				return fmt.Errorf("document %s version %d: %s", d.Name, v.Version, err.Message)
			}
			v.parsed = c
		}
	}
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
	for _, c := range st.Commands {
		c.concurrency = resolveRate(c.MaxConcurrency, len(c.Invocations), true)
		c.errorLimit = resolveRate(c.MaxErrors, len(c.Invocations), false)
		for _, inv := range c.Invocations {
			if !inv.terminal() {
				inv.setAll("TimedOut", "DeliveryTimedOut")
			}
		}
	}
	return nil
}

// loadState reads a state file. It returns (nil, nil) when there is none.
func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt (%v): move it away to start from the fleet", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("state file %s has version %d, this sandbox reads version %d: move it away to start from the fleet", path, st.Version, stateVersion)
	}
	f := &Fleet{Nodes: st.Nodes}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt: %v", path, err)
	}
	if err := st.restore(); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt: %v", path, err)
	}
	st.index()
	return &st, nil
}

// saveState writes the state atomically: a temporary file in the same
// directory, mode 0600, synced, then renamed over the old one.
func saveState(path string, st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("state: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all filesystems support it
		d.Close()
	}
	return nil
}

// view runs fn with the state locked for reading.
func (s *Server) view(fn func(st *state)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.st)
}

// mutate runs fn with the state locked and, if fn succeeds, persists the
// state (when the sandbox has a StatePath).
func (s *Server) mutate(fn func(st *state) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := fn(s.st); err != nil {
		return err
	}
	if s.opts.StatePath == "" {
		return nil
	}
	if err := saveState(s.opts.StatePath, s.st); err != nil {
		s.logf("sandbox: saving state: %v", err)
		return protocol.Errorf(500, router.SSM.Internal.Type, "The sandbox could not save its state.")
	}
	return nil
}
