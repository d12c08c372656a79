package router

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Quotas are request-rate limits in transactions per second, as AWS
// enforces them per account and region: a call beyond its operation's
// quota is answered with the service's throttling error. A key is an
// operation name ("PutParameter", or "secretsmanager.GetSecretValue" for
// another service than SSM) or several joined with "+", which then share
// one quota, as GetParameter, GetParameters and GetParametersByPath share
// Parameter Store's default throughput. A key naming one operation takes
// it out of any shared quota. Each quota is a token bucket holding one
// second of its rate (at least one call).
type Quotas map[string]float64

// AWSQuotas are the Parameter Store throughput quotas AWS publishes for
// the default (standard) throughput setting; docs/sandbox-parameters.md
// gives their sources.
func AWSQuotas() Quotas {
	return Quotas{
		"GetParameter+GetParameters+GetParametersByPath": 40,
		"PutParameter": 3,
	}
}

// Add parses one `ssmctl sandbox --quota` value: "aws" (AWSQuotas) or
// "OPERATION[+OPERATION...]=TPS".
func (q Quotas) Add(spec string) error {
	spec = strings.TrimSpace(spec)
	if spec == "aws" {
		for k, v := range AWSQuotas() {
			q[k] = v
		}
		return nil
	}
	key, raw, ok := strings.Cut(spec, "=")
	if !ok || key == "" {
		return fmt.Errorf("quota %q: want aws or OPERATION=TPS, e.g. PutParameter=3", spec)
	}
	tps, err := strconv.ParseFloat(raw, 64)
	if err != nil || !(tps > 0) || math.IsInf(tps, 0) {
		return fmt.Errorf("quota %q: %q is not a positive number of transactions per second", spec, raw)
	}
	q[key] = tps
	return nil
}

// tokenBucket allows rate calls per second with bursts of burst calls.
type tokenBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newTokenBucket(rate float64) *tokenBucket {
	burst := math.Max(1, rate)
	return &tokenBucket{rate: rate, burst: burst, tokens: burst}
}

// take spends a token if there is one at now.
func (b *tokenBucket) take(now time.Time) bool {
	if !b.last.IsZero() {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// quotaLimiter maps operation keys ("ssm.PutParameter") to their buckets.
type quotaLimiter struct {
	mu      sync.Mutex
	buckets map[string]*tokenBucket
	now     func() time.Time
}

// newQuotaLimiter resolves the quotas' operation names against the
// dispatch table. Shared quotas are applied first, so a single operation's
// own quota wins over a group it is in.
func (r *Router) newQuotaLimiter(q Quotas) (*quotaLimiter, error) {
	l := &quotaLimiter{buckets: map[string]*tokenBucket{}, now: time.Now}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		gi, gj := strings.Contains(keys[i], "+"), strings.Contains(keys[j], "+")
		if gi != gj {
			return gi
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		tps := q[k]
		if !(tps > 0) || math.IsInf(tps, 0) {
			return nil, fmt.Errorf("quota %s: %g is not a positive number of transactions per second", k, tps)
		}
		b := newTokenBucket(tps)
		for _, name := range strings.Split(k, "+") {
			op := r.findOperation(strings.TrimSpace(name))
			if op == nil {
				return nil, fmt.Errorf("quota %s: %q is not an operation the sandbox serves", k, name)
			}
			l.buckets[op.Key()] = b
		}
	}
	return l, nil
}

// findOperation finds an SSM operation by name, or any by
// "signingname.Operation".
func (r *Router) findOperation(name string) *Operation {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, op := range r.ops {
		if op.Key() == name || (op.Service == SSM && op.Name == name) {
			return op
		}
	}
	return nil
}

// allow reports whether a call to the operation is within its quota.
func (l *quotaLimiter) allow(key string) bool {
	if l == nil || len(l.buckets) == 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	return b == nil || b.take(l.now())
}
