package bus

import (
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LogConfig selects the log format and level.
type LogConfig struct {
	// Format is "json" (the default, for machines) or "console" (for people).
	Format string
	// Level is debug, info, warn or error.
	Level string
}

// Register adds --log-format and --log-level (LOG_FORMAT, LOG_LEVEL).
func (c *LogConfig) Register(f *Flags) {
	f.StringVar(&c.Format, "log-format", "LOG_FORMAT", "json", "log format: json or console")
	f.StringVar(&c.Level, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn or error")
}

// NewLogger builds a zap logger writing to w, every line tagged with the
// service name. Repeated messages are sampled so a flood of identical errors
// cannot flood the logs: the first 10 per second of each message, then one in
// 100. Errors name the bad setting.
func NewLogger(c LogConfig, service string, w io.Writer) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.Set(c.Level); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", c.Level)
	}
	var enc zapcore.Encoder
	switch c.Format {
	case "json", "":
		ec := zap.NewProductionEncoderConfig()
		ec.TimeKey = "ts"
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		ec.EncodeDuration = zapcore.StringDurationEncoder
		enc = zapcore.NewJSONEncoder(ec)
	case "console":
		ec := zap.NewDevelopmentEncoderConfig()
		ec.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		enc = zapcore.NewConsoleEncoder(ec)
	default:
		return nil, fmt.Errorf("log format %q: use json or console", c.Format)
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(w), lvl)
	core = zapcore.NewSamplerWithOptions(core, 1e9, 10, 100)
	return zap.New(core, zap.ErrorOutput(zapcore.AddSync(w))).With(zap.String("service", service)), nil
}
