package article

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// datelineWindow is how many non-empty lines after the title are searched
// for a dateline: news sites put it right under the headline and standfirst.
const datelineWindow = 5

// datelineMaxBytes bounds the lines tried as datelines; a longer line is prose.
const datelineMaxBytes = 160

// dateline matches a publication line: a keyword, then a date as
// "2 Sep 2025", "September 2, 2025" or "2025-09-02", then perhaps a time.
// Month words are checked against months afterwards.
var dateline = regexp.MustCompile(`(?i)^(?:diterbitkan|dipublikasikan|dipublikasi|terbit|published|` +
	`(?:last\s+)?updated|(?:terakhir\s+)?diperbarui|diperbaharui)` +
	`(?:\s+(?:pada|on|at|tanggal|tgl\.?))?\s*:?\s*` +
	`(?:(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|` +
	`monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+)?` +
	`(?:(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})|([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})|(\d{4})-(\d{2})-(\d{2}))` +
	`(?:\s*[,|·•–—-]?\s*(?:(?:pukul|jam|at)\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?` +
	`(?:\s*(?:gmt|utc|[a-z]{2,4})?\s*[+-]\d{1,2}(?::?\d{2})?|\s*\(?[a-z]{2,5}\)?)?)?\s*$`)

// months maps Indonesian and English month names and abbreviations, lower
// case, to their months.
var months = map[string]time.Month{
	"jan": time.January, "januari": time.January, "january": time.January,
	"feb": time.February, "februari": time.February, "pebruari": time.February, "february": time.February,
	"mar": time.March, "maret": time.March, "march": time.March,
	"apr": time.April, "april": time.April,
	"mei": time.May, "may": time.May,
	"jun": time.June, "juni": time.June, "june": time.June,
	"jul": time.July, "juli": time.July, "july": time.July,
	"agu": time.August, "agt": time.August, "agus": time.August, "agustus": time.August,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"okt": time.October, "oktober": time.October, "oct": time.October, "october": time.October,
	"nov": time.November, "nopember": time.November, "november": time.November,
	"des": time.December, "desember": time.December, "dec": time.December, "december": time.December,
}

// cutDateline looks for datelines among the first datelineWindow non-empty
// lines of text. It returns the date of the first one ("2006-01-02", or ""
// if none) and text without any of them: a dateline is not a paragraph.
func cutDateline(text string) (date, rest string) {
	lines := strings.Split(text, "\n")
	seen, cut := 0, false
	for i, line := range lines {
		if line == "" {
			continue
		}
		if seen++; seen > datelineWindow {
			break
		}
		if d, ok := parseDateline(line); ok {
			if date == "" {
				date = d
			}
			lines[i], cut = "", true
		}
	}
	if !cut {
		return "", text
	}
	return date, strings.Join(lines, "\n")
}

// parseDateline returns the date of a dateline as "2006-01-02".
func parseDateline(line string) (string, bool) {
	if len(line) > datelineMaxBytes {
		return "", false
	}
	m := dateline.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	var day, month, year string
	switch {
	case m[1] != "":
		day, month, year = m[1], m[2], m[3]
	case m[4] != "":
		day, month, year = m[5], m[4], m[6]
	default:
		day, month, year = m[9], m[8], m[7]
	}
	mon, ok := months[strings.ToLower(month)]
	if !ok {
		n, err := strconv.Atoi(month)
		if err != nil || n < 1 || n > 12 {
			return "", false
		}
		mon = time.Month(n)
	}
	d, _ := strconv.Atoi(day)
	y, _ := strconv.Atoi(year)
	t := time.Date(y, mon, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != mon {
		// 31 Sep, 30 Feb: not a date, so not a dateline.
		return "", false
	}
	return t.Format(time.DateOnly), true
}
