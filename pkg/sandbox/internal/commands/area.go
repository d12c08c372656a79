// Package commands is Run Command: SendCommand and the commands'
// history (the state file's "commands"), the listing and cancel
// operations, and the service side of the simulated agent: delivery under
// MaxConcurrency and MaxErrors, document steps run on the nodes, status
// transitions and output truncation. It reads nodes and documents
// through their areas.
package commands

import (
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Timing is Run Command's timing (sandbox.Options): zero means none.
type Timing struct {
	InvocationDelay time.Duration
	RebootDelay     time.Duration
	TimeoutScale    float64
}

// Area is Run Command.
type Area struct {
	h         *area.Host
	nodes     *nodes.Area
	documents *documents.Area
	timing    Timing
	agent     *fleetAgent
	hooks     map[string]PluginFunc // plugins other areas run (hooks.go)
	onReboot  []func(instanceID string)

	sec *store.Section // guards st and every command's progress
	st  *state
}

// state is Run Command's part of the state file: the commands, oldest
// first.
type state struct {
	Commands    []*command
	commandByID map[string]*command
}

// New loads the commands from the state file and registers Run
// Command's operations.
func New(h *area.Host, n *nodes.Area, d *documents.Area, timing Timing) (*Area, error) {
	a := &Area{h: h, nodes: n, documents: d, timing: timing, st: &state{}}
	if err := h.Store.Load("commands", &a.st.Commands); err != nil {
		return nil, err
	}
	a.st.restore()
	a.sec = h.Section(func() []store.Member { return []store.Member{{Key: "commands", Value: a.st.Commands}} })
	a.agent = newFleetAgent(a)
	h.OnClose(a.agent.close)

	r := h.Router
	r.Register(router.SSM, "SendCommand", router.Handle(a.sendCommand))
	r.Register(router.SSM, "ListCommands", router.Handle(a.listCommands))
	r.Register(router.SSM, "ListCommandInvocations", router.Handle(a.listCommandInvocations))
	r.Register(router.SSM, "GetCommandInvocation", router.Handle(a.getCommandInvocation))
	r.Register(router.SSM, "CancelCommand", router.Handle(a.cancelCommand))
	return a, nil
}

// restore rebuilds what a state file does not hold: the commands'
// resolved limits. Invocations a previous run left unfinished never got a
// terminal answer from their node, which AWS reports as DeliveryTimedOut
// ("Understanding command timeout values").
func (st *state) restore() {
	st.commandByID = make(map[string]*command, len(st.Commands))
	for _, c := range st.Commands {
		st.commandByID[c.ID] = c
		c.concurrency = resolveRate(c.MaxConcurrency, len(c.Invocations), true)
		c.errorLimit = resolveRate(c.MaxErrors, len(c.Invocations), false)
		for _, inv := range c.Invocations {
			if !inv.terminal() {
				inv.setAll("TimedOut", "DeliveryTimedOut")
			}
		}
	}
}

// view runs fn with the commands locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the commands locked and, if fn succeeds, saves
// them.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}
