package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

func TestApplyReportsOnlyCompleteArticles(t *testing.T) {
	s, _ := openStore(t)
	before := time.Now().UTC()

	done := apply(t, s, jakarta.all(t), rates.all(t, 0))
	if got, want := completed(done), []string{"jkt-1@v1"}; !slices.Equal(got, want) {
		t.Fatalf("completions = %v, want %v", got, want)
	}
	d := done[0]
	if d.V != events.Version || d.Title != jakarta.title || d.Paragraphs != 3 || d.IndexedAt.Before(before) {
		t.Errorf("completion = %+v, want v=%d, title %q, 3 paragraphs, indexed after %v", d, events.Version, jakarta.title, before)
	}
	st := stats(t, s)
	if st.Articles != 1 || st.Paragraphs != 4 || st.DocCount != 5 {
		t.Errorf("stats = %+v, want 1 article, 4 paragraphs, 5 documents", st)
	}

	// A replay writes the same documents again and reports the article again,
	// so a completion lost in a crash is published on redelivery.
	done = apply(t, s, jakarta.all(t), rates.all(t, 0))
	if got, want := completed(done), []string{"jkt-1@v1"}; !slices.Equal(got, want) {
		t.Errorf("completions after replay = %v, want %v", got, want)
	}
	if st2 := stats(t, s); st2.DocCount != st.DocCount || st2.Paragraphs != st.Paragraphs || st2.Articles != st.Articles {
		t.Errorf("stats after replay = %+v, want %+v", st2, st)
	}

	// The missing paragraph completes the second article, and only it.
	done = apply(t, s, rates.all(t, 1))
	if got, want := completed(done), []string{"bank-7@w1"}; !slices.Equal(got, want) {
		t.Errorf("completions = %v, want %v", got, want)
	}
	if st := stats(t, s); st.Articles != 2 || st.Paragraphs != 5 {
		t.Errorf("stats = %+v, want 2 articles, 5 paragraphs", st)
	}
}

func TestApplyOutOfOrderWithinBatch(t *testing.T) {
	s, _ := openStore(t)
	done := apply(t, s, jakarta.all(t, 2, 0), rates.all(t, 1))
	if len(done) != 0 {
		t.Fatalf("completions = %v, want none", completed(done))
	}
	done = apply(t, s, rates.all(t, 0), jakarta.all(t, 1))
	got := completed(done)
	sort.Strings(got)
	if want := []string{"bank-7@w1", "jkt-1@v1"}; !slices.Equal(got, want) {
		t.Errorf("completions = %v, want %v", got, want)
	}
}

func TestApplyRejectsInvalidParagraph(t *testing.T) {
	s, _ := openStore(t)
	bad := jakarta.para(t, 0)
	bad.Entities[0].End = len(bad.Text) + 5
	res, err := s.Apply(context.Background(), append(rates.all(t), bad))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 1 || !errors.Is(res.Rejected[2], events.ErrInvalid) {
		t.Fatalf("Apply with a bad span: rejected %v, want paragraph 2 with an error matching events.ErrInvalid", res.Rejected)
	}
	// The rest of the batch is written: one bad paragraph fails only itself.
	if st := stats(t, s); st.DocCount != 3 || st.Articles != 1 {
		t.Errorf("stats = %+v, want the good article written (3 documents)", st)
	}
}

// jakartaV2 is an edit of jakarta: two paragraphs, the second rewritten.
var jakartaV2 = article{
	id: jakarta.id, version: "v2", seq: 2, title: "Prabowo dan Xi Jinping sepakat", lang: "id", published: "2025-09-03",
	paras: []paraSpec{
		jakarta.paras[0],
		{"Kedua pemimpin membahas nikel dan baterai.", nil},
	},
}

// jakartaV3 is another edit, of one paragraph.
var jakartaV3 = article{
	id: jakarta.id, version: "v3", seq: 3, title: "Ringkasan", lang: "id", published: "2025-09-04",
	paras: []paraSpec{{"Ringkasan singkat tentang kunjungan kenegaraan.", nil}},
}

func articleView(t *testing.T, s *store.Store, id string) store.ArticleView {
	t.Helper()
	v, ok, err := s.Article(context.Background(), id)
	if err != nil || !ok {
		t.Fatalf("Article(%q) = ok %v, error %v; want it found", id, ok, err)
	}
	return v
}

func texts(v store.ArticleView) []string {
	out := make([]string, len(v.Paragraphs))
	for i, p := range v.Paragraphs {
		out[i] = p.Text
	}
	return out
}

