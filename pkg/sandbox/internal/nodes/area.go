// Package nodes is the sandbox's managed nodes: the fleet (its YAML
// format, the default and generated fleets), the nodes' state (the state
// file's "nodes"), their working directories, and SSM's managed-node
// operations (DescribeInstanceInformation, GetConnectionStatus). Other
// areas read nodes through Get and All, which hand out copies.
package nodes

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Area is the managed nodes.
type Area struct {
	h       *area.Host
	started time.Time
	sec     *store.Section // guards st
	st      *state

	dirOnce sync.Once
	root    string
	rootErr error
}

// state is the nodes' part of the state file.
type state struct {
	Nodes []*Node
	byID  map[string]*Node
}

// New takes the nodes from the state file when the sandbox has one, else
// from fleet, and registers the managed-node operations. Node working
// directories live in one temporary directory, created on first use and
// removed at Close.
func New(h *area.Host, fleet *Fleet) (*Area, error) {
	a := &Area{h: h, started: h.Clock(), st: &state{}}
	if h.Store.Loaded() {
		if err := h.Store.Load("nodes", &a.st.Nodes); err != nil {
			return nil, err
		}
		if err := (&Fleet{Nodes: a.st.Nodes}).Validate(); err != nil {
			return nil, h.Store.Corrupt(err)
		}
	} else {
		a.st.Nodes = fleet.Clone().Nodes
	}
	a.st.byID = make(map[string]*Node, len(a.st.Nodes))
	for _, n := range a.st.Nodes {
		a.st.byID[n.ID] = n
	}
	a.sec = h.Section(func() []store.Member {
		nodes := a.st.Nodes
		if nodes == nil {
			nodes = []*Node{} // the file has always had "nodes"
		}
		return []store.Member{{Key: "nodes", Value: nodes}}
	})
	h.OnClose(a.removeDirs)

	h.Router.Register(router.SSM, "DescribeInstanceInformation", router.Handle(a.describeInstanceInformation))
	h.Router.Register(router.SSM, "GetConnectionStatus", router.Handle(a.getConnectionStatus))
	return a, nil
}

// view runs fn with the nodes locked.
func (a *Area) view(fn func(st *state)) { a.sec.View(func() { fn(a.st) }) }

// mutate runs fn with the nodes locked and, if fn succeeds, saves them.
func (a *Area) mutate(fn func(st *state) error) error {
	return a.sec.Mutate(func() error { return fn(a.st) })
}

// Get is a copy of one node.
func (a *Area) Get(id string) (*Node, bool) {
	var out *Node
	a.view(func(st *state) {
		if n := st.byID[id]; n != nil {
			out = n.clone()
		}
	})
	return out, out != nil
}

// All are copies of the nodes, in fleet order.
func (a *Area) All() []*Node {
	var out []*Node
	a.view(func(st *state) { out = (&Fleet{Nodes: st.Nodes}).Clone().Nodes })
	return out
}

// Count is the number of nodes.
func (a *Area) Count() int {
	n := 0
	a.view(func(st *state) { n = len(st.Nodes) })
	return n
}

// ARN is a node's ARN: ec2 instance/i-… or ssm managed-instance/mi-….
func (a *Area) ARN(id string) string {
	if (&Node{ID: id}).Hybrid() {
		return a.h.ARN("ssm", a.h.Region, "managed-instance/"+id)
	}
	return a.h.ARN("ec2", a.h.Region, "instance/"+id)
}

// Dir is a node's working directory, created on first use.
func (a *Area) Dir(id string) (string, error) {
	a.dirOnce.Do(func() {
		a.root, a.rootErr = os.MkdirTemp("", "ssmctl-sandbox-nodes-")
	})
	if a.rootErr != nil {
		return "", a.rootErr
	}
	d := filepath.Join(a.root, id)
	return d, os.MkdirAll(d, 0o700)
}

// removeDirs removes the nodes' directories, at Close (after the areas
// that run scripts in them have stopped).
func (a *Area) removeDirs() error {
	a.dirOnce.Do(func() {}) // no directory after this
	if a.root != "" {
		return os.RemoveAll(a.root)
	}
	return nil
}

// Register adds a node, as an agent's registration does (a hybrid node
// registered through an activation). The node is validated as a fleet
// file's nodes are; its ID must be new.
func (a *Area) Register(n *Node) error {
	n = n.clone()
	if err := n.validate(); err != nil {
		return err
	}
	return a.mutate(func(st *state) error {
		if st.byID[n.ID] != nil {
			return fmt.Errorf("node %s already exists", n.ID)
		}
		st.Nodes = append(st.Nodes, n)
		st.byID[n.ID] = n
		return nil
	})
}

// Deregister removes a hybrid (mi-) node; false when there is none by
// that ID.
func (a *Area) Deregister(id string) bool {
	found := false
	_ = a.mutate(func(st *state) error {
		n := st.byID[id]
		if n == nil || !n.Hybrid() {
			return nil
		}
		found = true
		delete(st.byID, id)
		st.Nodes = slices.DeleteFunc(st.Nodes, func(x *Node) bool { return x == n })
		return nil
	})
	return found
}
