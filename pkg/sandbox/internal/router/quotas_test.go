package router

import (
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	b := newTokenBucket(3)
	// A burst of one second's worth, then nothing until tokens come back.
	for i := range 3 {
		if !b.take(t0) {
			t.Fatalf("call %d of the burst refused", i+1)
		}
	}
	if b.take(t0) {
		t.Error("4th call in the same instant allowed at 3 TPS")
	}
	if b.take(t0.Add(300 * time.Millisecond)) {
		t.Error("a token came back before 1/3 s")
	}
	if !b.take(t0.Add(340 * time.Millisecond)) {
		t.Error("no token after 1/3 s")
	}
	// Idle time refills at most one second's worth.
	later := t0.Add(time.Hour)
	n := 0
	for b.take(later) {
		n++
	}
	if n != 3 {
		t.Errorf("after an hour idle: burst of %d, want 3", n)
	}
	// Below 1 TPS the burst is one call.
	slow := newTokenBucket(0.5)
	if !slow.take(t0) || slow.take(t0.Add(time.Second)) || !slow.take(t0.Add(2*time.Second)) {
		t.Error("0.5 TPS bucket")
	}
}

// paramRouter is a router with Parameter Store's read and write
// operations, for quotas to name.
func paramRouter() *Router {
	r := New(Config{})
	for _, name := range []string{"GetParameter", "GetParameters", "GetParametersByPath", "PutParameter"} {
		r.Register(SSM, name, nil)
	}
	return r
}

// Quotas resolve against the registered operations.
func TestQuotaLimiter(t *testing.T) {
	t.Parallel()
	// One operation's own quota takes it out of the shared one.
	l, err := paramRouter().newQuotaLimiter(Quotas{"GetParameter+GetParameters": 40, "GetParameter": 100})
	if err != nil {
		t.Fatal(err)
	}
	if l.buckets["ssm.GetParameter"] == l.buckets["ssm.GetParameters"] || l.buckets["ssm.GetParameter"].rate != 100 {
		t.Errorf("buckets: %+v", l.buckets)
	}
	l, _ = paramRouter().newQuotaLimiter(AWSQuotas())
	if l.buckets["ssm.GetParameter"] != l.buckets["ssm.GetParametersByPath"] || l.buckets["ssm.PutParameter"].rate != 3 {
		t.Errorf("AWS buckets: %+v", l.buckets)
	}
}
