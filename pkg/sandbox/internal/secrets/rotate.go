package secrets

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// RotateSecret and CancelRotateSecret. The sandbox cannot run Lambda: it
// performs the rotation function's four steps itself, at once.
//   - createSecret: a new version with a new value (a JSON secret's
//     "password" key, or a whole new random string) and AWSPENDING;
//   - setSecret and testSecret: nothing to set or test, unless the
//     rotation-fail fault fails testSecret, which leaves AWSPENDING where
//     createSecret put it, as a failed rotation does;
//   - finishSecret: AWSCURRENT moves to the new version (AWSPREVIOUS to
//     the old one) and AWSPENDING is removed.

var (
	durationPattern = lazyre.New(`^[0-9]+h$`)
	schedulePattern = lazyre.New(`^[0-9A-Za-z\(\)#\?\*\-\/, ]+$`)
	ratePattern     = lazyre.New(`^rate\(\s*([0-9]+)\s+(hour|hours|day|days)\s*\)$`)
	cronPattern     = lazyre.New(`^cron\((.*)\)$`)
)

func (r *rotation) rules() *rotationRulesWire {
	if r.AfterDays == 0 && r.Schedule == "" {
		return nil
	}
	w := &rotationRulesWire{}
	if r.AfterDays > 0 {
		d := r.AfterDays
		w.AutomaticallyAfterDays = &d
	}
	if r.Schedule != "" {
		s := r.Schedule
		w.ScheduleExpression = &s
		if d, ok := scheduleDays(s); ok {
			w.AutomaticallyAfterDays = &d
		}
	}
	if r.Duration != "" {
		d := r.Duration
		w.Duration = &d
	}
	return w
}

