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

func state(cals []*Calendar, at, to time.Time) (open bool, next time.Time) {
	busy := make([][]interval, len(cals))
	var edges []time.Time
	for i, c := range cals {
		busy[i] = c.busy(at, to)
		for _, iv := range busy[i] {
			for _, t := range []time.Time{iv.start, iv.end} {
				if t.After(at) && !t.After(to) {
					edges = append(edges, t)
				}
			}
		}
	}
	openAt := func(t time.Time) bool {
		for i, c := range cals {
			if !c.openAt(busy[i], t) {
				return false
			}
		}
		return true
	}
	open = openAt(at)
	slices.SortFunc(edges, func(a, b time.Time) int { return a.Compare(b) })
	for _, t := range edges {
		if openAt(t) != open {
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
	// A transition at exactly at counts, so the intervals must reach
	// just past it.
	to := at.Add(time.Nanosecond)
	busy := make([][]interval, len(cals))
	var edges []time.Time
	for i, c := range cals {
		busy[i] = c.busy(from, to)
		for _, iv := range busy[i] {
			for _, t := range []time.Time{iv.start, iv.end} {
				if t.After(from) && !t.After(at) {
					edges = append(edges, t)
				}
			}
		}
	}
	openAt := func(t time.Time) bool {
		for i, c := range cals {
			if !c.openAt(busy[i], t) {
				return false
			}
		}
		return true
	}
	slices.SortFunc(edges, func(a, b time.Time) int { return b.Compare(a) })
	for _, t := range edges {
		if openAt(t) != openAt(t.Add(-time.Nanosecond)) {
			return t
		}
	}
	return time.Time{}
}
