// Package analysis is how the index reads text: the exact forms of words,
// and each language's word forms. A text in a language with an analysis of
// word forms is indexed, in one field, with every word as written
// (lower-cased) and, beside it at the same place, its stem when that
// differs: English by Bleve's English analysis (possessives, Porter
// stemming), Indonesian and Malay by the confix-stripping stemmer of this
// package, and the other languages by Bleve's analyses of them. One pass
// of tokenizing serves both. A search looks for a word as written and for
// its stem (weighed less), so an exact form scores on both and ranks above
// a form that only shares its stem ("pertemuan" above "bertemu" for
// q=pertemuan).
package analysis

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	// Bleve's analyses of the languages Stemmed names.
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/da"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fa"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hu"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/no"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ro"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/sv"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/tr"
)

// Exact is the analyzer of words as written: Unicode word boundaries and
// lower case, no stemming and no stop words, the same for every language.
const Exact = "warta_text"

// indonesian is the analyzer of Indonesian and Malay word forms, and
// stemFilter its token filter.
const (
	indonesian = "warta_id"
	stemFilter = "warta_stem_id"
)

// Stemmed is one language's analysis of word forms: the suffix of the
// fields that hold it (Key), the analyzer that stems a word (Analyzer), and
// the analyzer that indexes words as written and stemmed (Words).
type Stemmed struct {
	Key, Analyzer string
}

// Words is the analyzer that indexes the words of a text in this language
// as written and, beside them, their stems.
func (s Stemmed) Words() string { return "warta_words_" + s.Key }

func (s Stemmed) repeatFilter() string { return "warta_repeat_" + s.Key }

// stemmed maps a language (its primary subtag) to its analysis.
var stemmed = map[string]Stemmed{
	"en": {"en", "en"}, "id": {"id", indonesian}, "ms": {"id", indonesian},
	"de": {"de", "de"}, "fr": {"fr", "fr"}, "es": {"es", "es"}, "it": {"it", "it"}, "pt": {"pt", "pt"},
	"nl": {"nl", "nl"}, "da": {"da", "da"}, "fi": {"fi", "fi"}, "hu": {"hu", "hu"}, "no": {"no", "no"},
	"nb": {"no", "no"}, "ro": {"ro", "ro"}, "ru": {"ru", "ru"}, "sv": {"sv", "sv"}, "tr": {"tr", "tr"},
	"ar": {"ar", "ar"}, "fa": {"fa", "fa"}, "hi": {"hi", "hi"},
}

// ForLang returns the analysis of the word forms of language lang ("id",
// "en"), and false for a language without one (its words are indexed as
// written only).
func ForLang(lang string) (Stemmed, bool) {
	s, ok := stemmed[lang]
	return s, ok
}

// Languages returns every analysis of word forms, each once, in a fixed
// order.
func Languages() []Stemmed {
	seen := map[string]bool{}
	var out []Stemmed
	for _, lang := range []string{"en", "id", "de", "fr", "es", "it", "pt", "nl", "da", "fi", "hu", "no", "ro", "ru", "sv", "tr", "ar", "fa", "hi"} {
		if s := stemmed[lang]; !seen[s.Key] {
			seen[s.Key] = true
			out = append(out, s)
		}
	}
	return out
}

var register sync.Once

// Register makes the Indonesian stemmer known to Bleve, whose registry of
// token filters is global: an index that uses it, new or opened, needs it.
// It may be called any number of times.
func Register() {
	register.Do(func() {
		st := NewIndonesianStemmer()
		err := registry.RegisterTokenFilter(stemFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return stemTokens{st}, nil
		})
		if err != nil {
			panic("analysis: " + err.Error())
		}
		for _, l := range Languages() {
			stems := newMemo[[]byte]() // one per language, whichever index asks
			err := registry.RegisterTokenFilter(l.repeatFilter(), func(_ map[string]any, cache *registry.Cache) (analysis.TokenFilter, error) {
				if l.Analyzer == indonesian {
					// A custom analyzer of the mapping, which a cache may not
					// have built yet: its one filter, directly.
					return repeatStems{chain: []analysis.TokenFilter{stemTokens{st}}, stems: stems}, nil
				}
				a, err := cache.AnalyzerNamed(l.Analyzer)
				if err != nil {
					return nil, err
				}
				da, ok := a.(*analysis.DefaultAnalyzer)
				if !ok {
					return nil, fmt.Errorf("analyzer %s is not a chain of token filters", l.Analyzer)
				}
				return repeatStems{chain: da.TokenFilters, stems: stems}, nil
			})
			if err != nil {
				panic("analysis: " + err.Error())
			}
		}
	})
}

