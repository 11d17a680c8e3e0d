package proc

import (
	"io"
	"sync"
	"time"

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

// newLogger builds a zap logger writing to w, every line tagged with the
// service name. Repeated lines are sampled so a flood of errors cannot flood
// the logs: of each kind of line, the first 10 in a second are written, then
// one in 100 (see newSampler for what makes a kind). Errors name the bad
// setting.
func newLogger(c LogConfig, service string, w io.Writer) (*zap.Logger, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var lvl zapcore.Level
	_ = lvl.Set(c.Level) // checked by Validate
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
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(w), lvl)
	core = newSampler(core, time.Second, 10, 100)
	return zap.New(core, zap.ErrorOutput(zapcore.AddSync(w))).With(zap.String("service", service)), nil
}

// Sampling keys: a line's kind is its level and message and, for the lines
// that carry one, the start of its "reason" (dead letters) or "error" field.
const (
	// sampleKeyBytes is how much of the reason or error makes the kind:
	// enough for the cause ("invalid article: body is empty"), before the
	// details that vary from message to message.
	sampleKeyBytes = 40
	// maxSampleKinds bounds the kinds counted apart in one tick; lines of
	// further kinds are counted by level and message only, so varied
	// errors cannot defeat the sampling.
	maxSampleKinds = 64
)

// sampler is zap's sampler (first N of a kind per tick, then every M-th)
// with a finer kind. zap's own keys on the message alone, so in a flood of
// one dead-letter reason it would also drop the few dead letters of another
// reason; this one decides in Write, where the fields are known, so each
// reason gets its own first N.
type sampler struct {
	zapcore.Core
	*sampleCounts
}

type sampleCounts struct {
	tick              time.Duration
	first, thereafter uint64
	mu                sync.Mutex
	start             time.Time
	counts            map[string]uint64
}

func newSampler(core zapcore.Core, tick time.Duration, first, thereafter uint64) zapcore.Core {
	return &sampler{Core: core, sampleCounts: &sampleCounts{tick: tick, first: first, thereafter: thereafter}}
}

func (s *sampler) With(fields []zapcore.Field) zapcore.Core {
	return &sampler{Core: s.Core.With(fields), sampleCounts: s.sampleCounts}
}

func (s *sampler) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if !s.Enabled(ent.Level) {
		return ce
	}
	return ce.AddCore(ent, s)
}

func (s *sampler) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	if !s.keep(ent, fields) {
		return nil
	}
	return s.Core.Write(ent, fields)
}

// keep counts the line in its kind and says whether to write it.
func (s *sampleCounts) keep(ent zapcore.Entry, fields []zapcore.Field) bool {
	key := ent.Level.String() + "\x00" + ent.Message
	detail := ""
	for _, f := range fields {
		switch {
		case f.Key == "reason" && f.Type == zapcore.StringType:
			detail = f.String
		case f.Key == "error" && f.Type == zapcore.ErrorType && detail == "":
			if err, ok := f.Interface.(error); ok && err != nil {
				detail = err.Error()
			}
		}
	}
	if len(detail) > sampleKeyBytes {
		detail = detail[:sampleKeyBytes]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ent.Time.Sub(s.start) >= s.tick || ent.Time.Before(s.start) {
		s.start, s.counts = ent.Time, map[string]uint64{}
	}
	if detail != "" {
		if _, seen := s.counts[key+"\x00"+detail]; seen || len(s.counts) < maxSampleKinds {
			key += "\x00" + detail
		}
	}
	n := s.counts[key] + 1
	s.counts[key] = n
	return n <= s.first || (n-s.first)%s.thereafter == 0
}
