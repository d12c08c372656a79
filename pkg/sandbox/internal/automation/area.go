// Package automation is Systems Manager Automation: the executions of
// runbooks (the state file's "automationExecutions"), their operations
// (StartAutomationExecution, GetAutomationExecution,
// DescribeAutomationExecutions, DescribeAutomationStepExecutions,
// StopAutomationExecution, SendAutomationSignal) and the engine that runs
// schema 0.3 runbooks step by step on the sandbox's fleet: aws:runCommand
// through Run Command, aws:changeInstanceState through the nodes,
// aws:executeAwsApi through the router's SSM operations. It reads
// documents, nodes and Run Command through their areas.
package automation

import (
	"context"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is Automation.
type Area struct {
	h         *area.Host
	nodes     *nodes.Area
	documents *documents.Area
	commands  *commands.Area
	scale     float64
	// peers finds the Automation of another account and Region the
	// sandbox serves (nil: not served); TargetLocations' children run
	// there.
	peers func(account, region string) *Area

	sec *store.Section // guards st and every execution's progress
	st  *state

	// ctx ends the engine's goroutines at Close; wg waits for them.
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	closed bool // guarded by sec
}

// state is Automation's part of the state file: the executions, oldest
// first.
type state struct {
	Executions []*execution
	byID       map[string]*execution
	tokens     map[string]string // ClientToken (lower case) -> execution ID
}

// New loads the executions and registers Automation's operations.
// timeoutScale multiplies every step timeout (0 is 1), as it does Run
// Command's.
func New(h *area.Host, n *nodes.Area, d *documents.Area, c *commands.Area, timeoutScale float64) (*Area, error) {
	a := &Area{h: h, nodes: n, documents: d, commands: c, scale: timeoutScale, st: &state{}}
	if a.scale <= 0 {
		a.scale = 1
	}
	if err := h.Store.Load("automationExecutions", &a.st.Executions); err != nil {
		return nil, err
	}
	a.st.restore(h.Clock())
	a.sec = h.Section(func() []store.Member {
		return []store.Member{{Key: "automationExecutions", Value: a.st.Executions}}
	})
	a.ctx, a.stop = context.WithCancel(context.Background())
	h.OnClose(a.close)

	r := h.Router
	r.Register(router.SSM, "StartAutomationExecution", router.Handle(a.startAutomationExecution))
	r.Register(router.SSM, "GetAutomationExecution", router.Handle(a.getAutomationExecution))
	r.Register(router.SSM, "DescribeAutomationExecutions", router.Handle(a.describeAutomationExecutions))
	r.Register(router.SSM, "DescribeAutomationStepExecutions", router.Handle(a.describeAutomationStepExecutions))
	r.Register(router.SSM, "StopAutomationExecution", router.Handle(a.stopAutomationExecution))
	r.Register(router.SSM, "SendAutomationSignal", router.Handle(a.sendAutomationSignal))
	return a, nil
}

// SetPeers tells Automation how to reach the other accounts and Regions
// the sandbox serves (the sandbox calls it once every location is open).
// Without it, only this location is served.
func (a *Area) SetPeers(peers func(account, region string) *Area) { a.peers = peers }

// peer is the Automation of a location: this one, another the sandbox
// serves, or nil.
func (a *Area) peer(account, region string) *Area {
	if account == a.h.AccountID && region == a.h.Region {
		return a
	}
	if a.peers == nil {
		return nil
	}
	return a.peers(account, region)
}

// restore indexes the executions a state file holds. An execution a
// previous run left unfinished has lost its engine: it ends Failed.
func (st *state) restore(now time.Time) {
	st.byID = make(map[string]*execution, len(st.Executions))
	st.tokens = map[string]string{}
	for _, e := range st.Executions {
		st.byID[e.ID] = e
		if e.ClientToken != "" {
			st.tokens[e.ClientToken] = e.ID
		}
		e.wake = make(chan struct{}, 1)
		if !terminal(e.Status) {
			for _, s := range e.Steps {
				if !terminal(s.Status) {
					s.Status, s.End = "Failed", now
					s.FailureMessage = "The sandbox stopped while the step ran."
				}
			}
			e.Status, e.End = "Failed", now
			e.FailureMessage = "The sandbox stopped while the execution ran."
		}
	}
}

// close stops the engine and waits for its goroutines.
func (a *Area) close() error {
	a.sec.Update(func() { a.closed = true })
	a.stop()
	a.wg.Wait()
	return nil
}

// view runs fn with the executions locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the executions locked and, if fn succeeds, saves
// them.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// update runs fn with the executions locked, without saving (progress).
func (a *Area) update(fn func(st *state)) { a.sec.Update(func() { fn(a.st) }) }

// scaled applies the timeout scale.
func (a *Area) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * a.scale)
}

func terminal(status string) bool {
	switch status {
	case "Success", "Failed", "TimedOut", "Cancelled", "CompletedWithSuccess", "CompletedWithFailure", "Rejected", "Exited":
		return true
	}
	return false
}
