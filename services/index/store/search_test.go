package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// desk is a small news desk: articles in Indonesian and English, written for
// these tests, whose words come in several forms.
var desk = []article{
	{id: "summit", version: "a", seq: 1, title: "Xi menyambut Putin di Beijing", lang: "id", published: "2025-09-02",
		paras: []paraSpec{
			{"Presiden Xi Jinping menyambut Vladimir Putin pada hari Selasa.", []tag{
				ent("Xi Jinping", events.Person, "Xi Jinping"), ent("Vladimir Putin", events.Person, "Vladimir Putin")}},
			{"Pertemuan kedua pemimpin berlangsung di Balai Agung Rakyat.", nil},
			{"Putin terbang dari Moskow setelah parade militer.", []tag{
				ent("Putin", events.Person, "Vladimir Putin"), ent("Moskow", events.Location, "Moscow")}},
		}},
	{id: "visit", version: "a", seq: 2, title: "Prabowo bertemu pengusaha", lang: "id", published: "2025-09-03",
		paras: []paraSpec{
			{"Presiden Prabowo bertemu para pengusaha Tiongkok di Jakarta.", []tag{
				ent("Prabowo", events.Person, "Prabowo Subianto"), ent("Tiongkok", events.Location, "China"),
				ent("Jakarta", events.Location, "Jakarta")}},
			{"Ia memimpin delegasi dagang yang besar.", nil},
		}},
	{id: "parade", version: "a", seq: 3, title: "Parade di Lapangan Merah", lang: "id", published: "2025-05-09",
		paras: []paraSpec{
			{"Tentara berbaris dalam parade, dan tank militer Rusia lewat.", []tag{ent("Rusia", events.Location, "Russia")}},
		}},
	{id: "energy", version: "a", seq: 4, title: "Clean energy gets cheaper", lang: "en", published: "2025-08-01",
		paras: []paraSpec{
			{"Solar energy costs fell again, the agency's report said.", nil},
			{"China and Trump's administration clashed over tariffs.", []tag{
				ent("China", events.Location, "China"), ent("Trump", events.Person, "Donald Trump")}},
		}},
	{id: "talks", version: "a", seq: 5, title: "Talks in Geneva", lang: "en", published: "2025-08-20",
		paras: []paraSpec{
			{"Diplomats from China met in Geneva to discuss energies of the future.", []tag{
				ent("China", events.Location, "China"), ent("Geneva", events.Location, "Geneva")}},
		}},
}

func deskStore(t *testing.T) *store.Store {
	t.Helper()
	s, _ := openStore(t)
	for _, a := range desk {
		apply(t, s, a.all(t))
	}
	return s
}

func articleIDs(res store.Result) []string {
	ids := make([]string, len(res.Articles))
	for i, h := range res.Articles {
		ids[i] = h.ArticleID
	}
	return ids
}

