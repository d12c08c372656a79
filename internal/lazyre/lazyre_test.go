package lazyre

import (
	"strings"
	"sync"
	"testing"
)

func TestCompiledOnFirstUseOnce(t *testing.T) {
	r := New(`^a+(?P<rest>b*)$`)
	if r.String() != `^a+(?P<rest>b*)$` {
		t.Fatalf("String() = %q", r.String())
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !r.MatchString("aab") || r.MatchString("ba") {
				t.Error("MatchString is not that of the expression")
			}
		})
	}
	wg.Wait()
	if first := r.get(); r.get() != first {
		t.Error("compiled more than once")
	}
	if m := r.FindStringSubmatch("aabb"); len(m) != 2 || m[1] != "bb" {
		t.Errorf("FindStringSubmatch = %q", m)
	}
}

func TestCheckNamesABadPattern(t *testing.T) {
	before, err := Check()
	if err != nil {
		t.Fatal(err)
	}
	New(`^x{2,1}$`) // would panic on first use
	n, err := Check()
	if err == nil || !strings.Contains(err.Error(), "{2,1}") {
		t.Fatalf("Check() = %d, %v; want the bad pattern named", n, err)
	}
	all.Lock()
	all.l = all.l[:before]
	all.Unlock()
}
