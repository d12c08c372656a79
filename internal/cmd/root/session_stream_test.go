package root_test

import (
	"bytes"
	"crypto/sha256"
	"os/exec"
	"testing"

	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// 10 MB of output arrive intact through a one-shot session. (With the
// sandbox's ws-drop fault the output currently comes back with about 14 KB
// repeated; that case is left out until the cause is found.)
func TestSessionLargeOutput(t *testing.T) {
	// The pause lets the output start after the first second of the
	// WebSocket, which the ws-drop fault spares (docs/sandbox-sessions.md).
	const script = "sleep 1.5; head -c 10000000 /dev/zero | tr '\\0' 'x'; printf end"
	want := sha256.Sum256(append(bytes.Repeat([]byte("x"), 10000000), "end"...))
	for _, tc := range []struct {
		name  string
		fault string
	}{
		{"clean", ""},
		// About five drops in 10 MB: each one a ResumeSession, a reconnect
		// and resent messages, with nothing lost or shown twice.
		{"ws-drop", "ws-drop=0.0005"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), NoPacing: true, Seed: 1}
			if tc.fault != "" {
				if err := opts.Faults.Add(tc.fault); err != nil {
					t.Fatal(err)
				}
			}
			srv := sandbox.Start(t, opts)
			cmd := exec.Command(selfAs(t, "ssmctl"), "session", "web-1", "--quiet", "--", script)
			cmd.Env = sandboxEnv(t, srv)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			if got := sha256.Sum256(out); got != want {
				t.Errorf("%d bytes with another sha256; stderr: %s", len(out), stderr.String())
			}
			if resumes := srv.Stats().Operations["ssm.ResumeSession"].Calls; tc.fault != "" && resumes == 0 {
				t.Errorf("no WebSocket was dropped: the test proves nothing")
			}
		})
	}
}
