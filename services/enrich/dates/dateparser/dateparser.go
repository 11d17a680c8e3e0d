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
	"unicode/utf8"

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

// dateOrder is the order of numeric dates in lang.
func dateOrder(lang string) string {
	switch lang {
	case "zh", "ja", "ko", "hu", "lt", "mn":
		return "YMD"
	}
	return "DMY"
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

// isRelativePhrase reports whether span is one of the language's relative
// phrases of more than one word ("dans 3 jours", "dentro de dos semanas"),
// any number in digits or in words.
func (op *parser) isRelativePhrase(span string) bool {
	if op.words == nil {
		return false
	}
	var words []string
	for i, j := range wordRuns(span) {
		words = append(words, foldLower(span[i:j]))
	}
next:
	for _, p := range op.words.relatives {
		if len(p) != len(words) {
			continue
		}
		for k := range p {
			if !op.relativeWord(words[k], p[k]) {
				continue next
			}
		}
		return true
	}
	return false
}

// relativeWord reports whether w, a word folded to lower case, is the word
// pw of a relative phrase of dateparser_words.txt, where "0" stands for a
// number in digits or in words.
func (op *parser) relativeWord(w, pw string) bool {
	if pw != "0" {
		return w == pw
	}
	return strings.Trim(w, "0123456789") == "" || op.isNumeral(w)
}

// isNumeral reports whether w is a number word that go-dateparser, or the
// wrapper before it (see dateWords.spell), reads as digits: "trois", "zwei",
// "un", "tres".
func (op *parser) isNumeral(w string) bool {
	if op.words == nil {
		return false
	}
	w = foldLower(w)
	_, spelled := op.words.spelled[w]
	return spelled || op.words.numerals[w]
}

// bareUnits reports whether words are units of time and fillers of the
// language's dictionary, with a unit: "años", "Jahre", "des jours".
func (op *parser) bareUnits(words []string) bool {
	if op.words == nil {
		return false
	}
	unit := false
	for _, w := range words {
		w = foldLower(w)
		switch {
		case op.words.units[w]:
			unit = true
		case !op.words.fillers[w]:
			return false
		}
	}
	return unit
}

// isWeek reports whether w is a unit of time of a week ("semaine",
// "Wochen"): "2 w" reads as fourteen days before the publication date.
func (op *parser) isWeek(w string) bool {
	if op.words != nil && !op.words.units[foldLower(w)] {
		return false
	}
	got, err := op.parse(atRef, "2 "+w)
	return err == nil && got.Period == dpdate.Day && got.Time.Equal(op.ref.AddDate(0, 0, -14))
}

// weeksAway reports whether d falls on the publication date's weekday, a
// whole number of weeks from it.
func (op *parser) weeksAway(d dpdate.Date) bool {
	y, m, dd := d.Time.Date()
	return int(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Sub(op.ref).Hours())%(7*24) == 0
}

// shrink cuts text[start:end] to the shortest run of its words that
// go-dateparser parses to the same date, dropping words and punctuation at
// either end: "le 2 septembre 2025 à" → "2 septembre 2025".
func (op *parser) shrink(text string, start, end int, d dpdate.Date) (int, int) {
	start, end = trimPunct(text, start, end)
	for {
		if s, e, ok := dropFirstWord(text, start, end); ok && op.same(text[s:e], text[start:end], d) {
			start, end = s, e
			continue
		}
		if s, e, ok := dropLastWord(text, start, end); ok && op.same(text[s:e], text[start:end], d) {
			start, end = s, e
			continue
		}
		return start, end
	}
}

// same reports whether s parses to d, and to the same date as whole when
// the publication date is another one: "2" alone reads as 2 September 2025
// when the paragraph is of that day, but it does not say so.
func (op *parser) same(s, whole string, d dpdate.Date) bool {
	got, err := op.parse(atRef, s)
	if err != nil || !sameDate(got, d) {
		return false
	}
	a, errA := op.parse(atOther, s)
	b, errB := op.parse(atOther, whole)
	return errA == nil && errB == nil && sameDate(a, b)
}

// movesWithRef reports whether s parses to another date when the
// publication date moves as at says: then s leaves something to the
// reference (a relative expression, or a day without month).
func (op *parser) movesWithRef(s string, d dpdate.Date, at refShift) bool {
	if r, ok := op.parsed[parseKey{atOther, op.canonical(s)}]; ok && r.err == nil && sameDate(r.d, d) {
		// same found that s reads as d three years away too: it leaves
		// nothing to the reference, so a day or a year makes no difference.
		return false
	}
	got, err := op.parse(at, s)
	return err != nil || !sameDate(got, d)
}

// sameDate reports whether a and b are the same date at the precision they
// were written with: go-dateparser fills the parts a text leaves out ("2022"
// is 2 September 2022 when the reference is 2 September) from the reference.
func sameDate(a, b dpdate.Date) bool {
	return a.Period == b.Period && timexValue(a) == timexValue(b)
}

// isUnit reports whether w is a unit of time in the language: "2 w" and
// "3 w" parse to dates relative to the reference, the larger number further
// back ("Tage", "jours", "años"), where "3 juillet" comes after "2 juillet".
func (op *parser) isUnit(w string) bool {
	two, err2 := op.parse(atRef, "2 "+w)
	three, err3 := op.parse(atRef, "3 "+w)
	return err2 == nil && err3 == nil && !two.IsZero() && three.Time.Before(two.Time)
}

// isMonth reports whether w names a month in the language: "15 w 2001"
// parses to the 15th of some month of 2001.
func (op *parser) isMonth(w string) bool {
	got, err := op.parse(atRef, "15 "+w+" 2001")
	return err == nil && got.Period == dpdate.Day && got.Time.Day() == 15 && got.Time.Year() == 2001
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

// locate finds frag, a piece of text that go-dateparser returned, in text at
// or after byte from. go-dateparser returns the original characters but may
// join words with single spaces where text has other white space, so if frag
// is not there verbatim its words are matched with any white space between.
func locate(text, frag string, from int) (int, int, bool) {
	if frag = strings.TrimSpace(frag); frag == "" || from >= len(text) {
		return 0, 0, false
	}
	if i := strings.Index(text[from:], frag); i >= 0 {
		return from + i, from + i + len(frag), true
	}
	fields := strings.Fields(frag)
	for at := from; at < len(text); {
		i := strings.Index(text[at:], fields[0])
		if i < 0 {
			return 0, 0, false
		}
		start := at + i
		end, ok := start+len(fields[0]), true
		for _, f := range fields[1:] {
			j := end
			for j < len(text) {
				r, n := utf8.DecodeRuneInString(text[j:])
				if !unicode.IsSpace(r) {
					break
				}
				j += n
			}
			if j == end || !strings.HasPrefix(text[j:], f) {
				ok = false
				break
			}
			end = j + len(f)
		}
		if ok {
			return start, end, true
		}
		at = start + len(fields[0])
	}
	return 0, 0, false
}

// trimPunct narrows text[start:end] past white space and punctuation at
// both ends, keeping a closing bracket or dot that belongs to the date only
// if it is inside.
func trimPunct(text string, start, end int) (int, int) {
	for start < end {
		r, n := utf8.DecodeRuneInString(text[start:end])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(text[start:end])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '.' && isAbbrevDot(text[start:end-n])) {
			break
		}
		end -= n
	}
	return start, end
}

// isAbbrevDot reports whether a dot after s ends an abbreviation or an
// ordinal ("Sept.", "2."), which is part of the date in some languages.
func isAbbrevDot(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsDigit(r) {
		return strings.IndexFunc(s, unicode.IsLetter) >= 0 || strings.Count(s, ".") > 0
	}
	return false
}

// dropFirstWord returns text[start:end] without its first white-space
// separated word, trimmed of punctuation.
func dropFirstWord(text string, start, end int) (int, int, bool) {
	i := strings.IndexFunc(text[start:end], unicode.IsSpace)
	if i < 0 {
		return 0, 0, false
	}
	s, e := trimPunct(text, start+i, end)
	return s, e, s < e
}

// dropLastWord returns text[start:end] without its last white-space
// separated word, trimmed of punctuation.
func dropLastWord(text string, start, end int) (int, int, bool) {
	i := strings.LastIndexFunc(text[start:end], unicode.IsSpace)
	if i < 0 {
		return 0, 0, false
	}
	s, e := trimPunct(text, start, start+i)
	return s, e, s < e
}

// relativeMarker looks for up to three words right before text[start:end],
// or one or two right after it, that go-dateparser reads together with it as
// the same date ("vor 3 Tagen", "il y a 3 jours", "3 hari lalu"), and
// returns the span with them.
func (op *parser) relativeMarker(text string, start, end int, d dpdate.Date) (int, int, bool) {
	same := func(s, e int) bool {
		got, err := op.parse(atRef, text[s:e])
		return err == nil && sameDate(got, d)
	}
	best := -1
	s := start
	for range 3 {
		ws, we, ok := lastWordBefore(text, 0, s)
		if !ok {
			break
		}
		if s = ws; !op.isFiller(text[ws:we]) && same(s, end) {
			best = s // the longest wins: "Il y a 3 jours", not "a 3 jours"
		}
	}
	if best >= 0 {
		return best, end, true
	}
	e := end
	for range 2 {
		ws, we, ok := nextWordAfter(text, e)
		if !ok {
			break
		}
		if e = we; !op.isFiller(text[ws:we]) && same(start, e) {
			return start, e, true
		}
	}
	return 0, 0, false
}

// isFiller reports whether go-dateparser skips w next to a number it reads
// as a day ("und", "y", "et"): such a word does not make a number of days
// relative.
//
// It compares "2 w" with "2", both at the publication date and a day
// later: on the last day of a month "2" alone moves to the next month a day
// later, and "3 días y" used to be three days ago then.
func (op *parser) isFiller(w string) bool {
	got, err := op.parse(atRef, "2 "+w)
	if err != nil || got.Period != dpdate.Day || got.Time.Day() != 2 {
		return false
	}
	for _, at := range []refShift{atRef, atNextDay} {
		a, errA := op.parse(at, "2 "+w)
		b, errB := op.parse(at, "2")
		if errA != nil || errB != nil || !sameDate(a, b) {
			return false
		}
	}
	return true
}

// nextWordAfter returns the span of the word of letters that follows
// text[:at] after white space only.
func nextWordAfter(text string, at int) (int, int, bool) {
	start := skipForward(text, at, unicode.IsSpace)
	end := skipForward(text, start, unicode.IsLetter)
	if start == at || end == start {
		return 0, 0, false
	}
	return start, end, true
}

// skipForward returns the end of the run of runes from i that satisfy keep.
func skipForward(text string, i int, keep func(rune) bool) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !keep(r) {
			break
		}
		i += n
	}
	return i
}

