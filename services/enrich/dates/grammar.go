package dates

import (
	"strings"
	"time"
)

// parser holds one paragraph while Find reads it.
type parser struct {
	text   string
	toks   []token
	lex    lexicon // nil for languages the grammar doesn't read
	ref    time.Time
	hasRef bool
	id, en bool
}

// match is a date found over the tokens [from, to). to == 0 means none.
type match struct {
	from, to   int
	value, mod string
	absorb     uint8 // which prepositions may join the span in front
}

func (p *parser) better(m *match, c match) {
	if c.to > m.to {
		*m = c
	}
}

// matchAt returns the longest date that starts at token i.
func (p *parser) matchAt(i int) (m match) {
	t := &p.toks[i]
	switch t.kind {
	case tNum:
		if !p.leftFree(i) {
			return
		}
		p.better(&m, p.numericDate(i))
		p.better(&m, p.dayFirst(i))
		p.better(&m, p.decade(i, i))
		p.better(&m, p.ago(i))
		p.better(&m, p.cuedYear(i))
	case tWord:
		w := t.w
		if w == nil {
			return
		}
		if w.month != 0 {
			p.better(&m, p.monthFirst(i))
		}
		if w.wday != 0 {
			p.better(&m, p.weekday(i, i, false))
		}
		if w.head {
			p.better(&m, p.head(i))
		}
		if w.mod != "" {
			p.better(&m, p.fuzzy(i, i))
		}
		if w.hasDay {
			p.better(&m, p.relDay(i))
		}
		if w.hasRel && p.en {
			p.better(&m, p.enRel(i))
		}
		if w.numKind != nkNone || w.se {
			p.better(&m, p.ago(i))
		}
		if w.the {
			p.better(&m, p.the(i))
		}
	}
	return
}

// Token helpers. All of them take any index and answer false (or nil) when it
// is out of range, so the rules can look ahead and behind freely.

func (p *parser) word(i int) *word {
	if i >= 0 && i < len(p.toks) && p.toks[i].kind == tWord {
		return p.toks[i].w
	}
	return nil
}

func (p *parser) punct(i int, r rune) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].kind == tPunct && p.toks[i].r == r
}

func (p *parser) apostrophe(i int) bool { return p.punct(i, '\'') || p.punct(i, '’') }

// joined tells whether token i touches the token before it.
func (p *parser) joined(i int) bool { return i > 0 && i < len(p.toks) && !p.toks[i].sp }

// is tells whether token i is the word s, ignoring case.
func (p *parser) is(i int, s string) bool {
	if i < 0 || i >= len(p.toks) || p.toks[i].kind != tWord {
		return false
	}
	t := p.toks[i]
	return t.end-t.start == len(s) && strings.EqualFold(p.text[t.start:t.end], s)
}

// number returns the value of token i if it is a number of lo to hi digits.
func (p *parser) number(i, lo, hi int) (int, bool) {
	if i < 0 || i >= len(p.toks) || p.toks[i].kind != tNum {
		return 0, false
	}
	t := p.toks[i]
	return t.num, int(t.nd) >= lo && int(t.nd) <= hi
}

// year returns the value of token i if it is a four-digit year in [lo, hi]
// that stands on its own on the right.
func (p *parser) year(i, lo, hi int) (int, bool) {
	y, ok := p.number(i, 4, 4)
	return y, ok && y >= lo && y <= hi && p.rightFree(i)
}

// dayNum returns the value of token i if it can be a day of the month.
func (p *parser) dayNum(i int) (int, bool) {
	d, ok := p.number(i, 1, 2)
	return d, ok && d >= 1 && d <= 31
}

// leftFree tells whether number token i starts a number rather than
// continuing one or a word: not "G20", "ke-80", "ke -80", "1.2025".
func (p *parser) leftFree(i int) bool {
	if i == 0 || p.toks[i].sp {
		return true
	}
	prev := p.toks[i-1]
	if prev.kind != tPunct {
		return false
	}
	switch prev.r {
	case '-', '/', '.', ',', ':', '+', '#', '$', '€', '£', '=', '^', '*':
		return false
	}
	return true
}

