package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sections commit their own members; the file keeps the historical order,
// leaves empty members out and keeps members no section claims.
func TestSectionsShareOneFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(path, []byte(`{"version": 1, "secrets": [{"name": "s"}], "nodes": [{"id": "i-1"}]}`), 0o600)
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []map[string]string
	if err := s.Load("nodes", &nodes); err != nil || len(nodes) != 1 || nodes[0]["id"] != "i-1" || !s.Loaded() {
		t.Fatalf("Load: %v %v", nodes, err)
	}
	params := []string{"/a"}
	ps := s.NewSection(func() []Member { return []Member{{"parameters", params}, {"kmsKeys", []string{}}} })
	ns := s.NewSection(func() []Member { return []Member{{"nodes", nodes}} })
	if err := ps.Mutate(func() error { params = append(params, "/b"); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := ns.Save(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	iv, in, ip, is := strings.Index(got, `"version": 1`), strings.Index(got, `"nodes"`), strings.Index(got, `"parameters"`), strings.Index(got, `"secrets"`)
	if iv < 0 || in < iv || ip < in || is < ip || strings.Contains(got, "kmsKeys") || !strings.Contains(got, `"/b"`) {
		t.Errorf("state file:\n%s", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", fi.Mode().Perm())
	}
	// What was written reads back.
	s2, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var again []string
	if err := s2.Load("parameters", &again); err != nil || len(again) != 2 {
		t.Errorf("reloaded parameters: %v %v", again, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"garbage": "{not json", "version": `{"version": 2}`, "noversion": `{}`} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o600)
		if _, err := Open(path, nil); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if s, err := Open(filepath.Join(dir, "absent"), nil); err != nil || s.Loaded() {
		t.Errorf("absent file: %v", err)
	}
}

// A sandbox killed while saving leaves its temporary file beside the state
// file; the next Open removes it (and only it).
func TestOpenRemovesStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	os.WriteFile(path, []byte(`{"version": 1}`), 0o600)
	stale := []string{".state.json.tmp-123456", ".state.json.tmp-9"}
	keep := []string{"state.json.tmp-1", ".other.json.tmp-1", ".state.json.bak"}
	for _, name := range append(append([]string{}, stale...), keep...) {
		os.WriteFile(filepath.Join(dir, name), []byte("{"), 0o600)
	}
	var logged []string
	if _, err := Open(path, func(format string, args ...any) { logged = append(logged, format) }); err != nil {
		t.Fatal(err)
	}
	for _, name := range stale {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", name, err)
		}
	}
	for _, name := range keep {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	if len(logged) != len(stale) {
		t.Errorf("logged %d lines, want one per removed file: %q", len(logged), logged)
	}
	// With no state file yet, a stale temporary file goes too.
	fresh := filepath.Join(dir, "new.json")
	os.WriteFile(filepath.Join(dir, ".new.json.tmp-1"), []byte("{"), 0o600)
	if _, err := Open(fresh, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".new.json.tmp-1")); !os.IsNotExist(err) {
		t.Errorf(".new.json.tmp-1 is still there (%v)", err)
	}
}
