// Package tag enriches a paragraph with its named entities and dates: the
// whole of the enrich stage's work, apart from the NATS plumbing.
package tag

import (
	"time"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/dates"
	"github.com/warta-news/warta/services/enrich/entities"
)

// Name identifies the tagger in the events it produces.
const Name = "warta-rules/1"

// Tagger tags paragraphs. It is safe for concurrent use.
type Tagger struct {
	entities *entities.Tagger
}

// New loads the tagger's gazetteers.
func New() *Tagger {
	return &Tagger{entities: entities.New()}
}

// Enrich returns p with its entities and dates. Relative dates ("pada hari
// Selasa", "tahun lalu") are resolved against p.PublishedAt; without it,
// only dates that name their own year are returned.
func (t *Tagger) Enrich(p events.Paragraph) events.EnrichedParagraph {
	e := events.EnrichedParagraph{Paragraph: p, Tagger: Name}
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
