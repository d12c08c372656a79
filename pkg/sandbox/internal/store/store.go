// Package store is the sandbox's state file: one JSON object whose
// members are the areas' sections ("nodes", "documents", "parameters",
// ...), next to a "version". Each area keeps its own state behind its own
// lock in a Section and commits its members after every change; the store
// writes the file atomically from the members last committed, so it never
// calls back into an area.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// Version is bumped when the state file's format changes incompatibly.
const Version = 1

// Store holds the state file's members. Without a path it keeps nothing
// and saves nothing.
type Store struct {
	*core
	// prefix begins the keys of a location's members ("" for the main
	// location's, which are the file's top-level members).
	prefix string
}

// core is the state file that a store and its location views share.
type core struct {
	path string
	logf func(format string, args ...any)

	// loaded are the members of the file read at Open; nil when there was
	// none.
	loaded map[string]json.RawMessage

	mu      sync.Mutex // guards members and the file; taken after any area's lock
	members map[string]json.RawMessage
}

// Open reads the state file at path if there is one. An empty path is a
// store in memory only.
func Open(path string, logf func(format string, args ...any)) (*Store, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	s := &Store{core: &core{path: path, logf: logf, members: map[string]json.RawMessage{}}}
	if path == "" {
		return s, nil
	}
	removeStaleTemps(path, logf)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt (%v): move it away to start from the fleet", path, err)
	}
	var version int
	if err := json.Unmarshal(file["version"], &version); err != nil || version != Version {
		return nil, fmt.Errorf("state file %s has version %s, this sandbox reads version %d: move it away to start from the fleet", path, file["version"], Version)
	}
	delete(file, "version")
	if raw, ok := file[locationsKey]; ok {
		var locs map[string]map[string]json.RawMessage
		if err := json.Unmarshal(raw, &locs); err != nil {
			return nil, fmt.Errorf("state file %s is corrupt (%s: %v): move it away to start from the fleet", path, locationsKey, err)
		}
		delete(file, locationsKey)
		for loc, members := range locs {
			for k, v := range members {
				file[locationPrefix(loc)+k] = v
			}
		}
	}
	s.loaded = file
	// Members no area claims (yet) are kept as they were.
	for k, v := range file {
		s.members[k] = v
	}
	return s, nil
}

// Loaded says whether the state came from a file: then it wins over the
// fleet options.
func (s *Store) Loaded() bool {
	if s.prefix == "" || s.loaded == nil {
		return s.loaded != nil
	}
	for k := range s.loaded {
		if strings.HasPrefix(k, s.prefix) {
			return true
		}
	}
	return false
}

// locationsKey is the state file's member holding the other locations'
// members: {"ACCOUNT/REGION": {"nodes": ..., ...}}.
const locationsKey = "locations"

func locationPrefix(loc string) string { return locationsKey + "\x00" + loc + "\x00" }

