package commands

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
)

// aws:runShellScript and aws:runPowerShellScript steps.

var unsafePathChars = lazyre.New(`[^a-zA-Z0-9_.\-]`)

// runScriptStep runs one script step, restarting it after each reboot
// request: exit 194 on Linux and macOS, 3010 on Windows. The agent reruns
// the step from the beginning after the reboot (runpluginutil:
// SuccessAndReboot is reset to InProgress and run again); the plugin stays
// InProgress meanwhile, and the output of every run is kept, in order (the
// agent appends to the step's output files).
func (r *runner) runScriptStep(step documents.Step, p *pluginRun) stepResult {
	s := r.a.area
	lines := runCommandLines(step.Inputs["runCommand"], nil)
	orch := filepath.Join(r.node.dir, "orchestration", r.c.ID, unsafePathChars.ReplaceAllString(step.Name, "_"))
	if err := os.MkdirAll(orch, 0o700); err != nil {
		return stepResult{status: "Failed", code: 1, stderr: fmt.Sprintf("failed to create orchestrationDir directory, %v", orch)}
	}
	windows := r.node.windows()
	// The script file is read by the shell, not executed: exec'ing a file
	// that was just written races other forks still holding it open for
	// writing ("text file busy") when many nodes start at once.
	shell, scriptName := []string{"/bin/sh"}, "_script.sh"
	if step.Action == "aws:runPowerShellScript" {
		scriptName = "_script.ps1"
		if !windows {
			// On Linux the agent runs PowerShell Core.
			pwsh, err := exec.LookPath("pwsh")
			if err != nil {
				return stepResult{status: "Failed", code: 1, stderr: "failed to run commands: " + err.Error()}
			}
			shell = []string{pwsh, "-NonInteractive", "-ExecutionPolicy", "Unrestricted", "-f"}
		}
		// A Windows node has no PowerShell here: it runs the script with
		// /bin/sh as a stand-in (docs/sandbox-run-command.md).
	}
	script := filepath.Join(orch, scriptName)
	if err := writeScript(script, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return stepResult{status: "Failed", code: 1, stderr: fmt.Sprintf("failed to create script file. %v", err)}
	}
	wd := r.node.dir
	if w, _ := step.Inputs["workingDirectory"].(string); w != "" {
		if filepath.IsAbs(w) {
			wd = w
		} else if d := filepath.Join(orch, "downloads", w); dirExists(d) {
			wd = d
		}
	}
	timeoutSecs := agentTimeout(step.Inputs["timeoutSeconds"])
	if timeoutSecs == 0 {
		timeoutSecs = defaultExecutionTimeout
	}
	timeout := s.scaled(time.Duration(timeoutSecs) * time.Second)
	env := append(os.Environ(),
		"SSM_COMMAND_ID="+r.c.ID,
		"AWS_SSM_INSTANCE_ID="+r.inv.InstanceID,
		"AWS_SSM_REGION_NAME="+s.h.Region,
		nodeUsersPath(r.node.dir), // the node's users (users.go)
	)
	rebootCode, stoppedCode := rebootExitCodeUnix, stoppedExitCodeUnix
	if windows {
		rebootCode, stoppedCode = rebootExitCodeWindows, stoppedExitCodeWindows
	}

	var stdout, stderr strings.Builder
	for {
		res := runProcess(r.ctx, wd, append(shell, script), env, timeout)
		stdout.WriteString(res.stdout)
		stderr.WriteString(res.stderr)
		code := res.code
		// A POSIX exit status is 8 bits: the /bin/sh stand-in on a Windows
		// node can only report 3010 as 194 (3010 mod 256).
		if windows && code == rebootExitCodeUnix {
			code = rebootExitCodeWindows
		}
		out := stepResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
		switch {
		case res.startErr != nil:
			out.status, out.code = "Failed", 1
			out.stderr += "failed to run commands: " + res.startErr.Error()
		case res.timedOut:
			out.status, out.code = "TimedOut", stoppedCode
		case res.cancelled:
			out.status, out.code = "Cancelled", stoppedCode
		case code == 0:
			out.status = "Success"
		case code == rebootCode:
			s.h.Log("sandbox: node %s reboots (command %s, step %s)", r.inv.InstanceID, r.c.ID, step.Name)
			// Before rebooting, the agent tells the service (AWS: "Handling
			// reboots when running commands"); the step stays InProgress and
			// shows the reboot request and the output so far.
			if p != nil {
				s.update(func() {
					p.ResponseCode = code
					p.Stdout, p.Stderr = out.stdout, out.stderr
				})
			}
			select {
			case <-time.After(s.rebootDelay()):
				s.rebooted(r.inv.InstanceID)
				continue
			case <-r.ctx.Done():
				out.status, out.code = "Cancelled", stoppedCode
				return out
			}
		case code == exitWithSuccess:
			out.status, out.exitDocument = "Success", true
			out.stderr = ""
			out.stdout += "\nStep exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped."
		default:
			// The agent appends the exec error to stderr
			// (runscript: MarkAsFailed("failed to run commands: ...")).
			out.status = "Failed"
			out.stderr += fmt.Sprintf("failed to run commands: exit status %d", res.code)
			if code == exitWithFailure {
				out.exitDocument = true
				out.stdout += "\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped."
				out.stderr += "\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped."
			}
		}
		return out
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
