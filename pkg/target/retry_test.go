package target

import (
	"context"
	"testing"
)

// Throttling and 5xx answers of the resolution's reads are retried: the
// targets resolve, where the SDK's few attempts would have given up.
func TestResolveRetriesPassingFailures(t *testing.T) {
	t.Parallel()
	f := fleet(120)
	fails := 0
	f.beforeDescribe = func(context.Context) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if fails < 12 {
			fails++
			if fails%3 == 0 {
				return apiErr("InternalServerError", "boom")
			}
			return apiErr("ThrottlingException", "Rate exceeded")
		}
		return nil
	}
	nodes, err := f.resolver().Resolve(context.Background(), Query{Specs: specs(t, "web-*")})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) == 0 || fails != 12 {
		t.Errorf("%d nodes after %d failures", len(nodes), fails)
	}
}