// rightFree tells whether token i ends a number: not "2025.5", "2024/25",
// "2024-2025", "2025abc", "2000%".
func (p *parser) rightFree(i int) bool {
	k := i + 1
	if k >= len(p.toks) || p.toks[k].sp {
		return true
	}
	nx := p.toks[k]
	if nx.kind != tPunct {
		return false
	}
	switch nx.r {
	case '%':
		return false
	case '-', '/', '.', ',', ':', '–':
		return !(k+1 < len(p.toks) && !p.toks[k+1].sp && p.toks[k+1].kind == tNum)
	}
	return true
}

// sentenceStart tells whether token i starts a sentence, as far as the
// paragraph shows.
func (p *parser) sentenceStart(i int) bool {
	if i == 0 {
		return true
	}
	prev := p.toks[i-1]
	if prev.kind != tPunct {
		return false
	}
	return strings.ContainsRune(".!?:;\"“”‘’'(", prev.r)
}

// inName tells whether token i follows a capitalised word inside a sentence,
// which makes it part of a name ("Theresa May", "Gerakan 30 September")
// rather than a date. Weekdays don't use it ("ke Moskow Jumat depan" is a
// date); they have a list of the words that make them names.
func (p *parser) inName(i int) bool {
	k := i - 1
	return k >= 0 && p.toks[k].kind == tWord && p.toks[k].cap && !p.sentenceStart(k)
}

// monthAt returns the month named by token i. English month names count only
// when capitalised, so that "may" the verb and "march" the noun are never
// months.
func (p *parser) monthAt(i int) (int, *word) {
	w := p.word(i)
	if w == nil || w.month == 0 || p.en && !p.toks[i].cap {
		return 0, nil
	}
	return int(w.month), w
}

// afterMonth returns the index after month token i, past the full stop of an
// abbreviation when a number follows it ("Sept. 2", "Sep. 2025").
func (p *parser) afterMonth(i int, w *word) int {
	if w.abbr && p.punct(i+1, '.') && p.joined(i+1) {
		if _, ok := p.number(i+2, 1, 4); ok && !p.joined(i+2) {
			return i + 2
		}
	}
	return i + 1
}

func (p *parser) ordinal(i int) bool {
	return p.en && p.joined(i) && (p.is(i, "st") || p.is(i, "nd") || p.is(i, "rd") || p.is(i, "th"))
}

// dayFirst reads "2 Sep 2025", "2 September 2025 pukul 10.30 WIB",
// "2nd of September 2025", and, with a reference, "17 Agustus" and
// "17 Agustus lalu".
func (p *parser) dayFirst(i int) (m match) {
	d, ok := p.dayNum(i)
	if !ok {
		return
	}
	j := i + 1
	if p.ordinal(j) {
		j++
	} else if p.joined(j) {
		return
	}
	if p.en && p.is(j, "of") {
		j++
	}
	mon, mw := p.monthAt(j)
	if mw == nil {
		return
	}
	k := p.afterMonth(j, mw)
	if p.punct(k, ',') {
		k++
	}
	if y, ok := p.year(k, 1000, 2999); ok && !p.joined(k) {
		if !validDate(y, mon, d) {
			return
		}
		return p.withClock(i, k+1, y, mon, d)
	}
	to, dir, hasDir := j+1, 0, false
	if w := p.word(to); p.id && w != nil && w.hasRel {
		to, dir, hasDir = to+1, int(w.rel), true
	}
	y, ok := p.yearOfDay(mon, d, dir, hasDir)
	if !ok || p.inName(i) {
		return // "Gerakan 30 September"
	}
	return match{from: i, to: to, value: ymd(y, mon, d)}
}

