package params

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// newTestArea is Parameter Store alone, in memory, on the given clock.
func newTestArea(t *testing.T, clock func() time.Time) *Area {
	t.Helper()
	sf, err := store.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(&area.Host{Region: "us-east-1", AccountID: "123456789012", Clock: clock, Router: router.New(router.Config{}), Store: sf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func str(s string) *string { return &s }

// An Expiration policy deletes the parameter when its time comes. The
// SDK signs with the machine's time, so the sandbox's clock cannot move a
// day ahead under it: the test calls the handlers directly.
func TestParameterExpiration(t *testing.T) {
	t.Parallel()
	base := time.Now()
	var offset atomic.Int64
	s := newTestArea(t, func() time.Time { return base.Add(time.Duration(offset.Load())) })
	at := base.Add(24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	if _, err := s.putParameter(&putParameterInput{Name: str("/exp"), Value: str("v"), Type: str("String"), Tier: str("Advanced"),
		Policies: str(`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"` + at + `"}}]`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.getParameter(&getParameterInput{Name: str("/exp")}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	offset.Store(int64(25 * time.Hour))
	if _, err := s.getParameter(&getParameterInput{Name: str("/exp")}); errorType(err) != "ParameterNotFound" {
		t.Errorf("after expiry: %v", err)
	}
	out, err := s.putParameter(&putParameterInput{Name: str("/exp"), Value: str("new"), Type: str("String")})
	if err != nil || out.Version != 1 {
		t.Errorf("recreated after expiry: %+v %v", out, err)
	}
}

func errorType(err error) string {
	var ae *protocol.APIError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}