// AddAnalyzers adds the analyzers of this package to m. Register must have
// been called.
func AddAnalyzers(m *mapping.IndexMappingImpl) error {
	if err := m.AddCustomAnalyzer(Exact, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return err
	}
	if err := m.AddCustomAnalyzer(indonesian, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name, stemFilter},
	}); err != nil {
		return err
	}
	for _, l := range Languages() {
		if err := m.AddCustomAnalyzer(l.Words(), map[string]any{
			"type":          custom.Name,
			"tokenizer":     unicode.Name,
			"token_filters": []any{lowercase.Name, l.repeatFilter()},
		}); err != nil {
			return err
		}
	}
	return nil
}

// repeatStems adds to a stream of words the stem of each, by a language's
// chain of token filters, at the same place, where it differs from the
// word: "pertemuan" is indexed as "pertemuan" and "temu". A word the chain
// drops (a stop word) keeps only its form as written. Every filter of the
// chains it runs reads one token at a time, so a word's stem is the same
// wherever it stands: stems remembers it, and most words of a text are
// looked up rather than stemmed again.
type repeatStems struct {
	chain []analysis.TokenFilter
	// stems maps a word to its stem, nil when there is none to add. The
	// stems are shared by the tokens they are given to, which nothing
	// after repeatStems changes: Bleve only counts and indexes them.
	stems *memo[[]byte]
}

// Filter returns in with the stems added.
func (f repeatStems) Filter(in analysis.TokenStream) analysis.TokenStream {
	words := len(in)
	var added []analysis.Token // the stems' tokens, allocated together
	for _, t := range in[:words] {
		stem, ok := f.stems.get(string(t.Term))
		if !ok {
			stem = f.stem(t)
			f.stems.put(string(t.Term), stem)
		}
		if stem == nil {
			continue
		}
		if added == nil {
			added = make([]analysis.Token, 0, words)
		}
		added = append(added, analysis.Token{Term: stem, Start: t.Start, End: t.End, Position: t.Position, Type: t.Type})
		in = append(in, &added[len(added)-1])
	}
	return in
}

// stem runs the chain on a copy of t alone, and returns the stem, or nil
// when the chain drops the word or leaves it as it is.
func (f repeatStems) stem(t *analysis.Token) []byte {
	cp := *t
	cp.Term = bytes.Clone(t.Term)
	out := analysis.TokenStream{&cp}
	for _, fl := range f.chain {
		out = fl.Filter(out)
	}
	if len(out) != 1 || bytes.Equal(out[0].Term, t.Term) {
		return nil
	}
	return bytes.Clone(out[0].Term)
}

// maxMemo bounds the words a memo remembers.
const maxMemo = 200_000

// memo remembers what was worked out for a word (its stem), up to maxMemo
// words, then starts again. It is safe for concurrent use.
type memo[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

func newMemo[V any]() *memo[V] { return &memo[V]{m: make(map[string]V, 1<<12)} }

func (c *memo[V]) get(word string) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[word]
	c.mu.RUnlock()
	return v, ok
}

func (c *memo[V]) put(word string, v V) {
	c.mu.Lock()
	if len(c.m) >= maxMemo {
		clear(c.m)
	}
	c.m[word] = v
	c.mu.Unlock()
}

// stemTokens is the Bleve token filter of the Indonesian stemmer.
type stemTokens struct{ st *IndonesianStemmer }

// Filter stems every token in place.
func (f stemTokens) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		if s := f.st.Stem(string(tok.Term)); s != string(tok.Term) {
			tok.Term = []byte(s)
		}
	}
	return in
}