// monthFirst reads "September 2025", "Sept. 2, 2025", "September 2nd" and
// bare month names with a cue ("pada Mei", "in May", "Agustus lalu").
func (p *parser) monthFirst(i int) (m match) {
	mon, mw := p.monthAt(i)
	if mw == nil || p.en && mon == 5 && p.inName(i) {
		return // "Theresa May"
	}
	j := p.afterMonth(i, mw)
	if y, ok := p.year(j, 1000, 2999); ok && !p.joined(j) {
		return match{from: i, to: j + 1, value: ym(y, mon)}
	}
	if d, ok := p.dayNum(j); ok && p.en && !p.joined(j) {
		k := j + 1
		if p.ordinal(k) {
			k++
		} else if !p.rightFree(j) {
			return
		}
		l := k
		if p.punct(l, ',') {
			l++
		}
		if y, ok := p.year(l, 1000, 2999); ok && !p.joined(l) {
			if !validDate(y, mon, d) {
				return
			}
			return p.withClock(i, l+1, y, mon, d)
		}
		if y, ok := p.yearOfDay(mon, d, 0, false); ok {
			return match{from: i, to: k, value: ymd(y, mon, d)}
		}
		return
	}
	return p.bareMonth(i, i, false)
}

// bareMonth reads a month name without a year, which names a month only after
// a cue ("pada Mei", "bulan Mei", "in May") or before a direction ("Agustus
// lalu"), and only with a reference.
func (p *parser) bareMonth(i, from int, cued bool) (m match) {
	mon, mw := p.monthAt(i)
	if mw == nil || mw.abbr || !p.hasRef {
		return
	}
	if pw := p.word(i - 1); pw != nil && pw.cueMon {
		cued = true
	}
	to, dir, hasDir := i+1, 0, false
	if w := p.word(to); p.id && w != nil && w.hasRel {
		to, dir, hasDir = to+1, int(w.rel), true
	}
	if !cued && !hasDir {
		return
	}
	return match{from: from, to: to, value: ym(p.yearOfMonth(mon, dir, hasDir), mon), absorb: absPeriod}
}

// withClock returns the day y-m-d over [from, to), extended by a clock time
// that follows it: "pukul 10.30 WIB", "jam 10.30", "at 10:30 a.m. GMT".
func (p *parser) withClock(from, to, y, mon, d int) match {
	m := match{from: from, to: to, value: ymd(y, mon, d)}
	k := to
	if p.punct(k, ',') {
		k++
	}
	if !(p.id && (p.is(k, "pukul") || p.is(k, "jam")) || p.en && p.is(k, "at")) {
		return m
	}
	k++
	h, ok := p.number(k, 1, 2)
	if !ok || h > 24 {
		return m
	}
	mm, hasMin := 0, false
	j := k + 1
	if (p.punct(j, '.') || p.punct(j, ':')) && p.joined(j) && p.joined(j+1) {
		if v, ok := p.number(j+1, 2, 2); ok && v < 60 {
			mm, hasMin, j = v, true, j+2
		}
	}
	if p.en {
		pm, next, ok := p.meridiem(j)
		switch {
		case ok && h >= 1 && h <= 12:
			h %= 12
			if pm {
				h += 12
			}
			j = next
		case ok || !hasMin:
			return m
		}
	}
	if h > 23 {
		return m
	}
	if w := p.word(j); w != nil && w.tz {
		j++
	}
	m.to = j
	m.value += "T" + string([]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + mm/10), byte('0' + mm%10)})
	return m
}

// meridiem reads "am", "p.m." and the like at token i.
func (p *parser) meridiem(i int) (pm bool, next int, ok bool) {
	switch {
	case p.is(i, "am"):
		return false, i + 1, true
	case p.is(i, "pm"):
		return true, i + 1, true
	case (p.is(i, "a") || p.is(i, "p")) && p.punct(i+1, '.') && p.joined(i+1) && p.is(i+2, "m") && p.joined(i+2):
		next = i + 3
		if p.punct(next, '.') && p.joined(next) {
			next++
		}
		return p.is(i, "p"), next, true
	}
	return false, 0, false
}

