package entities

import (
	_ "embed"
	"strings"
)

// englishWords is the word list of Debian's wamerican (SCOWL), one word per
// line, as written: see dict/README.md.
//
//go:embed dict/american-english.txt
var englishWords string

// What the English dictionary knows of a word, as a hint to the model.
const (
	dictWord = "Dw" // an ordinary word: the list has it in lower case
	dictName = "Dn" // a proper name: the list has it only capitalised
	dictNone = "Do" // not in the list: most names the model has not seen
)

// dictionary maps the hash of the lower-case form of every word of the
// English word list to whether the list has it in lower case (true) or only
// capitalised (false). Hashes rather than the words keep it small: 75,000
// words in about 2 MB.
type dictionary map[uint64]bool

// loadDictionary reads data, a word list as described at englishWords.
func loadDictionary(data string) dictionary {
	d := make(dictionary, strings.Count(data, "\n"))
	for line := range strings.Lines(data) {
		w := strings.TrimSuffix(line, "\n")
		if w == "" {
			continue
		}
		lw := strings.ToLower(w)
		h := wordHash(lw)
		d[h] = d[h] || w == lw
	}
	return d
}

// wordHash is the 64-bit FNV-1a hash of w.
func wordHash(w string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= 1099511628211
	}
	return h
}

// hint returns what d says of lower, the lower-case form of a word.
func (d dictionary) hint(lower string) string {
	ordinary, ok := d[wordHash(lower)]
	switch {
	case !ok:
		return dictNone
	case ordinary:
		return dictWord
	}
	return dictName
}
