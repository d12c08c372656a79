package output

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// Every document time has three fractional digits, whatever the value:
// time.Time's own encoding would print .67Z beside .665Z and none at all
// for whole seconds.
func TestDocumentTimesHaveMilliseconds(t *testing.T) {
	t.Parallel()
	type view struct {
		At    *Time `json:"at"`
		Maybe *Time `json:"maybe,omitempty"`
	}
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "2026-11-01T11:00:00.000Z"},
		{670 * time.Millisecond, "2026-11-01T11:00:00.670Z"},
		{665 * time.Millisecond, "2026-11-01T11:00:00.665Z"},
		{665*time.Millisecond + 999*time.Microsecond, "2026-11-01T11:00:00.665Z"},
	} {
		doc, err := marshalDocument([]view{{At: NewTime(base.Add(tc.d))}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), `"at": "`+tc.want+`"`) || strings.Contains(string(doc), "maybe") {
			t.Errorf("%v: %s, want at %s and no maybe", tc.d, doc, tc.want)
		}
	}
	if NewTime(time.Time{}) != nil {
		t.Errorf("NewTime(zero) is not nil")
	}
	if got := TimeLabel(NewTime(base), base, false); got != "2026-11-01T11:00:00Z" {
		t.Errorf("text label %q", got)
	}
}

// A view with a raw time.Time is refused, so no command prints one.
func TestRawTimesRefused(t *testing.T) {
	t.Parallel()
	type inner struct {
		When time.Time `json:"when"`
	}
	type view struct {
		Items []*inner `json:"items"`
	}
	_, err := marshalDocument(view{})
	if err == nil || !regexp.MustCompile(`\.Items\.When is a time\.Time`).MatchString(err.Error()) {
		t.Errorf("err %v, want a refusal naming .Items.When", err)
	}
	if _, err := marshalDocument(map[string]*Time{"a": NewTime(time.Now())}); err != nil {
		t.Errorf("*Time refused: %v", err)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 parameters", 1: "1 parameter", 2: "2 parameters"} {
		if got := Count(n, "parameter"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// An expiry reads "in 22h" until it passes, then as any past time.
func TestDueLabel(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		22 * time.Hour:       "in 22h",
		90 * time.Second:     "in 1m",
		-time.Hour:           "1h ago",
		72 * time.Hour:       "in 3d",
		-30 * 24 * time.Hour: "30d ago",
	} {
		if got := DueLabel(NewTime(now.Add(d)), now, true); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
	if got := DueLabel(NewTime(now.Add(time.Hour)), now, false); got != "2026-11-01T13:00:00Z" {
		t.Errorf("text label %q", got)
	}
	if DueLabel(nil, now, true) != "" {
		t.Error("nil is not empty")
	}
}
