package target

import (
	"context"
	"errors"
	"testing"
)

type namesResolver struct {
	nodes []Node
	err   error
	q     Query
}

func (r *namesResolver) Resolve(_ context.Context, q Query) ([]Node, error) {
	r.q = q
	return r.nodes, r.err
}

func TestNames(t *testing.T) {
	r := &namesResolver{nodes: []Node{{ID: "i-0000000000000000a", Name: "web-1"}, {ID: "i-0000000000000000b", Name: "i-0000000000000000b"}}}
	got := Names(context.Background(), r, []string{"i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000a", "not an id"})
	if len(got) != 1 || got["i-0000000000000000a"] != "web-1" {
		t.Errorf("names %v", got)
	}
	if len(r.q.Specs) != 2 || !r.q.WithNames {
		t.Errorf("query %+v: want the two IDs once each, with names", r.q)
	}
	// Best effort: an error (a node that is gone) leaves IDs unnamed.
	if got := Names(context.Background(), &namesResolver{err: errors.New("gone")}, []string{"i-0000000000000000a"}); got != nil {
		t.Errorf("error: %v", got)
	}
	if got := Names(context.Background(), r, nil); got != nil {
		t.Errorf("no IDs: %v", got)
	}
}
