// Package indexer is the index stage's work, apart from the NATS plumbing:
// it writes batches of enriched paragraphs to the store, has the alerts of
// the articles they complete published, and announces each completed
// article (events.ArticleIndexed).
package indexer

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/alerts"
	"github.com/warta-news/warta/services/index/store"
)

// Handler is the index stage's handler: it writes batches of enriched
// paragraphs and announces the articles they complete.
type Handler struct {
	Store *store.Store
	Log   *zap.Logger
	// BeforeWrite, when set, runs before each write of a batch to the
	// store; its error fails the batch. Only the index built for the fault
	// tests (-tags faults, services/index/faults.go) sets it, to slow the
	// writes.
	BeforeWrite func(ctx context.Context) error
	// BeforeAlerts, when set, runs between writing a batch that completes
	// articles and publishing their alerts (with an Alerter). Only the
	// index built for the fault tests sets it, to hold the index in that
	// gap for a test to kill it there.
	BeforeAlerts func()
	// Metrics, when set, counts the articles indexed and times the writes.
	Metrics *Metrics
	// Alerter, when set, publishes the alerts of each completed article
	// before the messages that completed it are acked.
	Alerter *alerts.Alerter
}

// Metrics are the index's own metrics, next to its stage's.
type Metrics struct {
	indexed prometheus.Counter
	batch   prometheus.Histogram
}

// NewMetrics registers warta_indexed_articles_total and
// warta_index_batch_seconds with r. It returns r's error, such as for
// metrics registered already.
func NewMetrics(r prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		indexed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warta_indexed_articles_total",
			Help: "Articles whose paragraphs are all indexed (each version counts once).",
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "warta_index_batch_seconds",
			Help:    "Time to write one batch of paragraphs to the index.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	for _, c := range []prometheus.Collector{m.indexed, m.batch} {
		if err := r.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Handle writes the paragraphs of b to the store, publishes the alerts of
// the articles that are now complete, and emits each one's ArticleIndexed
// event from the last of its messages in the batch. A message that is no
// valid enriched paragraph, or that the store rejects, fails alone; a
// failure to write the index fails the whole batch.
func (h *Handler) Handle(ctx context.Context, b *message.Batch) error {
	ps := make([]events.EnrichedParagraph, 0, len(b.Msgs))
	msgOf := make([]int, 0, len(b.Msgs)) // message index of each of ps
	// The latency of an article is from when its oldest paragraph in the
	// batch that completes it reached ENRICHED.
	oldest := map[string]time.Time{}
	// Its completion is emitted by its last message in the batch that the
	// store keeps: if that cannot be published, that message is
	// redelivered, and Apply reports the article complete again. (A
	// rejected message is dead-lettered, and what it emits with it.)
	last := map[string]int{}
	for i, m := range b.Msgs {
		e, err := events.DecodeEnriched(m.Data)
		if err != nil {
			b.Fail(i, err)
			continue
		}
		ps = append(ps, e)
		msgOf = append(msgOf, i)
		stored := m.Stored
		if t, ok := oldest[e.ArticleID]; !ok || stored.Before(t) {
			oldest[e.ArticleID] = stored
		}
	}
	if len(ps) == 0 {
		return nil
	}
	if h.BeforeWrite != nil {
		if err := h.BeforeWrite(ctx); err != nil {
			return err
		}
	}
	start := time.Now()
	res, err := h.Store.Apply(ctx, ps)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	for k, err := range res.Rejected {
		b.Fail(msgOf[k], err)
	}
	for k, p := range ps {
		if _, rejected := res.Rejected[k]; !rejected {
			last[p.ArticleID] = msgOf[k]
		}
	}
	if res.Stale > 0 {
		h.Log.Info("paragraphs of older revisions skipped", zap.Int("paragraphs", res.Stale))
	}
	if h.Metrics != nil {
		h.Metrics.batch.Observe(time.Since(start).Seconds())
		h.Metrics.indexed.Add(float64(len(res.Indexed)))
	}
	if h.Alerter != nil && h.BeforeAlerts != nil && len(res.Indexed) > 0 {
		h.BeforeAlerts()
	}
	var alertErrs map[string]error
	if h.Alerter != nil {
		alertErrs = h.Alerter.Completed(ctx, res.Indexed)
	}
	for _, a := range res.Indexed {
		if _, ok := last[a.ArticleID]; !ok {
			// Cannot be: an article completes by a paragraph this batch
			// stored.
			h.Log.Error("article completed by no message kept; its completion is not announced",
				zap.String("article_id", a.ArticleID), zap.String("version", a.Version))
			continue
		}
		if err := alertErrs[a.ArticleID]; err != nil {
			b.Fail(last[a.ArticleID], fmt.Errorf("alerts of article %s: %w", a.ArticleID, err))
			continue
		}
		data, err := events.Marshal(&a)
		if err != nil {
			b.Fail(last[a.ArticleID], err)
			continue
		}
		b.Emit(last[a.ArticleID], message.Out{Subject: events.IndexedSubject(a.ArticleID), Data: data, MsgID: events.IndexedMsgID(&a)})
		h.Log.Info("article indexed", zap.String("article_id", a.ArticleID), zap.String("version", a.Version),
			zap.Uint64("article_seq", a.ArticleSeq), zap.String("title", a.Title), zap.Int("paragraphs", a.Paragraphs),
			message.LatencyMS(oldest[a.ArticleID]))
	}
	return nil
}