func TestNewVersionReplacesOld(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t))

	// Half of the new version: nothing changes for readers yet.
	if done := apply(t, s, jakartaV2.all(t, 1)); len(done) != 0 {
		t.Fatalf("completions = %v, want none while v2 is incomplete", completed(done))
	}
	if v := articleView(t, s, jakarta.id); v.Version != "v1" || len(v.Paragraphs) != 3 {
		t.Errorf("article during the update = version %s with %d paragraphs, want v1 with 3", v.Version, len(v.Paragraphs))
	}
	if res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "nikel"}); res.Total != 0 {
		t.Errorf("search for a word of incomplete v2 found %v, want nothing", hitIDs(res))
	}
	if res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "Moskow"}); res.Total != 1 {
		t.Errorf("search for a word of v1 found %v, want jkt-1-2", hitIDs(res))
	}

	// The rest of it: v2 replaces v1, and v1's third paragraph goes.
	done := apply(t, s, jakartaV2.all(t, 0))
	if got, want := completed(done), []string{"jkt-1@v2"}; !slices.Equal(got, want) {
		t.Fatalf("completions = %v, want %v", got, want)
	}
	if done[0].Paragraphs != 2 || done[0].Title != jakartaV2.title {
		t.Errorf("completion = %+v, want 2 paragraphs titled %q", done[0], jakartaV2.title)
	}
	v := articleView(t, s, jakarta.id)
	if want := []string{jakartaV2.paras[0].text, jakartaV2.paras[1].text}; v.Version != "v2" || !slices.Equal(texts(v), want) || v.Title != jakartaV2.title {
		t.Errorf("article = %s %q %q, want v2 %q %q", v.Version, v.Title, texts(v), jakartaV2.title, want)
	}
	if res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "Moskow"}); res.Total != 0 {
		t.Errorf("search for the removed paragraph found %v", hitIDs(res))
	}
	if res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "nikel"}); !slices.Equal(hitIDs(res), []string{"jkt-1-1"}) {
		t.Errorf("search for a word of v2 found %v, want [jkt-1-1]", hitIDs(res))
	}
	if st := stats(t, s); st.Articles != 1 || st.Paragraphs != 2 || st.DocCount != 3 {
		t.Errorf("stats = %+v, want 1 article, 2 paragraphs, 3 documents (no pending left)", st)
	}

	// A late redelivery of part of v1 must not bring it back.
	if done := apply(t, s, jakarta.all(t, 1, 2)); len(done) != 0 {
		t.Errorf("completions after a stale redelivery = %v, want none", completed(done))
	}
	if v := articleView(t, s, jakarta.id); v.Version != "v2" || !slices.Equal(texts(v), []string{jakartaV2.paras[0].text, jakartaV2.paras[1].text}) {
		t.Errorf("article after a stale redelivery = %s %q, want v2 unchanged", v.Version, texts(v))
	}
	if res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "Moskow"}); res.Total != 0 {
		t.Errorf("stale paragraph became searchable: %v", hitIDs(res))
	}
}

func TestRedeliveryDuringUpdateKeepsNewVersion(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakartaV2.all(t))
	// v3 has one paragraph; hold it back and first redeliver v2 again.
	done := apply(t, s, jakartaV2.all(t, 0))
	if got, want := completed(done), []string{"jkt-1@v2"}; !slices.Equal(got, want) {
		t.Fatalf("completions = %v, want %v", got, want)
	}
	// In one batch: v3 complete, then a redelivered v2 paragraph. New content wins.
	done = apply(t, s, jakartaV3.all(t), jakartaV2.all(t, 1))
	if got, want := completed(done), []string{"jkt-1@v3"}; !slices.Equal(got, want) {
		t.Fatalf("completions = %v, want %v", got, want)
	}
	if v := articleView(t, s, jakarta.id); v.Version != "v3" || !slices.Equal(texts(v), []string{jakartaV3.paras[0].text}) {
		t.Errorf("article = %s %q, want v3", v.Version, texts(v))
	}
}

func TestPendingVersionSurvivesRedeliveryOfCurrent(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t))
	apply(t, s, jakartaV2.all(t, 0))                            // v2 half in, pending
	if done := apply(t, s, jakarta.all(t, 1)); len(done) != 1 { // v1 redelivered
		t.Fatalf("completions = %v, want jkt-1@v1", completed(done))
	}
	done := apply(t, s, jakartaV2.all(t, 1)) // the rest of v2
	if got, want := completed(done), []string{"jkt-1@v2"}; !slices.Equal(got, want) {
		t.Fatalf("completions = %v, want %v: the redelivery of v1 lost v2's pending paragraph", got, want)
	}
	if v := articleView(t, s, jakarta.id); !slices.Equal(texts(v), []string{jakartaV2.paras[0].text, jakartaV2.paras[1].text}) {
		t.Errorf("article = %q, want v2's paragraphs", texts(v))
	}
}