// numericDate reads "2025-09-02" in any language, and "02/09/2025" or
// "2-9-2025": day first in Indonesian, month first in English unless the first
// number can't be a month.
func (p *parser) numericDate(i int) (m match) {
	if i+4 >= len(p.toks) {
		return
	}
	s1, s2 := p.toks[i+1], p.toks[i+3]
	if s1.kind != tPunct || s1.r != '-' && s1.r != '/' || s2.kind != tPunct || s2.r != s1.r {
		return
	}
	for k := i + 1; k <= i+4; k++ {
		if !p.joined(k) {
			return
		}
	}
	a, b, c := p.toks[i], p.toks[i+2], p.toks[i+4]
	if b.kind != tNum || c.kind != tNum || b.nd > 2 {
		return
	}
	var y, mon, d int
	switch {
	case a.nd == 4 && c.nd <= 2:
		y, mon, d = a.num, b.num, c.num
		// A timestamp: "2025-09-02T10:30:00Z". The date is enough.
		if !p.rightFree(i+4) && !(p.is(i+5, "t") && p.joined(i+5)) {
			return
		}
	case p.lex != nil && a.nd <= 2 && c.nd == 4:
		if !p.rightFree(i + 4) {
			return
		}
		y, d, mon = c.num, a.num, b.num
		if p.en && a.num <= 12 || mon > 12 {
			d, mon = mon, d
		}
	default:
		return
	}
	if !validDate(y, mon, d) {
		return
	}
	return p.withClock(i, i+5, y, mon, d)
}

// decade reads "1930-an", "1930 -an", "1930an" (Indonesian) and "1930s",
// "1930's" (English) with the number at token i, as value "193X".
func (p *parser) decade(i, from int) (m match) {
	v, ok := p.number(i, 2, 4)
	if !ok || v%10 != 0 {
		return
	}
	switch p.toks[i].nd {
	case 4:
		if v < 1000 {
			return
		}
	case 2: // "tahun 90-an", "the '90s": only behind a cue, which the caller checks
		if from == i {
			return
		}
		if v >= 20 {
			v += 1900
		} else {
			v += 2000
		}
	default:
		return
	}
	j := i + 1
	switch {
	case p.id && p.punct(j, '-') && p.is(j+1, "an") && p.joined(j+1):
		j += 2 // the hyphen may be spaced off the number by bad tokenisation
	case p.id && p.joined(j) && p.is(j, "an"):
		j++
	case p.en && p.joined(j) && p.is(j, "s"):
		j++
	case p.en && p.joined(j) && p.apostrophe(j) && p.joined(j+1) && p.is(j+1, "s"):
		j += 2
	default:
		return
	}
	b := []byte{byte('0' + v/1000%10), byte('0' + v/100%10), byte('0' + v/10%10), 'X'}
	return match{from: from, to: j, value: string(b)}
}

// cuedYear reads a bare year after a cue: "pada 2024", "sejak 2019",
// "in 2024". Other four-digit numbers are counts, amounts or names.
func (p *parser) cuedYear(i int) (m match) {
	y, ok := p.year(i, 1900, 2099)
	if !ok || !p.toks[i].sp {
		return
	}
	if w := p.word(i - 1); w == nil || !w.cueYear {
		return
	}
	if w := p.word(i + 1); w != nil && (w.unit != noUnit || w.count) {
		return // "selama 2000 tahun", "in 2000 people"
	}
	return match{from: i, to: i + 1, value: yyyy(y), absorb: absPeriod}
}

