// Package dateparser finds the dates of a paragraph in a language other
// than Indonesian and English (which the grammar of package dates reads),
// for package dates.
//
// Such languages are read by go-dateparser
// (github.com/markusmobius/go-dateparser, a port of Python's dateparser with
// CLDR data for some two hundred locales), restricted to the paragraph's
// language and wrapped in rules of our own. Its search is built for
// recall: on its own it returns bare numbers ("80", "2022"), durations
// ("3 Tage", "80 ans" read as "three days ago", "80 years ago"), days without
// a month ("Am 14"), clock times without a date, and spans that run over
// neighbouring words ("le 2 septembre 2025 à", "3 jours, 80 ans"). The
// wrapper keeps a match only if, once cut down to the shortest span that
// parses to the same date, it
//
//   - has a letter-bearing word of three letters or more, or a numeric date
//     of at least two groups ("02.09.2025", "14/07/2025"): no bare numbers;
//   - is not a number with time units only ("3 Tage", "80 ans, 3 jours"),
//     which is a duration; a relative expression needs a word that is not a
//     unit ("vor 3 Tagen", "hace 3 días", "il y a 3 jours");
//   - names a month when its only number is a day of the month ("14 juillet",
//     not "Am 14");
//   - is not a clock time whose day moves with the publication date ("à
//     10h30" alone);
//   - is not units alone ("años", "Jahre"), which go-dateparser reads as
//     the publication date.
//
// Number words count as numbers ("trois jours" is a duration, "il y a trois
// jours" a date); where go-dateparser does not read them (Spanish,
// Portuguese, Italian, Dutch, Malay) the wrapper writes those before a unit
// in digits (dateWords.spell). The date is go-dateparser's parse of the
// span, not its search's reading, which took "Dans un mois" for a month
// back. Relative phrases of several words that the search misses ("la
// semaine dernière", "el mes pasado", "dalam 2 minggu") are looked for in
// the windows (addPhrases). Weeks come out as ISO weeks, as in the grammar
// ("la semaine dernière", "vor zwei Wochen": 2025-W35, 2025-W34).
//
// Known limits: "mardi prochain" comes out as the Tuesday on or before
// publication (go-dateparser drops "prochain"), decades ("les années 1930")
// as their first year, fuzzy parts ("début 2022") are missed, and "en 3
// jours" (within three days) reads as three days ahead. See
// BenchmarkCompareDateparser in package dates for how go-dateparser fares
// on Indonesian and English against the grammar.
//
// Cost. A go-dateparser parse costs tens of microseconds (it runs dozens of
// regular expressions over the string), a search of a paragraph hundreds,
// and the rules parse each match several times. So go-dateparser never sees
// a whole paragraph: it searches only the windows that can hold a date
// (dateWords.windows, from the words of its own locale data), which leaves a
// paragraph without a digit or a date word at a few microseconds; and each
// string the rules ask about is parsed once per paragraph, folded to ASCII
// and without the fillers at its ends (parser.parse), or not at all
// when it has a word go-dateparser does not know. A paragraph with a date
// still costs a few hundred microseconds: see BenchmarkFindDateparser and
// BenchmarkFindDateparserMix.
package dateparser

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	dps "github.com/markusmobius/go-dateparser"
	dpdate "github.com/markusmobius/go-dateparser/date"
	"github.com/warta-news/warta/pkg/events"
)

// parser reads one paragraph in one language known to go-dateparser.
type parser struct {
	p     *dps.Parser
	cfg   *dps.Configuration
	lang  string
	ref   time.Time
	words *dateWords // nil for a language dateparser_words.txt leaves out
	// cfgs are cfg with the reference moved as each refShift says, made
	// on first use.
	cfgs [numShifts]*dps.Configuration
	// parsed remembers go-dateparser's readings: the rules ask about the
	// same strings several times, and a reading costs tens of microseconds.
	parsed map[parseKey]parseResult
	// match is refine's match, kept here so that handing it to the rules
	// does not allocate one per match.
	match refineMatch
}

