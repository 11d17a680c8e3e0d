package article_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/article"
)

// TestDetectLangShort checks single sentences and titles, where trigram
// profiles see too little: the function words and word frequencies decide.
func TestDetectLangShort(t *testing.T) {
	for _, tt := range []struct {
		text, fallback, want string
	}{
		{"Hello\nJoe Biden met Narendra Modi in New Delhi on Monday.", "", "en"},
		{"Thanks for the quick reply.", "", "en"},
		{"good luck with the move", "", "en"},
		{"Presiden Joko Widodo meresmikan jalan tol baru.", "", "id"},
		{"Harga beras naik tajam menjelang Lebaran.", "", "id"},
		{"Polis menahan lelaki itu kerana disyaki terlibat dalam kes rompakan, kata beliau.", "", "ms"},
		{"Kerajaan Malaysia akan melaksanakan dasar baharu untuk membantu rakyat.", "", "ms"},
		// One Malay word in Indonesian text does not make it Malay.
		{"Kereta api itu tiba di Stasiun Gambir pada pukul 10 pagi.", "", "id"},
		// Other languages go to the trigram detector.
		{"Le président a rencontré son homologue à Pékin mardi pour discuter de la guerre.", "", "fr"},
		{"Die Regierung hat am Montag neue Maßnahmen gegen die Inflation beschlossen.", "", "de"},
		{"El presidente se reunió con su homólogo en Pekín el martes para hablar de la guerra.", "", "es"},
		// Nothing to go by: the caller's default, else undetermined.
		{"Xq zz", "", "und"},
		{"Xq zz", "id", "id"},
		{":-)", "", "und"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			if got := article.DetectLang(tt.text, tt.fallback); got != tt.want {
				t.Errorf("DetectLang(%q, %q) = %q, want %q", tt.text, tt.fallback, got, tt.want)
			}
		})
	}
}

// TestDetectLangSamples checks every sample article of the benchmark, whose
// file names carry their language.
func TestDetectLangSamples(t *testing.T) {
	files, err := filepath.Glob("../../samples/bench/*.*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Ext(strings.TrimSuffix(f, ".txt"))[1:]
		a, err := article.Parse(data, article.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if a.Lang != want {
			t.Errorf("%s: lang %q, want %q", filepath.Base(f), a.Lang, want)
		}
	}
}

// BenchmarkDetectLang detects the language of the sample articles of the
// benchmark, as ingest does (title and body), per article.
func BenchmarkDetectLang(b *testing.B) {
	files, _ := filepath.Glob("../../samples/bench/*.*.txt")
	var texts []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	if len(texts) == 0 {
		b.Fatal("no samples")
	}
	for b.Loop() {
		for _, s := range texts {
			article.DetectLang(s, "")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/article")
}
