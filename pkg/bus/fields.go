package bus

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Stored is when JetStream stored m in its stream (zero if m carries no
// JetStream metadata): the start of the latency a stage reports.
func Stored(m jetstream.Msg) time.Time {
	md, err := m.Metadata()
	if err != nil {
		return time.Time{}
	}
	return md.Timestamp
}

// LatencyMS is the latency_ms field of a log line: milliseconds since t,
// with microsecond precision. A zero t gives no field (zap.Skip).
func LatencyMS(t time.Time) zap.Field {
	if t.IsZero() {
		return zap.Skip()
	}
	return zap.Float64("latency_ms", float64(time.Since(t).Microseconds())/1000)
}
