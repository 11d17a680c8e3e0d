package bus

import (
	"io"

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
	log.Info("starting", append(append(c.LogFields(), zap.String("version", version)), fields...)...)
	ops := NewOps(service, version)
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
