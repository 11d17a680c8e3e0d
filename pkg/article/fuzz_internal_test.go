package article

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSplitText checks the paragraph splitter on any string: every
// paragraph is non-empty, trimmed and one line; countParagraphs (which
// Parse uses for Options.MaxParagraphs) agrees with it; and cleanText is
// idempotent and leaves no control characters in a paragraph.
func FuzzSplitText(f *testing.F) {
	f.Add("Satu.\n\nDua.\nTiga.")
	f.Add("a\u2028b\u2029c\u0085d\r\ne\rf")
	f.Add("  \t\u00a0 \n \u3000x\u3000 \n\n")
	f.Add("a\x07b\x1b[0m\n\x00c\u009bd")
	f.Fuzz(func(t *testing.T, s string) {
		ps := SplitText(s)
		if n := countParagraphs(s); n != len(ps) {
			t.Fatalf("countParagraphs = %d, SplitText gave %d paragraphs", n, len(ps))
		}
		for i, p := range ps {
			if p == "" || p != strings.TrimSpace(p) || strings.IndexFunc(p, isLineBreak) >= 0 {
				t.Fatalf("paragraph %d is %q: want non-empty, trimmed, one line", i, p)
			}
		}
		// Cut with a small limit, a line loses nothing but spaces, and no
		// piece is longer than the limit.
		const limit = 16
		for _, line := range ps {
			var pieces []string
			for rest := line; rest != ""; {
				var piece string
				piece, rest = cutParagraph(rest, limit)
				if piece == "" || len(piece) > limit || piece != strings.TrimSpace(piece) {
					t.Fatalf("cutParagraph(%q) gave piece %q: want non-empty, trimmed, at most %d bytes", line, piece, limit)
				}
				pieces = append(pieces, piece)
			}
			if !onlySpacesBetween(line, pieces) {
				t.Fatalf("cutting %q into %q lost text", line, pieces)
			}
		}
		clean := cleanText(s)
		if again := cleanText(clean); again != clean {
			t.Fatalf("cleanText is not idempotent: %q, then %q", clean, again)
		}
		if !utf8.ValidString(clean) {
			t.Fatalf("cleanText gave invalid UTF-8 %q", clean)
		}
		for i, p := range SplitText(clean) {
			if j := strings.IndexFunc(p, unicode.IsControl); j >= 0 {
				t.Fatalf("clean paragraph %d %q has a control character at byte %d", i, p, j)
			}
		}
	})
}

// onlySpacesBetween reports whether s is pieces, in order, with nothing but
// white space around and between them.
//
// Each piece must follow the white space at once: searching for it instead
// could find a piece of invalid UTF-8 ("\x80") inside the character before
// it ("\u3000" is e3 80 80).
func onlySpacesBetween(s string, pieces []string) bool {
	for _, p := range pieces {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if !strings.HasPrefix(s, p) {
			return false
		}
		s = s[len(p):]
	}
	return strings.TrimSpace(s) == ""
}