// TestSearchArticles: one hit per article, ranked, with the article's
// matching paragraphs (each highlighted) and its entities; titles score
// once, at article level; word forms of each language; entity names as
// words; phrases, exclusion and OR; filters and facets at article level.
func TestSearchArticles(t *testing.T) {
	s := deskStore(t)
	for _, tc := range []struct {
		name  string
		q     store.Query
		want  []string // article ids, in order if ord
		ord   bool
		paras map[string][]int // paragraphs listed, by article
	}{
		{name: "one hit per article", q: store.Query{Text: "Putin"}, want: []string{"summit"},
			paras: map[string][]int{"summit": {0, 2}}},
		{name: "a title alone finds its article", q: store.Query{Text: "pengusaha Jakarta"}, want: []string{"visit"},
			paras: map[string][]int{"visit": {0}}},
		{name: "a title lifts its article", q: store.Query{Text: "parade"}, want: []string{"parade", "summit"}, ord: true},
		{name: "canonical name as a word", q: store.Query{Text: "Moscow"}, want: []string{"summit"},
			paras: map[string][]int{"summit": {2}}},
		{name: "gazetteer canonical as a word", q: store.Query{Text: "china"}, want: []string{"visit", "energy", "talks"}},
		{name: "Indonesian forms", q: store.Query{Text: "bertemu"}, want: []string{"visit", "summit"}, ord: true,
			paras: map[string][]int{"summit": {1}, "visit": {0}}},
		{name: "exact form first", q: store.Query{Text: "pertemuan"}, want: []string{"summit", "visit"}, ord: true},
		{name: "nasal prefixes", q: store.Query{Text: "memimpin"}, want: []string{"summit", "visit"}},
		{name: "English forms", q: store.Query{Text: "energies"}, want: []string{"energy", "talks"}},
		{name: "possessive", q: store.Query{Text: "agency"}, want: []string{"energy"}},
		{name: "words anywhere in the article", q: store.Query{Text: "Moskow Selasa"}, want: []string{"summit"},
			paras: map[string][]int{"summit": {0, 2}}},
		{name: "phrase", q: store.Query{Text: `"parade militer"`}, want: []string{"summit"},
			paras: map[string][]int{"summit": {2}}},
		{name: "phrase and word", q: store.Query{Text: `"parade militer" Putin`}, want: []string{"summit"},
			paras: map[string][]int{"summit": {0, 2}}},
		{name: "exclusion", q: store.Query{Text: "China -Trump"}, want: []string{"visit", "talks"}},
		{name: "OR", q: store.Query{Text: "Geneva OR Moskow"}, want: []string{"summit", "talks"}},
		{name: "OR in lower case is a word", q: store.Query{Text: "Geneva or Moskow"}, want: nil},
		{name: "filters only, newest first", q: store.Query{Lang: "en"}, want: []string{"talks", "energy"}, ord: true},
		{name: "entity filter at article level", q: store.Query{Text: "energy", Entity: []string{"China"}}, want: []string{"energy", "talks"}},
		{name: "entity as typed", q: store.Query{Entity: []string{"tiongkok"}}, want: []string{"visit", "talks", "energy"}, ord: true},
		{name: "entity in any case", q: store.Query{Entity: []string{"xi jinping"}}, want: []string{"summit"}},
		{name: "sorted by publication", q: store.Query{Text: "China", Sort: store.SortPublished}, want: []string{"visit", "talks", "energy"}, ord: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, s, tc.q)
			got := articleIDs(res)
			want := slices.Clone(tc.want)
			if !tc.ord {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) || res.Total != uint64(len(want)) {
				t.Fatalf("hits = %v (total %d), want %v", articleIDs(res), res.Total, tc.want)
			}
			for _, h := range res.Articles {
				var idx []int
				for _, p := range h.Paragraphs {
					idx = append(idx, p.Index)
					if len(p.Highlights) == 0 || !strings.Contains(p.Highlights[0], "<mark>") {
						t.Errorf("%s paragraph %d: highlights %q, want a marked word", h.ArticleID, p.Index, p.Highlights)
					}
				}
				slices.Sort(idx)
				if want, ok := tc.paras[h.ArticleID]; ok && !slices.Equal(idx, want) {
					t.Errorf("%s: paragraphs %v, want %v", h.ArticleID, idx, want)
				}
				if tc.q.Text == "" && len(h.Paragraphs) != 0 {
					t.Errorf("%s: paragraphs %v without a query", h.ArticleID, idx)
				}
				if h.Title == "" || len(h.Entities) == 0 && h.ArticleID != "parade" {
					t.Errorf("%s: title %q, entities %v", h.ArticleID, h.Title, h.Entities)
				}
			}
		})
	}
}

// TestSearchArticleFacets: facets count articles, not paragraphs.
func TestSearchArticleFacets(t *testing.T) {
	s := deskStore(t)
	res := search(t, s, store.Query{})
	facet := res.Facets[store.FacetEntity]
	for _, want := range []store.FacetCount{{Term: "China", Count: 3}, {Term: "Vladimir Putin", Count: 1}} {
		if !slices.Contains(facet, want) {
			t.Errorf("entity facet %v lacks %v", facet, want)
		}
	}
	if got := res.Facets[store.FacetLang]; !slices.Equal(got, []store.FacetCount{{Term: "id", Count: 3}, {Term: "en", Count: 2}}) {
		t.Errorf("lang facet = %v", got)
	}
}

