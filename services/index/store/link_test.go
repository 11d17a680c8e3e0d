package store_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// summit is an article whose short mentions link to full names given in
// another paragraph: "XI" and "Xi" to "Xi Jinping" in paragraph 3, "Putin"
// to "Vladimir Putin".
var summit = article{
	id: "summit-1", version: "v1", title: "Xi menyambut Putin", lang: "id", published: "2025-09-02",
	paras: []paraSpec{
		{"XI TIBA DI LAPANGAN TIANANMEN.", []tag{ent("XI", events.Person, "XI")}},
		{"Delegasi Tiongkok menunggu di Beijing.", []tag{
			ent("Tiongkok", events.Location, "China"), ent("Beijing", events.Location, "Beijing"),
		}},
		{"Putin mendarat pada hari Senin.", []tag{ent("Putin", events.Person, "Putin")}},
		{"Presiden Xi Jinping menyambut Vladimir Putin di Beijing.", []tag{
			ent("Xi Jinping", events.Person, "Xi Jinping"), ent("Vladimir Putin", events.Person, "Vladimir Putin"),
			ent("Beijing", events.Location, "Beijing"),
		}},
		{"Kedua pemimpin makan siang bersama.", nil},
		{"Xi menyebut Putin teman lama.", []tag{
			ent("Xi", events.Person, "Xi"), ent("Putin", events.Person, ""),
		}},
	},
}

func entityHits(t *testing.T, s *store.Store, name string) []string {
	t.Helper()
	got := hitIDs(search(t, s, store.Query{Group: store.GroupParagraph, Entity: []string{name}}))
	sort.Strings(got)
	return got
}

// personFacet returns the entity facet of every paragraph of the index.
func entityFacet(t *testing.T, s *store.Store) []store.FacetCount {
	t.Helper()
	return search(t, s, store.Query{Group: store.GroupParagraph, Facets: 50}).Facets[store.FacetEntity]
}

func assertSummitLinked(t *testing.T, s *store.Store) {
	t.Helper()
	if got, want := entityHits(t, s, "Xi Jinping"), []string{"summit-1-0", "summit-1-3", "summit-1-5"}; !slices.Equal(got, want) {
		t.Errorf("entity=Xi Jinping: hits %v, want %v", got, want)
	}
	if got, want := entityHits(t, s, "Vladimir Putin"), []string{"summit-1-2", "summit-1-3", "summit-1-5"}; !slices.Equal(got, want) {
		t.Errorf("entity=Vladimir Putin: hits %v, want %v", got, want)
	}
	// A short name stands for the full one it was linked to, in any case.
	for short, full := range map[string]string{"Xi": "Xi Jinping", "XI": "Xi Jinping", "putin": "Vladimir Putin", "xi jinping": "Xi Jinping"} {
		if got, want := entityHits(t, s, short), entityHits(t, s, full); !slices.Equal(got, want) {
			t.Errorf("entity=%s: hits %v, want those of %s, %v", short, got, full, want)
		}
	}
	facet := entityFacet(t, s)
	if !slices.Contains(facet, store.FacetCount{Term: "Xi Jinping", Count: 3}) || !slices.Contains(facet, store.FacetCount{Term: "Vladimir Putin", Count: 3}) {
		t.Errorf("entity facet = %v, want Xi Jinping 3 and Vladimir Putin 3", facet)
	}
	for _, fc := range facet {
		if fc.Term == "Xi" || fc.Term == "XI" || fc.Term == "Putin" {
			t.Errorf("entity facet = %v, has the short name %q", facet, fc.Term)
		}
	}

	// Hits and the article keep the surface text and serve the linked canonical.
	res := search(t, s, store.Query{Group: store.GroupParagraph, Text: "lapangan"})
	if len(res.Paragraphs) != 1 || len(res.Paragraphs[0].Entities) != 1 {
		t.Fatalf("search lapangan: %+v, want paragraph 0 with one entity", res.Paragraphs)
	}
	if e := res.Paragraphs[0].Entities[0]; e.Text != "XI" || e.Canonical != "Xi Jinping" || e.Start != 0 || e.End != 2 {
		t.Errorf("hit entity = %+v, want XI [0,2) canonical Xi Jinping", e)
	}
	view, ok, err := s.Article(context.Background(), summit.id)
	if err != nil || !ok || len(view.Paragraphs) != 6 {
		t.Fatalf("Article = %+v, %v, %v; want 6 paragraphs", view, ok, err)
	}
	p5 := view.Paragraphs[5].Entities
	if len(p5) != 2 || p5[0].Text != "Xi" || p5[0].Canonical != "Xi Jinping" || p5[1].Text != "Putin" || p5[1].Canonical != "Vladimir Putin" {
		t.Errorf("article paragraph 5 entities = %+v, want Xi → Xi Jinping, Putin → Vladimir Putin", p5)
	}
	// Gazetteer canonicals stay.
	if e := view.Paragraphs[1].Entities[0]; e.Text != "Tiongkok" || e.Canonical != "China" {
		t.Errorf("article paragraph 1 entity = %+v, want Tiongkok → China", e)
	}
}

