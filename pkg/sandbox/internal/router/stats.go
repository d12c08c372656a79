package router

import (
	"sync"
	"time"
)

// Stats are the per-operation call counts the sandbox serves at
// GET /_sandbox/stats. Operations are keyed "<service>.<Operation>" with the
// service's signing name, e.g. "ssm.DescribeInstanceInformation",
// "tagging.GetResources", "resource-groups.ListGroupResources": operation
// names alone collide across services (ListTagsForResource is both SSM's and
// Secrets Manager's).
type Stats struct {
	Operations map[string]OperationStats `json:"operations"`
	// TotalCalls counts every API request, including those for unknown
	// operations and those refused by authentication.
	TotalCalls int64 `json:"total_calls"`
	// UnknownOperations counts requests for operations the sandbox does not
	// implement (they are answered UnknownOperationException).
	UnknownOperations int64 `json:"unknown_operations"`
}

// OperationStats counts one operation's calls. Errors counts every call
// that did not get a successful answer, injected faults included;
// Throttled counts the throttling answers among them and LostReplies the
// calls carried out whose answer the lost-reply fault then lost (an
// internal error or a closed connection). Stalled counts the calls the
// stall fault held, from the moment it holds them (a call its client gave
// up during the stall is never carried out nor counted in Calls).
// InFlight is how many calls are being answered right now (received and
// not yet answered), so a test can wait until a client's request has
// reached the sandbox.
type OperationStats struct {
	InFlight    int64     `json:"in_flight"`
	Calls       int64     `json:"calls"`
	Errors      int64     `json:"errors"`
	Throttled   int64     `json:"throttled"`
	LostReplies int64     `json:"lost_replies"`
	Stalled     int64     `json:"stalled"`
	LatencyMS   LatencyMS `json:"latency_ms"`
}

// LatencyMS is the time the sandbox took to answer, in milliseconds.
type LatencyMS struct {
	Total float64 `json:"total"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

type statsRecorder struct {
	mu      sync.Mutex
	ops     map[string]*OperationStats
	total   int64
	unknown int64
}

func newStatsRecorder() *statsRecorder {
	return &statsRecorder{ops: map[string]*OperationStats{}}
}

// op returns key's figures, made on first use; r.mu is held.
func (r *statsRecorder) op(key string) *OperationStats {
	o := r.ops[key]
	if o == nil {
		o = &OperationStats{}
		r.ops[key] = o
	}
	return o
}

// begin counts a call to a known operation as in flight until record
// counts it.
func (r *statsRecorder) begin(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.op(key).InFlight++
}

// end takes a call that begin counted out of flight, answered or not.
func (r *statsRecorder) end(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if o := r.ops[key]; o != nil && o.InFlight > 0 {
		o.InFlight--
	}
}

// stalled counts a call the stall fault holds.
func (r *statsRecorder) stalled(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.op(key).Stalled++
}

// record counts one API call. key is "" for an unknown operation.
func (r *statsRecorder) record(key string, d time.Duration, failed, throttled, lost bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total++
	if key == "" {
		r.unknown++
		return
	}
	o := r.op(key)
	o.Calls++
	if failed {
		o.Errors++
	}
	if throttled {
		o.Throttled++
	}
	if lost {
		o.LostReplies++
	}
	ms := float64(d) / float64(time.Millisecond)
	o.LatencyMS.Total += ms
	o.LatencyMS.Max = max(o.LatencyMS.Max, ms)
	o.LatencyMS.Mean = o.LatencyMS.Total / float64(o.Calls)
}

func (r *statsRecorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Stats{Operations: make(map[string]OperationStats, len(r.ops)), TotalCalls: r.total, UnknownOperations: r.unknown}
	for k, v := range r.ops {
		s.Operations[k] = *v
	}
	return s
}

func (r *statsRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = map[string]*OperationStats{}
	r.total, r.unknown = 0, 0
}