// quantity reads a small number and a unit at token i: "dua tahun",
// "dua puluh satu hari", "sehari", "3 weeks", "twenty-one days", "a year".
// It returns the number, the unit and the index after the unit.
func (p *parser) quantity(i int) (n int, u unit, next int, ok bool) {
	t := p.toks[i]
	j := i + 1
	switch {
	case t.kind == tNum:
		if t.nd > 3 || p.joined(j) {
			return
		}
		n = t.num
	case t.w.se:
		return int(t.w.num), t.w.unit, j, true
	default:
		w := t.w
		n = int(w.num)
		switch w.numKind {
		case nkDigit:
			if nw := p.word(j); p.id && nw != nil {
				switch nw.numKind {
				case nkBelas:
					n, j = n+10, j+1
				case nkPuluh:
					n, j = n*10, j+1
					if dw := p.word(j); dw != nil && dw.numKind == nkDigit {
						n, j = n+int(dw.num), j+1
					}
				}
			}
		case nkTens:
			k := j
			if p.punct(k, '-') && p.joined(k) && p.joined(k+1) {
				k++
			}
			if dw := p.word(k); dw != nil && dw.numKind == nkDigit {
				n, j = n+int(dw.num), k+1
			}
		case nkWhole, nkArticle:
		default:
			return
		}
	}
	uw := p.word(j)
	if uw == nil || uw.unit == noUnit || n == 0 {
		return
	}
	if t.kind == tWord && t.w.numKind == nkArticle && uw.plural {
		return
	}
	return n, uw.unit, j + 1, true
}

// ago reads "dua tahun lalu", "3 hari yang lalu", "setahun silam",
// "two weeks ago".
func (p *parser) ago(i int) (m match) {
	if !p.hasRef {
		return
	}
	n, u, j, ok := p.quantity(i)
	if !ok {
		return
	}
	if p.id && p.is(j, "yang") {
		j++
	}
	if w := p.word(j); w == nil || !w.ago {
		return
	}
	return match{from: i, to: j + 1, value: p.shift(u, -n)}
}

// vague tells whether token i makes the unit after it a vague or counted
// period rather than a calendar one: "beberapa tahun lalu", "2,5 tahun lalu",
// "the last year".
func (p *parser) vague(i int) bool {
	if i < 0 {
		return false
	}
	t := p.toks[i]
	return t.kind == tNum || t.kind == tWord && t.w != nil && (t.w.quant || t.w.numKind != nkNone)
}

// relUnit reads an Indonesian unit and a direction: "tahun lalu",
// "bulan depan", "minggu ini", "pekan lalu", "hari ini".
func (p *parser) relUnit(i int) (m match) {
	w := p.toks[i].w
	rw := p.word(i + 1)
	if !p.hasRef || !p.id || w.unit == noUnit || rw == nil || !rw.hasRel || p.vague(i-1) {
		return
	}
	if w.unit == uDay && rw.rel != 0 {
		return // "hari lalu" is a count missing its number
	}
	if w.wday != 0 && p.toks[i].cap && !p.sentenceStart(i) {
		return // "Minggu lalu" inside a sentence is last Sunday
	}
	return match{from: i, to: i + 2, value: p.shift(w.unit, int(rw.rel)), absorb: absDay | absPeriod}
}

// head reads an Indonesian date headed by a unit noun: "tanggal 2 September
// 2025", "hari Selasa", "tahun 2024", "tahun 1930-an", "tahun 90-an",
// "bulan September", "tahun lalu", "pekan depan".
func (p *parser) head(i int) (m match) {
	w := p.toks[i].w
	j := i + 1
	switch {
	case w.tanggal:
		if _, ok := p.number(j, 1, 2); ok && p.toks[j].sp {
			p.better(&m, p.dayFirst(j))
			p.better(&m, p.numericDate(j))
		}
	case w.unit == uDay:
		if ww := p.word(j); ww != nil && ww.wday != 0 {
			m = p.weekday(j, i, true)
		}
	case w.unit == uYear:
		if _, ok := p.number(j, 2, 4); ok && !p.joined(j) {
			m = p.decade(j, i)
			if y, ok := p.year(j, 1000, 2999); ok && m.to == 0 {
				if nw := p.word(j + 1); nw == nil || nw.unit == noUnit && !nw.count {
					m = match{to: j + 1, value: yyyy(y)}
				}
			}
		}
	case w.unit == uMonth:
		if p.word(j) != nil && p.word(j).month != 0 {
			m = p.monthFirst(j) // "bulan" is a cue for a bare month name
		}
	}
	p.better(&m, p.relUnit(i))
	if m.to != 0 {
		m.from, m.absorb = i, absDay|absPeriod
	}
	return
}

