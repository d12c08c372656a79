package params

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Policy is one parameter policy as AWS takes it in PutParameter's
// Policies (a JSON array of these).
type Policy struct {
	Type       string            `json:"Type"`
	Version    string            `json:"Version"`
	Attributes map[string]string `json:"Attributes"`
}

// Policy types Parameter Store supports.
const (
	PolicyExpiration             = "Expiration"
	PolicyExpirationNotification = "ExpirationNotification"
	PolicyNoChangeNotification   = "NoChangeNotification"
)

// ParsePolicies turns --policy values into the Policies JSON. Each value
// is AWS's JSON (one policy object or an array of them) or a short form:
//
//	expire=2027-01-01            Expiration at that date (UTC midnight) or RFC 3339 time
//	notify-before=15d            ExpirationNotification 15 days (or 12h: hours) before expiry
//	no-change=30d                NoChangeNotification after 30 days (or hours) without change
//
// now is used to refuse an expiration in the past. An empty list gives "".
func ParsePolicies(values []string, now time.Time) (string, error) {
	var all []Policy
	for _, v := range values {
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
			ps, err := parsePolicyJSON(v)
			if err != nil {
				return "", err
			}
			all = append(all, ps...)
			continue
		}
		p, err := parseShortPolicy(v, now)
		if err != nil {
			return "", err
		}
		all = append(all, p)
	}
	if len(all) == 0 {
		return "", nil
	}
	seen := map[string]bool{}
	for _, p := range all {
		if seen[p.Type] {
			return "", usagef("invalid --policy: two %s policies", p.Type)
		}
		seen[p.Type] = true
		if err := checkPolicy(p, now); err != nil {
			return "", err
		}
	}
	if seen[PolicyExpirationNotification] && !seen[PolicyExpiration] {
		return "", usagef("invalid --policy: an expiration notification needs an expiration (expire=DATE)")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(all); err != nil {
		return "", err
	}
	out := strings.TrimSpace(buf.String())
	if len(out) > MaxPoliciesLength {
		return "", usagef("policies are %d characters long, more than %d", len(out), MaxPoliciesLength)
	}
	return out, nil
}

func parsePolicyJSON(v string) ([]Policy, error) {
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	var list []Policy
	if strings.HasPrefix(v, "{") {
		var p Policy
		if err := dec.Decode(&p); err != nil {
			return nil, usagef("invalid --policy JSON: %v", err)
		}
		list = []Policy{p}
	} else if err := dec.Decode(&list); err != nil {
		return nil, usagef("invalid --policy JSON: %v", err)
	}
	return list, nil
}

func parseShortPolicy(v string, now time.Time) (Policy, error) {
	key, val, ok := strings.Cut(v, "=")
	if !ok {
		return Policy{}, usagef("invalid --policy %q: want JSON, expire=DATE, notify-before=N(d|h) or no-change=N(d|h)", v)
	}
	switch strings.ToLower(strings.TrimSpace(key)) {
	case "expire", "expiration", "expires":
		t, err := parseWhen(strings.TrimSpace(val))
		if err != nil {
			return Policy{}, usagef("invalid --policy %q: want a date (2027-01-01) or an RFC 3339 time", v)
		}
		return Policy{Type: PolicyExpiration, Version: "1.0", Attributes: map[string]string{"Timestamp": t.UTC().Format("2006-01-02T15:04:05.000Z")}}, nil
	case "notify-before", "expiration-notification":
		n, unit, err := parseSpan(val)
		if err != nil {
			return Policy{}, usagef("invalid --policy %q: %v", v, err)
		}
		return Policy{Type: PolicyExpirationNotification, Version: "1.0", Attributes: map[string]string{"Before": n, "Unit": unit}}, nil
	case "no-change", "no-change-notification":
		n, unit, err := parseSpan(val)
		if err != nil {
			return Policy{}, usagef("invalid --policy %q: %v", v, err)
		}
		return Policy{Type: PolicyNoChangeNotification, Version: "1.0", Attributes: map[string]string{"After": n, "Unit": unit}}, nil
	}
	return Policy{}, usagef("invalid --policy %q: unknown policy %q (want expire, notify-before or no-change)", v, key)
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// parseSpan parses "15d", "15 days", "12h" into AWS's number and unit.
func parseSpan(s string) (string, string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return "", "", errSpan
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n < 1 {
		return "", "", errSpan
	}
	switch strings.TrimSpace(s[i:]) {
	case "d", "day", "days":
		return strconv.Itoa(n), "Days", nil
	case "h", "hour", "hours":
		return strconv.Itoa(n), "Hours", nil
	}
	return "", "", errSpan
}

var errSpan = usagef("want a whole number of days or hours, e.g. 15d or 12h")

func checkPolicy(p Policy, now time.Time) error {
	if p.Version != "1.0" {
		return usagef("invalid --policy: %s policy Version %q, want \"1.0\"", p.Type, p.Version)
	}
	attr := func(k string) string { return p.Attributes[k] }
	switch p.Type {
	case PolicyExpiration:
		ts := attr("Timestamp")
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			return usagef("invalid --policy: Expiration Timestamp %q is not an ISO 8601 time", ts)
		}
		if !t.After(now) {
			return usagef("invalid --policy: expiration %s is in the past", ts)
		}
	case PolicyExpirationNotification, PolicyNoChangeNotification:
		k := "Before"
		if p.Type == PolicyNoChangeNotification {
			k = "After"
		}
		if n, err := strconv.Atoi(attr(k)); err != nil || n < 1 {
			return usagef("invalid --policy: %s %s %q is not a whole number from 1", p.Type, k, attr(k))
		}
		if u := attr("Unit"); u != "Days" && u != "Hours" {
			return usagef("invalid --policy: %s Unit %q, want Days or Hours", p.Type, u)
		}
	default:
		return usagef("invalid --policy: unknown policy type %q (want Expiration, ExpirationNotification or NoChangeNotification)", p.Type)
	}
	return nil
}
