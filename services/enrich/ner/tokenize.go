package ner

import (
	"unicode"
	"unicode/utf8"
)

// Token is a word or punctuation mark of a text, as byte offsets into it.
type Token struct {
	Start, End int
}

// IsWordRune reports whether r belongs to a word as Tokenize splits text: a
// letter, a digit or a non-spacing mark. The entity tagger's tokenizer
// tells words from the rest by it too.
func IsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// Tokenize splits text into tokens the way the training corpora are split
// (CoNLL style): runs of letters and digits, joined inside by hyphens and
// apostrophes ("Jean-Pierre", "O'Brien") and by dots or commas between
// digits ("2,3", "10.30"); initials keep their dots ("U.S."); a possessive
// "'s" is a token of its own; every other character that is not a space is a
// token of one character. It appends to dst and returns it.
func Tokenize(text string, dst []Token) []Token {
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) || r == utf8.RuneError && w <= 1 || unicode.Is(unicode.Cf, r) {
			i += w
			continue
		}
		if !IsWordRune(r) {
			// "'s" after a word is a token, like the corpora have it.
			if (r == '\'' || r == '’') && len(dst) > 0 && dst[len(dst)-1].End == i {
				if j := i + w; j < len(text) && (text[j] == 's' || text[j] == 'S') && !wordAt(text, j+1) {
					dst = append(dst, Token{i, j + 1})
					i = j + 1
					continue
				}
			}
			dst = append(dst, Token{i, i + w})
			i += w
			continue
		}
		start := i
		j := i + w
		digit := unicode.IsDigit(r)
		for j < len(text) {
			r2, w2 := utf8.DecodeRuneInString(text[j:])
			if IsWordRune(r2) {
				digit = unicode.IsDigit(r2)
				j += w2
				continue
			}
			if j+w2 < len(text) {
				r3, _ := utf8.DecodeRuneInString(text[j+w2:])
				switch {
				case r2 == '-' || r2 == '‐' || r2 == '‑':
					if IsWordRune(r3) {
						j += w2
						continue
					}
				case r2 == '\'' || r2 == '’':
					// Not a possessive: "O'Brien", "Asy'ari", but "Putin's" splits.
					if IsWordRune(r3) && !((r3 == 's' || r3 == 'S') && !wordAt(text, j+w2+1)) {
						j += w2
						continue
					}
				case (r2 == '.' || r2 == ',') && digit:
					if unicode.IsDigit(r3) {
						j += w2
						continue
					}
				}
			}
			break
		}
		// Initials: "U.S.", "J.K.", "W." keep their dots.
		if j-start == w && unicode.IsUpper(r) && j < len(text) && text[j] == '.' {
			k := j + 1
			for k+1 < len(text) && text[k] >= 'A' && text[k] <= 'Z' && text[k+1] == '.' {
				k += 2
			}
			if k > j+1 || !wordAt(text, k) {
				j = k
			}
		}
		dst = append(dst, Token{start, j})
		i = j
	}
	return dst
}

// wordAt reports whether a word character starts at byte i of text.
func wordAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return IsWordRune(r)
}

// Sentences splits toks, the tokens of text, into sentences and returns the
// index of the first token of each. A sentence ends after ".", "!", "?" or
// "…" that is followed by a capital, a quote or the end, and at a line
// break.
func Sentences(text string, toks []Token, dst []int) []int {
	if len(toks) == 0 {
		return dst
	}
	dst = append(dst, 0)
	for i := 1; i < len(toks); i++ {
		prev := text[toks[i-1].Start:toks[i-1].End]
		gap := text[toks[i-1].End:toks[i].Start]
		if containsNewline(gap) {
			dst = append(dst, i)
			continue
		}
		if prev == "." || prev == "!" || prev == "?" || prev == "…" {
			r, _ := utf8.DecodeRuneInString(text[toks[i].Start:])
			if gap != "" && (unicode.IsUpper(r) || unicode.IsDigit(r) || r == '"' || r == '“' || r == '\'') {
				dst = append(dst, i)
			}
		}
	}
	return dst
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return true
		}
	}
	return false
}
