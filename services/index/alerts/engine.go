package alerts

import (
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// Articles is what the Engine needs of the index; *store.Store implements it.
type Articles interface {
	Prepare(a store.CompletedArticle) (*store.Candidate, error)
	Highlighter(st *store.Standing) (func(p *events.EnrichedParagraph) []string, error)
}

// Engine evaluates the standing searches of a Registry against articles.
type Engine struct {
	Registry *Registry
	Articles Articles
	Log      *zap.Logger
}

// Evaluation is what evaluating the standing searches against one article found.
type Evaluation struct {
	Alerts []events.Alert
	// Candidates counts the standing searches that were matched (those the
	// anchors let through), of Searches in the registry.
	Candidates, Searches int
	// Took is the time the evaluation took, the article's analysis included.
	Took time.Duration
}

// Evaluate returns, for each of articles (those one batch completed), an
// alert for each standing search that matches it. The aliases of the
// entities of every article are learnt first (see Registry.learn), as the
// index wrote them all at once. A standing search that fails (panics) on an
// article is logged with its name and skipped; the others are evaluated.
// An error means the articles could not be read for evaluation (a fault of
// the index's mapping).
func (e *Engine) Evaluate(articles []store.CompletedArticle) ([]Evaluation, error) {
	out := make([]Evaluation, len(articles))
	n := e.Registry.Len()
	if n == 0 {
		return out, nil
	}
	cs := make([]*store.Candidate, len(articles))
	for i, a := range articles {
		start := time.Now()
		c, err := e.Articles.Prepare(a)
		if err != nil {
			return nil, fmt.Errorf("read article %s for standing searches: %w", a.ID, err)
		}
		cs[i], out[i].Took = c, time.Since(start)
	}
	for _, c := range cs {
		e.Registry.learn(c.Aliases)
	}
	for i, c := range cs {
		start := time.Now()
		cands := e.Registry.candidates(c.Keys)
		out[i].Searches, out[i].Candidates = n, len(cands)
		for _, s := range cands {
			if alert, ok := e.evaluate(s, c); ok {
				out[i].Alerts = append(out[i].Alerts, alert)
			}
		}
		out[i].Took += time.Since(start)
	}
	return out, nil
}

// evaluate matches one standing search against c and builds its alert.
func (e *Engine) evaluate(s *Entry, c *store.Candidate) (alert events.Alert, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			e.Log.Error("standing search failed on an article; skipped", zap.String("alert", s.Name),
				zap.String("article_id", c.Article.ID), zap.Any("panic", p))
			ok = false
		}
	}()
	matched, ok := s.compiled.Match(c)
	if !ok {
		return events.Alert{}, false
	}
	a := &c.Article
	alert = events.Alert{
		V: events.Version, Alert: s.Name, ArticleID: a.ID, Version: a.Version, ArticleSeq: a.ArticleSeq,
		Title: a.Title, PublishedAt: a.PublishedAt, Lang: a.Lang, URL: a.URL, Update: a.Update,
		CompletedAt: a.IndexedAt, Paragraphs: []events.AlertParagraph{}, Entities: a.Entities,
	}
	if len(alert.Entities) > store.MaxHitEntities {
		alert.Entities = alert.Entities[:store.MaxHitEntities]
	}
	if alert.Entities == nil {
		alert.Entities = []string{}
	}
	if len(matched) == 0 && len(a.Paragraphs) > 0 {
		matched = []int{0}
	}
	highlight, err := e.Articles.Highlighter(s.compiled)
	if err != nil {
		e.Log.Warn("highlight an alert", zap.String("alert", s.Name), zap.String("article_id", a.ID), zap.Error(err))
	}
	for _, i := range matched[:min(len(matched), store.MaxHitParagraphs)] {
		p := &a.Paragraphs[i]
		hl := []string{}
		if highlight != nil {
			hl = highlight(p)
		}
		text, _ := store.CutText(p.Text)
		alert.Paragraphs = append(alert.Paragraphs, events.AlertParagraph{Index: p.Index, Text: text, Highlights: hl})
	}
	return alert, true
}