// skipBack returns the start, at or after from, of the run of runes ending
// at i that satisfy keep.
func skipBack(text string, from, i int, keep func(rune) bool) int {
	for i > from {
		r, n := utf8.DecodeLastRuneInString(text[from:i])
		if !keep(r) {
			break
		}
		i -= n
	}
	return i
}

// yearAfter returns the end of a four-digit number that follows text[:at]
// after white space.
func yearAfter(text string, at int) (int, bool) {
	i := at
	for i < len(text) && (text[i] == ' ' || text[i] == '\u00a0') {
		i++
	}
	if i == at || i+4 > len(text) {
		return 0, false
	}
	for j := i; j < i+4; j++ {
		if text[j] < '0' || text[j] > '9' {
			return 0, false
		}
	}
	if i+4 < len(text) && text[i+4] >= '0' && text[i+4] <= '9' {
		return 0, false
	}
	return i + 4, true
}

// lastWordBefore returns the start of the word of letters that ends right
// before at, separated from it by white space only, if it starts at or
// after from.
func lastWordBefore(text string, from, at int) (int, int, bool) {
	end := skipBack(text, from, at, unicode.IsSpace)
	start := skipBack(text, from, end, unicode.IsLetter)
	if end == at || start == end {
		return 0, 0, false
	}
	return start, end, true
}