func TestArticle(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t, 1))

	v := articleView(t, s, jakarta.id)
	if !v.Complete || v.Version != "v1" || v.Title != jakarta.title || v.Count != 3 || v.Lang != "id" ||
		v.PublishedAt != "2025-09-02T00:00:00Z" || v.URL != "https://example.com/jkt-1" || v.Source != "example" || v.IndexedAt == nil {
		t.Errorf("article = %+v", v)
	}
	for i, p := range v.Paragraphs {
		want := jakarta.para(t, i)
		if p.Index != i || p.ID != want.ID || p.Text != want.Text || !slices.Equal(plainEntities(p.Entities), want.Entities) ||
			!slices.Equal(plainDates(p.Dates), want.Dates) || p.Tagger != "test" {
			t.Errorf("paragraph %d = %+v, want %+v", i, p, want)
		}
	}

	// An article still coming in is shown as far as it goes.
	v = articleView(t, s, rates.id)
	if v.Complete || v.IndexedAt != nil || v.Count != 2 || len(v.Paragraphs) != 1 || v.Paragraphs[0].Index != 1 {
		t.Errorf("incomplete article = %+v, want 1 of 2 paragraphs, not complete", v)
	}

	if _, ok, err := s.Article(context.Background(), "nope"); ok || err != nil {
		t.Errorf("Article(nope) = ok %v, error %v; want not found", ok, err)
	}
}

func TestSearch(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t))

	all := []string{"jkt-1-0", "jkt-1-1", "jkt-1-2", "bank-7-0", "bank-7-1"}
	for _, tc := range []struct {
		name string
		q    store.Query
		want []string // in order if ordered, else as a set
		ord  bool
	}{
		{name: "everything, newest first", q: store.Query{Group: store.GroupParagraph}, want: all, ord: true},
		{name: "word", q: store.Query{Group: store.GroupParagraph, Text: "perjanjian"}, want: []string{"jkt-1-1"}},
		{name: "case-insensitive", q: store.Query{Group: store.GroupParagraph, Text: "MOSKOW"}, want: []string{"jkt-1-2"}},
		{name: "all words must match", q: store.Query{Group: store.GroupParagraph, Text: "Moskow perjanjian"}, want: nil},
		// A title scores its article once (see TestSearchArticles), not
		// every paragraph of it.
		{name: "title words do not match paragraphs", q: store.Query{Group: store.GroupParagraph, Text: "Moskow Beijing"}, want: nil},
		{name: "another form of a word (English)", q: store.Query{Group: store.GroupParagraph, Text: "rates"}, want: []string{"bank-7-0"}},
		{name: "query syntax is not interpreted", q: store.Query{Group: store.GroupParagraph, Text: `+title:foo* "bar AND -(`}, want: nil},
		{name: "punctuation only", q: store.Query{Group: store.GroupParagraph, Text: "?!"}, want: nil},
		{name: "entity canonical from another surface form", q: store.Query{Group: store.GroupParagraph, Entity: []string{"China"}}, want: []string{"jkt-1-1"}},
		{name: "entities are ANDed", q: store.Query{Group: store.GroupParagraph, Entity: []string{"Xi Jinping", "Beijing"}}, want: []string{"jkt-1-0"}},
		{name: "entities are ANDed, none", q: store.Query{Group: store.GroupParagraph, Entity: []string{"Xi Jinping", "China"}}, want: nil},
		{name: "surface form stands for its canonical", q: store.Query{Group: store.GroupParagraph, Entity: []string{"Tiongkok"}}, want: []string{"jkt-1-1"}},
		{name: "type", q: store.Query{Group: store.GroupParagraph, Type: []string{"organization"}}, want: []string{"bank-7-0"}},
		{name: "types are ANDed", q: store.Query{Group: store.GroupParagraph, Type: []string{"PERSON", "LOCATION"}}, want: []string{"jkt-1-0"}},
		{name: "lang", q: store.Query{Group: store.GroupParagraph, Lang: "EN"}, want: []string{"bank-7-0", "bank-7-1"}},
		{name: "text and filters", q: store.Query{Group: store.GroupParagraph, Text: "indonesia", Lang: "id"}, want: []string{"jkt-1-1"}},
		{name: "from", q: store.Query{Group: store.GroupParagraph, From: "2025-09-01"}, want: []string{"jkt-1-0", "jkt-1-1", "jkt-1-2"}},
		{name: "to a date includes the day", q: store.Query{Group: store.GroupParagraph, To: "2025-08-15"}, want: []string{"bank-7-0", "bank-7-1"}},
		{name: "to an instant", q: store.Query{Group: store.GroupParagraph, To: "2025-08-15T02:59:59Z"}, want: nil},
		{name: "from and to", q: store.Query{Group: store.GroupParagraph, From: "2025-09-02", To: "2025-09-02"}, want: []string{"jkt-1-0", "jkt-1-1", "jkt-1-2"}},
		{name: "mentioned dates", q: store.Query{Group: store.GroupParagraph, MentionedFrom: "2025-08-01", MentionedTo: "2025-08-31"}, want: []string{"bank-7-0"}},
		{name: "mentioned year", q: store.Query{Group: store.GroupParagraph, MentionedFrom: "2026-01-01"}, want: []string{"jkt-1-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, s, tc.q)
			got := hitIDs(res)
			want := slices.Clone(tc.want)
			if !tc.ord {
				sort.Strings(got)
				sort.Strings(want)
			}
			if !slices.Equal(got, want) || res.Total != uint64(len(want)) {
				t.Errorf("hits = %v (total %d), want %v", got, res.Total, want)
			}
		})
	}
}

