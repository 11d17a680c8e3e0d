package bus

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Stats counts what a stage did. It is safe for concurrent use.
type Stats struct {
	Processed    atomic.Uint64
	Failed       atomic.Uint64
	Redelivered  atomic.Uint64
	DeadLettered atomic.Uint64

	mu        sync.Mutex
	latencies []time.Duration // batch processing times since the last summary
}

func (s *Stats) observe(d time.Duration) {
	s.mu.Lock()
	if len(s.latencies) < 100_000 {
		s.latencies = append(s.latencies, d)
	}
	s.mu.Unlock()
}

// takeP99 returns the 99th percentile of processing times since the last call.
func (s *Stats) takeP99() time.Duration {
	s.mu.Lock()
	l := s.latencies
	s.latencies = nil
	s.mu.Unlock()
	if len(l) == 0 {
		return 0
	}
	slices.Sort(l)
	return l[(len(l)*99)/100]
}

// Summarize logs one summary line every interval until ctx ends, and a final
// one then: processed, failed, redelivered, dead-lettered, the rate since the
// last line, the 99th percentile processing time and the consumer's lag
// (messages not yet delivered plus delivered and not yet acked). With an
// interval of 0 only the final line is logged.
func Summarize(ctx context.Context, log *zap.Logger, s *Stats, cons jetstream.Consumer, interval time.Duration) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	last, lastAt := s.Processed.Load(), time.Now()
	line := func(msg string) {
		now := time.Now()
		processed := s.Processed.Load()
		fields := []zap.Field{
			zap.Uint64("processed", processed),
			zap.Uint64("failed", s.Failed.Load()),
			zap.Uint64("redelivered", s.Redelivered.Load()),
			zap.Uint64("dead_lettered", s.DeadLettered.Load()),
			zap.Float64("rate_per_s", round1(float64(processed-last)/now.Sub(lastAt).Seconds())),
			zap.Float64("p99_ms", float64(s.takeP99().Microseconds())/1000),
		}
		if cons != nil {
			ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if info, err := cons.Info(ictx); err == nil {
				fields = append(fields, zap.Uint64("lag", info.NumPending+uint64(info.NumAckPending)))
			}
			cancel()
		}
		log.Info(msg, fields...)
		last, lastAt = processed, now
	}
	for {
		select {
		case <-ctx.Done():
			line("final summary")
			return
		case <-tick:
			line("summary")
		}
	}
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
