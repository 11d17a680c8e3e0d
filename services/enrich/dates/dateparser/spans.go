package dateparser

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

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
