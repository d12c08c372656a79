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
	"time"
)

// Faults are injected failures, each a probability in [0,1] drawn per API
// call from a generator seeded with Options.Seed, so a run is reproducible.
// They never apply to /_sandbox/* endpoints, nor before authentication.
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
	// WSCloseEvery closes each data channel WebSocket this long after it
	// was attached, with a close frame (1000, "Bye"), as the service does
	// about hourly (aws/session-manager-plugin#135); the client must call
	// ResumeSession and reconnect. Zero: never.
	WSCloseEvery time.Duration
	// LostReply carries a call out and then loses its answer: the client
	// gets the service's internal error (LostReplyAs "error", the default)
	// or a connection closed without an answer (LostReplyAs "close"), so
	// it cannot tell whether its write happened. Drawn for calls that
	// reached their handler (not throttled, not failed by Error).
	LostReply float64
	// LostReplyAs is how a reply is lost: "error" or "close".
	LostReplyAs string
	// Stall holds a call, before it is handled, for StallFor (default
	// DefaultStallFor) without answering; a client that gives up first
	// ends the wait and the call is never carried out.
	Stall float64
	// StallFor is how long a stalled call waits.
	StallFor time.Duration
	// RotationFail is the probability that a Secrets Manager rotation the
	// sandbox performs fails at its testSecret step, leaving AWSPENDING
	// on the new version as a failed rotation does.
	RotationFail float64
	// Ops restricts Throttle, Error, LostReply and Stall to these
	// operations ("SendCommand", or "secretsmanager.GetSecretValue" for
	// another service than SSM); empty means every operation. WSDrop is a
	// session's and is not restricted.
	Ops []string
}

// DefaultStallFor is how long a stalled call waits when Faults.StallFor
// is not set.
const DefaultStallFor = 60 * time.Second

// How a lost reply is lost (Faults.LostReplyAs).
const (
	LostReplyAsError = "error"
	LostReplyAsClose = "close"
)

// faultSettings are the --fault NAME=VALUE entries that are not
// probabilities but say how a fault behaves.
var faultSettings = []struct {
	name string
	set  func(f *Faults, raw string) error
	help string
}{
	{"lost-reply-as", func(f *Faults, raw string) error {
		if raw != LostReplyAsError && raw != LostReplyAsClose {
			return fmt.Errorf("fault lost-reply-as=%s: want error or close", raw)
		}
		f.LostReplyAs = raw
		return nil
	}, "how lost-reply loses an answer: error (the service's internal error, the default) or close (the connection is closed)"},
	{"stall-for", durationSetting("stall-for", "30s", func(f *Faults) *time.Duration { return &f.StallFor }),
		"how long a stalled call waits before it is handled (default 60s)"},
	{"ws-close-every", durationSetting("ws-close-every", "1h", func(f *Faults) *time.Duration { return &f.WSCloseEvery }), "close each session data-channel WebSocket this long after it opened (close 1000 \"Bye\"), as the service does about hourly"},
}

// durationSetting parses a positive duration into field.
func durationSetting(name, example string, field func(*Faults) *time.Duration) func(*Faults, string) error {
	return func(f *Faults, raw string) error {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return fmt.Errorf("fault %s=%s: want a positive duration, e.g. %s", name, raw, example)
		}
		*field(f) = d
		return nil
	}
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
	{"lost-reply", func(f *Faults) *float64 { return &f.LostReply }, "fraction of API calls carried out whose answer is then lost (an internal error, or the connection closed)"},
	{"stall", func(f *Faults) *float64 { return &f.Stall }, "fraction of API calls held without an answer for stall-for before they are handled"},
	{"rotation-fail", func(f *Faults) *float64 { return &f.RotationFail }, "probability that a secret rotation fails at testSecret, leaving AWSPENDING behind"},
}

// FaultNames lists the fault names Add accepts (the probabilities
// ParseFault parses and the settings lost-reply-as and stall-for), with a
// line of help each, for a command's --help.
func FaultNames() map[string]string {
	out := make(map[string]string, len(faultKinds)+len(faultSettings))
	for _, k := range faultKinds {
		out[k.name] = k.help
	}
	for _, k := range faultSettings {
		out[k.name] = k.help
	}
	return out
}

