package dateparser

import (
	"fmt"
	"strings"
	"time"
)

// dateOrder is the order of numeric dates in lang.
func dateOrder(lang string) string {
	switch lang {
	case "zh", "ja", "ko", "hu", "lt", "mn":
		return "YMD"
	}
	return "DMY"
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
