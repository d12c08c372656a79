package params

import (
	"context"
	"fmt"
)

// CopyPlan is a copy or move read and planned, not yet written: the
// sources, and per destination parameter what writing it does. Src reads
// (and, for a move, deletes); Dst writes, in the same account and region
// or another.
type CopyPlan struct {
	Src, Dst *Client
	Options  CopyOptions
	Sources  []Source
	Items    []PlanItem
	// Notes say what a copy cannot keep (a customer managed KMS key in
	// another account or region).
	Notes []string
}

// PlanCopyBetween reads the sources (every parameter under o.Src with
// o.Path, else that parameter) from src and what exists at o.Dst from dst,
// values decrypted so they can be compared, and plans the writes
// (PlanCopy). No sources is an empty plan, not an error.
func PlanCopyBetween(ctx context.Context, src, dst *Client, o CopyOptions) (*CopyPlan, error) {
	sources, err := src.ReadSources(ctx, o.Src, o.Path, true)
	if err != nil {
		return nil, err
	}
	existing := map[string]Parameter{}
	if o.Path {
		ps, err := dst.ByPath(ctx, o.Dst, true, true)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			existing[p.Name] = p
		}
	} else {
		found, _, err := dst.Get(ctx, []string{o.Dst}, true)
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			existing[p.Name] = p
		}
	}
	plan := &CopyPlan{Src: src, Dst: dst, Options: o, Sources: sources}
	if len(sources) > 0 {
		plan.Items, plan.Notes = PlanCopy(sources, existing, o)
	}
	return plan, nil
}

// SourceNames are the names of the parameters copied.
func (p *CopyPlan) SourceNames() []string {
	out := make([]string, len(p.Sources))
	for i, s := range p.Sources {
		out[i] = s.Name
	}
	return out
}

// Copy writes the plan in the destination (Apply).
func (p *CopyPlan) Copy(ctx context.Context, st *Stats, progress func(done, failed int)) []WriteResult {
	return p.Dst.Apply(ctx, p.Items, st, progress)
}

// Move copies, then deletes in the source each parameter whose copy is in
// place; a source whose copy failed stays. It returns the writes, the
// sources deleted, and the deletion's error.
func (p *CopyPlan) Move(ctx context.Context, st *Stats, progress func(done, failed int)) (results []WriteResult, deleted []string, err error) {
	results = p.Copy(ctx, st, progress)
	source := map[string]string{}
	for _, it := range p.Items {
		source[it.Name] = it.Key
	}
	var del []string
	for _, r := range results {
		if r.Err == nil {
			del = append(del, source[r.Name])
		}
	}
	if len(del) == 0 {
		return results, nil, nil
	}
	deleted, _, err = p.Src.Delete(ctx, del, nil, nil)
	return results, deleted, err
}

// Pending is how many items of a plan write something.
func Pending(items []PlanItem) int {
	n := 0
	for _, it := range items {
		if it.Action != Unchanged {
			n++
		}
	}
	return n
}

// Tally counts what a bulk write did.
type Tally struct {
	Created, Updated, Unchanged, Failed int
	// Throttled is how many calls were throttled and retried.
	Throttled int64
}

// TallyResults counts results; st may be nil.
func TallyResults(results []WriteResult, st *Stats) Tally {
	var t Tally
	for _, r := range results {
		switch {
		case r.Err != nil:
			t.Failed++
		case r.Action == Create:
			t.Created++
		case r.Action == Update:
			t.Updated++
		case r.Action == Unchanged:
			t.Unchanged++
		}
	}
	if st != nil {
		t.Throttled = st.Throttled.Load()
	}
	return t
}

// String is the one summary line of a bulk write.
func (t Tally) String() string {
	s := fmt.Sprintf("%d created, %d updated, %d unchanged, %d failed", t.Created, t.Updated, t.Unchanged, t.Failed)
	if t.Throttled > 0 {
		s += fmt.Sprintf(" (%d throttled calls retried)", t.Throttled)
	}
	return s
}
