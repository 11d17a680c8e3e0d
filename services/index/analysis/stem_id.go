package analysis

import (
	_ "embed"
	"strconv"
	"strings"
)

// Indonesian (and Malay) stemming: the confix-stripping rules of Tala ("A
// Study of Stemming Effects on Information Retrieval in Bahasa Indonesia",
// 2003, after Asian and Adriani), as Lucene's IndonesianStemmer implements
// them, with the dictionary check of Asian and Adriani's enhanced
// confix-stripping (the one Sastrawi implements): particles (-kah, -lah,
// -pun), possessive pronouns (-ku, -mu, -nya), first-order prefixes (meng-,
// meny-, men-, mem-, me-, peng-, peny-, pen-, pem-, di-, ter-, ke-),
// second-order prefixes (ber-, be-, per-, pe-) and suffixes (-kan, -an, -i)
// come off in that order while the word keeps more than two syllables, each
// suffix only where the prefix removed allows it (a confix: "ke-...-an",
// not "ke-...-kan").
//
// Where the rules are ambiguous — an ending that is a possessive or part of
// the root ("bertemu": ber-temu, not berte-mu), a nasal prefix whose root
// lost its first sound ("menuduh": tuduh; "memimpin": pimpin or mimpin) —
// every reading is a candidate, and the stem is the candidate with the most
// affixes removed that is a word of the lexicon (lexicon/id.txt: the words
// of 2.5 million tokens of Indonesian text), the more frequent on a tie;
// a word none of whose readings is known (a name) gets the rules' own
// reading. So "pertemuan", "bertemu" and "temu" share the stem "temu",
// "pantai" stays "pantai" (the rules alone make it "panta"), and "memimpin"
// and "pemimpin" share one stem.

//go:embed lexicon/id.txt
var lexiconID string

// IndonesianStemmer stems Indonesian and Malay words. It is safe for
// concurrent use, and remembers the stems of the words it has seen.
type IndonesianStemmer struct {
	lexicon map[string]int32
	stems   *memo[string]
}

// NewIndonesianStemmer returns a stemmer with the embedded lexicon. It
// panics if the lexicon is malformed, which the package's tests rule out.
func NewIndonesianStemmer() *IndonesianStemmer {
	lex := make(map[string]int32, strings.Count(lexiconID, "\n"))
	for line := range strings.Lines(lexiconID) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		w, n, ok := strings.Cut(strings.TrimSpace(line), " ")
		count, err := strconv.Atoi(n)
		if !ok || err != nil {
			panic("analysis: lexicon/id.txt: bad line " + strconv.Quote(line))
		}
		lex[w] = int32(count)
	}
	return &IndonesianStemmer{lexicon: lex, stems: newMemo[string]()}
}

// Stem returns the stem of word, a lower-case Indonesian or Malay word.
func (st *IndonesianStemmer) Stem(word string) string {
	if s, ok := st.stems.get(word); ok {
		return s
	}
	s := st.stem(word)
	st.stems.put(word, s)
	return s
}

// candidate is one reading of a word: what is left, how many affixes came
// off, and whether it is the reading of the rules alone.
type candidate struct {
	form    string
	removed int
	rules   bool
}

func (st *IndonesianStemmer) stem(word string) string {
	if syllables(word) <= 2 {
		return word
	}
	var cands []candidate
	add := func(c candidate) { cands = append(cands, c) }
	add(candidate{word, 0, true})
	// Particle, then possessive: each taken off, or (the ambiguous
	// reading) left on.
	for _, p := range optional(word, true, func(w string) (string, bool) {
		return trimAny(w, "kah", "lah", "pun")
	}) {
		for _, q := range optional(p.form, p.rules, func(w string) (string, bool) {
			return trimAny(w, "ku", "mu", "nya")
		}) {
			q.removed += p.removed
			add(q)
			derive(q, add)
		}
	}
	best, rules := -1, -1
	for i, c := range cands {
		if c.rules && (rules < 0 || c.removed > cands[rules].removed) {
			rules = i
		}
		n, known := st.lexicon[c.form]
		if !known || len(c.form) < 3 {
			continue
		}
		if best < 0 || c.removed > cands[best].removed ||
			c.removed == cands[best].removed && n > st.lexicon[cands[best].form] {
			best = i
		}
	}
	if best < 0 {
		return cands[rules].form
	}
	return cands[best].form
}

// optional returns w's readings: with cut applied when w has more than two
// syllables and cut applies (the rules' reading), and without.
func optional(w string, rules bool, cut func(string) (string, bool)) []candidate {
	if syllables(w) > 2 {
		if c, ok := cut(w); ok {
			return []candidate{{c, 1, rules}, {w, 0, false}}
		}
	}
	return []candidate{{w, 0, rules}}
}

// derive adds the readings of the derivational affixes of c: a first-order
// prefix, then a suffix, then a second-order prefix; or, with no
// first-order prefix, a second-order prefix, then a suffix.
func derive(c candidate, add func(candidate)) {
	if syllables(c.form) <= 2 {
		return
	}
	firsts := firstOrder(c.form)
	if len(firsts) == 0 {
		seconds := secondOrder(c.form, c.removed, c.rules)
		for _, s := range seconds {
			add(s.candidate)
			if syllables(s.form) > 2 {
				if f, ok := suffix(s.form, s.flags); ok {
					add(candidate{f, s.removed + 1, s.rules})
				}
			}
		}
		// The suffix alone: the rules' reading when there is no prefix.
		if f, ok := suffix(c.form, 0); ok {
			add(candidate{f, c.removed + 1, c.rules && len(seconds) == 0})
		}
		return
	}
	for i, p := range firsts {
		r := candidate{p.form, c.removed + 1, c.rules && i == 0}
		add(r)
		if syllables(r.form) <= 2 {
			continue
		}
		f, ok := suffix(r.form, p.flags)
		if !ok {
			continue
		}
		s := candidate{f, r.removed + 1, r.rules}
		add(s)
		if syllables(f) > 2 {
			for _, t := range secondOrder(f, s.removed, s.rules) {
				add(t.candidate)
			}
		}
	}
}

