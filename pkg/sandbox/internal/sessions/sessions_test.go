package sessions

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Tests of Session Manager's internals. Sessions end to end (the SDK, the
// data channel, the official plugin, the AWS CLI) are tested through the
// sandbox's public face, in pkg/sandbox.

// newTestArea is Session Manager with the nodes and documents areas it
// uses, the default fleet, on an httptest server that serves the data
// channel; statePath "" keeps the state in memory.
func newTestArea(t *testing.T, statePath string) (*Area, *httptest.Server) {
	t.Helper()
	sf, err := store.Open(statePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &area.Host{Region: "us-east-1", AccountID: "123456789012", Clock: time.Now, Router: router.New(router.Config{}), Store: sf}
	var fleet *nodes.Fleet
	if !sf.Loaded() {
		fleet = nodes.DefaultFleet()
	}
	n, err := nodes.New(h, fleet)
	if err != nil {
		t.Fatal(err)
	}
	d, err := documents.New(h)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := h.Router.Stream(r.URL.Path); s != nil {
			s.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	a, err := New(h, n, d, Config{Addr: func() string { return srv.Listener.Addr().String() }, NoPacing: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return a, srv
}

func str(s string) *string { return &s }

func errorType(err error) string {
	var ae *protocol.APIError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}

// status is a session's status in the area's state, "" if unknown.
func (a *Area) status(id string) string {
	var st string
	a.view(func(x *state) {
		if r := x.sessionByID[id]; r != nil {
			st = r.Status
		}
	})
	return st
}

// A session starts Connecting, with a StreamUrl on the sandbox's listener
// and an Owner that is the caller; TerminateSession moves it to the
// history, ended.
func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	a, srv := newTestArea(t, "")
	out, err := a.startSession(&startSessionInput{Target: str("i-0a1b2c3d4e5f60001"), Reason: str("testing")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.SessionId, area.CallerName+"-") || !strings.HasPrefix(out.StreamUrl, "ws://"+srv.Listener.Addr().String()+"/v1/data-channel/"+out.SessionId+"?") || out.TokenValue == "" {
		t.Errorf("StartSession: %+v", out)
	}
	if st := a.status(out.SessionId); st != sessionConnecting {
		t.Errorf("status %q after StartSession, want %s", st, sessionConnecting)
	}
	active, err := a.describeSessions(&describeSessionsInput{State: str("Active")})
	if err != nil || len(active.Sessions) != 1 || active.Sessions[0].Owner != a.h.CallerARN() || active.Sessions[0].Reason != "testing" {
		t.Errorf("active: %+v, %v", active, err)
	}
	if _, err := a.terminateSession(&sessionIDInput{SessionId: str(out.SessionId)}); err != nil {
		t.Fatal(err)
	}
	if st := a.status(out.SessionId); st != sessionTerminated {
		t.Errorf("status %q after TerminateSession, want %s", st, sessionTerminated)
	}
	hist, err := a.describeSessions(&describeSessionsInput{State: str("History")})
	if err != nil || len(hist.Sessions) != 1 || hist.Sessions[0].EndDate == nil {
		t.Errorf("history: %+v, %v", hist, err)
	}
	resumed, err := a.resumeSession(&sessionIDInput{SessionId: str(out.SessionId)})
	if err != nil || resumed.TokenValue != "" || resumed.StreamUrl != "" {
		t.Errorf("ResumeSession of an ended session: %+v, %v", resumed, err)
	}
}

// DescribeSessions requires State (the SDK checks it before sending, so
// only a direct call sees the sandbox's answer).
func TestDescribeSessionsNeedsState(t *testing.T) {
	t.Parallel()
	a, _ := newTestArea(t, "")
	if _, err := a.describeSessions(&describeSessionsInput{}); errorType(err) != "ValidationException" {
		t.Errorf("no State: %v", err)
	}
}

// Sessions a previous run left open have ended when the state file is
// loaded: their data channel did not survive.
func TestOpenSessionsEndAtLoad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	file := `{"version": 1, "sessions": [{"id": "sandbox-user-0123456789abcdef0", "target": "i-0a1b2c3d4e5f60001",
		"documentName": "SSM-SessionManagerRunShell", "owner": "arn:aws:iam::123456789012:user/sandbox-user",
		"status": "Connected", "start": "2026-01-02T03:04:05Z"}]}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	a, _ := newTestArea(t, path)
	var r sessionRecord
	a.view(func(st *state) { r = *st.sessionByID["sandbox-user-0123456789abcdef0"] })
	if r.Status != sessionTerminated || r.End == nil || !r.End.Equal(r.Start) {
		t.Errorf("a session left Connected, after loading: %+v", r)
	}
}