// errUnreadable is parse's error for a string with a word go-dateparser
// does not know: it would fail to parse it.
var errUnreadable = errors.New("a word go-dateparser does not know")

// refShift is a publication date the rules try a string against.
type refShift uint8

const (
	atRef     refShift = iota // the publication date
	atOther                   // 3 years back, then 4 months and 11 days on: see same
	atNextDay                 // a day later
	atNextYMD                 // a year, a month and a day later
	numShifts
)

type parseKey struct {
	at refShift
	s  string
}

type parseResult struct {
	d   dpdate.Date
	err error
}

// dateparserTypes are the parsers go-dateparser tries, in its order: all
// but NoSpacesTime, which reads runs of digits without separators
// ("20250902", a span that the rules drop) and took a fifth of the time,
// and CustomFormat, which reads nothing without formats.
var dateparserTypes = []dps.ParserType{dps.Timestamp, dps.NegativeTimestamp, dps.RelativeTime, dps.AbsoluteTime}

// Knows reports whether go-dateparser has data for lang, a primary
// language subtag ("fr", not "fr-FR"): whether Find can read it.
func Knows(lang string) bool {
	return lang != "" && dps.IsKnownLocale(lang)
}

func newParser(lang string, ref time.Time) *parser {
	return &parser{
		// A Parser caches the locales it has used behind a mutex; one per
		// paragraph keeps concurrent taggers from queueing on it.
		p: &dps.Parser{ParserTypes: dateparserTypes},
		cfg: &dps.Configuration{
			Languages:          []string{lang},
			CurrentTime:        ref,
			DefaultTimezone:    time.UTC,
			ReturnTimeAsPeriod: true,
			// Dates without a year take the year of the publication date,
			// weekdays the day on or before it (the news convention).
			PreferredDateSource: dps.CurrentPeriod,
		},
		lang:   lang,
		ref:    ref,
		words:  wordsFor(lang),
		parsed: map[parseKey]parseResult{},
	}
}

// parse returns go-dateparser's reading of s against the publication date
// moved as at says. It reads s folded (see fold) and without the fillers at
// its ends (see dateWords.trimFillers), which it parses the same way,
// faster.
func (op *parser) parse(at refShift, s string) (dpdate.Date, error) {
	k := parseKey{at, op.canonical(s)}
	if r, ok := op.parsed[k]; ok {
		return r.d, r.err
	}
	if op.words != nil && op.words.unreadable(k.s) {
		op.parsed[k] = parseResult{err: errUnreadable}
		return dpdate.Date{}, errUnreadable
	}
	cfg := op.config(at)
	d, err := op.p.Parse(cfg, k.s)
	op.parsed[k] = parseResult{d, err}
	return d, err
}

// config returns the configuration with the publication date moved as at
// says.
func (op *parser) config(at refShift) *dps.Configuration {
	if op.cfgs[at] == nil {
		c := *op.cfg
		switch at {
		case atOther:
			c.CurrentTime = op.ref.AddDate(-3, 4, 11)
		case atNextDay:
			c.CurrentTime = op.ref.AddDate(0, 0, 1)
		case atNextYMD:
			c.CurrentTime = op.ref.AddDate(1, 1, 1)
		}
		op.cfgs[at] = &c
	}
	return op.cfgs[at]
}

// canonical returns s as parse hands it to go-dateparser.
func (op *parser) canonical(s string) string {
	s = fold(s)
	if op.words != nil {
		s = op.words.trimFillers(op.words.spell(s, false))
	}
	return s
}

