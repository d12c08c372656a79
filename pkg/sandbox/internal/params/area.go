// Package params is the sandbox's Parameter Store and the KMS keys that
// seal its SecureStrings: the parameters, their versions, labels,
// policies and tags, in the state file's "parameters" and "kmsKeys".
package params

import (
	"fmt"
	"maps"
	"sort"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is Parameter Store.
type Area struct {
	h   *area.Host
	sec *store.Section // guards st
	st  *state
}

// state is Parameter Store's part of the state file.
type state struct {
	Parameters []*parameter
	KMSKeys    []*kmsKey

	paramByName map[string]*parameter
	paramNames  []string // sorted
}

// New loads the parameters from the state file, or starts with none and
// the given keys, and registers Parameter Store's operations.
func New(h *area.Host, keys []KMSKey) (*Area, error) {
	a := &Area{h: h, st: &state{}}
	if err := h.Store.Load("parameters", &a.st.Parameters); err != nil {
		return nil, err
	}
	if err := h.Store.Load("kmsKeys", &a.st.KMSKeys); err != nil {
		return nil, err
	}
	if h.Store.Loaded() {
		if err := a.st.restore(); err != nil {
			return nil, h.Store.Corrupt(err)
		}
	} else {
		a.st.KMSKeys = newKMSKeys(keys)
	}
	a.st.index()
	a.sec = h.Section(func() []store.Member {
		return []store.Member{{Key: "parameters", Value: a.st.Parameters}, {Key: "kmsKeys", Value: a.st.KMSKeys}}
	})

	r := h.Router
	r.Register(router.SSM, "PutParameter", router.Handle(a.putParameter))
	r.Register(router.SSM, "GetParameter", router.Handle(a.getParameter))
	r.Register(router.SSM, "GetParameters", router.Handle(a.getParameters))
	r.Register(router.SSM, "GetParametersByPath", router.Handle(a.getParametersByPath))
	r.Register(router.SSM, "DescribeParameters", router.Handle(a.describeParameters))
	r.Register(router.SSM, "GetParameterHistory", router.Handle(a.getParameterHistory))
	r.Register(router.SSM, "LabelParameterVersion", router.Handle(a.labelParameterVersion))
	r.Register(router.SSM, "UnlabelParameterVersion", router.Handle(a.unlabelParameterVersion))
	r.Register(router.SSM, "DeleteParameter", router.Handle(a.deleteParameter))
	r.Register(router.SSM, "DeleteParameters", router.Handle(a.deleteParameters))
	return a, nil
}

// restore checks what a state file holds.
func (st *state) restore() error {
	if len(st.KMSKeys) == 0 {
		// A state file from before Parameter Store: give it its keys.
		st.KMSKeys = newKMSKeys(nil)
	}
	for _, p := range st.Parameters {
		if len(p.Versions) == 0 {
			return fmt.Errorf("parameter %s has no versions", p.Name)
		}
	}
	return nil
}

func (st *state) index() {
	st.paramByName = make(map[string]*parameter, len(st.Parameters))
	st.paramNames = make([]string, 0, len(st.Parameters))
	for _, p := range st.Parameters {
		st.paramByName[p.Name] = p
		st.paramNames = append(st.paramNames, p.Name)
	}
	sort.Strings(st.paramNames)
}

// view runs fn with the parameters locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the parameters locked and, if fn succeeds, saves
// them.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// AddTags runs merge on a live parameter's tags (the ResourceId of the
// tag operations is the parameter's name) and saves what it returns. An
// unknown name is InvalidResourceId.
func (a *Area) AddTags(name string, merge func(tags map[string]string) (map[string]string, error)) error {
	return a.mutate(func(st *state) error {
		p := st.liveParam(cleanName(name), a.h.Clock())
		if p == nil {
			return protocol.ErrInvalidResourceID()
		}
		tags, err := merge(p.Tags)
		if err != nil {
			return err
		}
		p.Tags = tags
		return nil
	})
}

// RemoveTags deletes a live parameter's tags by key and saves.
func (a *Area) RemoveTags(name string, keys []string) error {
	return a.mutate(func(st *state) error {
		p := st.liveParam(cleanName(name), a.h.Clock())
		if p == nil {
			return protocol.ErrInvalidResourceID()
		}
		for _, k := range keys {
			delete(p.Tags, k)
		}
		return nil
	})
}

// Tags are a live parameter's tags (a copy).
func (a *Area) Tags(name string) (map[string]string, error) {
	var out map[string]string
	err := protocol.ErrInvalidResourceID()
	a.view(func(st *state) {
		if p := st.liveParam(cleanName(name), a.h.Clock()); p != nil {
			out, err = maps.Clone(p.Tags), nil
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
