package proc

import (
	"fmt"
	"net"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config holds the process settings every service shares: its log, its ops
// endpoint and its garbage collector.
type Config struct {
	Log LogConfig
	// MetricsAddr is where /metrics, /healthz and /readyz are served
	// (host:port); empty serves none.
	MetricsAddr string
	// Pprof serves Go's profiler on MetricsAddr under /debug/pprof/.
	Pprof bool
	// GCPercent is the garbage collector's target (GOGC) when the
	// environment sets none; 0 means 200 (see NewBoot). Not a flag: each
	// service picks it for its memory profile.
	GCPercent int
	// MemoryLimit is the runtime's soft memory limit (GOMEMLIMIT) in bytes
	// when the environment sets none; 0 means 128 MiB (see NewBoot), less
	// than 0 none. Not a flag either.
	MemoryLimit int64
}

// Register adds --log-format, --log-level, --metrics-addr and --pprof with
// their variables.
func (c *Config) Register(f *Flags) {
	c.Log.Register(f)
	f.StringVar(&c.MetricsAddr, "metrics-addr", "METRICS_ADDR", "", "address (host:port) serving /metrics, /healthz and /readyz (empty = none)")
	f.BoolVar(&c.Pprof, "pprof", false, "also serve Go's profiler under /debug/pprof/ on the metrics address (the index: on its HTTP address); for profiling, off in production")
	f.Env("pprof", "PPROF")
}

// Validate checks the settings, naming the bad one and what to use instead.
func (c *Config) Validate() error {
	if err := c.Log.Validate(); err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("metrics-addr %q: use host:port, e.g. :9090 or 127.0.0.1:9090, or empty for none", c.MetricsAddr)
		}
	}
	return nil
}

// LogFields describes the ops settings for the start-up log line.
func (c *Config) LogFields() []zap.Field {
	return []zap.Field{zap.String("metrics_addr", c.MetricsAddr), zap.Bool("pprof", c.Pprof)}
}

// Validate checks the log format and level, naming the bad one.
func (c LogConfig) Validate() error {
	var lvl zapcore.Level
	if err := lvl.Set(c.Level); err != nil {
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.Level)
	}
	switch c.Format {
	case "json", "console", "":
		return nil
	}
	return fmt.Errorf("log format %q: use json or console", c.Format)
}
