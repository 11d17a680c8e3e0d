package store

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
)

// TestHighlightWindow checks where the bounded highlighter finds the words:
// past a longer word that contains one, in any case, across the chunks it
// lower-cases, never past MaxHighlightScanBytes; and that a fragment cut
// from the middle of a paragraph says so at both ends.
func TestHighlightWindow(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pad := func(n int) string { return strings.Repeat("isi ", n/4) }
	for _, tc := range []struct {
		name, text string
		words      []string
		want       string // in the fragment; "" for none
		cut        bool   // the fragment starts inside the text: with "…"
	}{
		{"short text", "Peretas mencuri kukis pengguna.", []string{"kukis"}, "Peretas mencuri <mark>kukis</mark> pengguna.", false},
		{"upper case", pad(3000) + "KUKIS sesi.", []string{"kukis"}, "isi <mark>KUKIS</mark>", true},
		{"non-ASCII case", pad(100) + "Ünïcode ŞEHİR " + pad(100), []string{"ünïcode"}, "<mark>Ünïcode</mark> ŞEHİR", true},
		{"inside a longer word first", "kukisnya " + pad(2000) + "kukis " + pad(2000), []string{"kukis"}, "<mark>kukis</mark> isi", true},
		{"across a chunk's end", pad(foldChunk-3) + "kukis " + pad(2000), []string{"kukis"}, "<mark>kukis</mark>", true},
		{"second word first", pad(5000) + "sesi " + pad(100) + "kukis", []string{"kukis", "sesi"}, "<mark>sesi</mark>", true},
		{"beyond the scan", pad(MaxHighlightScanBytes+8) + "kukis", []string{"kukis"}, "", false},
		{"markup escaped", "a <b>kukis</b> b", []string{"kukis"}, "a &lt;b&gt;<mark>kukis</mark>&lt;/b&gt; b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.parse(strings.Join(tc.words, " "))
			if err != nil {
				t.Fatal(err)
			}
			h, err := s.newHighlighter(p)
			if err != nil {
				t.Fatal(err)
			}
			got := h.fragments(&events.EnrichedParagraph{Paragraph: events.Paragraph{ID: "p", Text: tc.text}})
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("fragments = %q, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) || len(got[0]) > 2*highlightWindow+64 {
				t.Fatalf("fragments = %q, want one short fragment with %q", got, tc.want)
			}
			if cut := strings.HasPrefix(got[0], "…"); cut != tc.cut {
				t.Errorf("fragment %q starts with …: %v, want %v", got[0], cut, tc.cut)
			}
		})
	}
}

// TestFoldCase checks the lower-casing that keeps offsets.
func TestFoldCase(t *testing.T) {
	for in, want := range map[string]string{
		"ABC xyz":  "abc xyz",
		"ÜNÏCODE":  "ünïcode",
		"İstanbul": "İstanbul", // its lower case is longer: kept
		"ΣΟΦΊΑ":    "σοφία",
		"a\xffB":   "a\xffb",
		"日本語 TEXT": "日本語 text",
	} {
		got := string(foldCase(nil, in))
		if got != want || len(got) != len(in) {
			t.Errorf("foldCase(%q) = %q, want %q of the same length", in, got, want)
		}
	}
}

// TestHighlightForms: the words' other forms in the paragraph's language,
// and the entities the words name, are marked too.
func TestHighlightForms(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		name, query, lang, text string
		ents                    []events.Entity
		want                    string
	}{
		{"Indonesian form", "bertemu", "id", "Pertemuan itu berlangsung lama.", nil, "<mark>Pertemuan</mark> itu"},
		{"English plural", "energies", "en", "Clean energy is cheaper now.", nil, "Clean <mark>energy</mark> is"},
		{"English singular", "tariff", "en", "Officials in Beijing said on Monday that new tariffs on solar panels would hurt.", nil, "new <mark>tariffs</mark> on"},
		{"entity by its canonical name", "Moscow", "id", "Putin terbang dari Moskow pagi ini.",
			[]events.Entity{{Text: "Moskow", Type: events.Location, Start: 19, End: 25, Canonical: "Moscow"}}, "dari <mark>Moskow</mark> pagi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.parse(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			h, err := s.newHighlighter(p)
			if err != nil {
				t.Fatal(err)
			}
			got := h.fragments(&events.EnrichedParagraph{Paragraph: events.Paragraph{ID: "p", Text: tc.text, Lang: tc.lang}, Entities: tc.ents})
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("fragments = %q, want one with %q", got, tc.want)
			}
		})
	}
}