// TestPublishedAtIsRFC3339: an event written before ingest made every
// published_at RFC 3339 carries a date; the index accepts it, filters on
// it as midnight UTC, and shows it as that time, as it shows every other.
func TestPublishedAtIsRFC3339(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t))
	if jakarta.published != "2025-09-02" || rates.published != "2025-08-15T10:00:00+07:00" {
		t.Fatalf("the fixtures changed: %q, %q", jakarta.published, rates.published)
	}
	want := map[string]string{jakarta.id: "2025-09-02T00:00:00Z", rates.id: rates.published}
	for id, w := range want {
		if v := articleView(t, s, id); v.PublishedAt != w {
			t.Errorf("article %s: published_at %q, want %q", id, v.PublishedAt, w)
		}
	}
	for _, group := range []string{store.GroupArticle, store.GroupParagraph} {
		res := search(t, s, store.Query{Group: group, Sort: store.SortPublished})
		if res.NumHits() == 0 {
			t.Errorf("group %s: no hit", group)
		}
		on := search(t, s, store.Query{Group: group, From: "2025-09-02", To: "2025-09-02T00:00:00Z"})
		if on.NumHits() == 0 || on.NumHits() > 3 {
			t.Errorf("group %s, published 2025-09-02 at midnight UTC: %d hits, want those of %s", group, on.NumHits(), jakarta.id)
		}
		for _, h := range res.Articles {
			if h.PublishedAt != want[h.ArticleID] {
				t.Errorf("article hit %s: published_at %q, want %q", h.ArticleID, h.PublishedAt, want[h.ArticleID])
			}
		}
		for _, h := range res.Paragraphs {
			if h.PublishedAt != want[h.ArticleID] {
				t.Errorf("paragraph hit %s: published_at %q, want %q", h.ParagraphID, h.PublishedAt, want[h.ArticleID])
			}
		}
	}
}

