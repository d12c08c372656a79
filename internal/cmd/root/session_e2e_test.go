package root_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// cli runs ssmctl (this test binary under that name) to its end with env
// and returns its stdout, stderr and exit code.
func cli(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(selfAs(t, "ssmctl"), args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

var sessionIDRE = regexp.MustCompile(`Starting session with SessionId: (\S+)`)

// sessionID is the session ID in ssmctl's status line.
func (c *ptyCLI) sessionID() string {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	m := sessionIDRE.FindStringSubmatch(c.out.String())
	if m == nil {
		c.t.Fatalf("no session ID in the output: %q", c.out.String())
	}
	return m[1]
}

// historyStatus is the status DescribeSessions gives the session id in
// History, through ssmctl session list.
func historyStatus(t *testing.T, env []string, id string) string {
	t.Helper()
	out, stderr, code := cli(t, env, "session", "list", "--state", "History", "-o", "json")
	if code != 0 {
		t.Fatalf("session list: exit %d: %s", code, stderr)
	}
	var sessions []struct {
		SessionID string `json:"sessionId"`
		Status    string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &sessions); err != nil {
		t.Fatalf("session list -o json: %v: %s", err, out)
	}
	for _, s := range sessions {
		if s.SessionID == id {
			return s.Status
		}
	}
	t.Fatalf("session %s is not in History: %s", id, out)
	return ""
}

// --record on a real interactive session: a 0600 asciicast v2 file whose
// header names the session, the node and the reason, and whose output
// events hold what the node printed. An existing file is replaced and
// keeps its mode (docs/output.md, "Files ssmctl writes").
func TestSessionRecordPTY(t *testing.T) {
	for _, existing := range []bool{false, true} {
		t.Run(map[bool]string{false: "new file", true: "existing 0644 file"}[existing], func(t *testing.T) {
			srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), NoPacing: true})
			path := t.TempDir() + "/web.cast"
			if existing {
				if err := os.WriteFile(path, []byte("old content\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := time.Now().Unix()
			c := startPTY(t, srv, "session", "web-1", "--record", path, "--reason", "INC-7 check")
			at := c.expect(0, "# ")
			c.send("echo hel''lo\r")
			c.expect(at, "hello\r\n")
			c.send("exit\r")
			if code := c.wait(); code != 0 {
				t.Fatalf("exit status %d", code)
			}
			<-c.done
			id := c.sessionID()
			after := time.Now().Unix()

			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			want := map[bool]os.FileMode{false: 0o600, true: 0o644}[existing]
			if mode := fi.Mode().Perm(); mode != want {
				t.Errorf("the recording has mode %o, want %o", mode, want)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			if !sc.Scan() {
				t.Fatal("the recording is empty")
			}
			var h struct {
				Version   *int              `json:"version"`
				Width     int               `json:"width"`
				Height    int               `json:"height"`
				Timestamp int64             `json:"timestamp"`
				Env       map[string]string `json:"env"`
				SessionID string            `json:"session_id"`
				Target    string            `json:"target"`
				Reason    string            `json:"reason"`
			}
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
				t.Fatalf("header %q: %v", sc.Text(), err)
			}
			if h.Version == nil || *h.Version != 2 {
				t.Errorf("header %s: want version 2", sc.Text())
			}
			// startPTY's terminal is 100x30.
			if h.Width != 100 || h.Height != 30 {
				t.Errorf("header size %dx%d, want 100x30", h.Width, h.Height)
			}
			if h.Timestamp < before || h.Timestamp > after {
				t.Errorf("header timestamp %d, want between %d and %d", h.Timestamp, before, after)
			}
			if h.SessionID != id || h.Target != "i-0aaaaaaaaaaaaaaa1" || h.Reason != "INC-7 check" {
				t.Errorf("header session_id %q, target %q, reason %q; want %q, i-0aaaaaaaaaaaaaaa1, INC-7 check", h.SessionID, h.Target, h.Reason, id)
			}
			if h.Env["TERM"] != "xterm" {
				t.Errorf("header env %v, want TERM xterm", h.Env)
			}

			var output strings.Builder
			last, events := 0.0, 0
			for sc.Scan() {
				var ev []any
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || len(ev) != 3 {
					t.Fatalf("event %q: not [time, code, data] (%v)", sc.Text(), err)
				}
				at, ok1 := ev[0].(float64)
				code, ok2 := ev[1].(string)
				data, ok3 := ev[2].(string)
				if !ok1 || !ok2 || !ok3 {
					t.Fatalf("event %q: want a number and two strings", sc.Text())
				}
				if at < last {
					t.Errorf("event %q goes back in time (after %v)", sc.Text(), last)
				}
				last = at
				events++
				switch code {
				case "o":
					output.WriteString(data)
				case "r":
				default:
					// "i" only with --record-input.
					t.Errorf("event %q: code %q", sc.Text(), code)
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if events == 0 || !strings.Contains(output.String(), "hello\r\n") {
				t.Errorf("the output events (%d) do not hold hello: %q", events, output.String())
			}
			if strings.Contains(output.String(), "old content") {
				t.Error("the old content of the file is still there")
			}
		})
	}
}

// An interactive session left idle past the idle timeout of the
// preferences ends by itself: ssmctl shows the service's reason, exits 0,
// and the session is in History with the status the sandbox gives it
// (Terminated: the model has no timed-out status).
func TestSessionIdleTimeoutPTY(t *testing.T) {
	// 1 minute scaled by 0.02: 1.2 s of idleness.
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), NoPacing: true, TimeoutScale: 0.02})
	env := sandboxEnv(t, srv)
	if _, stderr, code := cli(t, env, "session", "prefs", "set", "--idle-timeout", "1"); code != 0 {
		t.Fatalf("prefs set: exit %d: %s", code, stderr)
	}
	c := startPTYEnv(t, env, "session", "web-1")
	at := c.expect(0, "# ")
	id := c.sessionID()
	// Nothing is typed from here on. (expect fails after 20 s, so a
	// session that never times out does not hang the test.)
	c.expect(at, "Your session timed out due to inactivity and has been terminated.")
	if code := c.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	<-c.done
	if out, _, _ := cli(t, env, "session", "list", "-o", "json"); strings.Contains(out, id) {
		t.Errorf("session %s is still active: %s", id, out)
	}
	if got := historyStatus(t, env, id); got != "Terminated" {
		t.Errorf("session %s is %s in History, want Terminated", id, got)
	}
}

// tokenProxy stands between ssmctl and the sandbox's API and keeps every
// TokenValue that StartSession and ResumeSession return.
type tokenProxy struct {
	mu     sync.Mutex
	tokens []string
}

func (p *tokenProxy) start(t *testing.T, srv *sandbox.Server) string {
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		op := resp.Request.Header.Get("X-Amz-Target")
		if op != "AmazonSSM.StartSession" && op != "AmazonSSM.ResumeSession" {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var out struct{ TokenValue string }
		if json.Unmarshal(body, &out) == nil && out.TokenValue != "" {
			p.mu.Lock()
			p.tokens = append(p.tokens, out.TokenValue)
			p.mu.Unlock()
		}
		return nil
	}
	ps := httptest.NewServer(rp)
	t.Cleanup(ps.Close)
	return ps.URL
}

func (p *tokenProxy) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.tokens...)
}

