package dates

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tkind uint8

const (
	tPunct tkind = iota
	tWord
	tNum
)

// token is a word (a run of letters), a number (a run of ASCII digits) or
// one punctuation rune. Offsets are bytes into the paragraph.
type token struct {
	start, end int
	num        int   // value of a number, exact up to nine digits
	w          *word // lexicon entry of a word, nil if the grammar doesn't know it
	r          rune  // punctuation rune
	kind       tkind
	nd         uint8 // digits of a number, capped at 255
	sp         bool  // preceded by white space or the start of the text
	cap        bool  // word starts with an ASCII capital
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// tokenize splits p.text into tokens. It allocates once, for the token slice;
// words are looked up in the lexicon through a stack buffer, which the
// compiler turns into a map lookup without an allocation.
func (p *parser) tokenize() {
	s := p.text
	p.toks = make([]token, 0, len(s)/5+4)
	sp := true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			sp = true
			i++
			continue
		case c >= '0' && c <= '9':
			j, n := i, 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if j-i < 9 {
					n = n*10 + int(s[j]-'0')
				}
				j++
			}
			p.toks = append(p.toks, token{start: i, end: j, num: n, kind: tNum, nd: uint8(min(j-i, 255)), sp: sp})
			i = j
		case isASCIILetter(c):
			i = p.scanWord(i, sp)
		case c < utf8.RuneSelf:
			p.toks = append(p.toks, token{start: i, end: i + 1, r: rune(c), kind: tPunct, sp: sp})
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsSpace(r):
				sp = true
				i += size
				continue
			case unicode.IsLetter(r):
				i = p.scanWord(i, sp)
			default:
				p.toks = append(p.toks, token{start: i, end: i + size, r: r, kind: tPunct, sp: sp})
				i += size
			}
		}
		sp = false
	}
}

// scanWord adds the word that starts at i and returns where it ends.
func (p *parser) scanWord(i int, sp bool) int {
	s := p.text
	j, ascii := i, true
	for j < len(s) {
		c := s[j]
		if isASCIILetter(c) {
			j++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			break
		}
		ascii = false
		j += size
	}
	end := j
	var w *word
	var buf [16]byte
	if ascii && p.lex != nil && j-i <= len(buf) {
		n := j - i
		for k := 0; k < n; k++ {
			buf[k] = s[i+k] | 0x20
		}
		// "Jum'at" is a common spelling of "Jumat" (Friday).
		if n == 3 && string(buf[:3]) == "jum" && p.id {
			for _, q := range [...]string{"'at", "’at"} {
				if strings.HasPrefix(s[j:], q) && (j+len(q) == len(s) || !isASCIILetter(s[j+len(q)])) {
					end = j + len(q)
					n = copy(buf[:], "jumat")
					break
				}
			}
		}
		w = p.lex[string(buf[:n])]
	}
	p.toks = append(p.toks, token{start: i, end: end, w: w, kind: tWord, sp: sp, cap: s[i] >= 'A' && s[i] <= 'Z'})
	return end
}
