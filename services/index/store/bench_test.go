package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

var benchWords = strings.Fields(`pemerintah presiden menteri rakyat ekonomi harga beras minyak
	pasar saham rupiah dolar bank inflasi kebijakan undang-undang parlemen pemilu partai
	the government said on Tuesday that prices would rise as markets fell and the central
	bank kept its rate steady while analysts expected growth to slow in the coming months
	banjir gempa bumi wilayah provinsi kota desa warga polisi sekolah rumah sakit jalan tol`)

var benchEntities = []struct {
	surface, canon string
	typ            events.EntityType
}{
	{"Jokowi", "Joko Widodo", events.Person}, {"Prabowo", "Prabowo Subianto", events.Person},
	{"Sri Mulyani", "Sri Mulyani Indrawati", events.Person}, {"Xi Jinping", "Xi Jinping", events.Person},
	{"Jakarta", "Jakarta", events.Location}, {"Tiongkok", "China", events.Location},
	{"Surabaya", "Surabaya", events.Location}, {"Moskow", "Moscow", events.Location},
	{"Bank Indonesia", "Bank Indonesia", events.Organization}, {"DPR", "Dewan Perwakilan Rakyat", events.Organization},
	{"Pertamina", "Pertamina", events.Organization}, {"KTT G20", "G20 Summit", events.Event},
	{"IHSG", "Indeks Harga Saham Gabungan", events.Misc},
	// Short names that the article links to a longer one.
	{"Xi", "Xi", events.Person}, {"Putin", "Putin", events.Person}, {"Vladimir Putin", "Vladimir Putin", events.Person},
}

var benchDates = []struct{ surface, value string }{
	{"2 September 2025", "2025-09-02"}, {"Agustus 2025", "2025-08"}, {"2024", "2024"},
	{"tahun 1930-an", "193X"}, {"15 Januari 2026", "2026-01-15"},
}

// benchArticles builds n paragraphs of realistic shape: about 500 bytes of
// text each, five entities and one or two dates, in articles of ten
// paragraphs, with ids unique across calls through prefix.
func benchArticles(r *rand.Rand, prefix string, n int) []events.EnrichedParagraph {
	const perArticle = 10
	out := make([]events.EnrichedParagraph, 0, n)
	for i := range n {
		articleID := fmt.Sprintf("%s-%d", prefix, i/perArticle)
		var b strings.Builder
		var ents []events.Entity
		var dates []events.Date
		addWords := func(k int) {
			for range k {
				b.WriteString(benchWords[r.IntN(len(benchWords))])
				b.WriteByte(' ')
			}
		}
		for e := range 5 {
			addWords(8 + r.IntN(6))
			ent := benchEntities[r.IntN(len(benchEntities))]
			ents = append(ents, events.Entity{Text: ent.surface, Type: ent.typ, Start: b.Len(), End: b.Len() + len(ent.surface), Canonical: ent.canon})
			b.WriteString(ent.surface)
			b.WriteByte(' ')
			if e == 1 || (e == 3 && r.IntN(2) == 0) {
				d := benchDates[r.IntN(len(benchDates))]
				b.WriteString("pada ")
				dates = append(dates, events.Date{Text: d.surface, Value: d.value, Start: b.Len(), End: b.Len() + len(d.surface)})
				b.WriteString(d.surface)
				b.WriteByte(' ')
			}
		}
		addWords(6)
		text := strings.TrimSpace(b.String()) + "."
		out = append(out, events.EnrichedParagraph{
			Paragraph: events.Paragraph{
				V: events.Version, ID: events.ParagraphID(articleID, i%perArticle), ArticleID: articleID,
				Version: "v1", Index: i % perArticle, Count: perArticle,
				Title: "Pemerintah umumkan kebijakan baru soal harga beras dan minyak", Lang: "id",
				PublishedAt: "2025-09-02T10:30:00+07:00", URL: "https://example.com/" + articleID,
				Source: "example", Text: text,
			},
			Entities: ents, Dates: dates, Tagger: "bench",
		})
	}
	return out
}

// BenchmarkApply writes batches of 1000 new paragraphs (100 complete
// articles) into a growing index and reports paragraphs written per second.
func BenchmarkApply(b *testing.B) {
	s, _ := openStore(b)
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 1000
	var bytes int
	batches := make([][]events.EnrichedParagraph, b.N)
	for i := range batches {
		batches[i] = benchArticles(r, fmt.Sprintf("b%d", i), batch)
		for _, p := range batches[i] {
			bytes += len(p.Text)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		done, err := s.Apply(context.Background(), batches[i])
		if err != nil {
			b.Fatal(err)
		}
		if len(done.Indexed) != batch/10 {
			b.Fatalf("completions = %d, want %d", len(done.Indexed), batch/10)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(bytes)/float64(b.N*batch), "text_bytes/doc")
}

// BenchmarkApplySplitArticles is BenchmarkApply with every article split
// over two batches, as when paragraphs come from many enrichers: half of
// each article's paragraphs are in one batch, the rest in the next, so each
// completion reads back and links the paragraphs of the batch before.
func BenchmarkApplySplitArticles(b *testing.B) {
	s, _ := openStore(b)
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 1000
	batches := make([][]events.EnrichedParagraph, b.N+1)
	for i := range b.N {
		for _, p := range benchArticles(r, fmt.Sprintf("b%d", i), batch) {
			half := i
			if p.Index%2 == 1 {
				half = i + 1
			}
			batches[half] = append(batches[half], p)
		}
	}
	written := 0
	b.ResetTimer()
	for i := range b.N {
		done, err := s.Apply(context.Background(), batches[i])
		if err != nil {
			b.Fatal(err)
		}
		if i > 0 && len(done.Indexed) != batch/10 {
			b.Fatalf("completions = %d, want %d", len(done.Indexed), batch/10)
		}
		written += len(batches[i])
	}
	b.StopTimer()
	b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkSearch runs a text search with facets over 20,000 paragraphs.
func BenchmarkSearch(b *testing.B) {
	s, _ := openStore(b)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		if _, err := s.Apply(context.Background(), benchArticles(r, fmt.Sprintf("s%d", i), 1000)); err != nil {
			b.Fatal(err)
		}
	}
	q := storeQuery("harga beras", "China")
	b.ResetTimer()
	for range b.N {
		if _, err := s.Search(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func storeQuery(text, entity string) store.Query {
	return store.Query{Group: store.GroupParagraph, Text: text, Entity: []string{entity}}
}