// processTree is pid and its descendants.
func processTree(t *testing.T, pid int) []int {
	t.Helper()
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 1 {
			if ppid, err := strconv.Atoi(f[1]); err == nil {
				children[ppid] = append(children[ppid], p)
			}
		}
	}
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// The session token never reaches the process arguments of ssmctl or of a
// child, nor --debug output, while a session runs through WebSocket drops
// (each one a ResumeSession and a new token).
func TestSessionTokensNotExposed(t *testing.T) {
	opts := sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), NoPacing: true, Seed: 3}
	if err := opts.Faults.Add("ws-drop=0.2"); err != nil {
		t.Fatal(err)
	}
	srv := sandbox.Start(t, opts)
	var proxy tokenProxy
	env := append(sandboxEnv(t, srv), "AWS_ENDPOINT_URL="+proxy.start(t, srv))

	c := startPTYEnv(t, env, "--debug", "session", "web-1")
	at := c.expect(0, "# ")
	c.send("echo hel''lo\r")
	at = c.expect(at, "hello\r\n")

	tokens := proxy.all()
	if len(tokens) == 0 {
		t.Fatal("the proxy saw no token: the test proves nothing")
	}
	// While the session runs: the arguments of ssmctl and its children.
	for _, pid := range processTree(t, c.cmd.Process.Pid) {
		argv, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil {
			continue // gone meanwhile
		}
		for _, tok := range tokens {
			if bytes.Contains(argv, []byte(tok)) {
				t.Errorf("process %d has the session token in its arguments: %q", pid, argv)
			}
		}
	}

	// Output after the WebSocket's first second, which ws-drop spares, in
	// about a hundred messages: drops (and resumes) are all but certain.
	c.send("sleep 1.2; seq 1 20000\r")
	c.expect(at, "\r\n20000\r\n")
	c.send("exit\r")
	if code := c.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	<-c.done
	c.mu.Lock()
	out := c.out.String()
	c.mu.Unlock()
	if !strings.Contains(out, "SSM.StartSession attempt 1 -> 200") {
		t.Fatalf("no --debug output: %q", out)
	}
	for _, tok := range proxy.all() {
		if strings.Contains(out, tok) {
			t.Errorf("--debug output holds a session token:\n%s", out)
		}
	}
	if resumes := srv.Stats().Operations["ssm.ResumeSession"].Calls; resumes == 0 {
		t.Error("no WebSocket was dropped: the new tokens of ResumeSession were not tried")
	}
}
