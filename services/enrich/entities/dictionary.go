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

// loadDictionary maps the lower-case form of every word of data, a word
// list as described at englishWords, to dictWord or dictName.
func loadDictionary(data string) map[string]string {
	m := make(map[string]string, strings.Count(data, "\n"))
	for line := range strings.Lines(data) {
		w := strings.TrimSuffix(line, "\n")
		if w == "" {
			continue
		}
		lw := strings.ToLower(w)
		switch {
		case w == lw:
			m[lw] = dictWord
		case m[lw] == "":
			m[lw] = dictName
		}
	}
	return m
}

// dictHint returns what the dictionary says of lower, the lower-case form
// of a word with at least one letter.
func (t *Tagger) dictHint(lower string) string {
	if h, ok := t.dict[lower]; ok {
		return h
	}
	return dictNone
}
