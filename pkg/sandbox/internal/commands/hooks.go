package commands

import (
	"context"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
)

// Plugins another area runs in Go (the patch area's aws:runPatchBaseline):
// the agent hands such a step to the area's function instead of a shell.

// PluginRun is one step handed to a plugin function.
type PluginRun struct {
	CommandID  string
	InstanceID string
	Platform   string         // Linux | Windows | MacOS
	Inputs     map[string]any // parameters substituted
	// Reboot simulates the node's reboot (the sandbox's --reboot-delay);
	// it fails when the command is cancelled meanwhile.
	Reboot func() error
}

// PluginResult is how a plugin step ended: Success or Failed, the
// step's exit code and output.
type PluginResult struct {
	Status         string
	Code           int
	Stdout, Stderr string
}

// PluginFunc runs one step of a plugin on a node.
type PluginFunc func(ctx context.Context, run PluginRun) PluginResult

// HandlePlugin makes the agent run action's steps with fn. Areas call it
// when they open, before the sandbox serves requests.
func (a *Area) HandlePlugin(action string, fn PluginFunc) {
	if a.hooks == nil {
		a.hooks = map[string]PluginFunc{}
	}
	a.hooks[action] = fn
}

// OnReboot makes fn run each time a node's simulated reboot ends (a
// script's exit 194 or 3010, a plugin's Reboot), with no lock held: the
// patch area clears the node's patches pending a reboot. Areas call it
// when they open.
func (a *Area) OnReboot(fn func(instanceID string)) { a.onReboot = append(a.onReboot, fn) }

// rebooted tells the OnReboot functions that id has rebooted.
func (a *Area) rebooted(id string) {
	for _, fn := range a.onReboot {
		fn(id)
	}
}

// runHookStep runs a step whose plugin another area handles.
func (r *runner) runHookStep(step documents.Step, fn PluginFunc) stepResult {
	s := r.a.area
	run := PluginRun{
		CommandID: r.c.ID, InstanceID: r.inv.InstanceID, Platform: r.node.platform, Inputs: step.Inputs,
		Reboot: func() error {
			s.h.Log("sandbox: node %s reboots (command %s, step %s)", r.inv.InstanceID, r.c.ID, step.Name)
			select {
			case <-time.After(s.rebootDelay()):
				s.rebooted(r.inv.InstanceID)
				return nil
			case <-r.ctx.Done():
				return r.ctx.Err()
			}
		},
	}
	res := fn(r.ctx, run)
	if r.ctx.Err() != nil {
		stopped := stoppedExitCodeUnix
		if r.node.windows() {
			stopped = stoppedExitCodeWindows
		}
		return stepResult{status: "Cancelled", code: stopped, stdout: res.Stdout, stderr: res.Stderr}
	}
	return stepResult{status: res.Status, code: res.Code, stdout: res.Stdout, stderr: res.Stderr}
}