func TestLinkAcrossBatchesOutOfOrder(t *testing.T) {
	s, _ := openStore(t)
	for _, batch := range [][]int{{5}, {0, 4}, {2}} {
		if done := apply(t, s, summit.all(t, batch...)); len(done) != 0 {
			t.Fatalf("batch %v: completions %v, want none", batch, completed(done))
		}
	}
	// Before completion, paragraphs are searchable under the names enrich gave.
	if got := entityHits(t, s, "Xi"); !slices.Equal(got, []string{"summit-1-5"}) {
		t.Errorf("entity=Xi before completion: hits %v, want [summit-1-5]", got)
	}
	if done := apply(t, s, summit.all(t, 3, 1)); !slices.Equal(completed(done), []string{"summit-1@v1"}) {
		t.Fatalf("completions = %v, want summit-1@v1", completed(done))
	}
	assertSummitLinked(t, s)

	t.Run("redelivered paragraph stays linked", func(t *testing.T) {
		if done := apply(t, s, summit.all(t, 5)); !slices.Equal(completed(done), []string{"summit-1@v1"}) {
			t.Fatalf("completions = %v, want summit-1@v1", completed(done))
		}
		assertSummitLinked(t, s)
	})
	t.Run("replay of the whole article", func(t *testing.T) {
		apply(t, s, summit.all(t, 5, 4, 3, 2, 1, 0))
		assertSummitLinked(t, s)
		st := stats(t, s)
		if st.Articles != 1 || st.Paragraphs != 6 {
			t.Errorf("stats = %+v, want 1 article, 6 paragraphs", st)
		}
	})
}

func TestLinkInOneBatchEqualsLinkAcrossBatches(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, summit.all(t))
	assertSummitLinked(t, s)
}

func TestLinkAmbiguousShortNameStays(t *testing.T) {
	s, _ := openStore(t)
	a := article{
		id: "xi-2", version: "v1", title: "Keluarga Xi", lang: "id", published: "2025-09-02",
		paras: []paraSpec{
			{"Xi Jinping datang bersama Xi Mingze.", []tag{
				ent("Xi Jinping", events.Person, "Xi Jinping"), ent("Xi Mingze", events.Person, "Xi Mingze"),
			}},
			{"Xi kemudian berpidato; Mingze diam.", []tag{
				ent("Xi", events.Person, "Xi"), ent("Mingze", events.Person, "Mingze"),
			}},
		},
	}
	apply(t, s, a.all(t, 1))
	apply(t, s, a.all(t, 0))
	if got := entityHits(t, s, "Xi"); !slices.Equal(got, []string{"xi-2-1"}) {
		t.Errorf("entity=Xi: hits %v, want [xi-2-1] (two longer names share Xi)", got)
	}
	if got := entityHits(t, s, "Xi Mingze"); !slices.Equal(got, []string{"xi-2-0", "xi-2-1"}) {
		t.Errorf("entity=Xi Mingze: hits %v, want both paragraphs (Mingze is unambiguous)", got)
	}
	if got := entityHits(t, s, "Xi Jinping"); !slices.Equal(got, []string{"xi-2-0"}) {
		t.Errorf("entity=Xi Jinping: hits %v, want [xi-2-0]", got)
	}
}

