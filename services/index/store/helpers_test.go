package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// tag marks a surface form in a paragraph: an entity if typ is set, else a
// date with value.
type tag struct {
	surface string
	typ     events.EntityType
	canon   string
	value   string
	mod     string
}

func ent(surface string, typ events.EntityType, canon string) tag {
	return tag{surface: surface, typ: typ, canon: canon}
}

func date(surface, value string) tag { return tag{surface: surface, value: value} }

// article is a hand-built article revision: para builds its paragraphs.
// seq is its place in ARTICLES, which orders revisions (0 means 1).
type article struct {
	id, version, title, lang, published string
	seq                                 uint64
	paras                               []paraSpec
}

type paraSpec struct {
	text string
	tags []tag
}

func (a article) para(t testing.TB, i int) events.EnrichedParagraph {
	t.Helper()
	ps := a.paras[i]
	p := events.EnrichedParagraph{
		Paragraph: events.Paragraph{
			V: events.Version, ID: events.ParagraphID(a.id, i), ArticleID: a.id, Version: a.version,
			ArticleSeq: max(a.seq, 1), Index: i, Count: len(a.paras), Title: a.title, Lang: a.lang, PublishedAt: a.published,
			URL: "https://example.com/" + a.id, Source: "example", Text: ps.text,
		},
		Entities: []events.Entity{},
		Dates:    []events.Date{},
		Tagger:   "test",
	}
	for _, tg := range ps.tags {
		start := strings.Index(ps.text, tg.surface)
		if start < 0 {
			t.Fatalf("fixture: %q is not in %q", tg.surface, ps.text)
		}
		end := start + len(tg.surface)
		if tg.typ != "" {
			p.Entities = append(p.Entities, events.Entity{Text: tg.surface, Type: tg.typ, Start: start, End: end, Canonical: tg.canon})
		} else {
			p.Dates = append(p.Dates, events.Date{Text: tg.surface, Value: tg.value, Start: start, End: end, Mod: tg.mod})
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("fixture %s: %v", p.ID, err)
	}
	return p
}

// all returns every paragraph of the article, or those at indexes.
func (a article) all(t testing.TB, indexes ...int) []events.EnrichedParagraph {
	t.Helper()
	if len(indexes) == 0 {
		for i := range a.paras {
			indexes = append(indexes, i)
		}
	}
	out := make([]events.EnrichedParagraph, 0, len(indexes))
	for _, i := range indexes {
		out = append(out, a.para(t, i))
	}
	return out
}

// jakarta is a complete Indonesian article of three paragraphs.
var jakarta = article{
	id: "jkt-1", version: "v1", title: "Prabowo bertemu Xi Jinping di Beijing", lang: "id", published: "2025-09-02",
	paras: []paraSpec{
		{"Presiden Prabowo bertemu Xi Jinping di Beijing pada 2 September 2025.", []tag{
			ent("Prabowo", events.Person, "Prabowo Subianto"), ent("Xi Jinping", events.Person, "Xi Jinping"),
			ent("Beijing", events.Location, "Beijing"), date("2 September 2025", "2025-09-02"),
		}},
		{"Tiongkok dan Indonesia menandatangani perjanjian dagang baru.", []tag{
			ent("Tiongkok", events.Location, "China"), ent("Indonesia", events.Location, "Indonesia"),
		}},
		{"Delegasi kemudian terbang ke Moskow pada awal 2026.", []tag{
			ent("Moskow", events.Location, "Moscow"), {surface: "awal 2026", value: "2026", mod: "START"},
		}},
	},
}

// rates is an English article of two paragraphs.
var rates = article{
	id: "bank-7", version: "w1", title: "Central bank raises rates", lang: "en", published: "2025-08-15T10:00:00+07:00",
	paras: []paraSpec{
		{"Bank Indonesia raised its rate in August 2025, saying inflation <b>and</b> the rupiah mattered.", []tag{
			ent("Bank Indonesia", events.Organization, "Bank Indonesia"), date("August 2025", "2025-08"),
		}},
		{"Analysts in Jakarta expect another rise before the 1930s-style slump returns.", []tag{
			ent("Jakarta", events.Location, "Jakarta"), date("1930s", "193X"),
		}},
	},
}

func openStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "index")
	s, err := store.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func apply(t testing.TB, s *store.Store, ps ...[]events.EnrichedParagraph) []events.ArticleIndexed {
	t.Helper()
	var batch []events.EnrichedParagraph
	for _, p := range ps {
		batch = append(batch, p...)
	}
	res, err := s.Apply(context.Background(), batch)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	for i, err := range res.Rejected {
		t.Fatalf("Apply rejected paragraph %s: %v", batch[i].ID, err)
	}
	return res.Indexed
}

func stats(t testing.TB, s *store.Store) store.Stats {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

func search(t testing.TB, s *store.Store, q store.Query) store.Result {
	t.Helper()
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func hitIDs(res store.Result) []string {
	ids := make([]string, len(res.Paragraphs))
	for i, h := range res.Paragraphs {
		ids[i] = h.ParagraphID
	}
	return ids
}

func completed(done []events.ArticleIndexed) []string {
	out := make([]string, len(done))
	for i, d := range done {
		out[i] = d.ArticleID + "@" + d.Version
	}
	return out
}

func plainEntities(es []store.EntitySpan) []events.Entity {
	out := make([]events.Entity, len(es))
	for i, e := range es {
		out[i] = e.Entity
	}
	return out
}

func plainDates(ds []store.DateSpan) []events.Date {
	out := make([]events.Date, len(ds))
	for i, d := range ds {
		out[i] = d.Date
	}
	return out
}
