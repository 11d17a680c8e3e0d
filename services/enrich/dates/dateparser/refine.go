package dateparser

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	dpdate "github.com/markusmobius/go-dateparser/date"
	"github.com/warta-news/warta/pkg/events"
)

// refine applies the wrapper's rules to the match text[start:end], parsed as
// d, and returns it cut down to its shortest span. The rules are the table
// refineRules, tried in order.
func (op *parser) refine(text string, start, end int, d dpdate.Date) (events.Date, bool) {
	m := &op.match
	*m = refineMatch{text: text, from: start, d: d}
	m.setSpan(op.shrink(text, start, end, d))
	m.words, m.numbers = splitTokens(m.span)
	for _, r := range refineRules {
		if !r.cue(op, m) {
			continue
		}
		if v := r.act(op, m); v == drop {
			return events.Date{}, false
		} else if v == keep {
			break
		}
	}
	if m.value == "" {
		m.value = timexValue(m.d)
	}
	return events.Date{Text: m.span, Value: m.value, Start: m.start, End: m.end}, true
}

// refineMatch is a match of go-dateparser's search as the rules of refine
// see it and change it.
type refineMatch struct {
	text           string
	from           int // the start of the match before shrinking
	start, end     int
	span           string // text[start:end]
	d              dpdate.Date
	words, numbers []string // see splitTokens
	relative       bool     // set by noteRelative
	spelled        int      // set by noteRelative: how many words are number words ("trois", "drei", "un", "tres")
	value          string   // the value a rule gives, if not timexValue(d)
}

func (m *refineMatch) setSpan(start, end int) {
	m.start, m.end, m.span = start, end, m.text[start:end]
}

// verdict is what a rule of refine makes of a match.
type verdict uint8

const (
	carryOn verdict = iota // on to the next rule
	drop                   // not a date
	keep                   // a date, with the value the rule set: skip the other rules
)

// refineRule is a rule of refine: when cue holds for a match, act decides
// on it or changes it for the rules after it.
type refineRule struct {
	cue func(op *parser, m *refineMatch) bool
	act func(op *parser, m *refineMatch) verdict
}

// refineRules are the wrapper's rules: first on the words and numbers of a
// match as written, then on what it means next to the publication date.
var refineRules = []refineRule{
	// A bare year is a date only with the word that cues it, which
	// shrinking dropped: "en 2022", "im Jahr 2022", "pada tahun 2022".
	{cue: isBareYear, act: takeCueWord},
	// Numeric dates are read here: go-dateparser's search reads them in
	// English order whatever the language ("02.09.2025" as February).
	{cue: hasNoWords, act: readNumeric},
	// A lone short word is an abbreviation at best ("Die" for Dienstag,
	// "Mar" for martes) and an ordinary word more often.
	{cue: isLoneShortWord, act: dropMatch},
	// The search splits "im September 2024" before the year.
	{cue: isMonthWithoutNumber, act: takeYearAfter},
	// The rules below ask whether the date moves with the publication
	// date, of the span as it is here (before takeRelativeMarker widens it).
	{cue: always, act: noteRelative},
	// Units alone are no date: go-dateparser reads "años", "Jahre" as the
	// publication date.
	{cue: isBareUnits, act: dropMatch},
	// A number of units is a duration ("3 Tage", "80 ans", "trois jours")
	// unless the words before it make it relative: go-dateparser's search
	// drops them ("vor 3 Tagen", "il y a 3 jours").
	{cue: isDuration, act: takeRelativeMarker},
	{cue: isDayWithoutMonth, act: dropMatch}, // "Am 14"
	{cue: isClockTimeOnly, act: dropMatch},   // a clock time without a date
	{cue: hasNoValue, act: dropMatch},
	// go-dateparser reads "la semaine dernière", "vor 2 Wochen" and "in
	// zwei Wochen" as the day so many weeks away; the grammar gives the ISO
	// week ("last week" is 2025-W35), and so does this.
	{cue: isWeeksAway, act: asISOWeek},
}

func always(*parser, *refineMatch) bool { return true }

// noteRelative sets relative, whether the date moves with the publication
// date ("hier", "3 Tage", "80 ans", "mardi"; a day later is enough to move
// a day, not a year), and spelled.
func noteRelative(op *parser, m *refineMatch) verdict {
	m.relative = op.movesWithRef(m.span, m.d, atNextDay)
	m.spelled = countWords(m.words, op.isNumeral)
	return carryOn
}