// Find returns the dates go-dateparser finds in text, a paragraph in lang
// (a primary language subtag that Knows), that pass the wrapper's rules,
// merged into taken (spans found already, sorted and disjoint): the result
// is sorted and disjoint, and the new dates do not overlap taken. Relative
// dates are resolved against ref, the publication date; with a zero ref it
// returns taken. go-dateparser searches only the windows of text that can hold a
// date (see dateWords.windows), or all of it in a language that
// dateparser_words.txt leaves out.
func Find(text, lang string, ref time.Time, taken []events.Date) []events.Date {
	if ref.IsZero() {
		// Without a publication date go-dateparser would resolve against the
		// clock; only dates that need no reference would be right, and telling
		// them apart costs a second parse per match. ISO dates suffice.
		return taken
	}
	spans := []window{{0, len(text)}}
	if dw := wordsFor(lang); dw != nil {
		if spans = dw.windows(text); len(spans) == 0 {
			return taken
		}
	}
	return newParser(lang, ref).find(text, spans, taken)
}

// find returns the dates go-dateparser's search finds in the spans of text
// that pass the wrapper's rules, merged into taken.
func (op *parser) find(text string, spans []window, taken []events.Date) []events.Date {
	var out []events.Date
	from := 0
	var found []candidate
	for _, w := range spans {
		// The search reads number words before a unit as digits (see
		// dateWords.spell); the rewrite keeps offsets.
		win := text[w.start:w.end]
		if op.words != nil {
			win = op.words.spell(win, true)
		}
		res, err := op.p.SearchWithLanguage(op.cfg, op.lang, win)
		if err != nil {
			continue
		}
		found = found[:0]
		for _, r := range res {
			start, end, ok := locate(win, r.Text, max(from, w.start)-w.start)
			if !ok {
				continue
			}
			start, end = start+w.start, end+w.start
			from = end
			if end < w.end && win[end-w.start] == ' ' && !unicode.IsSpace(rune(text[end])) {
				end = skipForward(text, end, isWordRune) // "tres" rewritten "3   "
			}
			// The search reads a translation word by word, which can go
			// wrong where go-dateparser's parse of the same words does not:
			// it read "Dans un mois" as a month back. The rules check
			// their spans against the parse, so the date is the parse's.
			if s, e := trimPunct(text, start, end); s < e {
				if got, err := op.parse(atRef, text[s:e]); err == nil && !got.IsZero() {
					r.Date = got
				}
			}
			found = append(found, candidate{start, end, r.Date})
		}
		found = op.addPhrases(text, w, found)
		for _, f := range found {
			for _, c := range op.candidates(text, f.start, f.end, f.date) {
				d, ok := op.refine(text, c.start, c.end, c.date)
				if !ok || overlaps(taken, d) || (len(out) > 0 && d.Start < out[len(out)-1].End) {
					continue
				}
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		return taken
	}
	return mergeDates(taken, out)
}

// addPhrases adds to found, the search's matches in the window w of text in
// order, the relative phrases of more than one word in w that go-dateparser
// parses ("la semaine dernière", "el mes pasado"), which its search misses
// unless it happens to join their words. A phrase replaces the matches
// inside it ("semaine"), and gives way to one that overlaps it otherwise.
func (op *parser) addPhrases(text string, w window, found []candidate) []candidate {
	if op.words == nil || len(op.words.relatives) == 0 {
		return found
	}
	type token struct {
		w          string
		start, end int
	}
	var toks []token
	for i, j := range wordRuns(text[w.start:w.end]) {
		toks = append(toks, token{foldLower(text[w.start+i : w.start+j]), w.start + i, w.start + j})
	}
	is := func(k int, pw string) bool { return op.relativeWord(toks[k].w, pw) }
	for k := range toks {
		if !op.words.relFirst[toks[k].w] && !is(k, "0") {
			continue
		}
		for _, p := range op.words.relatives {
			if k+len(p) > len(toks) || !is(k, p[0]) {
				continue
			}
			match := true
			for m := 1; m < len(p) && match; m++ {
				// The words of a phrase are apart by spaces, an apostrophe
				// or a hyphen, not by a comma or a full stop.
				match = is(k+m, p[m]) && !strings.ContainsAny(text[toks[k+m-1].end:toks[k+m].start], ",;.:")
			}
			if !match {
				continue
			}
			start, end := toks[k].start, toks[k+len(p)-1].end
			d, err := op.parse(atRef, text[start:end])
			if err != nil || d.IsZero() {
				continue
			}
			found = insertCandidate(found, candidate{start, end, d})
		}
	}
	return found
}

// insertCandidate inserts c into found, sorted and disjoint, in place of
// the candidates inside it, unless one overlaps it without being inside it.
func insertCandidate(found []candidate, c candidate) []candidate {
	at := len(found)
	for i, f := range found {
		inside := f.start >= c.start && f.end <= c.end
		if !inside && f.start < c.end && c.start < f.end {
			return found
		}
		if at == len(found) && f.start >= c.start {
			at = i
		}
	}
	end := at
	for end < len(found) && found[end].end <= c.end {
		end++
	}
	return slices.Insert(slices.Delete(found, at, end), at, c)
}

// candidate is a span of a paragraph and the date go-dateparser reads in it.
type candidate struct {
	start, end int
	date       dpdate.Date
}

// candidates splits a match of go-dateparser's search at commas and
// semicolons when its pieces are dates of their own that disagree with the
// whole: the search runs neighbouring expressions together ("14 juillet, en
// 2022" → 2022-07-14; "80 Jahren, um 10:30 Uhr, 02.09.2025" → 1945), while
// "martes, 2 de septiembre de 2025" is one date.
func (op *parser) candidates(text string, start, end int, d dpdate.Date) []candidate {
	whole := []candidate{{start, end, d}}
	var pieces []candidate
	at := start
	split := false
	for i := start; i <= end; i++ {
		if i < end && !((text[i] == ',' || text[i] == ';') && i+1 < len(text) && (text[i+1] == ' ' || text[i+1] == '\n')) {
			continue
		}
		s, e := trimPunct(text, at, i)
		at = i + 1
		if s >= e {
			continue
		}
		got, err := op.parse(atRef, text[s:e])
		if err != nil || got.IsZero() {
			continue
		}
		if timexValue(got) != timexValue(d) && got.Time.Format(time.DateOnly) != d.Time.Format(time.DateOnly) {
			split = true
		}
		pieces = append(pieces, candidate{s, e, got})
	}
	if !split || len(pieces) < 2 {
		return whole
	}
	return pieces
}

// Search returns go-dateparser's search results for text, in lang, as
// dates against ref, with spans located in text but none of the wrapper's
// rules applied: what Find starts from. BenchmarkCompareDateparser in
// package dates measures it against the grammar and Find.
func Search(text, lang string, ref time.Time) []events.Date {
	op := newParser(lang, ref)
	res, err := (&dps.Parser{}).SearchWithLanguage(op.cfg, lang, text)
	out := []events.Date{}
	if err != nil {
		return out
	}
	from := 0
	for _, r := range res {
		start, end, ok := locate(text, r.Text, from)
		if !ok {
			continue
		}
		from = end
		if v := timexValue(r.Date); v != "" {
			out = append(out, events.Date{Text: text[start:end], Value: v, Start: start, End: end})
		}
	}
	return out
}

// timexValue renders a go-dateparser date as a TIMEX3-like value of the
// precision it was written with.
func timexValue(d dpdate.Date) string {
	t := d.Time
	if t.IsZero() || t.Year() < 1 || t.Year() > 9999 {
		return ""
	}
	switch d.Period {
	case dpdate.Year:
		return fmt.Sprintf("%04d", t.Year())
	case dpdate.Month:
		return fmt.Sprintf("%04d-%02d", t.Year(), int(t.Month()))
	case dpdate.Day:
		return t.Format(time.DateOnly)
	case dpdate.Hour, dpdate.Minute, dpdate.Second:
		return t.Format("2006-01-02T15:04")
	}
	return ""
}

// overlaps reports whether d overlaps a date of ds.
func overlaps(ds []events.Date, d events.Date) bool {
	for _, o := range ds {
		if d.Start < o.End && o.Start < d.End {
			return true
		}
	}
	return false
}

// mergeDates merges two sorted, disjoint lists whose spans do not overlap.
func mergeDates(a, b []events.Date) []events.Date {
	out := make([]events.Date, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].Start < b[j].Start) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}