// scheduleDays is AutomaticallyAfterDays as DescribeSecret derives it
// from a rate() in days.
func scheduleDays(expr string) (int64, bool) {
	m := ratePattern.FindStringSubmatch(expr)
	if m == nil || !strings.HasPrefix(m[2], "day") {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil
}

// interval is the time between rotations of a days or rate() schedule;
// ok is false for cron().
func (r *rotation) interval() (time.Duration, bool) {
	if r.AfterDays > 0 {
		return time.Duration(r.AfterDays) * 24 * time.Hour, true
	}
	m := ratePattern.FindStringSubmatch(r.Schedule)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	if strings.HasPrefix(m[2], "hour") {
		return time.Duration(n) * time.Hour, true
	}
	return time.Duration(n) * 24 * time.Hour, true
}

// next is the start of the next rotation window: for a days or rate()
// schedule the last rotation (or the creation) plus the interval, the
// window starting at midnight UTC for a schedule in days; for cron() the
// schedule's first window opening after the last rotation (or the
// creation).
func (r *rotation) next(created time.Time) (time.Time, bool) {
	from := created
	if r.LastRotated != nil {
		from = *r.LastRotated
	}
	if m := cronPattern.FindStringSubmatch(r.Schedule); m != nil {
		c, err := parseCron(m[1])
		if err != nil {
			return time.Time{}, false
		}
		return c.next(from)
	}
	d, ok := r.interval()
	if !ok {
		return time.Time{}, false
	}
	n := from.UTC().Add(d)
	if d%(24*time.Hour) == 0 {
		n = n.Truncate(24 * time.Hour)
	}
	return n, true
}

// checkRules applies the rotation schedule's rules: AutomaticallyAfterDays
// or ScheduleExpression, not both; rate() in hours (at least 4) or days
// (1..999); cron() as cron.go reads it, at most every four hours; a
// Duration of whole hours that does not reach into the next rotation
// window or the next UTC day.
func checkRules(w *rotationRulesWire) error {
	var v protocol.Validator
	if w.AutomaticallyAfterDays != nil {
		n := *w.AutomaticallyAfterDays
		if n < 1 {
			v.Add(protocol.QuoteValue(strconv.FormatInt(n, 10)), "rotationRules.automaticallyAfterDays", "Member must have value greater than or equal to 1")
		}
		if n > 1000 {
			v.Add(protocol.QuoteValue(strconv.FormatInt(n, 10)), "rotationRules.automaticallyAfterDays", "Member must have value less than or equal to 1000")
		}
	}
	if w.Duration != nil {
		v.Length("rotationRules.duration", *w.Duration, 2, 3)
		v.Pattern("rotationRules.duration", *w.Duration, durationPattern)
	}
	if w.ScheduleExpression != nil {
		v.Length("rotationRules.scheduleExpression", *w.ScheduleExpression, 1, 256)
		v.Pattern("rotationRules.scheduleExpression", *w.ScheduleExpression, schedulePattern)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if w.AutomaticallyAfterDays != nil && w.ScheduleExpression != nil {
		return errInvalidParameter("You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.")
	}
	if w.AutomaticallyAfterDays == nil && w.ScheduleExpression == nil {
		if w.Duration != nil {
			return errInvalidParameter("A Duration needs a ScheduleExpression or AutomaticallyAfterDays.")
		}
		return nil
	}
	window := time.Duration(0)
	if w.Duration != nil {
		h, _ := strconv.Atoi(strings.TrimSuffix(*w.Duration, "h"))
		if h < 1 || h > 24 {
			return errInvalidParameter("Invalid Duration %s: the rotation window must be between 1h and 24h.", *w.Duration)
		}
		window = time.Duration(h) * time.Hour
	}
	if w.ScheduleExpression == nil {
		return nil
	}
	expr := strings.TrimSpace(*w.ScheduleExpression)
	if m := ratePattern.FindStringSubmatch(expr); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n < 1 {
			return errInvalidParameter("Invalid rate() expression %s: the value must be a positive number.", expr)
		}
		if strings.HasPrefix(m[2], "hour") {
			if n < 4 {
				return errInvalidParameter("Invalid rate() expression %s: you can rotate a secret as often as every four hours.", expr)
			}
			if window > time.Duration(n)*time.Hour {
				return errInvalidParameter("The rotation window (Duration %s) can't extend into the next rotation window.", *w.Duration)
			}
		} else if n > 999 {
			return errInvalidParameter("Invalid rate() expression %s: the maximum rotation period is 999 days.", expr)
		}
		return nil
	}
	if m := cronPattern.FindStringSubmatch(expr); m != nil {
		c, err := parseCron(m[1])
		if err != nil {
			return errInvalidParameter("Invalid cron() expression %s: %v.", expr, err)
		}
		if len(c.hours) == 0 {
			return errInvalidParameter("Invalid cron() expression %s: it names no hour.", expr)
		}
		if c.inHours() && c.minGap() < 4*time.Hour {
			return errInvalidParameter("Invalid cron() expression %s: you can rotate a secret as often as every four hours.", expr)
		}
		if _, ok := c.next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); !ok {
			return errInvalidParameter("Invalid cron() expression %s: it never matches a day.", expr)
		}
		if window > 0 {
			if c.inHours() && window > c.minGap() {
				return errInvalidParameter("The rotation window (Duration %s) can't extend into the next rotation window.", *w.Duration)
			}
			if time.Duration(c.hours[len(c.hours)-1])*time.Hour+window > 24*time.Hour {
				return errInvalidParameter("The rotation window (Duration %s) can't extend into the next UTC day.", *w.Duration)
			}
		}
		return nil
	}
	return errInvalidParameter("Invalid ScheduleExpression %s: use rate(N hours), rate(N days) or cron(...).", expr)
}

