// Package patch is Patch Manager: patch baselines (AWS's predefined ones
// and the account's own), patch groups and default baselines, each node's
// patch inventory and patch states (the state file's "patch"), and the
// aws:runPatchBaseline plugin the agent runs for AWS-RunPatchBaseline:
// scan applies the node's baseline, install installs what it approves.
// Rules, limits and error names come from botocore's ssm/2014-11-06
// model; docs/sandbox-patch.md lists the decisions and their sources.
package patch

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is Patch Manager.
type Area struct {
	h     *area.Host
	nodes *nodes.Area
	sec   *store.Section // guards st
	st    *state
}

// state is Patch Manager's part of the state file.
type state struct {
	Baselines []*baseline           `json:"baselines"`          // the account's own
	Defaults  map[string]string     `json:"defaults,omitempty"` // operating system -> registered default
	Groups    []*groupRegistration  `json:"groups,omitempty"`
	Nodes     map[string]*nodeState `json:"nodes,omitempty"`
}

// groupRegistration is a patch group registered with a baseline (one per
// operating system).
type groupRegistration struct {
	PatchGroup string `json:"patchGroup"`
	BaselineID string `json:"baselineId"`
}

// New loads Patch Manager's state, registers its operations, and hands
// the agent the aws:runPatchBaseline plugin.
func New(h *area.Host, n *nodes.Area, cmds *commands.Area) (*Area, error) {
	a := &Area{h: h, nodes: n, st: &state{}}
	if err := h.Store.Load("patch", a.st); err != nil {
		return nil, err
	}
	if a.st.Defaults == nil {
		a.st.Defaults = map[string]string{}
	}
	if a.st.Nodes == nil {
		a.st.Nodes = map[string]*nodeState{}
	}
	a.sec = h.Section(func() []store.Member { return []store.Member{{Key: "patch", Value: a.st}} })

	r := h.Router
	for name, fn := range map[string]router.Handler{
		"DescribePatchBaselines":                   router.Handle(a.describePatchBaselines),
		"GetPatchBaseline":                         router.Handle(a.getPatchBaseline),
		"CreatePatchBaseline":                      router.Handle(a.createPatchBaseline),
		"UpdatePatchBaseline":                      router.Handle(a.updatePatchBaseline),
		"DeletePatchBaseline":                      router.Handle(a.deletePatchBaseline),
		"RegisterPatchBaselineForPatchGroup":       router.Handle(a.registerPatchBaselineForPatchGroup),
		"DeregisterPatchBaselineForPatchGroup":     router.Handle(a.deregisterPatchBaselineForPatchGroup),
		"DescribePatchGroups":                      router.Handle(a.describePatchGroups),
		"GetPatchBaselineForPatchGroup":            router.Handle(a.getPatchBaselineForPatchGroup),
		"GetDefaultPatchBaseline":                  router.Handle(a.getDefaultPatchBaseline),
		"RegisterDefaultPatchBaseline":             router.Handle(a.registerDefaultPatchBaseline),
		"DescribeInstancePatchStates":              router.Handle(a.describeInstancePatchStates),
		"DescribeInstancePatchStatesForPatchGroup": router.Handle(a.describeInstancePatchStatesForPatchGroup),
		"DescribeInstancePatches":                  router.Handle(a.describeInstancePatches),
	} {
		r.Register(router.SSM, name, fn)
	}
	cmds.HandlePlugin(documents.RunPatchBaselinePlugin, a.runPatchBaseline)
	cmds.OnReboot(a.rebooted)
	return a, nil
}

// view runs fn with Patch Manager's state locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the state locked and, if fn succeeds, saves it.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// rebooted ends the node's wait for a reboot: its installed patches are
// no longer pending one. The recorded patch state changes at the next
// scan or install, as on AWS.
func (a *Area) rebooted(id string) {
	_ = a.mutate(func(st *state) error {
		if ns := st.Nodes[id]; ns != nil {
			for _, p := range ns.Patches {
				p.PendingReboot = false
			}
		}
		return nil
	})
}