// splitTokens returns the words (runs of letters) and numbers (runs of
// digits) of s.
func splitTokens(s string) (words, numbers []string) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case unicode.IsLetter(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && r2 != '\'' && r2 != '’' {
					break
				}
				j += n2
			}
			words = append(words, s[i:j])
		case unicode.IsDigit(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsDigit(r2) {
					break
				}
				j += n2
			}
			numbers = append(numbers, s[i:j])
		}
		i = j
	}
	return words, numbers
}

// numericDate reports whether s, which has no letters, is a numeric date:
// two or three groups of digits joined by one of "/", "." or "-" with no
// space, one of them of four digits or three groups in all ("14/07/2025",
// "2025-07-14", "14.07.").
func numericDate(s string) bool {
	s = strings.TrimRight(s, ".")
	var sep rune
	groups, long := 0, false
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		if r == '/' || r == '.' || r == '-' {
			if sep == 0 {
				sep = r
			}
			return true
		}
		return false
	}) {
		for _, r := range part {
			if r < '0' || r > '9' {
				return false
			}
		}
		if len(part) == 4 {
			long = true
		}
		groups++
	}
	if sep == 0 || strings.ContainsFunc(s, func(r rune) bool { return r != sep && (r < '0' || r > '9') }) {
		return false
	}
	return groups == 3 || (groups == 2 && long)
}

// numericValue reads a numeric date of three groups in the given order
// ("DMY" or "YMD"), or of two with a four-digit year ("09/2025"), as a day or
// a month.
func numericValue(s, order string) (string, bool) {
	if !numericDate(s) {
		return "", false
	}
	var g []int
	for _, part := range strings.FieldsFunc(strings.TrimRight(s, "."), func(r rune) bool { return r == '/' || r == '.' || r == '-' }) {
		n := 0
		for _, c := range part {
			n = n*10 + int(c-'0')
		}
		if len(part) == 4 && len(g) > 0 && order == "YMD" {
			return "", false
		}
		g = append(g, n)
	}
	var y, m, d int
	switch {
	case len(g) == 2 && g[1] >= 1000:
		m, y = g[0], g[1]
	case len(g) == 2 && g[0] >= 1000:
		y, m = g[0], g[1]
	case len(g) == 3 && g[0] >= 1000, len(g) == 3 && order == "YMD":
		y, m, d = g[0], g[1], g[2]
	case len(g) == 3:
		d, m, y = g[0], g[1], g[2]
	default:
		return "", false
	}
	if y < 100 {
		y += 2000
	}
	if m < 1 || m > 12 || y < 1000 || y > 9999 {
		return "", false
	}
	if d == 0 {
		return fmt.Sprintf("%04d-%02d", y, m), true
	}
	if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
		return "", false // "31.09.2025"
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), true
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
