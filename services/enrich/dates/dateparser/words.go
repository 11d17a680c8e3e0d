package dateparser

import (
	_ "embed"
	"iter"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run gen_words.go

// dateparserWords is dateparser_words.txt, which gen_words.go writes from
// go-dateparser's locale data: per language, the words its search can read
// as part of a date.
//
//go:embed dateparser_words.txt
var dateparserWords string

// dateWords are the words of one language that go-dateparser's search reads
// as part of a date, in lower case and without diacritics, as it compares
// them.
type dateWords struct {
	// anchors: every date the search can find in the language has one of
	// them, or a digit: "septembre", "hier", "semaine", "deux".
	anchors map[string]bool
	// known: the other words it reads in a date ("le", "de", "il", "vor").
	known map[string]bool
	// numerals: words it rewrites to a number of one or two digits before
	// it reads them ("un", "deux", "zwei").
	numerals map[string]bool
	// fillers: words it drops ("le", "à", "et"), unless they are part of a
	// phrase, one of phrases ("le mois dernier", "il y a 0 jours", with
	// "0" for any number).
	fillers map[string]bool
	phrases [][]string
	// units: words it reads as units of time only ("jours", "Tagen").
	units map[string]bool
	// zones: the names of time zones, which it reads in any language.
	zones map[string]bool
	// relatives: the relative phrases of more than one word ("la semaine
	// derniere"), which the search misses unless it happens to join their
	// words (see parser.addPhrases).
	relatives [][]string
	relFirst  map[string]bool // the first words of relatives
	// spelled: the number words go-dateparser does not rewrite to digits
	// in the language ("tres", "drie", "tiga"), with their digits; the
	// wrapper rewrites them before a unit of time (see spell).
	spelled map[string]string
}

// wordTables returns a function per language of dateparser_words.txt that
// builds its dateWords on first use. Nothing is changed once built.
var wordTables = sync.OnceValue(func() map[string]func() *dateWords {
	tables := map[string]func() *dateWords{}
	var zones map[string]bool
	for line := range strings.Lines(dateparserWords) {
		cols := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		switch {
		case cols[0] == "=zones" && len(cols) == 2:
			zones = wordSet(cols[1])
			continue
		case len(cols) != 8:
			continue
		}
		tables[cols[0]] = sync.OnceValue(func() *dateWords {
			dw := &dateWords{anchors: wordSet(cols[1]), known: wordSet(cols[2]), numerals: wordSet(cols[3]), fillers: wordSet(cols[4]), units: wordSet(cols[6]), zones: zones, spelled: map[string]string{}}
			for p := range strings.SplitSeq(cols[5], ",") {
				if p != "" {
					dw.phrases = append(dw.phrases, strings.Fields(p))
				}
			}
			dw.relFirst = map[string]bool{}
			for p := range strings.SplitSeq(cols[7], ",") {
				if p != "" {
					dw.relatives = append(dw.relatives, strings.Fields(p))
					dw.relFirst[dw.relatives[len(dw.relatives)-1][0]] = true
				}
			}
			for i, w := range strings.Fields(spelledNumbers(cols[0])) {
				if !dw.numerals[w] && w != "-" {
					dw.spelled[w] = strconv.Itoa(i + 1)
				}
			}
			return dw
		})
	}
	return tables
})

// spelledNumbers returns the number words of lang from one up, separated
// by spaces, each at the place of its value, for the languages of the news
// whose number words go-dateparser does not rewrite to digits: it reads
// "deux" and "drei" as 2 and 3, but not "tres", "três", "tre", "drie" or
// "tiga", so "hace tres días" was no date where "hace 3 días" was. The words
// it does rewrite ("un", "uma") are left out when the table is built.
func spelledNumbers(lang string) string {
	switch lang {
	case "es":
		return "uno dos tres cuatro cinco seis siete ocho nueve diez once doce"
	case "pt":
		return "um dois tres quatro cinco seis sete oito nove dez onze doze"
	case "it":
		return "uno due tre quattro cinque sei sette otto nove dieci undici dodici"
	case "nl":
		return "een twee drie vier vijf zes zeven acht negen tien elf twaalf"
	case "ms":
		return "satu dua tiga empat lima enam tujuh lapan sembilan sepuluh sebelas"
	}
	return ""
}

// spell returns s with each number word of dw.spelled that stands right
// before a unit of time ("tres días", "drie dagen") written in digits, as
// go-dateparser reads it ("3 días"). With pad the digits are followed by
// spaces to the length of the word, so that offsets into the result are
// offsets into s. It returns s itself when there is nothing to rewrite.
func (dw *dateWords) spell(s string, pad bool) string {
	if len(dw.spelled) == 0 {
		return s
	}
	var b []byte
	last := 0              // end of the part of s copied to b
	num, numStart := "", 0 // digits of the field before, and its start
	for i, j := range spaceFields(s) {
		w := strings.Trim(s[i:j], ",;:.()")
		if num != "" && dw.units[foldLower(w)] {
			b = append(b, s[last:numStart]...)
			b = append(b, num...)
			if pad {
				b = append(b, strings.Repeat(" ", i-numStart-len(num))...)
			} else {
				b = append(b, ' ')
			}
			last = i
		}
		num, numStart = "", i
		if len(w) == j-i && len(w) >= 3 {
			num = dw.spelled[foldLower(w)]
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

func wordSet(list string) map[string]bool {
	words := strings.Fields(list)
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
}

// wordsFor returns the dateWords of lang, or nil for a language that
// dateparser_words.txt leaves out (one written without spaces, or one
// go-dateparser does not know).
func wordsFor(lang string) *dateWords {
	if build := wordTables()[lang]; build != nil {
		return build()
	}
	return nil
}

// window is a span of a paragraph that go-dateparser's search reads on
// its own.
type window struct{ start, end int }

// field is a white-space separated run of a paragraph, as go-dateparser's
// search splits it.
type field struct {
	start, end int
	// anchor: it has a digit or an anchor word.
	anchor bool
	// known: the search may read it as part of a date (all its words
	// known, or punctuation only).
	known bool
	// short: a word of fewer than four letters, or one or two digits, and
	// nothing else but punctuation.
	short bool
	// count: a number that is no date (see isCount), or a number word, and
	// nothing else but punctuation.
	count bool
	// unit, filler: one word, a unit of time or a filler, and punctuation.
	unit, filler bool
	// numeral, bare: a numeral or a filler, and nothing else.
	numeral, bare bool
}

// windows returns the spans of text that hold every date go-dateparser's
// search can find in it and Find keeps, in order and disjoint; none
// if there is none.
//
// The search reads text a white-space separated field at a time and builds
// a date out of a run of fields each of which is a word of its dictionary,
// a number, or (after the first) a time-zone name; a run without an anchor
// word or a digit is no date. A window is such a run around an anchor,
// taken generously (a field counts if all its words are known, and a word
// with a "Z" or two ASCII capitals in a row may hold a time zone: "CET",
// "UTC+2"), with one more field on each side, so that the search reads the
// same runs in the window as in the whole paragraph, unless the run is
// barren (see barrenRun). The search's cost grows with the length of the
// text and the number of runs it parses, so a paragraph costs a fraction
// of its whole search, and one without a digit or an anchor word no search
// at all.
func (dw *dateWords) windows(text string) []window {
	var fields []field
	for i, j := range spaceFields(text) {
		f := dw.classify(text[i:j])
		f.start, f.end = i, j
		fields = append(fields, f)
	}
	var out []window
	last := -1 // last field of the last window, or of the last barren run
	for i, f := range fields {
		if !f.anchor || i <= last {
			continue
		}
		l, r := i, i
		for l > 0 && fields[l-1].known {
			l--
		}
		for r+1 < len(fields) && fields[r+1].known {
			r++
		}
		if barrenRun(fields[l : r+1]) {
			last = r
			continue
		}
		l, r = max(l-1, 0), min(r+1, len(fields)-1)
		if len(out) > 0 && fields[l].start < out[len(out)-1].end {
			out[len(out)-1].end = fields[r].end
		} else {
			out = append(out, window{fields[l].start, fields[r].end})
		}
		last = r
	}
	return out
}

// barrenRun reports whether run, the fields around an anchor that the
// search may read together, holds no date that Find keeps:
//
//   - one short field: a word of fewer than four letters ("Die" for
//     Dienstag, "je" for jeudi), which refine drops as an abbreviation at
//     best, or one or two digits ("20", "80,"), which are no numeric date;
//   - fillers and at most one numeral ("et une"), which the search rewrites
//     to a number of one or two digits and skips as too short;
//   - numbers that are counts, with words that are no anchors ("de 165
//     kilomètres", "rund 350", "10 à 15 %", "etwa 2,8 Milliarden");
//   - counts with units of time and fillers: a duration ("3 Tage und", "26
//     ans", "1 min 12 s").
//
// The first two the search and refine would drop themselves. Of the last
// two, refine drops nearly all, but not quite: "10 à 15" came out as 15
// October, and "3 Tage und" as three days ago when the publication date
// was the last of a month (isFiller fails then), mistakes that leaving
// such runs out puts right.
func barrenRun(run []field) bool {
	if len(run) == 1 && run[0].short {
		return true
	}
	numerals, bare, counts, count, duration := 0, true, true, false, true
	for _, f := range run {
		if f.numeral {
			numerals++
		}
		bare = bare && (f.numeral || f.bare)
		counts = counts && (!f.anchor || f.count)
		count = count || f.count
		duration = duration && (f.count || f.unit || f.filler)
	}
	return (bare && numerals <= 1) || counts || (duration && count)
}

// classify returns what the field f, text between white space, is to
// go-dateparser's search.
func (dw *dateWords) classify(f string) field {
	out := field{known: true}
	words, digits, letters := 0, 0, 0
	number := false // one number word ("trois", "tres") and punctuation
	for i := 0; i < len(f); {
		r, n := utf8.DecodeRuneInString(f[i:])
		if !isWordRune(r) {
			if !strings.ContainsRune(`()"'{}[],.،|@;:/+-“”„`, r) {
				out.known = false
			}
			i += n
			continue
		}
		j, digit, zone, prevUpper := i, false, false, false
		for j < len(f) {
			r, n := utf8.DecodeRuneInString(f[j:])
			if !isWordRune(r) {
				break
			}
			if unicode.IsDigit(r) {
				digit = true
				digits++
			} else {
				letters++
			}
			upper := r >= 'A' && r <= 'Z'
			zone = zone || r == 'Z' || (upper && prevUpper)
			prevUpper = upper
			j += n
		}
		w := foldLower(f[i:j])
		numeral := false
		switch {
		case digit:
			out.anchor = true
		case dw.anchors[w]:
			out.anchor, numeral = true, dw.numerals[w] // numerals are anchors
		case dw.known[w] || zone:
		case dw.spelled[w] != "":
			numeral = true
		default:
			out.known = false
		}
		words++
		out.unit, out.filler = words == 1 && dw.units[w], words == 1 && dw.fillers[w]
		number = words == 1 && numeral
		out.numeral, out.bare = j-i == len(f) && dw.numerals[w], j-i == len(f) && dw.fillers[w]
		i = j
	}
	out.short = words == 1 && (digits == 0 && letters < 4 || letters == 0 && digits <= 2)
	out.count = letters == 0 && digits > 0 && isCount(f) || number
	out.known = out.known || out.anchor
	return out
}

// isCount reports whether f, a field of digits and punctuation, is a count
// rather than part of a date ("165", "8.000", "12,486", "10:30"): it has no
// run of four digits (a year) and no three runs joined by the same "/", "."
// or "-" ("14/07/25"), so that it is no numeric date, nor a bare year.
func isCount(f string) bool {
	groups, run := 0, 0 // runs joined by sep so far, digits in this run
	var sep byte
	for i := 0; i <= len(f); i++ {
		var c byte
		if i < len(f) {
			c = f[i]
		}
		if c >= '0' && c <= '9' {
			run++
			continue
		}
		if run == 4 {
			return false
		}
		if run > 0 {
			if groups++; groups == 3 {
				return false
			}
		}
		switch {
		case run > 0 && (c == '/' || c == '.' || c == '-') && sep != 0 && c != sep:
			groups, sep = 1, c // the run starts a new sequence
		case run > 0 && (c == '/' || c == '.' || c == '-'):
			sep = c
		default:
			groups, sep = 0, 0
		}
		run = 0
	}
	return true
}

// trimFillers returns s without the fillers at either end that are not
// part of a phrase there: go-dateparser reads "le 2 septembre 2025 à" as it
// reads "2 septembre 2025", but the longer string costs it more, and much
// more when a filler is also a time-zone name ("et" for Eastern Time). s is
// folded (see fold).
func (dw *dateWords) trimFillers(s string) string {
	type word struct {
		w          string // folded, lower case, "0" for a number
		start, end int    // its field in s
		alone      bool   // the only word of its field
	}
	var words []word
	for i, j := range spaceFields(s) {
		first := len(words)
		for _, w := range strings.FieldsFunc(s[i:j], func(r rune) bool { return !isWordRune(r) }) {
			if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
				w = "0"
			}
			words = append(words, word{strings.ToLower(w), i, j, false})
		}
		// A field of one word and punctuation that go-dateparser drops
		// too ("le,") goes as a whole.
		if len(words) == first+1 && strings.EqualFold(strings.Trim(s[i:j], ",;'"), words[first].w) {
			words[first].alone = true
		}
	}
	droppable := func(k int) bool {
		if !words[k].alone || !dw.fillers[words[k].w] {
			return false
		}
		for _, p := range dw.phrases {
			for at := range p {
				if p[at] != words[k].w || k-at < 0 || k-at+len(p) > len(words) {
					continue
				}
				match := true
				for m, pw := range p {
					if words[k-at+m].w != pw {
						match = false
						break
					}
				}
				if match {
					return false
				}
			}
		}
		return true
	}
	lo, hi := 0, len(words)-1
	for lo < hi && droppable(lo) {
		lo++
	}
	for hi > lo && droppable(hi) {
		hi--
	}
	if lo > hi {
		return s
	}
	return s[words[lo].start:words[hi].end]
}

// unreadable reports whether s, folded, has a word that is no word of
// the language's dictionary, no number, no time-zone name and not "t"
// (which go-dateparser skips): go-dateparser reads a string only if it
// knows all its words, so it would fail on s.
func (dw *dateWords) unreadable(s string) bool {
	for i, j := range wordRuns(s) {
		digit, zone, prevUpper := false, false, false
		for _, r := range s[i:j] {
			digit = digit || unicode.IsDigit(r)
			upper := r >= 'A' && r <= 'Z'
			zone = zone || r == 'Z' || (upper && prevUpper)
			prevUpper = upper
		}
		if w := strings.ToLower(s[i:j]); !digit && !zone && !dw.anchors[w] && !dw.known[w] && !dw.numerals[w] && !dw.zones[w] && w != "t" {
			return true
		}
	}
	return false
}

// isWordRune reports whether r belongs to a word as gen_words.go splits
// them: a letter, a digit or a mark. Unlike ner.IsWordRune it takes
// spacing marks too (category Mc: the vowel signs of Devanagari or
// Bengali), with which go-dateparser's locale data writes words, so it is
// not that one.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

// fold returns s as go-dateparser normalizes it before it reads it:
// compatibility decomposition, non-spacing marks removed, recomposed
// ("août" → "aout", "Mär" → "Mar"). go-dateparser parses s and fold(s) the
// same way, but a string with a character outside ASCII costs it a search
// through some four hundred time-zone patterns, ten times the rest of the
// parse.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			d := norm.NFKD.String(s)
			b := make([]byte, 0, len(d))
			for _, r := range d {
				if !unicode.Is(unicode.Mn, r) {
					b = utf8.AppendRune(b, r)
				}
			}
			return norm.NFKC.String(string(b))
		}
	}
	return s
}

// foldLower returns s folded and in lower case, as dateparser_words.txt
// writes words.
func foldLower(s string) string {
	return strings.ToLower(fold(s))
}

// spaceFields yields the start and end of each run of non-space runes of s.
func spaceFields(s string) iter.Seq2[int, int] {
	return runs(s, func(r rune) bool { return !unicode.IsSpace(r) })
}

// wordRuns yields the start and end of each word of s: each run of letters,
// digits and marks.
func wordRuns(s string) iter.Seq2[int, int] {
	return runs(s, isWordRune)
}

// runs yields the start and end of each run of runes of s that satisfy keep.
func runs(s string, keep func(rune) bool) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !keep(r) {
				i += n
				continue
			}
			j := skipForward(s, i+n, keep)
			if !yield(i, j) {
				return
			}
			i = j
		}
	}
}
