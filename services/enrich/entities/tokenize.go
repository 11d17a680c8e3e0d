package entities

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warta-news/warta/services/enrich/ner"
)

// token is one word of the text, with what the rules need to know about it.
type token struct {
	start, end int       // byte offsets into the text, half-open
	lower      string    // lower-cased word; abbreviations without their dot
	lex        *lexEntry // what the word lists say about the word, or nil

	cap     bool // starts with an upper-case letter ("Putin", "SCO", "al-Assad")
	allCaps bool // two or more letters and none lower-case ("SCO", "XI")
	initial bool // an initial or dotted abbreviation: "W.", "U.S."
	digit   bool // contains a digit ("G20", "F-16")
	sent    bool // first word of a sentence or quotation: its capital says nothing
	join    bool // only spaces separate it from the previous word
}

func (tk *token) roles() role {
	if tk.lex == nil {
		return 0
	}
	return tk.lex.roles
}

// isJoiner reports whether r may join two parts of one word: "Bangsa-Bangsa",
// "O'Brien", "Xi'an".
func isJoiner(r rune) bool {
	switch r {
	case '-', '\'', '’', '‐', '‑':
		return true
	}
	return false
}

func isOpeningQuote(r rune) bool {
	switch r {
	case '“', '‘', '«', '„', '‹', '「', '『':
		return true
	}
	return false
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\u00a0' || r == '\u202f' }

// tokenize splits text into words, keeping byte offsets. A possessive "'s" is
// left out of the word ("China's" → "China"), an initial keeps its dot
// ("W.", "U.S."), and so does a known abbreviation ("Dr.", "St."), so that
// neither ends a sentence.
func (t *Tagger) tokenize(text string, toks []token) []token {
	prevEnd := 0
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		if !ner.IsWordRune(r) {
			i += w
			continue
		}
		start := i
		j := i + w
		for j < len(text) {
			r2, w2 := utf8.DecodeRuneInString(text[j:])
			if ner.IsWordRune(r2) {
				j += w2
				continue
			}
			if isJoiner(r2) && j+w2 < len(text) {
				if r3, _ := utf8.DecodeRuneInString(text[j+w2:]); ner.IsWordRune(r3) {
					j += w2
					continue
				}
			}
			break
		}
		end, next := j, j
		word := text[start:end]
		switch {
		case len(word) > 2 && strings.HasSuffix(word, "'s"):
			end -= len("'s")
		case len(word) > 4 && strings.HasSuffix(word, "’s"):
			end -= len("’s")
		}
		tk := token{start: start, end: end}
		// An initial: one upper-case letter and a dot, possibly repeated ("U.S.").
		if end-start == w && unicode.IsUpper(r) && end < len(text) && text[end] == '.' {
			k := end + 1
			for k+1 < len(text) && text[k] >= 'A' && text[k] <= 'Z' && text[k+1] == '.' {
				k += 2
			}
			end, next = k, k
			tk.end = end
			tk.initial = true
		}
		tk.lower = strings.ToLower(text[start:end])
		tk.lex = t.lex[tk.lower]
		if !tk.initial && end < len(text) && text[end] == '.' && tk.lex != nil && tk.lex.roles&roleAbbrev != 0 {
			end++
			next = end
			tk.end = end
		}
		t.classify(text, &tk, r)
		tk.sent, tk.join = gapInfo(text, prevEnd, start, len(toks) == 0)
		toks = append(toks, tk)
		prevEnd = tk.end
		i = next
	}
	return toks
}

// classify sets the shape flags of a token whose first rune is first.
func (t *Tagger) classify(text string, tk *token, first rune) {
	word := text[tk.start:tk.end]
	letters, upper := 0, 0
	for _, r := range word {
		switch {
		case unicode.IsUpper(r):
			letters++
			upper++
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			tk.digit = true
		}
	}
	tk.cap = unicode.IsUpper(first)
	tk.allCaps = !tk.initial && letters >= 2 && upper == letters
	if !tk.cap && unicode.IsLower(first) {
		// "al-Assad", "bin-Salman", "el-Sisi": a lower-case particle joined
		// to a capitalised name is part of the name.
		if h := strings.IndexByte(word, '-'); h > 0 && h+1 < len(word) {
			if e := t.lex[strings.ToLower(word[:h])]; e != nil && e.roles&roleNameConn != 0 {
				if r, _ := utf8.DecodeRuneInString(word[h+1:]); unicode.IsUpper(r) {
					tk.cap = true
				}
			}
		}
	}
}

// gapInfo looks at the characters between two words and says whether the
// second starts a sentence (or a quotation) and whether only spaces separate
// the two.
func gapInfo(text string, from, to int, first bool) (sent, join bool) {
	sent, join = first, !first
	for k := from; k < to; {
		r, w := utf8.DecodeRuneInString(text[k:])
		switch {
		case isSpace(r):
		case r == '\n' || r == '\r':
			sent, join = true, false
		case r == '.' || r == '!' || r == '?' || r == '…' || r == ':':
			sent, join = true, false
		case isOpeningQuote(r):
			sent, join = true, false
		case r == '"' || r == '\'':
			// A straight quote opens a quotation when it follows a space.
			prev, _ := utf8.DecodeLastRuneInString(text[:k])
			opening := k == 0 || isSpace(prev) || prev == '\n' || prev == '(' || prev == '['
			sent, join = opening || sent && !ner.IsWordRune(prev), false
		default:
			sent, join = false, false
		}
		k += w
	}
	return sent, join
}
