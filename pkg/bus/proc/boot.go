// Package proc sets up a service's process, before and beside NATS:
// flags that fall back to environment variables, the zap logger (sampled),
// the ops endpoint (/metrics, /healthz, /readyz, /debug/pprof/), the
// "healthcheck" command of container images, and the garbage collector's
// tuning. It knows nothing of NATS: package bus does the plumbing.
package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
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

// NewBoot builds the logger, tunes the garbage collector (GOGC and
// GOMEMLIMIT, read through getenv, win over c), logs "starting" with the
// settings, the version and the service's own fields, and serves the ops
// endpoint. Errors name the bad setting (log format or level, metrics
// address).
func NewBoot(service, version string, c Config, getenv func(string) string, stdout io.Writer, settings []zap.Field, fields ...zap.Field) (*Boot, error) {
	log, err := newLogger(c.Log, service, stdout)
	if err != nil {
		return nil, err
	}
	gc, limit := tuneGC(c.GCPercent, c.MemoryLimit, getenv)
	memLimit := zap.String("gomemlimit", "off")
	if limit < math.MaxInt64 {
		memLimit = zap.String("gomemlimit", fmt.Sprintf("%dMiB", limit>>20))
	}
	log.Info("starting", append(append(settings, zap.String("version", version), zap.Int("gogc", gc), memLimit), fields...)...)
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

// defaultMemLimit is the runtime's soft memory limit unless the service or
// the environment (GOMEMLIMIT) sets another. Below it, GOGC paces the
// collector; near it, the collector runs as often as it takes to stay under,
// which keeps enrich's peak RSS at 140 MiB instead of 191 at full speed
// ("make bench") for no measurable throughput. It is soft: a live heap above
// it grows, with the collector's CPU capped.
const defaultMemLimit = 128 << 20

// tuneGC sets the collector's target to pct (0: defaultGOGC) unless getenv
// has GOGC, and the soft memory limit to limit (0: defaultMemLimit, below 0:
// none) unless getenv has GOMEMLIMIT (the runtime has applied those then). It returns the target and the limit in force
// (math.MaxInt64: none).
func tuneGC(pct int, limit int64, getenv func(string) string) (int, int64) {
	if pct == 0 {
		pct = defaultGOGC
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(pct)
	}
	switch {
	case limit == 0:
		limit = defaultMemLimit
	case limit < 0:
		limit = math.MaxInt64
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
	inForce := debug.SetGCPercent(-1)
	debug.SetGCPercent(inForce)
	return inForce, debug.SetMemoryLimit(-1)
}

// StoppedEarly reports whether err says no more than that ctx, the
// process's shutdown signal, ended its start-up (waiting for NATS, creating
// streams or consumers): a service asked to stop before it was running has
// stopped as asked, and exits 0 like one stopped later.
func StoppedEarly(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled)
}
