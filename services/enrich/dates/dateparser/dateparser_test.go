package dateparser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warta-news/warta/pkg/events"
)

// published is the publication date of the reference article, Tuesday
// 2 September 2025, which package dates tests against too.
var published = time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)

// got renders dates as "text=value" for comparison (Find sets no Mod).
func got(ds []events.Date) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Text+"="+d.Value)
	}
	return out
}

func TestLocate(t *testing.T) {
	text := "Am  2.\u00a0September 2025 und am 2. September 2025."
	for _, tc := range []struct {
		frag       string
		from       int
		start, end int
		ok         bool
	}{
		{"2. September 2025", 0, 30, 47, true},
		{"Am 2. September 2025", 0, 0, 22, true},
		{"2. September 2025", 33, 0, 0, false},
		{"Mai", 0, 0, 0, false},
	} {
		s, e, ok := locate(text, tc.frag, tc.from)
		if ok != tc.ok || (ok && (s != tc.start || e != tc.end)) {
			t.Errorf("locate(%q, %d) = %d, %d, %v; want %d, %d, %v", tc.frag, tc.from, s, e, ok, tc.start, tc.end, tc.ok)
		}
	}
}

// BenchmarkFindDateparser measures a paragraph in a language read by
// go-dateparser through the wrapper.
func BenchmarkFindDateparser(b *testing.B) {
	lines := []string{
		"Le président est arrivé le 2 septembre 2025 à Pékin, hier, pour un sommet de l'Organisation de coopération de Shanghai, où il a rencontré Vladimir Poutine et une vingtaine de dirigeants.",
		"Les deux dirigeants ont signé 20 accords et annoncé un nouveau gazoduc; la Russie a envahi l'Ukraine en 2022 et les échanges ont depuis doublé, selon les douanes chinoises.",
		"Mardi, une parade militaire a marqué les 80 ans de la fin de la Seconde Guerre mondiale sur la place Tiananmen.",
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, l := range lines {
			Find(l, "fr", published, nil)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "paragraphs/s")
}

// BenchmarkFindDateparserMix measures the paragraphs of the benchmark
// corpus in languages read by go-dateparser (French, German, Spanish,
// Malay: samples/bench), and one paragraph without a date.
func BenchmarkFindDateparserMix(b *testing.B) {
	paras := benchParagraphs(b)
	for _, bc := range []struct {
		name  string
		paras []benchParagraph
	}{
		{"samples", paras},
		{"no-date", []benchParagraph{{"fr", "Le gouvernement a présenté son projet de réforme devant les députés, qui doivent encore en débattre avant le vote final prévu par la commission des finances, selon le rapporteur."}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, p := range bc.paras {
					Find(p.text, p.lang, published, nil)
					n++
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "paragraphs/s")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/paragraph")
		})
	}
}

// benchParagraph is a paragraph of samples/bench and its language.
type benchParagraph struct{ lang, text string }

// benchParagraphs returns the paragraphs of samples/bench in the languages
// other than Indonesian and English, titles left out.
func benchParagraphs(tb testing.TB) []benchParagraph {
	tb.Helper()
	files, err := filepath.Glob("../../../../samples/bench/*.*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no samples/bench texts: %v", err)
	}
	var out []benchParagraph
	for _, f := range files {
		lang := strings.TrimPrefix(filepath.Ext(strings.TrimSuffix(f, ".txt")), ".")
		if lang == "id" || lang == "en" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		_, body, _ := strings.Cut(string(data), "\n") // the title
		for l := range strings.Lines(body) {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, benchParagraph{lang, l})
			}
		}
	}
	return out
}