func TestLinkAcronymToBracketedExpansion(t *testing.T) {
	s, _ := openStore(t)
	a := article{
		id: "sco-1", version: "v1", title: "KTT di Tianjin", lang: "id", published: "2025-09-02",
		paras: []paraSpec{
			{"Anggota SCO dan BPS hadir.", []tag{
				ent("SCO", events.Organization, "SCO"), ent("BPS", events.Organization, "BPS"),
			}},
			{"Putin menghadiri KTT Organisasi Kerjasama Shanghai (SCO) di Tianjin.", []tag{
				ent("Organisasi Kerjasama Shanghai", events.Organization, "Shanghai Cooperation Organisation"),
				ent("SCO", events.Organization, "SCO"), ent("Tianjin", events.Location, "Tianjin"),
			}},
			{"Dewan Keamanan (DK) PBB bersidang; AS menolak.", []tag{
				ent("Dewan Keamanan", events.Organization, "Dewan Keamanan"),
				ent("PBB", events.Organization, "United Nations"), ent("AS", events.Location, "United States"),
			}},
			{"Sekretaris Jenderal SCO dan DK juga bicara.", []tag{
				ent("SCO", events.Organization, ""), ent("DK", events.Organization, "DK"),
			}},
		},
	}
	apply(t, s, a.all(t, 3, 0))
	apply(t, s, a.all(t, 2, 1))
	if got, want := entityHits(t, s, "Shanghai Cooperation Organisation"), []string{"sco-1-0", "sco-1-1", "sco-1-3"}; !slices.Equal(got, want) {
		t.Errorf("entity=Shanghai Cooperation Organisation: hits %v, want %v", got, want)
	}
	if got, want := entityHits(t, s, "Dewan Keamanan"), []string{"sco-1-2", "sco-1-3"}; !slices.Equal(got, want) {
		t.Errorf("entity=Dewan Keamanan: hits %v, want %v", got, want)
	}
	// An acronym linked to its expansion stands for it as a filter.
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"SCO", []string{"sco-1-0", "sco-1-1", "sco-1-3"}}, {"DK", []string{"sco-1-2", "sco-1-3"}},
		{"BPS", []string{"sco-1-0"}}, {"United States", []string{"sco-1-2"}}, {"United Nations", []string{"sco-1-2"}},
	} {
		if got := entityHits(t, s, tc.name); !slices.Equal(got, tc.want) {
			t.Errorf("entity=%s: hits %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, fc := range entityFacet(t, s) {
		if fc.Term == "SCO" || fc.Term == "DK" {
			t.Errorf("entity facet has the acronym %q, linked to its expansion", fc.Term)
		}
	}
	view, _, err := s.Article(context.Background(), a.id)
	if err != nil {
		t.Fatal(err)
	}
	if e := view.Paragraphs[3].Entities[0]; e.Text != "SCO" || e.Canonical != "Shanghai Cooperation Organisation" {
		t.Errorf("paragraph 3 entity = %+v, want SCO → Shanghai Cooperation Organisation", e)
	}
}

func TestLinkNewVersionRelinks(t *testing.T) {
	s, _ := openStore(t)
	apply(t, s, summit.all(t))
	assertSummitLinked(t, s)

	// The next version names another Xi in paragraph 3; it arrives as
	// pending documents over two batches and is linked from them alone.
	v2 := summit
	v2.version = "v2"
	v2.paras = slices.Clone(summit.paras)
	v2.paras[3] = paraSpec{"Presiden Xi Mingze menyambut Vladimir Putin di Beijing.", []tag{
		ent("Xi Mingze", events.Person, "Xi Mingze"), ent("Vladimir Putin", events.Person, "Vladimir Putin"),
	}}
	apply(t, s, v2.all(t, 0, 5, 3))
	if got := entityHits(t, s, "Xi Mingze"); len(got) != 0 {
		t.Errorf("entity=Xi Mingze before v2 completes: hits %v, want none", got)
	}
	if done := apply(t, s, v2.all(t, 1, 2, 4)); !slices.Equal(completed(done), []string{"summit-1@v2"}) {
		t.Fatalf("completions = %v, want summit-1@v2", completed(done))
	}
	if got, want := entityHits(t, s, "Xi Mingze"), []string{"summit-1-0", "summit-1-3", "summit-1-5"}; !slices.Equal(got, want) {
		t.Errorf("entity=Xi Mingze: hits %v, want %v", got, want)
	}
	if got := entityHits(t, s, "Xi Jinping"); len(got) != 0 {
		t.Errorf("entity=Xi Jinping after v2: hits %v, want none", got)
	}
}

func TestEntityFindsEveryLanguage(t *testing.T) {
	s, _ := openStore(t)
	en := article{
		id: "en-1", version: "e1", title: "Trade talks", lang: "en", published: "2025-09-03",
		paras: []paraSpec{{"China and Russia signed twenty agreements.", []tag{
			ent("China", events.Location, "China"), ent("Russia", events.Location, "Russia"),
		}}},
	}
	apply(t, s, jakarta.all(t), en.all(t))
	if got, want := entityHits(t, s, "China"), []string{"en-1-0", "jkt-1-1"}; !slices.Equal(got, want) {
		t.Errorf("entity=China: hits %v, want the English and the Indonesian paragraph %v", got, want)
	}
	res := search(t, s, store.Query{Group: store.GroupParagraph, Entity: []string{"China"}})
	langs := map[string]string{}
	for _, h := range res.Paragraphs {
		for _, e := range h.Entities {
			if e.Canonical == "China" {
				langs[h.Lang] = e.Text
			}
		}
	}
	if langs["id"] != "Tiongkok" || langs["en"] != "China" {
		t.Errorf("surface forms of China by language = %v, want id Tiongkok, en China", langs)
	}
}