// Locations are the locations ("ACCOUNT/REGION") the file read at Open
// has members for, sorted.
func (s *Store) Locations() []string {
	var out []string
	for k := range s.loaded {
		if rest, ok := strings.CutPrefix(k, locationsKey+"\x00"); ok {
			loc, _, _ := strings.Cut(rest, "\x00")
			if !contains(out, loc) {
				out = append(out, loc)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Location is the view of the store for another account and Region
// ("ACCOUNT/REGION"): its members are kept under the file's "locations"
// member; Loaded says whether the file had any of them.
func (s *Store) Location(loc string) *Store {
	return &Store{core: s.core, prefix: locationPrefix(loc)}
}

// Load decodes the member key of the file read at Open into v. It does
// nothing when there was no file or the member is absent.
func (s *Store) Load(key string, v any) error {
	raw, ok := s.loaded[s.prefix+key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return s.Corrupt(fmt.Errorf("%s: %v", key, err))
	}
	return nil
}

// Corrupt is the error for a state file whose content an area refuses.
func (s *Store) Corrupt(err error) error {
	return fmt.Errorf("state file %s is corrupt: %v", s.path, err)
}

// Member is one top-level member of the state file. A nil Value, or one
// that encodes as an empty list, is left out of the file.
type Member struct {
	Key   string
	Value any
}

// put encodes members without saving.
func (s *Store) put(members []Member) error {
	if s.path == "" {
		return nil
	}
	enc := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		b, err := json.MarshalIndent(m.Value, "  ", "  ")
		if err != nil {
			return fmt.Errorf("state: %s: %w", m.Key, err)
		}
		enc[s.prefix+m.Key] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, b := range enc {
		if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte("[]")) {
			delete(s.members, k)
		} else {
			s.members[k] = b
		}
	}
	return nil
}

// commit records members and writes the file.
func (s *Store) commit(members []Member) error {
	if s.path == "" {
		return nil
	}
	if err := s.put(members); err != nil {
		return err
	}
	return s.Save()
}

// order is the order of the members in the file, as it has always been;
// members not named here follow in alphabetical order.
var order = []string{"nodes", "documents", "commands", "parameters", "kmsKeys", "sessions"}

// Save writes the members last committed to the file, atomically: a
// temporary file in the same directory, mode 0600, synced, then renamed
// over the old one.
func (s *Store) Save() error {
	if s.path == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for _, k := range order {
		if _, ok := s.members[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	locs := map[string][]string{} // location -> its member keys
	for k := range s.members {
		if loc, key, ok := strings.Cut(strings.TrimPrefix(k, locationsKey+"\x00"), "\x00"); ok && strings.HasPrefix(k, locationsKey+"\x00") {
			locs[loc] = append(locs[loc], key)
			continue
		}
		if !contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)

	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"version\": %d", Version)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		fmt.Fprintf(&b, ",\n  %s: %s", kb, s.members[k])
	}
	if len(locs) > 0 {
		names := make([]string, 0, len(locs))
		for loc := range locs {
			names = append(names, loc)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, ",\n  %q: {", locationsKey)
		for i, loc := range names {
			sort.Strings(locs[loc])
			lb, _ := json.Marshal(loc)
			fmt.Fprintf(&b, "%s\n    %s: {", map[bool]string{true: ",", false: ""}[i > 0], lb)
			for j, k := range locs[loc] {
				kb, _ := json.Marshal(k)
				fmt.Fprintf(&b, "%s\n      %s: %s", map[bool]string{true: ",", false: ""}[j > 0], kb, s.members[locationPrefix(loc)+k])
			}
			b.WriteString("\n    }")
		}
		b.WriteString("\n  }")
	}
	b.WriteString("\n}\n")
	return writeFileAtomic(s.path, b.Bytes())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tempPrefix begins the names of the temporary files writeFileAtomic
// writes beside path before renaming one over it.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStaleTemps removes the temporary files a sandbox killed while
// saving (kill -9, a crash) left beside the state file: at Open no save of
// this file is under way (one state file serves one sandbox at a time).
// Failures are logged and otherwise ignored: a stale file costs disk
// space, not correctness.
func removeStaleTemps(path string, logf func(format string, args ...any)) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		stale := filepath.Join(dir, e.Name())
		if err := os.Remove(stale); err != nil {
			logf("sandbox: state file: cannot remove the stale %s: %v", stale, err)
			continue
		}
		logf("sandbox: state file: removed %s, left by a sandbox stopped while saving", stale)
	}
}

func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
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

// Section is one area's state behind the area's own lock. Members says
// what the area puts in the state file; it is called with the lock held.
//
// Lock order: a Section's lock is taken before the store's, never after;
// an area holding its Section's lock calls no other area (it copies what
// it needs from other areas first, or after).
type Section struct {
	mu      sync.Mutex
	store   *Store
	members func() []Member
}

// NewSection makes an area's section of the store.
func (s *Store) NewSection(members func() []Member) *Section {
	return &Section{store: s, members: members}
}

// View runs fn with the section locked.
func (sec *Section) View(fn func()) {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	fn()
}

// Update runs fn with the section locked, without saving: for progress
// that is saved later (Save) or at Close.
func (sec *Section) Update(fn func()) {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	fn()
}

// Mutate runs fn with the section locked and, if fn succeeds, saves the
// state file before the lock is released, so the change is on disk before
// the caller answers. A failed save is the service's internal error.
func (sec *Section) Mutate(fn func() error) error {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	if err := fn(); err != nil {
		return err
	}
	if err := sec.store.commit(sec.members()); err != nil {
		sec.store.logf("sandbox: saving state: %v", err)
		return protocol.Errorf(500, router.SSM.Internal.Type, "The sandbox could not save its state.")
	}
	return nil
}

// Save commits the section's members and writes the file.
func (sec *Section) Save() error {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	return sec.store.commit(sec.members())
}

// Put records the section's members without writing the file (the file
// is written by the next Save of any section).
func (sec *Section) Put() error {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	return sec.store.put(sec.members())
}