func isBareYear(_ *parser, m *refineMatch) bool {
	return len(m.words) == 0 && m.d.Period == dpdate.Year && len(m.numbers) == 1 && len(m.numbers[0]) == 4
}

func takeCueWord(_ *parser, m *refineMatch) verdict {
	if s, _, ok := lastWordBefore(m.text, m.from, m.start); ok {
		m.words = append(m.words, m.text[s:m.start])
		m.setSpan(s, m.end)
	}
	return carryOn
}

func hasNoWords(_ *parser, m *refineMatch) bool { return len(m.words) == 0 }

func readNumeric(op *parser, m *refineMatch) verdict {
	v, ok := numericValue(m.span, dateOrder(op.lang))
	if !ok {
		return drop
	}
	m.value = v
	return keep
}

func isLoneShortWord(_ *parser, m *refineMatch) bool {
	return len(m.numbers) == 0 && len(m.words) == 1 && utf8.RuneCountInString(m.words[0]) < 4
}

func isMonthWithoutNumber(_ *parser, m *refineMatch) bool {
	return m.d.Period == dpdate.Month && len(m.numbers) == 0
}

func takeYearAfter(op *parser, m *refineMatch) verdict {
	e, ok := yearAfter(m.text, m.end)
	if !ok {
		return carryOn
	}
	if got, err := op.parse(atRef, m.text[m.start:e]); err == nil && got.Period == dpdate.Month && got.Time.Year() != m.d.Time.Year() {
		m.setSpan(m.start, e)
		m.d = got
		m.numbers = append(m.numbers, m.text[e-4:e])
	}
	return carryOn
}

func isBareUnits(op *parser, m *refineMatch) bool {
	return len(m.numbers) == 0 && m.spelled == 0 && op.bareUnits(m.words)
}

// isDuration reports whether m is a number with words that are all units,
// number words or fillers, and a date that moves with the publication date.
// One ahead of it is no duration if it is one of the language's own phrases
// for it: a number of units reads as so many back ("3 Tage"); one ahead has
// a word that turns it forward, which counts as a filler only because
// go-dateparser reads "2 in" as the 2nd: "in zwei Wochen", "Dans un mois",
// "dalam dua minggu". "en 3 meses", "in 3 mesi" are mostly durations.
func isDuration(op *parser, m *refineMatch) bool {
	if len(m.numbers) == 0 && m.spelled == 0 || len(m.words) <= m.spelled {
		return false
	}
	if !m.relative && !op.movesWithRef(m.span, m.d, atNextYMD) {
		return false
	}
	units := countWords(m.words, func(w string) bool { return op.isNumeral(w) || op.isUnit(w) || op.isFiller(w) })
	return units == len(m.words) && !(m.d.Time.After(op.ref) && op.isRelativePhrase(m.span))
}

func takeRelativeMarker(op *parser, m *refineMatch) verdict {
	s, e, ok := op.relativeMarker(m.text, m.start, m.end, m.d)
	if !ok {
		return drop
	}
	m.setSpan(s, e)
	return carryOn
}

func isDayWithoutMonth(op *parser, m *refineMatch) bool {
	return !m.relative && len(m.numbers) == 1 && len(m.numbers[0]) <= 2 && m.d.Period == dpdate.Day &&
		!slices.ContainsFunc(m.words, op.isMonth)
}

func isClockTimeOnly(_ *parser, m *refineMatch) bool {
	return m.d.Period.IsTime() && m.relative
}

func hasNoValue(_ *parser, m *refineMatch) bool { return timexValue(m.d) == "" }

func isWeeksAway(op *parser, m *refineMatch) bool {
	return m.relative && m.d.Period == dpdate.Day && op.weeksAway(m.d) && slices.ContainsFunc(m.words, op.isWeek)
}

func asISOWeek(_ *parser, m *refineMatch) verdict {
	y, wk := m.d.Time.ISOWeek()
	m.value = fmt.Sprintf("%04d-W%02d", y, wk)
	return keep
}

func dropMatch(*parser, *refineMatch) verdict { return drop }

// countWords returns how many of words satisfy is, asking about every one.
func countWords(words []string, is func(string) bool) int {
	n := 0
	for _, w := range words {
		if is(w) {
			n++
		}
	}
	return n
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