func faultNameList() string {
	names := make([]string, 0, len(faultKinds))
	for _, k := range faultKinds {
		names = append(names, k.name)
	}
	for _, k := range faultSettings {
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

// Add parses "name=value" and sets that fault: a probability
// (ParseFault) or a setting (lost-reply-as=close, stall-for=5s).
func (f *Faults) Add(spec string) error {
	if name, raw, ok := strings.Cut(strings.TrimSpace(spec), "="); ok {
		for _, k := range faultSettings {
			if strings.TrimSpace(name) == k.name {
				return k.set(f, strings.TrimSpace(raw))
			}
		}
	}
	name, value, err := ParseFault(spec)
	if err != nil {
		return err
	}
	return f.Set(name, value)
}

// Validate checks that every probability is in [0,1] and the settings are
// valid. The operations in Ops are checked by Router.LimitFaults.
func (f Faults) Validate() error {
	for _, k := range faultKinds {
		if err := checkProbability(k.name, *k.field(&f)); err != nil {
			return err
		}
	}
	if f.LostReplyAs != "" && f.LostReplyAs != LostReplyAsError && f.LostReplyAs != LostReplyAsClose {
		return fmt.Errorf("fault lost-reply-as=%s: want error or close", f.LostReplyAs)
	}
	if f.StallFor < 0 {
		return fmt.Errorf("fault stall-for=%s: want a positive duration", f.StallFor)
	}
	return nil
}

// faultInjector draws the faults for each call from seeded generators, one
// per operation and kind: the k-th call of an operation gets the same draw
// whatever other operations a client runs alongside it, so a seeded run
// stays reproducible when a client makes calls concurrently, and adding a
// kind of fault leaves the draws of the others as they were.
type faultInjector struct {
	mu     sync.Mutex
	faults Faults
	seed   int64
	rngs   map[string]*rand.Rand
	// ops, when not nil, are the operation keys the per-call faults apply
	// to (LimitFaults).
	ops map[string]bool
}

func newFaultInjector(f Faults, seed int64) *faultInjector {
	return &faultInjector{faults: f, seed: seed, rngs: map[string]*rand.Rand{}}
}

// rng is the generator named key; fi.mu is held.
func (fi *faultInjector) rng(key string) *rand.Rand {
	rng := fi.rngs[key]
	if rng == nil {
		h := fnv.New64a()
		h.Write([]byte(key))
		rng = rand.New(rand.NewPCG(uint64(fi.seed), h.Sum64()))
		fi.rngs[key] = rng
	}
	return rng
}

// applies says whether the per-call faults apply to operation op; fi.mu
// is held.
func (fi *faultInjector) applies(op string) bool {
	return fi.ops == nil || fi.ops[op]
}

// draw decides this call's fault for operation op: "throttle", "error" or "".
func (fi *faultInjector) draw(op string) string {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.Throttle == 0 && fi.faults.Error == 0 || !fi.applies(op) {
		return ""
	}
	rng := fi.rng(op)
	t, e := rng.Float64(), rng.Float64()
	switch {
	case t < fi.faults.Throttle:
		return "throttle"
	case e < fi.faults.Error:
		return "error"
	}
	return ""
}

// drawStall decides whether this call to op stalls, and for how long.
func (fi *faultInjector) drawStall(op string) (time.Duration, bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.Stall == 0 || !fi.applies(op) {
		return 0, false
	}
	if fi.rng("stall:"+op).Float64() >= fi.faults.Stall {
		return 0, false
	}
	if fi.faults.StallFor > 0 {
		return fi.faults.StallFor, true
	}
	return DefaultStallFor, true
}

// drawLostReply decides whether the answer to this call to op, which has
// been carried out, is lost: "" (it is not), LostReplyAsError or
// LostReplyAsClose.
func (fi *faultInjector) drawLostReply(op string) string {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.LostReply == 0 || !fi.applies(op) {
		return ""
	}
	if fi.rng("lost-reply:"+op).Float64() >= fi.faults.LostReply {
		return ""
	}
	if fi.faults.LostReplyAs == LostReplyAsClose {
		return LostReplyAsClose
	}
	return LostReplyAsError
}

// drawRotationFail decides whether a secret rotation fails.
func (fi *faultInjector) drawRotationFail() bool {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.RotationFail == 0 {
		return false
	}
	return fi.rng("rotation-fail").Float64() < fi.faults.RotationFail
}

// drawWSDrop decides whether the next session output frame drops its
// WebSocket; the draws come from one generator of their own.
func (fi *faultInjector) drawWSDrop() bool {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.faults.WSDrop == 0 {
		return false
	}
	return fi.rng("ws-drop").Float64() < fi.faults.WSDrop
}

// LimitFaults resolves Faults.Ops against the registered operations (as
// quotas name them: "SendCommand", "secretsmanager.GetSecretValue"); call
// it once every area has registered. No operations: every operation.
func (r *Router) LimitFaults(names []string) error {
	if len(names) == 0 {
		return nil
	}
	ops := map[string]bool{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		op := r.findOperation(name)
		if op == nil {
			return fmt.Errorf("fault operations: %q is not an operation the sandbox serves", name)
		}
		ops[op.Key()] = true
	}
	r.faults.mu.Lock()
	defer r.faults.mu.Unlock()
	r.faults.ops = ops
	return nil
}
