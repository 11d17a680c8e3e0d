package bus

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// Ops is where a stage reports its metrics and readiness: the process's ops
// endpoint (proc.Ops).
type Ops interface {
	Register(prometheus.Collector) error
	// SetReady sets the check behind /readyz: nil means ready.
	SetReady(check func() error)
	// SetStopped says the stage has stopped: /healthz and /readyz fail.
	SetStopped()
}

// The metrics of a stage, read from its Stats at each scrape:
// warta_processed_total, warta_failed_total, warta_redelivered_total,
// warta_dead_lettered_total, warta_processing_seconds, warta_in_flight and
// warta_consumer_lag, each labelled with the stage.
//
// statsCollector turns a stage's Stats into metrics at scrape time, so the
// counters are kept once, in Stats.
type statsCollector struct {
	s *Stats
	processed, failed, redelivered, deadLettered,
	processing, inFlight, lag *prometheus.Desc
}

func newStatsCollector(stage string, s *Stats) *statsCollector {
	l := prometheus.Labels{"stage": stage}
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, l) }
	return &statsCollector{
		s:            s,
		processed:    d("warta_processed_total", "Messages processed and acked."),
		failed:       d("warta_failed_total", "Message processing failures (each retry and each dead letter counts)."),
		redelivered:  d("warta_redelivered_total", "Messages received again after an earlier delivery was not acked."),
		deadLettered: d("warta_dead_lettered_total", "Messages moved to the DEADLETTER stream."),
		processing:   d("warta_processing_seconds", "Time to process a batch of messages (up to the stage's BATCH_SIZE), publish its output and ack it."),
		inFlight:     d("warta_in_flight", "Messages being processed by this process now."),
		lag:          d("warta_consumer_lag", "Messages of the stage's durable consumer not yet acked (pending plus ack pending), across all its processes."),
	}
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.processed, c.failed, c.redelivered, c.deadLettered, c.processing, c.inFlight, c.lag} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	counter(c.processed, c.s.Processed.Load())
	counter(c.failed, c.s.Failed.Load())
	counter(c.redelivered, c.s.Redelivered.Load())
	counter(c.deadLettered, c.s.DeadLettered.Load())
	count, sum, buckets := c.s.histogram()
	ch <- prometheus.MustNewConstHistogram(c.processing, count, sum, buckets)
	ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(c.s.InFlight.Load()))
	lag, ok := c.s.refreshLag(context.Background())
	if !ok {
		lag, ok = c.s.lastLag()
	}
	if ok {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag))
	}
}
