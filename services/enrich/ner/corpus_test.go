package ner

import (
	"slices"
	"strings"
	"testing"
)

// TestReadCoNLL reads the layouts of the corpora, with their quirks mapped
// away: IO tags, stray I- tags, UniversalNER's columns, and BTC's "@ user"
// mentions.
func TestReadCoNLL(t *testing.T) {
	types := map[string]string{"PER": "PER", "ORG": "ORG", "LOC": "LOC", "person": "PER"}
	for _, tt := range []struct {
		name, in string
		want     []string // word/label pairs of the first sentence
	}{
		{"bio", "Joko B-PER\nWidodo I-PER\ndi O\nJakarta B-LOC\n", []string{"Joko/B-PER", "Widodo/I-PER", "di/O", "Jakarta/B-LOC"}},
		{"io and stray inside", "-DOCSTART- O\n\nJohn I-PER\nSmith I-PER\nin O\nParis I-LOC\n", []string{"John/B-PER", "Smith/I-PER", "in/O", "Paris/B-LOC"}},
		{"unmapped type", "Monday B-TIME\nAli B-person\n", []string{"Monday/O", "Ali/B-PER"}},
		{"uner columns", "# sent_id = 1\n1\ttampa\tB-LOC\t-\ta\n2\tbay\tI-LOC\t-\ta\n", []string{"tampa/B-LOC", "bay/I-LOC"}},
		{"btc user mention", "RT\tO\n@\tB-ORG\nSportsCenter\tB-ORG\n:\tO\n@\tB-PER\n", []string{"RT/O", "@/O", "SportsCenter/B-ORG", ":/O", "@/B-PER"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exs, err := ReadCoNLL(strings.NewReader(tt.in), types)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, w := range exs[0].Words {
				got = append(got, w+"/"+Label(exs[0].Labels[i]))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