// TestUnknownEntityHint: a filter no entity is known as gives an empty
// result that says so and names the nearest known names.
func TestUnknownEntityHint(t *testing.T) {
	s := deskStore(t)
	for _, group := range []string{store.GroupArticle, store.GroupParagraph} {
		res := search(t, s, store.Query{Entity: []string{"Xi Jinpeng"}, Group: group})
		if res.Total != 0 || res.NumHits() != 0 || res.Hint == nil || !slices.Contains(res.Hint.DidYouMean, "Xi Jinping") ||
			!strings.Contains(res.Hint.Message, `"Xi Jinpeng"`) {
			t.Errorf("group %s: %+v, hint %+v; want nothing, and a hint naming Xi Jinping", group, res, res.Hint)
		}
	}
}

// TestSearchArticlePaging: offset and search_after pages hold every hit
// once, in order, by relevance and by time.
func TestSearchArticlePaging(t *testing.T) {
	s := deskStore(t)
	for _, q := range []store.Query{{}, {Text: "China OR Putin OR energy"}} {
		full := search(t, s, q)
		var byOffset, byCursor []string
		for off := 0; off < int(full.Total)+2; off += 2 {
			q.Size, q.Offset = 2, off
			byOffset = append(byOffset, articleIDs(search(t, s, q))...)
		}
		q.Offset = 0
		for range 10 {
			res := search(t, s, q)
			byCursor = append(byCursor, articleIDs(res)...)
			if res.Next == "" {
				break
			}
			q.After = res.Next
		}
		if !slices.Equal(byOffset, articleIDs(full)) || !slices.Equal(byCursor, articleIDs(full)) {
			t.Errorf("%q: offset pages %v, cursor pages %v, want %v", q.Text, byOffset, byCursor, articleIDs(full))
		}
	}
}

// TestOldMappingRebuilt: an index built with the mapping before this one
// (testdata/index-v2: two complete articles, one incomplete, one pending
// paragraph) is rebuilt when it opens, from its own documents, and answers.
func TestOldMappingRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	if err := os.CopyFS(path, os.DirFS("testdata/index-v2")); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := s.Migrated()
	if m == nil || m.From != "2" || m.Articles != 2 || m.Paragraphs != 10 || m.Pending != 1 {
		t.Fatalf("migration = %+v, want from 2: 2 articles, 10 paragraphs, 1 pending", m)
	}
	if st := stats(t, s); st.Articles != 2 || st.Paragraphs != 10 || st.DocCount != 13 {
		t.Errorf("stats = %+v, want 2 articles, 10 paragraphs, 13 documents", st)
	}
	if got := articleIDs(search(t, s, store.Query{Text: "Beijing"})); !slices.Equal(got, []string{"jkt-1", "summit-1"}) &&
		!slices.Equal(got, []string{"summit-1", "jkt-1"}) {
		t.Errorf("search Beijing = %v, want jkt-1 and summit-1", got)
	}
	// The article documents were written with this mapping: filtered,
	// counted and sorted on its fields.
	res := search(t, s, store.Query{Text: "Beijing", Lang: "id"})
	if res.Total != 2 || len(res.Facets[store.FacetLang]) != 1 || len(res.Facets[store.FacetEntity]) == 0 {
		t.Errorf("search Beijing lang=id = %v (total %d), facets %v: want both articles, counted", articleIDs(res), res.Total, res.Facets)
	}
	if got := articleIDs(search(t, s, store.Query{})); len(got) != 2 {
		t.Errorf("newest first = %v, want both articles", got)
	}
	assertComplete(t, s, jakarta)
	// The pending paragraph still completes its revision.
	apply(t, s, jakartaV2.all(t, 1))
	assertComplete(t, s, jakartaV2)
	if _, err := os.Stat(filepath.Join(path, ".rebuilding-from")); !os.IsNotExist(err) {
		t.Errorf("the old index is still there: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(path)
	if err != nil || s2.Migrated() != nil {
		t.Fatalf("reopen = %v, migrated %+v: want the rebuilt index as it is", err, s2.Migrated())
	}
	_ = s2.Close()
}