func (a *Area) rotateSecret(in *rotateSecretInput) (*rotateSecretOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	validateToken(&v, in.ClientRequestToken)
	if in.RotationLambdaARN != nil {
		v.Length("rotationLambdaARN", *in.RotationLambdaARN, 0, 2048)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.RotationRules != nil {
		if err := checkRules(in.RotationRules); err != nil {
			return nil, err
		}
	}
	immediately := in.RotateImmediately == nil || *in.RotateImmediately
	fail := a.h.Router.DrawRotationFail()
	var out rotateSecretOutput
	var retried error
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		r := s.Rotation
		if r == nil {
			r = &rotation{}
		}
		lambda := r.LambdaARN
		if in.RotationLambdaARN != nil && *in.RotationLambdaARN != "" {
			lambda = *in.RotationLambdaARN
		}
		if lambda == "" {
			return errInvalidRequest("No Lambda rotation function ARN is associated with this secret.")
		}
		cur := s.staged(stageCurrent)
		if cur == nil {
			return errInvalidRequest("The secret has no version with the staging label AWSCURRENT to rotate.")
		}
		// A rotation that failed left AWSPENDING on a version of its own:
		// Secrets Manager reattempts it and says so.
		if p := s.staged(stagePending); p != nil && p != cur {
			r.LambdaARN, r.Enabled = lambda, true
			s.Rotation = r
			if fail {
				retried = errInvalidRequest("A previous rotation isn't complete. That rotation will be reattempted.")
				return nil
			}
			s.finish(p, now)
			retried = errInvalidRequest("A previous rotation isn't complete. That rotation will be reattempted.")
			return nil
		}
		r.LambdaARN, r.Enabled = lambda, true
		if in.RotationRules != nil {
			rr := in.RotationRules
			r.AfterDays, r.Schedule, r.Duration = 0, "", ""
			if rr.AutomaticallyAfterDays != nil {
				r.AfterDays = *rr.AutomaticallyAfterDays
			}
			if rr.ScheduleExpression != nil {
				r.Schedule = strings.TrimSpace(*rr.ScheduleExpression)
			}
			if rr.Duration != nil {
				r.Duration = *rr.Duration
			}
		}
		s.Rotation = r
		out = rotateSecretOutput{ARN: s.ARN, Name: s.Name}
		if !immediately {
			// testSecret only: "This test creates an AWSPENDING version
			// of the secret and then removes it."
			if fail {
				return errInvalidRequest("The rotation function failed the testSecret step.")
			}
			return nil
		}
		token := newVersionID()
		if in.ClientRequestToken != nil {
			token = *in.ClientRequestToken
			if ver := s.version(token); ver != nil {
				// A retry of this rotation: it has been carried out.
				out.VersionId = ver.ID
				return nil
			}
		}
		// createSecret
		str, bin := rotatedValue(cur)
		ver, err := s.addVersion(&token, str, bin, []string{stagePending}, now)
		if err != nil {
			return err
		}
		out.VersionId = ver.ID
		// setSecret, testSecret
		if fail {
			a.h.Log("sandbox: secretsmanager rotation of %s failed at testSecret (fault rotation-fail): AWSPENDING left on %s", s.Name, ver.ID)
			return nil
		}
		// finishSecret
		s.finish(ver, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if retried != nil {
		return nil, retried
	}
	return &out, nil
}

// finish is finishSecret: AWSCURRENT to ver, AWSPENDING off it.
func (s *secret) finish(ver *version, now time.Time) {
	s.attach(ver, stageCurrent)
	ver.detach(stagePending)
	t := now
	s.Rotation.LastRotated = &t
	s.Changed = now
}

// rotatedValue is the new value createSecret makes: the current JSON
// secret with a new "password", or a new random string.
func rotatedValue(cur *version) (*string, []byte) {
	pw := randomPassword(32, charsetFor(false, false, false, false, false, ""), true)
	if cur.String != nil {
		var m map[string]any
		if json.Unmarshal([]byte(*cur.String), &m) == nil && m != nil {
			m["password"] = pw
			if b, err := json.Marshal(m); err == nil {
				s := string(b)
				return &s, nil
			}
		}
	}
	return &pw, nil
}

func (a *Area) cancelRotateSecret(in *secretIDInput) (*rotateSecretOutput, error) {
	var v protocol.Validator
	validateSecretID(&v, in.SecretId)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out rotateSecretOutput
	err := a.mutate(func(st *state, now time.Time) error {
		s, err := st.lookup(*in.SecretId)
		if err != nil {
			return err
		}
		if s.Rotation == nil || !s.Rotation.Enabled {
			return errInvalidRequest("Rotation is not enabled for this secret.")
		}
		s.Rotation.Enabled = false
		out = rotateSecretOutput{ARN: s.ARN, Name: s.Name}
		if p := s.staged(stagePending); p != nil && !slices.Contains(p.Stages, stageCurrent) {
			out.VersionId = p.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