// weekday reads a weekday at token i, the span starting at from: "Selasa",
// "Selasa lalu", "Selasa pekan depan", "Selasa (2/9)", "Selasa, 2 September
// 2025 pukul 10.30 WIB", "Monday", "Tuesday, September 2, 2025". A weekday
// without a cue must be capitalised and not a habit or a range ("setiap
// Senin", "Senin-Jumat", "every Monday"); no weekday is read in a name
// ("Pasar Minggu", "Jumat Agung", "Good Friday").
func (p *parser) weekday(i, from int, cued bool) (m match) {
	t := p.toks[i]
	wd := time.Weekday(t.w.wday - 1)
	if !cued {
		if !t.cap {
			return
		}
		if pw := p.word(i - 1); pw != nil && pw.block {
			return
		}
		if p.punct(i+1, '-') && p.joined(i+1) || p.punct(i-1, '-') && p.joined(i) {
			return
		}
	}
	j := i + 1
	// An explicit date after the weekday decides the value.
	k := j
	if p.punct(k, ',') {
		k++
	}
	var c match
	if _, ok := p.number(k, 1, 2); ok && p.leftFree(k) {
		p.better(&c, p.numericDate(k))
		p.better(&c, p.dayFirst(k))
	} else if p.en {
		if _, mw := p.monthAt(k); mw != nil {
			c = p.monthFirst(k)
			if c.to != 0 && len(c.value) < len("2025-09-02") {
				c = match{}
			}
		}
	}
	if c.to == 0 && p.punct(j, '(') {
		c = p.parenDate(j)
	}
	if c.to != 0 {
		c.from, c.absorb = from, absDay
		return c
	}
	if !p.hasRef {
		return
	}
	// Names are capitalised: "di pasar Minggu pagi" is a Sunday at the market.
	if w := p.word(i - 1); w != nil && w.dayName && p.toks[i-1].cap {
		return // "Pasar Minggu", "Good Friday"
	}
	if w := p.word(i + 1); w != nil && w.dayNameAfter && p.toks[i+1].cap {
		return // "Jumat Agung", "Rabu Abu"
	}
	m = match{from: from, to: j, absorb: absDay}
	if p.id {
		if w := p.word(j); w != nil && w.unit == uWeek && p.word(j+1) != nil && p.word(j+1).hasRel {
			// "Selasa pekan lalu": Tuesday of last week.
			m.to, m.value = j+2, p.inWeek(wd, int(p.word(j+1).rel))
			return
		}
		if w := p.word(j); w != nil && w.hasRel {
			if wd == time.Sunday && !cued && p.sentenceStart(i) {
				return match{} // "Minggu lalu." opening a sentence is last week
			}
			m.to = j + 1
			if w.rel == 0 {
				m.value = p.inWeek(wd, 0)
			} else {
				m.value = p.nearWeekday(wd, int(w.rel))
			}
			return
		}
	}
	if p.en {
		if w := p.word(j); w != nil && w.hasRel && p.is(j+1, "week") {
			m.to, m.value = j+2, p.inWeek(wd, int(w.rel)) // "Monday last week"
			return
		}
	}
	m.value = p.nearWeekday(wd, p.tense(from, j))
	return
}

