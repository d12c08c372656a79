package nodes

import (
	"errors"
	"fmt"
	"time"
)

// A node's patches in the fleet file: its patch inventory (instead of the
// one the patch area generates for its operating system) and the patches
// an install fails on. docs/sandbox-patch.md describes the format.

// Patch is one patch a node has installed or can install.
type Patch struct {
	ID             string `yaml:"id" json:"id"` // a KB ID (Windows) or package name
	Title          string `yaml:"title,omitempty" json:"title,omitempty"`
	Classification string `yaml:"classification,omitempty" json:"classification,omitempty"`
	Severity       string `yaml:"severity,omitempty" json:"severity,omitempty"`
	// Released is the release date, YYYY-MM-DD, or a number of days
	// before the sandbox started (daysAgo).
	Released  string `yaml:"released,omitempty" json:"released,omitempty"`
	DaysAgo   int    `yaml:"daysAgo,omitempty" json:"daysAgo,omitempty"`
	Installed bool   `yaml:"installed,omitempty" json:"installed,omitempty"`
	CVEs      string `yaml:"cves,omitempty" json:"cves,omitempty"`
}

// ReleaseDate is the patch's release date, relative to now for DaysAgo.
func (p Patch) ReleaseDate(now time.Time) time.Time {
	if p.Released != "" {
		t, _ := time.Parse(time.DateOnly, p.Released)
		return t
	}
	return now.AddDate(0, 0, -p.DaysAgo).Truncate(24 * time.Hour)
}

func (n *Node) validatePatches() error {
	seen := map[string]bool{}
	for i, p := range n.Patches {
		switch {
		case p.ID == "":
			return fmt.Errorf("patches: patch %d has no id", i+1)
		case len(p.ID) > 100:
			return fmt.Errorf("patches: id %q is longer than 100 characters", p.ID)
		case seen[p.ID]:
			return fmt.Errorf("patches: id %q appears twice", p.ID)
		case p.Released != "" && p.DaysAgo != 0:
			return fmt.Errorf("patches: %s: give released or daysAgo, not both", p.ID)
		case p.DaysAgo < 0:
			return fmt.Errorf("patches: %s: daysAgo %d is negative", p.ID, p.DaysAgo)
		}
		if p.Released != "" {
			if _, err := time.Parse(time.DateOnly, p.Released); err != nil {
				return fmt.Errorf("patches: %s: released %q is not a date (YYYY-MM-DD)", p.ID, p.Released)
			}
		}
		seen[p.ID] = true
	}
	for _, id := range n.FailPatches {
		if id == "" {
			return errors.New("failPatches: an empty patch id")
		}
	}
	return nil
}
