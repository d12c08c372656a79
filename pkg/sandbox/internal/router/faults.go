package router

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Faults are injected failures, each a probability in [0,1] drawn per API
// call from a generator seeded with Options.Seed, so a run is reproducible.
// They never apply to /_sandbox/* endpoints.
type Faults struct {
	// Throttle answers a call with the service's throttling error
	// (SSM: 400 ThrottlingException "Rate exceeded").
	Throttle float64
	// Error answers a call with the service's internal error
	// (SSM: 500 InternalServerError).
	Error float64
	// WSDrop is the probability, drawn before each new output message of
	// a session's data channel is first written, that the sandbox drops
	// the WebSocket instead (closes the connection without a close
	// frame), so the client must call ResumeSession and reconnect. The
	// message is kept and sent on the new WebSocket with everything else
	// unacked; retransmissions are never dropped.
	WSDrop float64
}

// faultKinds is the one list of fault names: ParseFault, Set and the
// validation in New all read it, so a new fault is one entry here plus a
// field in Faults.
var faultKinds = []struct {
	name  string
	field func(*Faults) *float64
	help  string
}{
	{"throttle", func(f *Faults) *float64 { return &f.Throttle }, "fraction of API calls answered with the throttling error"},
	{"error", func(f *Faults) *float64 { return &f.Error }, "fraction of API calls answered with an internal server error"},
	{"ws-drop", func(f *Faults) *float64 { return &f.WSDrop }, "probability per session output frame that the data-channel WebSocket is dropped"},
}

// FaultNames lists the fault names ParseFault accepts, with a line of help
// each, for a command's --help.
func FaultNames() map[string]string {
	out := make(map[string]string, len(faultKinds))
	for _, k := range faultKinds {
		out[k.name] = k.help
	}
	return out
}

func faultNameList() string {
	names := make([]string, 0, len(faultKinds))
	for _, k := range faultKinds {
		names = append(names, k.name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ParseFault parses "name=value", e.g. "throttle=0.2", as given to
// `ssmctl sandbox --fault`.
func ParseFault(s string) (name string, value float64, err error) {
	name, raw, ok := strings.Cut(strings.TrimSpace(s), "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", 0, fmt.Errorf("fault %q: want NAME=PROBABILITY, e.g. throttle=0.2 (names: %s)", s, faultNameList())
	}
	if !knownFault(name) {
		return "", 0, fmt.Errorf("fault %q: unknown fault %q (names: %s)", s, name, faultNameList())
	}
	value, err = strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil {
		return "", 0, fmt.Errorf("fault %q: %q is not a number", s, raw)
	}
	if err := checkProbability(name, value); err != nil {
		return "", 0, err
	}
	return name, value, nil
}

func knownFault(name string) bool {
	for _, k := range faultKinds {
		if k.name == name {
			return true
		}
	}
	return false
}

func checkProbability(name string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return fmt.Errorf("fault %s=%v: the probability must be between 0 and 1", name, v)
	}
	return nil
}

// Set sets one fault by name, as ParseFault returns it.
func (f *Faults) Set(name string, value float64) error {
	for _, k := range faultKinds {
		if k.name == name {
			if err := checkProbability(name, value); err != nil {
				return err
			}
			*k.field(f) = value
			return nil
		}
	}
	return fmt.Errorf("unknown fault %q (names: %s)", name, faultNameList())
}

// Add parses "name=value" (ParseFault) and sets that fault.
func (f *Faults) Add(spec string) error {
	name, value, err := ParseFault(spec)
	if err != nil {
		return err
	}
	return f.Set(name, value)
}

// Validate checks that every probability is in [0,1].
func (f Faults) Validate() error {
	for _, k := range faultKinds {
		if err := checkProbability(k.name, *k.field(&f)); err != nil {
			return err
		}
	}
	return nil
}

// faultInjector draws the faults for each call from seeded generators, one
// per operation: the k-th call of an operation gets the same draw whatever
// other operations a client runs alongside it, so a seeded run stays
// reproducible when a client makes calls concurrently.
type faultInjector struct {
	mu     sync.Mutex
	faults Faults
	seed   int64
	rngs   map[string]*rand.Rand
}

func newFaultInjector(f Faults, seed int64) *faultInjector {
	return &faultInjector{faults: f, seed: seed, rngs: map[string]*rand.Rand{}}
}

// draw decides this call's fault for operation op: "throttle", "error" or "".
func (fi *faultInjector) draw(op string) string {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.Throttle == 0 && fi.faults.Error == 0 {
		return ""
	}
	rng := fi.rngs[op]
	if rng == nil {
		h := fnv.New64a()
		h.Write([]byte(op))
		rng = rand.New(rand.NewPCG(uint64(fi.seed), h.Sum64()))
		fi.rngs[op] = rng
	}
	t, e := rng.Float64(), rng.Float64()
	switch {
	case t < fi.faults.Throttle:
		return "throttle"
	case e < fi.faults.Error:
		return "error"
	}
	return ""
}

// drawWSDrop decides whether the next session output frame drops its
// WebSocket; the draws come from one generator of their own.
func (fi *faultInjector) drawWSDrop() bool {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.WSDrop == 0 {
		return false
	}
	rng := fi.rngs["ws-drop"]
	if rng == nil {
		h := fnv.New64a()
		h.Write([]byte("ws-drop"))
		rng = rand.New(rand.NewPCG(uint64(fi.seed), h.Sum64()))
		fi.rngs["ws-drop"] = rng
	}
	return rng.Float64() < fi.faults.WSDrop
}
