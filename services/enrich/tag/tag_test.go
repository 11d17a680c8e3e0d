package tag

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/ner"
)

// englishParagraphs are real sentences of English news, for the benchmark.
var englishParagraphs = []string{
	"Chinese President Xi Jinping has welcomed Russian President Vladimir Putin to Beijing, where the two leaders hailed their \"unprecedented\" ties ahead of a military parade marking the end of World War II.",
	"Iranian President Masoud Pezeshkian arrived in Tianjin for the Shanghai Cooperation Organisation summit, where leaders of Russia, India and Central Asian states discussed trade and security.",
	"The International Criminal Court issued an arrest warrant for Putin in March 2023 over the deportation of children from Ukraine, which Moscow denies.",
	"Al Jazeera's Katrina Yu, reporting from Beijing, said Xi and Putin appeared relaxed as they walked together through the Great Hall of the People.",
	"Officials in Washington said the United States would send more air defence systems to Ukraine, while NATO Secretary General Mark Rutte urged allies to spend more on defence.",
	"Shares of Toyota Motor Corp fell 3% in Tokyo after the company cut its full-year forecast, citing US tariffs and a stronger yen.",
}

// paragraphs returns the paragraphs of the reference article and the English
// ones, as the pipeline sees them.
func paragraphs(tb testing.TB) []events.Paragraph {
	tb.Helper()
	data, err := os.ReadFile("../../../samples/xi-putin-beijing.id.txt")
	if err != nil {
		tb.Fatal(err)
	}
	var ps []events.Paragraph
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) != "" {
			ps = append(ps, events.Paragraph{Lang: "id", PublishedAt: "2025-09-02", Text: line})
		}
	}
	for _, text := range englishParagraphs {
		ps = append(ps, events.Paragraph{Lang: "en", PublishedAt: "2025-09-02", Text: text})
	}
	return ps
}

func TestEnrichNames(t *testing.T) {
	tg := New()
	for _, tt := range []struct{ lang, want string }{
		{"id", "warta-ner/4 id"},
		{"en-GB", "warta-ner/4 en"},
		{"ms-MY", "warta-ner/4 ms (read as id)"},
		{"fr", "gazetteer-only (no model for fr)"},
		{"und", "gazetteer-only (language undetermined)"},
		{"", "gazetteer-only (language undetermined)"},
	} {
		p := events.Paragraph{Lang: tt.lang, Text: "Le président Emmanuel Macron a reçu Xi Jinping à Paris."}
		e := tg.Enrich(p)
		if e.Tagger != tt.want {
			t.Errorf("lang %q: Tagger = %q, want %q", tt.lang, e.Tagger, tt.want)
		}
		if tt.lang != "id" && !strings.HasPrefix(tt.lang, "en") && !strings.HasPrefix(tt.lang, "ms") {
			// The fallback finds the gazetteer's names only: no model guesses "Emmanuel Macron".
			got := []string{}
			for _, en := range e.Entities {
				got = append(got, en.Text)
			}
			if !slices.Equal(got, []string{"Paris"}) {
				t.Errorf("lang %q: entities %q, want only Paris", tt.lang, got)
			}
		}
	}
	e := tg.Enrich(events.Paragraph{Lang: "id", Text: "Presiden Joko Widodo tiba di Moskow pada hari Selasa."})
	if !slices.ContainsFunc(e.Entities, func(en events.Entity) bool { return en.Text == "Joko Widodo" && en.Type == events.Person }) ||
		!slices.ContainsFunc(e.Entities, func(en events.Entity) bool { return en.Text == "Moskow" && en.Canonical == "Moscow" }) {
		t.Errorf("entities %+v, want Joko Widodo PERSON and Moskow → Moscow", e.Entities)
	}
}

// BenchmarkEnrich measures the whole tagging step, entities and dates, over
// the reference article and English news paragraphs. Run it with -cpu 1 for
// the rate per core.
func BenchmarkEnrich(b *testing.B) {
	tg := New()
	ps := paragraphs(b)
	tokens := 0
	for _, p := range ps {
		tokens += len(ner.Tokenize(p.Text, nil))
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		for _, p := range ps {
			tg.Enrich(p)
		}
	}
	n := float64(b.N)
	b.ReportMetric(n*float64(len(ps))/b.Elapsed().Seconds(), "paragraphs/s")
	// The same per second of CPU the process used: on a shared machine,
	// time the process waits for a core counts in the one above, not here.
	b.ReportMetric(n*float64(len(ps))/(cpuTime()-cpu).Seconds(), "paragraphs/cpu-s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(n*float64(tokens)), "ns/token")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkModelMemory reports the heap that a loaded Tagger holds: the
// gazetteers, word lists and both models.
func BenchmarkModelMemory(b *testing.B) {
	var keep *Tagger
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		keep = New()
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-heap")
	b.ReportMetric(0, "ns/op")
	runtime.KeepAlive(keep)
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