// Which prefixes were removed, for the suffix rules.
const (
	removedMeng = 1 << iota
	removedPeng
	removedDi
	removedTer
	removedKe
	removedBer
	removedPe
)

// prefixed is a reading after a prefix came off, with the flags of that
// prefix.
type prefixed struct {
	form  string
	flags int
}

// firstOrder returns the readings of w without its first-order prefix, the
// rules' own first: a nasal prefix before a vowel may have replaced the
// root's first sound (meN- + tuduh = menuduh), so the roots with that
// sound back are read too.
func firstOrder(w string) []prefixed {
	vowelAt := func(i int) bool { return len(w) > i && isVowel(w[i]) }
	switch {
	case strings.HasPrefix(w, "meng"):
		return nasal(w[4:], removedMeng, "k")
	case strings.HasPrefix(w, "meny") && vowelAt(4):
		return []prefixed{{"s" + w[4:], removedMeng}}
	case strings.HasPrefix(w, "men"):
		return nasal(w[3:], removedMeng, "t")
	case strings.HasPrefix(w, "mem"):
		return nasal(w[3:], removedMeng, "p", "m")
	case strings.HasPrefix(w, "me"):
		return []prefixed{{w[2:], removedMeng}}
	case strings.HasPrefix(w, "peng"):
		return nasal(w[4:], removedPeng, "k")
	case strings.HasPrefix(w, "peny") && vowelAt(4):
		return []prefixed{{"s" + w[4:], removedPeng}}
	case strings.HasPrefix(w, "peny"):
		return []prefixed{{w[4:], removedPeng}}
	case strings.HasPrefix(w, "pen") && vowelAt(3):
		// The rules' reading: "penulis" → "tulis".
		return []prefixed{{"t" + w[3:], removedPeng}, {w[3:], removedPeng}}
	case strings.HasPrefix(w, "pen"):
		return []prefixed{{w[3:], removedPeng}}
	case strings.HasPrefix(w, "pem"):
		return nasal(w[3:], removedPeng, "p", "m")
	case strings.HasPrefix(w, "di"):
		return []prefixed{{w[2:], removedDi}}
	case strings.HasPrefix(w, "ter"):
		return []prefixed{{w[3:], removedTer}}
	case strings.HasPrefix(w, "ke"):
		return []prefixed{{w[2:], removedKe}}
	}
	return nil
}

// nasal returns the readings of rest after a nasal prefix: rest itself (the
// rules' reading) and, before a vowel, rest with each of sounds in front.
func nasal(rest string, flags int, sounds ...string) []prefixed {
	out := []prefixed{{rest, flags}}
	if rest != "" && isVowel(rest[0]) {
		for _, s := range sounds {
			out = append(out, prefixed{s + rest, flags})
		}
	}
	return out
}

// secondReading is a candidate with the flags of the prefix removed.
type secondReading struct {
	candidate
	flags int
}

// secondOrder returns the reading of w without its second-order prefix, if
// it has one.
func secondOrder(w string, removed int, rules bool) []secondReading {
	r := func(form string, flags int) []secondReading {
		return []secondReading{{candidate{form, removed + 1, rules}, flags}}
	}
	switch {
	case strings.HasPrefix(w, "ber"):
		return r(w[3:], removedBer)
	case w == "belajar":
		return r(w[3:], removedBer)
	case strings.HasPrefix(w, "be") && len(w) > 4 && !isVowel(w[2]) && w[3] == 'e' && w[4] == 'r':
		// "bekerja" → "kerja"
		return r(w[2:], removedBer)
	case strings.HasPrefix(w, "per"):
		return r(w[3:], 0)
	case w == "pelajar":
		return r(w[3:], 0)
	case strings.HasPrefix(w, "pe"):
		return r(w[2:], removedPe)
	}
	return nil
}

// suffix returns w without its derivational suffix, where the prefixes
// removed (flags) allow it.
func suffix(w string, flags int) (string, bool) {
	switch {
	case strings.HasSuffix(w, "kan") && flags&(removedKe|removedPeng|removedPe) == 0:
		return w[:len(w)-3], true
	case strings.HasSuffix(w, "an") && flags&(removedDi|removedMeng|removedTer) == 0:
		return w[:len(w)-2], true
	case strings.HasSuffix(w, "i") && !strings.HasSuffix(w, "si") && flags&(removedBer|removedKe|removedPeng) == 0:
		return w[:len(w)-1], true
	}
	return "", false
}

// trimAny returns w without the first of suffixes it ends with.
func trimAny(w string, suffixes ...string) (string, bool) {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) {
			return w[:len(w)-len(s)], true
		}
	}
	return w, false
}

// syllables counts the vowels of w, as the rules do.
func syllables(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isVowel(w[i]) {
			n++
		}
	}
	return n
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
