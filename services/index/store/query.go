package store

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/warta-news/warta/services/index/analysis"
)

// The query language of Query.Text, what people type in a search box:
//
//	parade militer         both words (anywhere in the article)
//	"parade militer"       the words in a row
//	Putin -Trump           Putin, and not Trump
//	Xi OR Putin            either
//
// A word matches its exact form, its language's other forms (stems) and the
// names of entities ("Moscow" finds the paragraph that says "Moskow", which
// the tagger linked to Moscow). "OR" must be in capitals, between two words
// or phrases; "-" goes right before a word or a phrase. Nothing else is an
// operator: no field names, wildcards, fuzziness or regular expressions,
// which would let one query cost the index a scan.

// unit is one thing a query asks for: a word, or words in a row (a phrase).
type unit struct {
	words []string
	// stems holds, per language analysis key ("en", "id"), the stem of a
	// single word where it differs from the word.
	stems map[string]string
}

func (u unit) phrase() bool { return len(u.words) > 1 }

// clause is what one part of a query asks of an article: one of its units
// (more than one when joined by OR), or, negated, none of them.
type clause struct {
	units   []unit
	negated bool
}

func (c clause) hasPhrase() bool { return slices.ContainsFunc(c.units, unit.phrase) }

// parsed is a query's free text, read.
type parsed struct {
	clauses []clause
	// nothing says the text had no word at all (only punctuation): it
	// matches nothing.
	nothing bool
	// words are every word of the positive clauses, to highlight.
	words []string
	// stems are their word forms, per language key ("en", "id").
	stems map[string][]string
}

func (p parsed) positives() []clause {
	return slices.DeleteFunc(slices.Clone(p.clauses), func(c clause) bool { return c.negated })
}

func (p parsed) negatives() []clause {
	return slices.DeleteFunc(slices.Clone(p.clauses), func(c clause) bool { return !c.negated })
}

// item is one word or quoted phrase as typed, with a minus before it or not.
type item struct {
	text    string
	negated bool
	or      bool // the word OR
}

// scanItems splits text into words, quoted phrases and ORs.
func scanItems(text string) []item {
	var out []item
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		neg := false
		if r == '-' && i+1 < len(text) && !unicode.IsSpace(rune(text[i+1])) {
			neg = true
			i++
		}
		if i < len(text) && text[i] == '"' {
			end := strings.IndexByte(text[i+1:], '"')
			if end < 0 {
				end = len(text) - i - 1
			}
			out = append(out, item{text: text[i+1 : i+1+end], negated: neg})
			i += end + 2
			continue
		}
		end := strings.IndexFunc(text[i:], unicode.IsSpace)
		if end < 0 {
			end = len(text) - i
		}
		word := text[i : i+end]
		out = append(out, item{text: word, negated: neg, or: word == "OR" && !neg})
		i += end
	}
	return out
}

// parse reads a query's free text into clauses.
func (s *Store) parse(text string) (parsed, error) {
	exact := s.idx.Mapping().AnalyzerNamed(textAnalyzer)
	if exact == nil {
		return parsed{}, fmt.Errorf("analyzer %s is missing from the index mapping", textAnalyzer)
	}
	items := scanItems(text)
	var p parsed
	distinct := map[string]bool{}
	joinNext := false
	for k, it := range items {
		if it.or {
			// OR between two words or phrases joins them; elsewhere it is
			// a word.
			if len(p.clauses) > 0 && !p.clauses[len(p.clauses)-1].negated && k+1 < len(items) && !items[k+1].or {
				joinNext = true
				continue
			}
			it.text = "or"
		}
		var u unit
		for _, tok := range exact.Analyze([]byte(it.text)) {
			u.words = append(u.words, string(tok.Term))
		}
		if len(u.words) == 0 {
			continue // punctuation only
		}
		for _, w := range u.words {
			distinct[w] = true
		}
		if len(distinct) > MaxTerms {
			return parsed{}, badQuery("text has more than %d distinct words: use at most %d", MaxTerms, MaxTerms)
		}
		if !u.phrase() {
			u.stems = s.stemsOf(u.words[0])
		}
		if joinNext {
			last := &p.clauses[len(p.clauses)-1]
			last.units = append(last.units, u)
			joinNext = false
			continue
		}
		p.clauses = append(p.clauses, clause{units: []unit{u}, negated: it.negated})
	}
	p.nothing = strings.TrimSpace(text) != "" && len(p.clauses) == 0
	p.stems = map[string][]string{}
	seen := map[string]bool{}
	for _, c := range p.positives() {
		for _, u := range c.units {
			for _, w := range u.words {
				if !seen[w] {
					seen[w] = true
					p.words = append(p.words, w)
				}
			}
			for key, stem := range u.stems {
				if !slices.Contains(p.stems[key], stem) {
					p.stems[key] = append(p.stems[key], stem)
				}
			}
		}
	}
	return p, nil
}

// stemsOf returns the stem of word in every language analysis, by analysis
// key, leaving out the languages whose analysis drops it (a stop word) or
// keeps it as it is (the word as written matches it already).
func (s *Store) stemsOf(word string) map[string]string {
	out := map[string]string{}
	for _, l := range analysis.Languages() {
		a := s.idx.Mapping().AnalyzerNamed(l.Analyzer)
		if a == nil {
			continue
		}
		toks := a.Analyze([]byte(word))
		if len(toks) != 1 || string(toks[0].Term) == word {
			continue
		}
		out[l.Key] = string(toks[0].Term)
	}
	return out
}

// paragraphQuery is what a paragraph document must match for clause c:
// one of its units in its words (as written or stemmed) or entity names. A
// phrase asks for its words here; that they are in a row is checked on the
// hits (the index keeps no word positions).
func (c clause) paragraphQuery() bq.Query { return c.query(fieldText, fieldEntityText) }

// titleQuery is what an article document's title must match for clause c.
func (c clause) titleQuery() bq.Query { return c.query(fieldTitle, "") }

// query matches one of c's units in the words fields of base ("text",
// "title") and, if set, in field extra: a word as written in any of them,
// or its stem in the field of its language (weighed stemBoost); a phrase's
// every word as written.
func (c clause) query(base, extra string) bq.Query {
	exact := func(w string) []bq.Query {
		var qs []bq.Query
		for _, key := range wordsKeys() {
			qs = append(qs, termQuery(wordsField(base, key), w))
		}
		if extra != "" {
			qs = append(qs, termQuery(extra, w))
		}
		return qs
	}
	var alts []bq.Query
	for _, u := range c.units {
		if u.phrase() {
			all := make([]bq.Query, len(u.words))
			for i, w := range u.words {
				all[i] = bleve.NewDisjunctionQuery(exact(w)...)
			}
			alts = append(alts, bleve.NewConjunctionQuery(all...))
			continue
		}
		qs := exact(u.words[0])
		for key, stem := range u.stems {
			qs = append(qs, boosted(termQuery(wordsField(base, key), stem), stemBoost))
		}
		alts = append(alts, bleve.NewDisjunctionQuery(qs...))
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// containsRun reports whether words occur in a row among tokens.
func containsRun(tokens, words []string) bool {
	for i := 0; i+len(words) <= len(tokens); i++ {
		if slices.Equal(tokens[i:i+len(words)], words) {
			return true
		}
	}
	return false
}

// stemBoost weighs a match of a word's form against a match of the word as
// written: an exact form scores on both, and ranks well above a form that
// only shares the stem (q=pertemuan puts "pertemuan" above "bertemu").
const stemBoost = 0.3

func boosted(q *bq.TermQuery, b float64) *bq.TermQuery {
	q.SetBoost(b)
	return q
}
