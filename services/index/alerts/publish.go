package alerts

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// Metrics are the alerts' metrics: warta_alerts_total{alert} (alerts
// stored in ALERTS, duplicates not counted), warta_standing_searches (the
// standing searches loaded), warta_alert_latency_seconds (from an article's
// completion to its alert stored) and warta_alert_evaluation_seconds (the
// time to evaluate every standing search against one article).
type Metrics struct {
	alerts  *prometheus.CounterVec
	latency prometheus.Histogram
	eval    prometheus.Histogram

	mu      sync.Mutex
	total   uint64
	recent  map[string]uint64 // alerts by name since the last summary line
	evals   uint64
	evalDur time.Duration
}

// NewMetrics registers the alerts' metrics in reg; loaded reads the number
// of standing searches.
func NewMetrics(reg prometheus.Registerer, loaded func() int) (*Metrics, error) {
	m := &Metrics{
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warta_alerts_total",
			Help: "Alerts of standing searches stored in ALERTS, by standing search (a duplicate counts nothing).",
		}, []string{"alert"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "warta_alert_latency_seconds",
			Help:    "Time from an article's completion to its alert stored in ALERTS.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		eval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "warta_alert_evaluation_seconds",
			Help:    "Time to evaluate the standing searches against one completed article.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		recent: map[string]uint64{},
	}
	searches := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "warta_standing_searches",
		Help: "Standing searches loaded and evaluated against every article that completes.",
	}, func() float64 { return float64(loaded()) })
	for _, c := range []prometheus.Collector{m.alerts, m.latency, m.eval, searches} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// maxSummaryNames bounds the standing searches named in a summary line.
const maxSummaryNames = 20

// SummaryFields are the alerts' fields of the index's summary line: alerts
// stored since start, and by standing search since the last line (the
// most alerted maxSummaryNames).
func (m *Metrics) SummaryFields() []zap.Field {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := slices.Collect(maps.Keys(m.recent))
	slices.SortFunc(names, func(a, b string) int {
		if m.recent[a] != m.recent[b] {
			return int(m.recent[b]) - int(m.recent[a])
		}
		if a < b {
			return -1
		}
		return 1
	})
	recent := make(map[string]uint64, min(len(names), maxSummaryNames))
	for _, n := range names[:min(len(names), maxSummaryNames)] {
		recent[n] = m.recent[n]
	}
	fields := []zap.Field{zap.Uint64("alerts", m.total), zap.Any("alerts_by_name", recent)}
	if m.evals > 0 {
		fields = append(fields, zap.Float64("alert_eval_ms", float64(m.evalDur.Microseconds())/1000/float64(m.evals)))
	}
	clear(m.recent)
	m.evals, m.evalDur = 0, 0
	return fields
}

func (m *Metrics) stored(name string, latency time.Duration) {
	if m == nil {
		return
	}
	m.alerts.WithLabelValues(name).Inc()
	m.latency.Observe(latency.Seconds())
	m.mu.Lock()
	m.total++
	m.recent[name]++
	m.mu.Unlock()
}

func (m *Metrics) evaluated(d time.Duration) {
	if m == nil {
		return
	}
	m.eval.Observe(d.Seconds())
	m.mu.Lock()
	m.evals++
	m.evalDur += d
	m.mu.Unlock()
}

// Reader reads a complete article back; *store.Store implements it.
type Reader interface {
	Completed(ctx context.Context, id string) (store.CompletedArticle, bool, error)
}

// Alerter evaluates the standing searches against each article the index
// reports complete and publishes the alerts.
type Alerter struct {
	Engine  *Engine
	Reader  Reader
	JS      jetstream.Publisher
	Metrics *Metrics // may be nil
	Log     *zap.Logger
	// Timeout bounds the wait for JetStream to store an article's alerts.
	Timeout time.Duration
}

// Completed evaluates the standing searches against the revisions that
// store.Apply just reported complete in one batch (or complete again on a
// redelivery) and publishes an alert for each match, each with its
// events.AlertMsgID, waiting until JetStream has stored them all. It
// returns the error of each article whose alerts were not all stored, by
// article id.
//
// The index calls it before it acks the messages that completed the
// articles, so a process killed between writing an article and storing its
// alerts leaves those messages to be redelivered: Apply reports the article
// again, the alerts are published again, and the ones stored already are
// dropped by ALERTS as duplicates. Fail the message that completed an
// article with an error, to have it redelivered.
func (al *Alerter) Completed(ctx context.Context, done []events.ArticleIndexed) map[string]error {
	if al.Engine.Registry.Len() == 0 || len(done) == 0 {
		return nil
	}
	errs := map[string]error{}
	var articles []store.CompletedArticle
	for _, a := range done {
		ca, ok, err := al.Reader.Completed(ctx, a.ArticleID)
		switch {
		case err != nil:
			errs[a.ArticleID] = err
		case ok && ca.Version == a.Version && ca.ArticleSeq == a.ArticleSeq:
			articles = append(articles, ca)
		}
		// Else a newer revision completed meanwhile: its own completion alerts.
	}
	evs, err := al.Engine.Evaluate(articles)
	if err != nil {
		for _, a := range articles {
			errs[a.ID] = err
		}
		return errs
	}
	for i, ev := range evs {
		al.Metrics.evaluated(ev.Took)
		if len(ev.Alerts) > 0 {
			if err := al.publish(ctx, ev.Alerts); err != nil {
				errs[articles[i].ID] = err
			}
		}
	}
	return errs
}

// publish stores alerts in ALERTS, counting those that are not duplicates.
func (al *Alerter) publish(ctx context.Context, alerts []events.Alert) error {
	ctx, cancel := context.WithTimeout(ctx, al.Timeout)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, len(alerts))
	for i := range alerts {
		a := &alerts[i]
		a.LatencyMS = float64(time.Since(a.CompletedAt).Microseconds()) / 1000
		data, err := events.Marshal(a)
		if err != nil {
			return err
		}
		msg := nats.NewMsg(events.AlertSubject(a.Alert))
		msg.Data = data
		msg.Header.Set(jetstream.MsgIDHeader, events.AlertMsgID(a.Alert, a.ArticleID, a.ArticleSeq, a.Version))
		if futures[i], err = al.JS.PublishMsgAsync(msg); err != nil {
			return fmt.Errorf("publish alert %s of %s: %w", a.Alert, a.ArticleID, err)
		}
	}
	var names []string
	for i, f := range futures {
		a := &alerts[i]
		select {
		case ack := <-f.Ok():
			if !ack.Duplicate {
				al.Metrics.stored(a.Alert, time.Since(a.CompletedAt))
				names = append(names, a.Alert)
			}
		case err := <-f.Err():
			return fmt.Errorf("publish alert %s of %s: %w", a.Alert, a.ArticleID, err)
		case <-ctx.Done():
			return fmt.Errorf("publish alert %s of %s: no ack from JetStream within %v: %w", a.Alert, a.ArticleID, al.Timeout, ctx.Err())
		}
	}
	if len(names) > 0 {
		a := &alerts[0]
		al.Log.Info("alerts published", zap.String("article_id", a.ArticleID), zap.String("version", a.Version),
			zap.Bool("update", a.Update), zap.Int("alerts", len(names)), zap.Strings("names", names[:min(len(names), maxSummaryNames)]),
			zap.Float64("latency_ms", a.LatencyMS))
	}
	return nil
}
