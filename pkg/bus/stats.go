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

// Stats counts what a stage did. It is safe for concurrent use. The summary
// lines, the /metrics endpoint and the micro service's stats all read it.
type Stats struct {
	Processed    atomic.Uint64
	Failed       atomic.Uint64
	Redelivered  atomic.Uint64
	DeadLettered atomic.Uint64
	// InFlight is the number of messages being processed right now.
	InFlight atomic.Int64
	// Summary, when set, adds a stage's own fields to every summary line
	// (set it before the stage runs).
	Summary func() []zap.Field

	mu        sync.Mutex
	latencies []time.Duration // batch processing times since the last summary
	// The processing time histogram since start, for /metrics: counts[i]
	// is the number of batches that took at most processingBuckets[i]
	// (not cumulative); the last slot counts the slower ones.
	counts  [len(processingBuckets) + 1]uint64
	sum     time.Duration
	cons    jetstream.Consumer // where the lag comes from, once consuming
	lag     uint64
	lagSeen bool
}

// processingBuckets are the upper bounds, in seconds, of the processing
// time histogram (warta_processing_seconds): 1 ms to about 33 s.
// It is never written.
var processingBuckets = [...]float64{.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5, 10, 20, 33}

func (s *Stats) observe(d time.Duration) {
	i, _ := slices.BinarySearch(processingBuckets[:], d.Seconds())
	s.mu.Lock()
	if len(s.latencies) < 100_000 {
		s.latencies = append(s.latencies, d)
	}
	s.counts[i]++
	s.sum += d
	s.mu.Unlock()
}

// histogram returns the processing time histogram: the total count, the sum
// in seconds and the cumulative count of each of processingBuckets.
func (s *Stats) histogram() (count uint64, sum float64, buckets map[float64]uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buckets = make(map[float64]uint64, len(processingBuckets))
	for i, ub := range processingBuckets {
		count += s.counts[i]
		buckets[ub] = count
	}
	return count + s.counts[len(processingBuckets)], s.sum.Seconds(), buckets
}

// setConsumer names the consumer whose lag the stage reports.
func (s *Stats) setConsumer(c jetstream.Consumer) {
	s.mu.Lock()
	s.cons = c
	s.mu.Unlock()
}

// refreshLag asks the server for the consumer's lag (messages not yet
// delivered plus delivered and not yet acked) and returns it; ok is false
// when it is not known, as before the stage consumes or when the server does
// not answer, in which case the last known lag is kept for /metrics.
func (s *Stats) refreshLag(ctx context.Context) (lag uint64, ok bool) {
	s.mu.Lock()
	c := s.cons
	s.mu.Unlock()
	if c == nil {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	info, err := c.Info(ctx)
	if err != nil {
		return 0, false
	}
	lag = info.NumPending + uint64(info.NumAckPending)
	s.mu.Lock()
	s.lag, s.lagSeen = lag, true
	s.mu.Unlock()
	return lag, true
}

// lastLag is the lag found by the last refreshLag that succeeded.
func (s *Stats) lastLag() (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag, s.lagSeen
}

// Snapshot is what Stats holds at one moment, as the micro service's stats
// endpoint reports it.
type Snapshot struct {
	Processed    uint64 `json:"processed"`
	Failed       uint64 `json:"failed"`
	Redelivered  uint64 `json:"redelivered"`
	DeadLettered uint64 `json:"dead_lettered"`
	InFlight     int64  `json:"in_flight"`
	// Lag is the consumer's last known lag; absent before it is known.
	Lag *uint64 `json:"lag,omitempty"`
}

// Snapshot returns the counters and the last known lag.
func (s *Stats) Snapshot() Snapshot {
	snap := Snapshot{
		Processed:    s.Processed.Load(),
		Failed:       s.Failed.Load(),
		Redelivered:  s.Redelivered.Load(),
		DeadLettered: s.DeadLettered.Load(),
		InFlight:     s.InFlight.Load(),
	}
	if lag, ok := s.lastLag(); ok {
		snap.Lag = &lag
	}
	return snap
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

// idleSummaryEvery is how often an idle stage logs its summary line: one
// whose counters, messages in hand and lag have not changed since its last
// line says nothing new, so it is logged only this often, to show the stage
// is alive.
const idleSummaryEvery = time.Minute

// summarize looks at the stage every interval until ctx ends, and logs a
// summary line when something changed since the last one (or at least every
// idleSummaryEvery), and a final one when ctx ends: processed, failed,
// redelivered, dead-lettered, the rate since the last line, the 99th
// percentile processing time and the consumer's lag (messages not yet
// delivered plus delivered and not yet acked), and the messages in hand.
// With an interval of 0 only the final line is logged.
func summarize(ctx context.Context, log *zap.Logger, s *Stats, cons jetstream.Consumer, interval time.Duration) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	if cons != nil {
		s.setConsumer(cons)
	}
	gate := summaryGate{idle: idleSummaryEvery}
	gate.logged(s.state(ctx, false), time.Now())
	line := func(msg string, st summaryState, now time.Time) {
		last, lastAt := gate.last, gate.lastAt
		fields := []zap.Field{
			zap.Uint64("processed", st.processed),
			zap.Uint64("failed", st.failed),
			zap.Uint64("redelivered", st.redelivered),
			zap.Uint64("dead_lettered", st.deadLettered),
			zap.Float64("rate_per_s", round1(float64(st.processed-last.processed)/now.Sub(lastAt).Seconds())),
			zap.Float64("p99_ms", float64(s.takeP99().Microseconds())/1000),
			zap.Int64("in_flight", st.inFlight),
		}
		if st.lagKnown {
			fields = append(fields, zap.Uint64("lag", st.lag))
		}
		if s.Summary != nil {
			fields = append(fields, s.Summary()...)
		}
		log.Info(msg, fields...)
		gate.logged(st, now)
	}
	for {
		select {
		case <-ctx.Done():
			line("final summary", s.state(ctx, cons != nil), time.Now())
			return
		case now := <-tick:
			if st := s.state(ctx, cons != nil); gate.due(st, now) {
				line("summary", st, now)
			}
		}
	}
}

// summaryState is what a summary line reports that can change.
type summaryState struct {
	processed, failed, redelivered, deadLettered uint64
	inFlight                                     int64
	lag                                          uint64
	lagKnown                                     bool
}

// state reads the counters and, with withLag, asks the server for the lag.
func (s *Stats) state(ctx context.Context, withLag bool) summaryState {
	st := summaryState{
		processed:    s.Processed.Load(),
		failed:       s.Failed.Load(),
		redelivered:  s.Redelivered.Load(),
		deadLettered: s.DeadLettered.Load(),
		inFlight:     s.InFlight.Load(),
	}
	if withLag {
		st.lag, st.lagKnown = s.refreshLag(ctx)
	}
	return st
}

// summaryGate decides when a periodic summary line is worth logging: when
// its state differs from the last line's, or idle has passed since it.
type summaryGate struct {
	idle   time.Duration
	last   summaryState
	lastAt time.Time
}

// due reports whether a line with st, at now, is to be logged.
func (g *summaryGate) due(st summaryState, now time.Time) bool {
	return st != g.last || now.Sub(g.lastAt) >= g.idle
}

// logged records the line just logged (or, at start, the state to compare with).
func (g *summaryGate) logged(st summaryState, now time.Time) { g.last, g.lastAt = st, now }

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
