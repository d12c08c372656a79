package commands

import (
	"math"
	"strconv"
	"strings"
)

// MaxConcurrency and MaxErrors: resolving "N" or "N%" to a count of targets.

// resolveRate turns "N" or "N%" into a count of targets. Concurrency
// rounds a percentage up and is at least 1 (a command always makes
// progress); the error threshold rounds down ("10% of 50" is 5, the
// documented example).
func resolveRate(spec string, targets int, roundUp bool) int {
	if p, ok := strings.CutSuffix(spec, "%"); ok {
		n, _ := strconv.Atoi(p)
		f := float64(n) * float64(targets) / 100
		if roundUp {
			return max(1, int(math.Ceil(f)))
		}
		return int(math.Floor(f))
	}
	n, _ := strconv.Atoi(spec)
	return n
}
