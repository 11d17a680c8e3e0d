package bus

import (
	"io"
	"os"
	"runtime/debug"

	"go.uber.org/zap"
)

// Boot is what every service sets up before it reaches NATS: its logger,
// the "starting" line (version and configuration, secrets masked) and its
// ops endpoint (/metrics, /healthz, /readyz on MetricsAddr, when set).
type Boot struct {
	Log     *zap.Logger
	Ops     *Ops
	stopOps func()
}

// NewBoot builds the logger, logs "starting" with the configuration and the
// service's own fields, and serves the ops endpoint. Errors name the bad
// setting (log format or level, metrics address).
func NewBoot(service, version string, c StageConfig, stdout io.Writer, fields ...zap.Field) (*Boot, error) {
	log, err := NewLogger(c.Log, service, stdout)
	if err != nil {
		return nil, err
	}
	gc, limit := tuneGC(c.GCPercent)
	log.Info("starting", append(append(c.LogFields(), zap.String("version", version), zap.Int("gogc", gc),
		zap.Int64("gomemlimit_mib", limit>>20)), fields...)...)
	ops := NewOps(service, version, c.Pprof)
	stop, err := ops.Serve(c.MetricsAddr, log)
	if err != nil {
		_ = log.Sync()
		return nil, err
	}
	return &Boot{Log: log, Ops: ops, stopOps: stop}, nil
}

// Close stops the ops endpoint, logs "stopped" and flushes the log.
func (b *Boot) Close() {
	b.stopOps()
	b.Log.Info("stopped")
	_ = b.Log.Sync()
}

// defaultGOGC is the garbage collector's target unless the service or the
// environment (GOGC) sets another. The services allocate a lot of
// short-lived memory per message (decoding, tagging) over a small live
// heap; at 200 instead of Go's 100 the collector runs half as often, which
// "make bench" measured as 13% more paragraphs per second end to end, for
// 20-40 MB more peak RSS per service.
const defaultGOGC = 200

// defaultMemLimit is the runtime's soft memory limit unless the environment
// (GOMEMLIMIT) sets another. Below it, GOGC paces the collector; near it,
// the collector runs as often as it takes to stay under, which keeps a
// service's peak RSS under 200 MB at full speed (make bench) for a little
// CPU. It is soft: a live heap above it grows, with the collector's CPU
// capped.
const defaultMemLimit = 128 << 20

// tuneGC sets the collector's target to pct (0: defaultGOGC) unless GOGC is
// set in the environment, and the soft memory limit to defaultMemLimit
// unless GOMEMLIMIT is (the runtime has applied those then). It returns the
// target and the limit in force.
func tuneGC(pct int) (int, int64) {
	if pct == 0 {
		pct = defaultGOGC
	}
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(pct)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(defaultMemLimit)
	}
	inForce := debug.SetGCPercent(-1)
	debug.SetGCPercent(inForce)
	return inForce, debug.SetMemoryLimit(-1)
}