func TestSearchHitContent(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t))

	res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "Tiongkok"})
	if len(res.Paragraphs) != 1 {
		t.Fatalf("hits = %v, want one", hitIDs(res))
	}
	h, want := res.Paragraphs[0], jakarta.para(t, 1)
	if h.ArticleID != want.ArticleID || h.Index != 1 || h.Title != want.Title || h.Text != want.Text ||
		h.Lang != "id" || h.PublishedAt != "2025-09-02T00:00:00Z" || h.URL != want.URL || !(h.Score > 0) ||
		!slices.Equal(plainEntities(h.Entities), want.Entities) || !slices.Equal(plainDates(h.Dates), want.Dates) {
		t.Errorf("hit = %+v, want the content of %+v", h, want)
	}
	if len(h.Highlights) == 0 || !strings.Contains(h.Highlights[0], "<mark>Tiongkok</mark>") {
		t.Errorf("highlights = %q, want <mark>Tiongkok</mark>", h.Highlights)
	}

	// Highlights are HTML: the text's own markup is escaped.
	res = search(t, s, store.Query{Group: store.GroupParagraph, Text: "inflation"})
	if len(res.Paragraphs) != 1 || len(res.Paragraphs[0].Highlights) == 0 {
		t.Fatalf("hits = %+v, want one with highlights", res.Paragraphs)
	}
	if hl := res.Paragraphs[0].Highlights[0]; !strings.Contains(hl, "<mark>inflation</mark>") || !strings.Contains(hl, "&lt;b&gt;and&lt;/b&gt;") {
		t.Errorf("highlight = %q, want the word marked and the text's tags escaped", hl)
	}

	// Without text there is nothing to highlight, and JSON shows [] not null.
	res = search(t, s, store.Query{Group: store.GroupParagraph, Entity: []string{"Jakarta"}})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"highlights":[]`) || !strings.Contains(string(b), `"took_ms":`) {
		t.Errorf("JSON = %s, want empty highlights and took_ms", b)
	}
	var back store.Result
	if err := json.Unmarshal(b, &back); err != nil || back.Total != res.Total || len(back.Paragraphs) != 1 {
		t.Errorf("JSON round trip = %+v, %v", back, err)
	}
}

func TestSearchPaging(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t))
	for _, q := range []store.Query{{Group: store.GroupParagraph}, {Group: store.GroupParagraph, Text: "Beijing"}, {Group: store.GroupParagraph, Text: "indonesia"}} {
		full := search(t, s, q)
		var paged []string
		for off := 0; off < int(full.Total)+2; off += 2 {
			q.Size, q.Offset = 2, off
			res := search(t, s, q)
			if res.Total != full.Total {
				t.Errorf("%q offset %d: total %d, want %d", q.Text, off, res.Total, full.Total)
			}
			paged = append(paged, hitIDs(res)...)
		}
		if !slices.Equal(paged, hitIDs(full)) {
			t.Errorf("%q: pages = %v, want %v", q.Text, paged, hitIDs(full))
		}
	}
}

func TestSearchFacets(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t))

	res := search(t, s, store.Query{Group: store.GroupParagraph})
	if got := res.Facets[store.FacetLang]; !slices.Equal(got, []store.FacetCount{{Term: "id", Count: 3}, {Term: "en", Count: 2}}) {
		t.Errorf("lang facet = %v", got)
	}
	if got := res.Facets[store.FacetEntityType]; len(got) != 3 || got[0] != (store.FacetCount{Term: "LOCATION", Count: 4}) {
		t.Errorf("entity_type facet = %v, want LOCATION 4 first, then PERSON and ORGANIZATION", got)
	}
	ent := res.Facets[store.FacetEntity]
	if len(ent) != 8 || !slices.Contains(ent, store.FacetCount{Term: "China", Count: 1}) || slices.Contains(ent, store.FacetCount{Term: "Tiongkok", Count: 1}) {
		t.Errorf("entity facet = %v, want the 8 canonical names", ent)
	}

	res = search(t, s, store.Query{Group: store.GroupParagraph, Lang: "id", Facets: 2})
	if got := res.Facets[store.FacetEntity]; len(got) != 2 {
		t.Errorf("entity facet with Facets 2 = %v, want 2 terms", got)
	}
	if got := res.Facets[store.FacetLang]; !slices.Equal(got, []store.FacetCount{{Term: "id", Count: 3}}) {
		t.Errorf("lang facet of a filtered search = %v, want only id", got)
	}
	res = search(t, s, store.Query{Group: store.GroupParagraph, Text: "zzz"})
	if got := res.Facets[store.FacetEntity]; got == nil || len(got) != 0 {
		t.Errorf("entity facet of an empty result = %#v, want empty", got)
	}
}

func TestSearchBadQuery(t *testing.T) {
	s, _ := openStore(t)
	for _, tc := range []struct {
		name string
		q    store.Query
		msg  string
	}{
		{"size too big", store.Query{Group: store.GroupParagraph, Size: 101}, "size 101"},
		{"negative size", store.Query{Group: store.GroupParagraph, Size: -1}, "size -1"},
		{"offset too far", store.Query{Group: store.GroupParagraph, Offset: 10001}, "offset 10001"},
		{"negative offset", store.Query{Group: store.GroupParagraph, Offset: -5}, "offset -5"},
		{"too many facets", store.Query{Group: store.GroupParagraph, Facets: 51}, "facets 51"},
		{"bad from", store.Query{Group: store.GroupParagraph, From: "yesterday"}, `from "yesterday" is not a date`},
		{"bad to", store.Query{Group: store.GroupParagraph, To: "2025-13-01"}, `to "2025-13-01"`},
		{"bad mentioned", store.Query{Group: store.GroupParagraph, MentionedTo: "soon"}, `mentioned_to "soon"`},
		{"date out of range", store.Query{Group: store.GroupParagraph, From: "1066-10-14"}, "out of range"},
		{"from after to", store.Query{Group: store.GroupParagraph, From: "2025-09-03", To: "2025-09-02"}, "swap them"},
		{"unknown type", store.Query{Group: store.GroupParagraph, Type: []string{"ANIMAL"}}, `unknown entity type "ANIMAL"`},
		{"text too long", store.Query{Group: store.GroupParagraph, Text: strings.Repeat("a", store.MaxTextBytes+1)}, "bytes long"},
		{"too many words", store.Query{Group: store.GroupParagraph, Text: wordsN(store.MaxTerms + 1)}, "distinct words"},
		{"invalid UTF-8", store.Query{Group: store.GroupParagraph, Text: "\xff\xfe"}, "UTF-8"},
		{"too many entities", store.Query{Group: store.GroupParagraph, Entity: strings.Fields(wordsN(store.MaxFilters + 1))}, "entity filters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Search(context.Background(), tc.q)
			if !errors.Is(err, store.ErrBadQuery) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error = %v, want ErrBadQuery saying %q", err, tc.msg)
			}
		})
	}
}

func wordsN(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(" w")
		b.WriteString(strings.Repeat("x", i+1))
	}
	return b.String()
}

func TestReopen(t *testing.T) {
	s, path := openStore(t)
	apply(t, s, jakarta.all(t), rates.all(t, 0))
	want := stats(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2, err := store.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if got := stats(t, s2); got != want {
		t.Errorf("stats after reopen = %+v, want %+v", got, want)
	}
	if res := search(t, s2, store.Query{Group: store.GroupParagraph, Entity: []string{"China"}}); !slices.Equal(hitIDs(res), []string{"jkt-1-1"}) {
		t.Errorf("search after reopen = %v", hitIDs(res))
	}
	// The state of the incomplete article survived too.
	res, err := s2.Apply(context.Background(), rates.all(t, 1))
	if err != nil || !slices.Equal(completed(res.Indexed), []string{"bank-7@w1"}) {
		t.Errorf("completing after reopen = %v, %v", completed(res.Indexed), err)
	}
}

func TestStats(t *testing.T) {
	s, path := openStore(t)
	if st := stats(t, s); st != (store.Stats{IndexPath: path}) {
		t.Errorf("stats of an empty index = %+v", st)
	}
	apply(t, s, jakarta.all(t), rates.all(t))
	st := stats(t, s)
	// Canonical names: Prabowo Subianto, Xi Jinping, Beijing, China, Indonesia,
	// Moscow, Bank Indonesia, Jakarta.
	if st.Articles != 2 || st.Paragraphs != 5 || st.Entities != 8 || st.DocCount != 7 || st.IndexPath != path {
		t.Errorf("stats = %+v, want 2 articles, 5 paragraphs, 8 entities, 7 documents", st)
	}
}

func TestConcurrentSearchDuringApply(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, jakarta.all(t))
	want := search(t, s, store.Query{Group: store.GroupParagraph, Lang: "id"}).Total
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			res, err := s.Search(ctx, store.Query{Group: store.GroupParagraph, Lang: "id"})
			if err != nil && ctx.Err() == nil {
				errc <- err
				return
			}
			if err == nil && (res.Total != want || want != 3) {
				errc <- errors.New("search saw an article half-written")
				return
			}
		}
		errc <- nil
	}()
	for range 20 {
		apply(t, s, jakarta.all(t), rates.all(t))
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// edition is a version of the article "ed" with n paragraphs whose texts
// name the version and index, so that a mix of versions shows.
func edition(id, version string, seq uint64, n int) article {
	a := article{id: id, version: version, seq: seq, title: "Edition " + version, lang: "en"}
	for i := range n {
		a.paras = append(a.paras, paraSpec{text: fmt.Sprintf("paragraph %d of %s", i, version), tags: nil})
	}
	return a
}

// delivery is one paragraph message: paragraph i of an article version.
type delivery struct {
	a article
	i int
}

func (d delivery) String() string { return fmt.Sprintf("%s/%d", d.a.version, d.i) }

// assertComplete checks that article id is complete on version want, with
// exactly want's paragraphs.
func assertComplete(t *testing.T, s *store.Store, want article) {
	t.Helper()
	v := articleView(t, s, want.id)
	var wantTexts []string
	for _, p := range want.paras {
		wantTexts = append(wantTexts, p.text)
	}
	if !v.Complete || v.Version != want.version || !slices.Equal(texts(v), wantTexts) {
		t.Errorf("article %s = version %q complete %v %q, want complete %s %q", want.id, v.Version, v.Complete, texts(v), want.version, wantTexts)
	}
}

// A version still arriving keeps its pending paragraphs when another one
// completes, including one written in the batch that completes the other.
func TestPendingVersionSurvivesCompletionOfAnother(t *testing.T) {
	s, _ := openStore(t)
	v1, v2, v3 := edition("ed", "v1", 1, 3), edition("ed", "v2", 2, 3), edition("ed", "v3", 3, 3)
	steps := []struct {
		batch [][]events.EnrichedParagraph
		want  []string
	}{
		{[][]events.EnrichedParagraph{v1.all(t)}, []string{"ed@v1"}},
		{[][]events.EnrichedParagraph{v2.all(t, 0, 1)}, nil},
		{[][]events.EnrichedParagraph{v3.all(t, 0)}, nil},
		{[][]events.EnrichedParagraph{v2.all(t, 2), v3.all(t, 1)}, []string{"ed@v2"}},
		{[][]events.EnrichedParagraph{v3.all(t, 2)}, []string{"ed@v3"}},
	}
	for i, step := range steps {
		if got := completed(apply(t, s, step.batch...)); !slices.Equal(got, step.want) {
			t.Fatalf("step %d: completions = %v, want %v", i, got, step.want)
		}
	}
	assertComplete(t, s, v3)
	if st := stats(t, s); st.Articles != 1 || st.Paragraphs != 3 || st.DocCount != 4 {
		t.Errorf("stats = %+v, want 1 article, 3 paragraphs, 4 documents (no pending left)", st)
	}
}

// Two revisions overlapping before either completed: each becomes current
// when its last paragraph comes unless a newer one is current already; the
// article ends on the newer one whatever the order, and no paragraph of one
// is shown as part of the other.
func TestFirstVersionsOverlapping(t *testing.T) {
	v1, v2 := edition("ed", "v1", 1, 3), edition("ed", "v2", 2, 3)
	short := edition("ed", "v2", 2, 2)
	for _, tc := range []struct {
		name  string
		order []delivery
		want  []string // completions, one batch after another
		final article
	}{
		{"mixed slots", []delivery{{v1, 0}, {v2, 0}, {v2, 1}, {v1, 1}, {v1, 2}, {v2, 2}},
			[]string{"ed@v1", "ed@v2"}, v2},
		// A late paragraph of an older revision completes it after the
		// newer one did: it never becomes current.
		{"newer completes first", []delivery{{v1, 0}, {v1, 1}, {v2, 0}, {v2, 1}, {v2, 2}, {v1, 2}},
			[]string{"ed@v2"}, v2},
		{"older completes first", []delivery{{v1, 0}, {v1, 1}, {v2, 0}, {v1, 2}, {v2, 1}, {v2, 2}},
			[]string{"ed@v1", "ed@v2"}, v2},
		{"shorter newer completes first", []delivery{{v1, 2}, {short, 0}, {v1, 0}, {short, 1}, {v1, 1}},
			[]string{"ed@v2"}, short},
		{"shorter newer completes last", []delivery{{v1, 2}, {v1, 0}, {short, 1}, {v1, 1}, {short, 0}},
			[]string{"ed@v1", "ed@v2"}, short},
		{"redelivered", []delivery{{v1, 0}, {v2, 0}, {v1, 0}, {v2, 1}, {v2, 1}, {v1, 1}, {v1, 2}, {v2, 2}},
			[]string{"ed@v1", "ed@v2"}, v2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openStore(t)
			var got []string
			for _, d := range tc.order {
				got = append(got, completed(apply(t, s, d.a.all(t, d.i)))...)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("completions = %v, want %v", got, tc.want)
			}
			assertComplete(t, s, tc.final)
			if st, want := stats(t, s), uint64(1+len(tc.final.paras)); st.DocCount != want {
				t.Errorf("stats = %+v, want %d documents (no pending left)", st, want)
			}
		})
	}
}

// An article published A, then B, then A again (the same content, a third
// revision) ends on A: the revert is a newer revision, not a duplicate.
func TestRevertToEarlierText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order [][]int // revisions 0 (A), 1 (B), 2 (A again), per batch
	}{
		{"in order", [][]int{{0}, {1}, {2}}},
		{"revert before B", [][]int{{0}, {2}, {1}}},
		{"all in one batch", [][]int{{1, 2, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openStore(t)
			revs := []article{edition("rv", "A", 1, 2), edition("rv", "B", 2, 3), edition("rv", "A", 3, 2)}
			for _, batch := range tc.order {
				var ps [][]events.EnrichedParagraph
				for _, r := range batch {
					ps = append(ps, revs[r].all(t))
				}
				apply(t, s, ps...)
			}
			assertComplete(t, s, revs[2])
			if v := articleView(t, s, "rv"); v.Count != 2 {
				t.Errorf("article has count %d, want 2", v.Count)
			}
			if st := stats(t, s); st.DocCount != 3 {
				t.Errorf("stats = %+v, want 3 documents (no pending left)", st)
			}
		})
	}
}

// A paragraph whose count disagrees with its revision's, and one with more
// paragraphs than ingest passes, are rejected alone.
func TestApplyRejectsWhatCannotBeTrue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	s, err := store.Open(path, store.WithMaxParagraphs(10))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := edition("ct", "v1", 1, 3).all(t)
	liar := good[1]
	liar.Index, liar.ID, liar.Count = 3, events.ParagraphID("ct", 3), 4
	huge := edition("big", "v1", 1, 1).para(t, 0)
	huge.Count = 11
	res, err := s.Apply(context.Background(), append(append(good[:2:2], liar, huge), good[2]))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 2 || !errors.Is(res.Rejected[2], events.ErrInvalid) || !errors.Is(res.Rejected[3], events.ErrTooLarge) {
		t.Errorf("rejected = %v, want the paragraph with count 4 and the one with count 11", res.Rejected)
	}
	if got := completed(res.Indexed); !slices.Equal(got, []string{"ct@v1"}) {
		t.Errorf("completions = %v, want ct@v1", got)
	}
}

// Document ids of different kinds and articles never meet: an article whose
// id looks like another kind's document, and articles whose paragraph ids
// look alike, each keep their own.
func TestArticleIDsDoNotCollide(t *testing.T) {
	s, _ := openStore(t)
	odd := edition("article:bob", "v1", 1, 5)
	bob2 := edition("bob-2", "w1", 2, 2)
	pend := edition("pending:bob", "x1", 3, 1)
	apply(t, s, bob2.all(t))
	apply(t, s, odd.all(t), pend.all(t))
	apply(t, s, bob2.all(t, 1))
	for _, a := range []article{odd, bob2, pend} {
		assertComplete(t, s, a)
	}
	if st := stats(t, s); st.Articles != 3 || st.Paragraphs != 8 || st.DocCount != 11 {
		t.Errorf("stats = %+v, want 3 articles, 8 paragraphs, 11 documents", st)
	}
}

// PurgePending deletes pending documents written before the given time: a
// revision that can no longer complete leaves nothing behind.
func TestPurgePending(t *testing.T) {
	s, _ := openStore(t)
	v1, v2 := edition("pg", "v1", 1, 2), edition("pg", "v2", 2, 3)
	apply(t, s, v1.all(t))
	apply(t, s, v2.all(t, 0, 1)) // v2 never completes
	if st := stats(t, s); st.DocCount != 5 {
		t.Fatalf("stats = %+v, want 5 documents (2 pending)", st)
	}
	if n, err := s.PurgePending(context.Background(), time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("purge of what is older than an hour = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgePending(context.Background(), time.Now().Add(time.Second)); err != nil || n != 2 {
		t.Errorf("purge = %d, %v; want 2", n, err)
	}
	assertComplete(t, s, v1)
	if st := stats(t, s); st.DocCount != 3 {
		t.Errorf("stats = %+v, want 3 documents", st)
	}
}

// permutations returns every order of ds.
func permutations(ds []delivery) [][]delivery {
	if len(ds) <= 1 {
		return [][]delivery{slices.Clone(ds)}
	}
	var out [][]delivery
	for i := range ds {
		rest := slices.Concat(ds[:i:i], ds[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]delivery{ds[i]}, p...))
		}
	}
	return out
}

// Every order of the paragraphs of two revisions, one per batch, without a
// complete revision before (revisions of 3 and 2 paragraphs, 120 orders) and
// with an older one complete (2 and 2, 24 orders): the article ends on the
// newer revision, completions only ever move forward, and nothing pending
// is left. About 700 Apply calls, 2-3 s.
func TestEveryOrderOfTwoVersionsEndsOnTheNewer(t *testing.T) {
	s, _ := openStore(t)
	var docs uint64
	n := 0
	for _, start := range []bool{false, true} {
		a, b := edition("", "a", 2, 3), edition("", "b", 3, 2)
		if start {
			a = edition("", "a", 2, 2)
		}
		var base []delivery
		for _, v := range []article{a, b} {
			for i := range v.paras {
				base = append(base, delivery{v, i})
			}
		}
		for _, order := range permutations(base) {
			n++
			id := fmt.Sprintf("p%d", n)
			if start {
				apply(t, s, edition(id, "v0", 1, 4).all(t))
			}
			var got []string
			for _, d := range order {
				a := d.a
				a.id = id
				for _, c := range apply(t, s, a.all(t, d.i)) {
					got = append(got, c.Version)
				}
			}
			if got = slices.Compact(got); !slices.IsSorted(got) || len(got) == 0 || got[len(got)-1] != "b" {
				t.Errorf("order %v, start %v: revisions announced %v, want them in order, ending on b", order, start, got)
				continue
			}
			b.id = id
			assertComplete(t, s, b)
			docs += uint64(1 + len(b.paras))
		}
	}
	if st := stats(t, s); st.DocCount != docs {
		t.Errorf("stats = %+v, want %d documents (no pending left)", st, docs)
	}
}
