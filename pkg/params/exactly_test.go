package params

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
)

// connectionRefused is the SDK's error for an endpoint that is not there.
func connectionRefused() error {
	return &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
}

// 20 overwrites of one parameter, half of whose answers are lost after
// the write was made, end at exactly version 21: each lost answer is
// found by reading the parameter back, not by writing again.
func TestPutOverwriteLostAnswersWriteOnce(t *testing.T) {
	f := newFake()
	f.seed("/one/x", "String", "v0")
	f.putFault = func(n int, _ string) (error, bool) {
		switch n % 4 {
		case 1:
			return serverError(), true // written, answer lost
		case 2:
			return serverError(), false // not written
		}
		return nil, false
	}
	c, _ := newTestClient(f)
	for i := 1; i <= 20; i++ {
		res, err := c.Put(context.Background(), Put{Name: "/one/x", Value: fmt.Sprintf("v%d", i), Overwrite: true})
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		if res.Version != int64(i+1) {
			t.Errorf("put %d: version %d, want %d", i, res.Version, i+1)
		}
	}
	for _, r := range f.params["/one/x"] {
		if r.value != fmt.Sprintf("v%d", r.version-1) {
			t.Errorf("version %d holds %q", r.version, r.value)
		}
	}
	if got := f.latest("/one/x").version; got != 21 {
		t.Errorf("ended at version %d, want 21", got)
	}
	if f.putCalls < 25 {
		t.Errorf("%d PutParameter calls: the faults did not bite", f.putCalls)
	}
}

// An import's updates under lost answers, throttling and failures end
// with every parameter exactly one version up, the lost ones verified.
func TestApplyUpdatesLostAnswersOneVersionUp(t *testing.T) {
	f := newFake()
	var entries []Entry
	for i := range 500 {
		f.seed(fmt.Sprintf("/imp/k%03d", i), "String", "old")
		f.seed(fmt.Sprintf("/imp/k%03d", i), "String", "older") // version 2
		entries = append(entries, Entry{Key: fmt.Sprintf("k%03d", i), Value: fmt.Sprintf("new%d", i)})
	}
	f.putFault = func(n int, _ string) (error, bool) {
		switch {
		case n%10 < 2:
			return throttle(), false
		case n%10 == 3:
			return serverError(), true
		case n%10 == 5:
			return serverError(), false
		}
		return nil, false
	}
	c, _ := newTestClient(f)
	items, err := c.PlanImport(context.Background(), entries, ImportOptions{Prefix: "/imp", Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	results := c.Apply(context.Background(), items, nil, nil)
	verified := 0
	for _, r := range results {
		if r.Err != nil || r.Action != Update || r.Version != 3 {
			t.Errorf("%s: %+v", r.Name, r)
		}
		if r.Verified {
			verified++
		}
	}
	for i := range 500 {
		name := fmt.Sprintf("/imp/k%03d", i)
		if v := f.latest(name); v.version != 3 || v.value != fmt.Sprintf("new%d", i) {
			t.Errorf("%s: version %d %q, want version 3", name, v.version, v.value)
		}
	}
	if verified == 0 {
		t.Error("no overwrite was verified after a lost answer: the faults did not bite")
	}
}

// Someone else's write after ours failed is not taken for ours: the
// overwrite is made (after theirs).
func TestOverwriteCheckTellsOthersWrites(t *testing.T) {
	f := newFake()
	f.seed("/x", "String", "v1")
	f.putFault = func(n int, _ string) (error, bool) {
		if n == 1 {
			// Not written by us; someone else writes meanwhile.
			vs := f.params["/x"]
			f.params["/x"] = append(vs, &fakeVersion{version: int64(len(vs) + 1), typ: "String", value: "theirs", tier: "Standard"})
			return serverError(), false
		}
		return nil, false
	}
	c, _ := newTestClient(f)
	res, err := c.Put(context.Background(), Put{Name: "/x", Value: "ours", Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 3 || f.latest("/x").value != "ours" || f.putCalls != 2 {
		t.Errorf("version %d, latest %q, %d calls; want ours at version 3 after 2 calls", res.Version, f.latest("/x").value, f.putCalls)
	}
}

// Against an endpoint that refuses every connection, a bulk write stops
// after the breaker's count of calls, not after every item's retries,
// and reports the rest as not attempted.
func TestBreakerStopsBulkWrites(t *testing.T) {
	f := newFake()
	f.putFault = func(int, string) (error, bool) { return connectionRefused(), false }
	c, _ := newTestClient(f)
	c.Breaker = &awsretry.Breaker{}
	var puts []Put
	for i := range 405 {
		puts = append(puts, Put{Name: fmt.Sprintf("/dead/k%03d", i), Value: "v", Type: "String"})
	}
	results := c.WriteAll(context.Background(), puts, nil, nil)
	notAttempted := 0
	for _, r := range results {
		if r.Err == nil {
			t.Fatalf("%s written", r.Name)
		}
		if errors.Is(r.Err, awsretry.ErrBreakerOpen) {
			notAttempted++
		}
	}
	if limit := awsretry.DefaultBreakerLimit + DefaultConcurrency; f.putCalls > limit {
		t.Errorf("%d PutParameter calls, want at most %d", f.putCalls, limit)
	}
	if notAttempted < 395 {
		t.Errorf("%d items reported not attempted, want nearly all", notAttempted)
	}
}
