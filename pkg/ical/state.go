package ical

import (
	"slices"
	"time"
)

// Horizon is how far ahead State looks for the next transition: a
// calendar whose state does not change within it has no
// NextTransitionTime. It looks a year ahead first (cheap for recurring
// events), then the rest of the way.
const Horizon = 100 * 365 * 24 * time.Hour

const firstLook = 366 * 24 * time.Hour

type interval struct{ start, end time.Time }

// busy lists the times covered by the calendar's events between from and
// to, merged and in order. An event of no duration covers nothing.
func (c *Calendar) busy(from, to time.Time) []interval {
	var ivs []interval
	for _, e := range c.Events {
		if e.Dur <= 0 {
			continue
		}
		for _, s := range e.starts(to) {
			if end := s.Add(e.Dur); end.After(from) {
				ivs = append(ivs, interval{s, end})
			}
		}
	}
	slices.SortFunc(ivs, func(a, b interval) int { return a.start.Compare(b.start) })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.start.After(out[n-1].end) {
			if iv.end.After(out[n-1].end) {
				out[n-1].end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// openAt says whether a calendar with these events is open at t: a
// DEFAULT_OPEN calendar is closed during its events, a DEFAULT_CLOSED one
// open during them.
func (c *Calendar) openAt(busy []interval, t time.Time) bool {
	in := slices.ContainsFunc(busy, func(iv interval) bool { return !t.Before(iv.start) && t.Before(iv.end) })
	return in == (c.Type == DefaultClosed)
}

// State is GetCalendarState over several calendars: open only when every
// one is open, and the first time after at when that changes (zero when
// it does not change within Horizon).
func State(cals []*Calendar, at time.Time) (open bool, next time.Time) {
	open, next = state(cals, at, at.Add(firstLook))
	if next.IsZero() {
		open, next = state(cals, at, at.Add(Horizon))
	}
	return open, next
}

// span is the calendars' events between two times: the edges (starts
// and ends) after from and at or before to, in order, and whether the
// calendars are open together at a time within it.
type span struct {
	cals  []*Calendar
	busy  [][]interval
	edges []time.Time
}

func newSpan(cals []*Calendar, from, to time.Time) *span {
	sp := &span{cals: cals, busy: make([][]interval, len(cals))}
	for i, c := range cals {
		// The intervals reach just past to, so an edge at to counts.
		sp.busy[i] = c.busy(from, to.Add(time.Nanosecond))
		for _, iv := range sp.busy[i] {
			for _, t := range []time.Time{iv.start, iv.end} {
				if t.After(from) && !t.After(to) {
					sp.edges = append(sp.edges, t)
				}
			}
		}
	}
	slices.SortFunc(sp.edges, func(a, b time.Time) int { return a.Compare(b) })
	return sp
}

func (sp *span) openAt(t time.Time) bool {
	for i, c := range sp.cals {
		if !c.openAt(sp.busy[i], t) {
			return false
		}
	}
	return true
}

func state(cals []*Calendar, at, to time.Time) (open bool, next time.Time) {
	sp := newSpan(cals, at, to)
	open = sp.openAt(at)
	for _, t := range sp.edges {
		if sp.openAt(t) != open {
			return open, t
		}
	}
	return open, time.Time{}
}

// Since is when the calendars' combined state at at began: the last time
// at or before at when it changed, looking back a year first and then
// the rest of Horizon. It is zero when the state has not changed within
// Horizon (a calendar that has always been as it is). GetCalendarState
// does not answer it; ssmctl computes it from the calendars' content.
func Since(cals []*Calendar, at time.Time) time.Time {
	if t := since(cals, at, at.Add(-firstLook)); !t.IsZero() {
		return t
	}
	return since(cals, at, at.Add(-Horizon))
}

func since(cals []*Calendar, at, from time.Time) time.Time {
	sp := newSpan(cals, from, at)
	for i := len(sp.edges) - 1; i >= 0; i-- {
		if t := sp.edges[i]; sp.openAt(t) != sp.openAt(t.Add(-time.Nanosecond)) {
			return t
		}
	}
	return time.Time{}
}