// tense says which way a bare weekday at toks[from:to] points, by the
// nearest word of its sentence that tells the time: first before it
// ("Biden will travel to Tokyo on Friday", "dijadwalkan bertemu … pada
// hari Rabu"), else after it ("On Friday, Biden will …"). It returns
// dirAhead for the future, and 0, the news convention of the most recent
// such day, for the past or when no word tells.
func (p *parser) tense(from, to int) int {
	for i := from - 1; i >= 0 && !p.endsSentence(i); i-- {
		if w := p.word(i); w != nil && w.tense != 0 {
			return tenseDir(w.tense)
		}
	}
	for i := to; i < len(p.toks) && !p.endsSentence(i); i++ {
		if w := p.word(i); w != nil && w.tense != 0 {
			return tenseDir(w.tense)
		}
	}
	return 0
}

func tenseDir(t int8) int {
	if t > 0 {
		return dirAhead
	}
	return 0
}

// endsSentence tells whether token i is a full stop, a question mark or an
// exclamation mark.
func (p *parser) endsSentence(i int) bool {
	return p.punct(i, '.') || p.punct(i, '!') || p.punct(i, '?')
}

// parenDate reads "(2/9)" or "(2/9/2025)" at token i, the Indonesian way of
// dating a weekday: "Selasa (2/9)".
func (p *parser) parenDate(i int) (m match) {
	d, ok1 := p.dayNum(i + 1)
	mon, ok2 := p.number(i+3, 1, 2)
	if !ok1 || !ok2 || !p.punct(i+2, '/') || !p.joined(i+1) || !p.joined(i+2) || !p.joined(i+3) {
		return
	}
	if p.en {
		d, mon = mon, d
	}
	j := i + 4
	y, hasYear := 0, false
	if p.punct(j, '/') && p.joined(j) && p.joined(j+1) {
		v, ok := p.number(j+1, 2, 4)
		if !ok || p.toks[j+1].nd == 3 {
			return
		}
		if v < 100 {
			v += 2000
		}
		y, hasYear, j = v, true, j+2
	}
	if !p.punct(j, ')') || !p.joined(j) {
		return
	}
	if !hasYear {
		if y, ok1 = p.yearOfDay(mon, d, 0, false); !ok1 {
			return
		}
	}
	if !validDate(y, mon, d) {
		return
	}
	return match{from: i, to: j + 1, value: ymd(y, mon, d)}
}

// enRel reads an English direction and what it points at: "last year",
// "next month", "this week", "last Monday", "next May", "last weekend",
// "last night".
func (p *parser) enRel(i int) (m match) {
	if !p.hasRef {
		return
	}
	if pw := p.word(i - 1); pw != nil && pw.quant {
		return // "the last year" is the past twelve months
	}
	dir := int(p.toks[i].w.rel)
	j := i + 1
	w := p.word(j)
	if w == nil && !p.is(j, "weekend") && !p.is(j, "night") {
		return
	}
	m = match{from: i, to: j + 1}
	switch {
	case p.is(j, "weekend"):
		m.value = p.weekOf(dir) + "-WE"
	case p.is(j, "night"):
		if dir != -1 {
			return match{}
		}
		m.value = p.shift(uDay, -1)
	case w.unit != noUnit && !w.plural && w.unit != uDay:
		m.value = p.shift(w.unit, dir)
	case w.wday != 0 && p.toks[j].cap:
		wd := time.Weekday(w.wday - 1)
		if dir == 0 {
			m.value = p.inWeek(wd, 0)
		} else {
			m.value = p.nearWeekday(wd, dir)
		}
	case w.month != 0 && !w.abbr && p.toks[j].cap:
		m.value = ym(p.yearOfMonth(int(w.month), dir, true), int(w.month))
	default:
		return match{}
	}
	return
}

