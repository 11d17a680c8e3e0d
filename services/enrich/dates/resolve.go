package dates

import "time"

// Calendar arithmetic and value formatting. The reference p.ref is the
// publication date at midnight UTC, so AddDate never crosses a DST change.

func validDate(y, m, d int) bool {
	return y > 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (p *parser) refYMD() (int, int, int) {
	y, m, d := p.ref.Date()
	return y, int(m), d
}

// shift returns the value of the unit n units away from the reference:
// a day, an ISO week, a month or a year.
func (p *parser) shift(u unit, n int) string {
	switch u {
	case uDay:
		t := p.ref.AddDate(0, 0, n)
		return ymd(t.Year(), int(t.Month()), t.Day())
	case uWeek:
		return p.weekOf(n)
	case uMonth:
		y, m, _ := p.refYMD()
		k := y*12 + m - 1 + n
		return ym(k/12, k%12+1)
	default:
		y, _, _ := p.refYMD()
		return yyyy(y + n)
	}
}

// weekOf returns the ISO week n weeks away from the reference's: "2025-W35".
func (p *parser) weekOf(n int) string {
	y, w := p.ref.AddDate(0, 0, 7*n).ISOWeek()
	b := appendPad(make([]byte, 0, 8), y, 4)
	b = append(b, '-', 'W')
	return string(appendPad(b, w, 2))
}

// dirAhead, as the direction of nearWeekday, looks ahead from the
// reference: a weekday in a sentence about the future.
const dirAhead = 2

// nearWeekday resolves a weekday by news convention. dir 0: the most recent
// such day on or before the reference (the reference itself if it is that
// day); -1 ("Selasa lalu", "last Tuesday"): the most recent strictly before
// it; +1 ("Selasa depan", "next Tuesday"): the first strictly after it;
// dirAhead ("will travel on Friday"): the first on or after it.
func (p *parser) nearWeekday(wd time.Weekday, dir int) string {
	rw := p.ref.Weekday()
	var off int
	switch dir {
	case 0:
		off = -int((rw - wd + 7) % 7)
	case dirAhead:
		off = int((wd - rw + 7) % 7)
	case -1:
		off = -int((rw - wd + 7) % 7)
		if off == 0 {
			off = -7
		}
	default:
		off = int((wd - rw + 7) % 7)
		if off == 0 {
			off = 7
		}
	}
	return p.shift(uDay, off)
}

// inWeek returns the weekday wd of the ISO week n weeks away from the
// reference's: "Jumat ini", "Selasa pekan lalu", "Monday next week".
func (p *parser) inWeek(wd time.Weekday, n int) string {
	monday := -int((p.ref.Weekday() + 6) % 7)
	return p.shift(uDay, monday+7*n+int((wd+6)%7))
}

// yearOfMonth picks the year of a month named without one. dir -1 ("Agustus
// lalu", "last August"): the latest such month before the reference's; +1:
// the first after it; 0 ("this May"): the reference's year; without a
// direction: the year that puts it closest to the reference, the earlier on
// a tie.
func (p *parser) yearOfMonth(m, dir int, hasDir bool) int {
	ry, rm, _ := p.refYMD()
	switch {
	case !hasDir:
		best := ry - 1
		for y := ry; y <= ry+1; y++ {
			if abs(y*12+m-ry*12-rm) < abs(best*12+m-ry*12-rm) {
				best = y
			}
		}
		return best
	case dir < 0:
		if m < rm {
			return ry
		}
		return ry - 1
	case dir > 0:
		if m > rm {
			return ry
		}
		return ry + 1
	}
	return ry
}

// yearOfDay picks the year of a day and month named without one ("17
// Agustus"), like yearOfMonth: dir -1 the latest on or before the reference,
// +1 the first on or after it, 0 the reference's year, none the closest.
func (p *parser) yearOfDay(m, d, dir int, hasDir bool) (int, bool) {
	if !p.hasRef {
		return 0, false
	}
	ry, _, _ := p.refYMD()
	at := func(y int) (time.Time, bool) {
		if !validDate(y, m, d) {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
	}
	switch {
	case !hasDir:
		best, bestGap := 0, time.Duration(1<<62)
		for y := ry - 1; y <= ry+1; y++ {
			if t, ok := at(y); ok {
				if gap := absDur(t.Sub(p.ref)); gap < bestGap {
					best, bestGap = y, gap
				}
			}
		}
		return best, best != 0
	case dir < 0:
		for y := ry; y >= ry-8; y-- {
			if t, ok := at(y); ok && !t.After(p.ref) {
				return y, true
			}
		}
	case dir > 0:
		for y := ry; y <= ry+8; y++ {
			if t, ok := at(y); ok && !t.Before(p.ref) {
				return y, true
			}
		}
	default:
		return ry, validDate(ry, m, d)
	}
	return 0, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// appendPad appends n in decimal, zero-padded to width digits.
func appendPad(b []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 || width > 1 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	i--
	tmp[i] = byte('0' + n)
	return append(b, tmp[i:]...)
}

func ymd(y, m, d int) string {
	b := appendPad(make([]byte, 0, 16), y, 4)
	b = append(b, '-')
	b = appendPad(b, m, 2)
	b = append(b, '-')
	return string(appendPad(b, d, 2))
}

func ym(y, m int) string {
	b := appendPad(make([]byte, 0, 8), y, 4)
	b = append(b, '-')
	return string(appendPad(b, m, 2))
}

func yyyy(y int) string { return string(appendPad(make([]byte, 0, 4), y, 4)) }
