package proc

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGCReadsGivenEnv: GOGC and GOMEMLIMIT are looked up through the
// getenv the service was given, not the process's environment: set there,
// the runtime's own settings stay; unset, the service's are applied.
func TestTuneGCReadsGivenEnv(t *testing.T) {
	pct, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(pct)
	t.Cleanup(func() { debug.SetGCPercent(pct); debug.SetMemoryLimit(limit) })

	debug.SetGCPercent(77)
	debug.SetMemoryLimit(300 << 20)
	set := func(k string) string { return map[string]string{"GOGC": "77", "GOMEMLIMIT": "300MiB"}[k] }
	if gc, lim := tuneGC(150, 64<<20, set); gc != 77 || lim != 300<<20 {
		t.Errorf("with GOGC and GOMEMLIMIT set: %d, %d; want the runtime's 77 and %d", gc, lim, 300<<20)
	}
	unset := func(string) string { return "" }
	if gc, lim := tuneGC(150, 64<<20, unset); gc != 150 || lim != 64<<20 {
		t.Errorf("with neither set: %d, %d; want 150 and %d", gc, lim, 64<<20)
	}
	if gc, lim := tuneGC(0, -1, unset); gc != defaultGOGC || lim != math.MaxInt64 {
		t.Errorf("defaults: %d, %d; want %d and no limit", gc, lim, defaultGOGC)
	}
}