// relDay reads "kemarin", "besok", "lusa", "kemarin lusa", "yesterday",
// "today", "tomorrow", "tonight".
func (p *parser) relDay(i int) (m match) {
	if !p.hasRef {
		return
	}
	off, to := int(p.toks[i].w.dayOff), i+1
	if p.id {
		switch {
		case p.is(i, "kemarin") && p.is(i+1, "lusa"):
			off, to = -2, i+2
		case p.is(i, "besok") && p.is(i+1, "lusa"), p.is(i, "lusa") && p.is(i-1, "besok"):
			return // "besok lusa" means some day, not a date
		}
	}
	return match{from: i, to: to, value: p.shift(uDay, off)}
}

// fuzzy reads a fuzzy part of a period at token i, the span starting at from:
// "awal 2022", "akhir tahun lalu", "pertengahan September", "awal 1930-an",
// "akhir pekan lalu" (a weekend), "early 2022", "mid-2022", "the end of
// 2022", "late last year".
func (p *parser) fuzzy(i, from int) (m match) {
	w := p.word(i)
	if w == nil || w.mod == "" {
		return
	}
	j := i + 1
	if w.modOf {
		if !p.is(j, "of") {
			return
		}
		j++
	} else if p.en && p.punct(j, '-') && p.joined(j) && p.joined(j+1) {
		j++ // "mid-2022"
	}
	if p.id && w.mod == "END" && p.is(i, "akhir") {
		if uw := p.word(j); uw != nil && uw.unit == uWeek {
			// "akhir pekan" is the weekend, not the end of a week.
			rw := p.word(j + 1)
			if !p.hasRef || rw == nil || !rw.hasRel {
				return
			}
			return match{from: from, to: j + 2, value: p.weekOf(int(rw.rel)) + "-WE"}
		}
	}
	c := p.fuzzyTarget(j)
	if c.to == 0 || c.mod != "" {
		return // nothing, or "the end of the early 1990s", which says too much
	}
	c.from, c.mod, c.absorb = from, w.mod, 0
	return c
}

// fuzzyTarget reads what a fuzzy modifier qualifies, at token j: a year, a
// decade, a month, or a relative period ("tahun lalu", "last year").
func (p *parser) fuzzyTarget(j int) (c match) {
	if j >= len(p.toks) {
		return
	}
	t := p.toks[j]
	switch {
	case t.kind == tNum:
		if p.joined(j) && !p.punct(j-1, '-') {
			return
		}
		if c = p.decade(j, j); c.to == 0 {
			if y, ok := p.year(j, 1000, 2999); ok {
				c = match{to: j + 1, value: yyyy(y)}
			}
		}
	case t.kind == tWord && t.w != nil:
		w := t.w
		if w.head && !w.tanggal && w.unit != uDay {
			c = p.head(j) // "tahun 2022", "tahun lalu", "bulan September"
		}
		if w.month != 0 {
			p.better(&c, p.monthFirst(j))
			p.better(&c, p.bareMonth(j, j, true))
		}
		if w.hasRel && p.en {
			p.better(&c, p.enRel(j))
		}
		if w.the {
			p.better(&c, p.the(j))
		}
	}
	return
}

// the reads English dates opening with "the": "the 1930s", "the '90s",
// "the end of 2022", "the early 1990s", "the day before yesterday".
func (p *parser) the(i int) (m match) {
	j := i + 1
	k := j
	if p.apostrophe(k) && p.joined(k+1) {
		k++
	}
	if _, ok := p.number(k, 2, 4); ok {
		return p.decade(k, i)
	}
	if m = p.fuzzy(j, i); m.to != 0 {
		return
	}
	if p.hasRef && p.is(j, "day") {
		switch {
		case p.is(j+1, "before") && p.is(j+2, "yesterday"):
			return match{from: i, to: j + 3, value: p.shift(uDay, -2)}
		case p.is(j+1, "after") && p.is(j+2, "tomorrow"):
			return match{from: i, to: j + 3, value: p.shift(uDay, 2)}
		}
	}
	return match{}
}
