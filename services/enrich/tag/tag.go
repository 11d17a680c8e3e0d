// Package tag enriches a paragraph with its named entities and dates: the
// whole of the enrich stage's work, apart from the NATS plumbing.
package tag

import (
	"time"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/dates"
	"github.com/warta-news/warta/services/enrich/entities"
)

// Tagger tags paragraphs. It is safe for concurrent use.
type Tagger struct {
	entities *entities.Tagger
}

// New loads the tagger's gazetteers and entity models.
func New() *Tagger {
	return &Tagger{entities: entities.New()}
}

// Name says which entity tagger Enrich uses for paragraphs in language lang,
// as it puts it in EnrichedParagraph.Tagger: "warta-ner/4 id" for a language
// with a model (Indonesian, English; Malay is read as Indonesian),
// "gazetteer-only (no model for fr)" for
// any other, and "gazetteer-only (language undetermined)" for "und" or "".
func (t *Tagger) Name(lang string) string { return t.entities.Name(lang) }

// Enrich returns p with its entities and dates, and the name of the entity
// tagger used for its language in Tagger. Relative dates ("pada hari
// Selasa", "tahun lalu") are resolved against p.PublishedAt; without it,
// only dates that name their own year are returned.
func (t *Tagger) Enrich(p events.Paragraph) events.EnrichedParagraph {
	e := events.EnrichedParagraph{Paragraph: p, Tagger: t.entities.Name(p.Lang)}
	e.Entities = t.entities.Tag(p.Text, p.Lang)
	if e.Entities == nil {
		e.Entities = []events.Entity{}
	}
	var ref time.Time
	if p.PublishedAt != "" {
		if t, err := events.ParseTime(p.PublishedAt); err == nil {
			ref = t
		}
	}
	e.Dates = dates.Find(p.Text, p.Lang, ref)
	if e.Dates == nil {
		e.Dates = []events.Date{}
	}
	return e
}
