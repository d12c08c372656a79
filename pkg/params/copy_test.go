package params

import (
	"context"
	"reflect"
	"testing"
)

// A move copies every source to the destination client, then deletes in
// the source client exactly the sources whose copies are in place; a copy
// that failed keeps its source.
func TestCopyPlanMove(t *testing.T) {
	src, dst := newFake(), newFake()
	src.seed("/s/a", "String", "1")
	src.seed("/s/b", "String", "2")
	src.seed("/s/c", "String", "3")
	dst.seed("/d/b", "String", "2") // unchanged: written nowhere, still moved
	dst.putFault = func(_ int, name string) (error, bool) {
		if name == "/d/c" {
			return apiErr("AccessDeniedException", "no"), false
		}
		return nil, false
	}
	sc, _ := newTestClient(src)
	dc, _ := newTestClient(dst)
	ctx := context.Background()
	plan, err := PlanCopyBetween(ctx, sc, dc, CopyOptions{Src: "/s", Dst: "/d", Path: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.SourceNames(); !reflect.DeepEqual(got, []string{"/s/a", "/s/b", "/s/c"}) {
		t.Errorf("sources %v", got)
	}
	if Pending(plan.Items) != 2 {
		t.Errorf("%d pending writes, want 2 (/d/b is unchanged)", Pending(plan.Items))
	}
	var st Stats
	results, deleted, err := plan.Move(ctx, &st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deleted, []string{"/s/a", "/s/b"}) {
		t.Errorf("deleted %v, want the sources of the copies in place", deleted)
	}
	if src.latest("/s/c") == nil || src.latest("/s/a") != nil {
		t.Errorf("source after the move: a=%v c=%v", src.latest("/s/a"), src.latest("/s/c"))
	}
	if got := TallyResults(results, &st).String(); got != "1 created, 0 updated, 1 unchanged, 1 failed" {
		t.Errorf("tally %q", got)
	}
}

// A source that matches nothing is an empty plan, not an error.
func TestPlanCopyBetweenNothing(t *testing.T) {
	sc, _ := newTestClient(newFake())
	plan, err := PlanCopyBetween(context.Background(), sc, sc, CopyOptions{Src: "/none", Dst: "/d", Path: true})
	if err != nil || len(plan.Sources) != 0 || len(plan.Items) != 0 {
		t.Errorf("plan %+v, %v", plan, err)
	}
}
