// Package activations is the sandbox's hybrid activations and the
// account's SSM service settings: CreateActivation, DescribeActivations,
// DeleteActivation, DeregisterManagedInstance, GetServiceSetting,
// UpdateServiceSetting and ResetServiceSetting, and the agent's
// registration (RegisterManagedInstance), which adds an mi- node to the
// nodes area. Its state is the state file's "activations" and
// "serviceSettings"; an activation's code is kept only as a SHA-256 hash.
package activations

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is the activations and service settings.
type Area struct {
	h     *area.Host
	nodes *nodes.Area
	sec   *store.Section // guards st
	st    *state
}

// state is the area's part of the state file.
type state struct {
	Activations []*activation
	// Settings are the customized service settings, by setting path
	// (/ssm/...); a setting not here has its default value.
	Settings map[string]*setting
}

// New loads the activations and settings and registers the operations.
func New(h *area.Host, n *nodes.Area) (*Area, error) {
	a := &Area{h: h, nodes: n, st: &state{}}
	if err := h.Store.Load("activations", &a.st.Activations); err != nil {
		return nil, err
	}
	if err := h.Store.Load("serviceSettings", &a.st.Settings); err != nil {
		return nil, err
	}
	if a.st.Settings == nil {
		a.st.Settings = map[string]*setting{}
	}
	a.sec = h.Section(func() []store.Member {
		acts := a.st.Activations
		if acts == nil {
			acts = []*activation{}
		}
		return []store.Member{{Key: "activations", Value: acts}, {Key: "serviceSettings", Value: a.st.Settings}}
	})

	r := h.Router
	r.Register(router.SSM, "CreateActivation", router.Handle(a.createActivation))
	r.Register(router.SSM, "DescribeActivations", router.Handle(a.describeActivations))
	r.Register(router.SSM, "DeleteActivation", router.Handle(a.deleteActivation))
	r.Register(router.SSM, "DeregisterManagedInstance", router.Handle(a.deregisterManagedInstance))
	r.Register(router.SSM, "GetServiceSetting", router.Handle(a.getServiceSetting))
	r.Register(router.SSM, "UpdateServiceSetting", router.Handle(a.updateServiceSetting))
	r.Register(router.SSM, "ResetServiceSetting", router.Handle(a.resetServiceSetting))
	r.Register(router.SSM, "RegisterManagedInstance", router.Handle(a.registerManagedInstance))
	return a, nil
}

// view runs fn with the state locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the state locked and, if fn succeeds, saves it.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}
