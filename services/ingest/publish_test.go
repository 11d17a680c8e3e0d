package main

import "testing"

// TestParagraphsCount: "publish --wait" says "1 paragraph searchable", not
// "1 paragraphs".
func TestParagraphsCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 paragraphs", 1: "1 paragraph", 17: "17 paragraphs"} {
		if got := paragraphs(n); got != want {
			t.Errorf("paragraphs(%d) = %q, want %q", n, got, want)
		}
	}
}
