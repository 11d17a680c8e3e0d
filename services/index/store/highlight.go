package store

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"

	"github.com/warta-news/warta/pkg/events"
	wartaanalysis "github.com/warta-news/warta/services/index/analysis"
)

// Bounds of highlighting, per hit.
const (
	// MaxHighlightScanBytes is how far into a paragraph the query's words
	// are looked for.
	MaxHighlightScanBytes = 256 << 10
	// highlightWindow is how many bytes on each side of a word found are
	// analysed and may show in the fragment (Bleve's fragments are 200
	// characters).
	highlightWindow = 400
	// highlightTries bounds the places analysed: a word found as a byte
	// string may be inside a longer word ("kukisnya"), which analysis
	// then rules out.
	highlightTries = 8
	// foldChunk is how much text is lower-cased at a time to be searched.
	foldChunk = 16 << 10
)

// highlighter marks the query's words in the hits' text: the words as
// written, the other forms of them in the paragraph's language (q=bertemu
// marks "pertemuan"), and the names of the entities they name (q=Moscow
// marks "Moskow", an entity linked to Moscow). The index keeps no term
// vectors for the text field (they cost a fifth of the indexing time and a
// large part of the index on disk), so the words' locations are found at
// search time instead: a lower-cased copy of the text, a chunk at a time,
// is searched for the words and their stems, and a window of a few hundred
// bytes around the first one found is analysed as the field was; Bleve's
// html highlighter then cuts the fragment, escapes it and marks the words
// (<mark>…</mark>), as it would from term vectors.
//
// Analysing the whole text instead cost about 200 ns and 30 bytes of
// garbage per byte: 2 s and 300 MB for a page of 40 paragraphs of 250 KB.
type highlighter struct {
	analyzer analysis.Analyzer
	hl       highlight.Highlighter
	words    map[string]bool
	// stems holds the words' forms per language key, and stemmers the
	// analyses that make them.
	stems    map[string]map[string]bool
	stemmers map[string]analysis.Analyzer
	// list holds the strings to look for, longest is the longest's length,
	// and buf is the lower-cased chunk being searched.
	list    [][]byte
	longest int
	buf     []byte
	// spans are the entities of the paragraph being highlighted that the
	// words name, as byte ranges.
	spans [][2]int
}

// newHighlighter returns the highlighter of the positive words of p; nil
// when it has none (fragments then returns none).
func (s *Store) newHighlighter(p parsed) (*highlighter, error) {
	if len(p.words) == 0 {
		return nil, nil
	}
	analyzer := s.idx.Mapping().AnalyzerNamed(textAnalyzer)
	if analyzer == nil {
		return nil, fmt.Errorf("analyzer %s is missing from the index mapping", textAnalyzer)
	}
	hl, err := bleve.Config.Cache.HighlighterNamed(html.Name)
	if err != nil {
		return nil, fmt.Errorf("highlighter: %w", err)
	}
	h := &highlighter{analyzer: analyzer, hl: hl, words: make(map[string]bool, len(p.words)),
		stems: map[string]map[string]bool{}, stemmers: map[string]analysis.Analyzer{}}
	for _, w := range p.words {
		h.words[w] = true
	}
	// Every language's analysis, not only those where a word has another
	// form: "tariffs" is marked for q=tariff, its own stem.
	for _, l := range wartaanalysis.Languages() {
		h.stemmers[l.Key] = s.idx.Mapping().AnalyzerNamed(l.Analyzer)
	}
	for key, stems := range p.stems {
		h.stems[key] = map[string]bool{}
		for _, st := range stems {
			h.stems[key][st] = true
		}
	}
	return h, nil
}

// fragments returns the best fragment of paragraph p around the words, or
// none if its first MaxHighlightScanBytes have none of them.
func (h *highlighter) fragments(p *events.EnrichedParagraph) []string {
	if h == nil {
		return []string{}
	}
	key := ""
	if st, ok := wartaanalysis.ForLang(strings.ToLower(p.Lang)); ok {
		key = st.Key
	}
	h.list, h.longest = h.list[:0], 0
	for w := range h.words {
		h.addLocator(w)
	}
	for st := range h.stems[key] {
		// A stem may differ from the forms it stands for in its last
		// letter ("energi" for "energy"): look for what comes before.
		if n := utf8.RuneCountInString(st); n >= 5 {
			_, size := utf8.DecodeLastRuneInString(st)
			st = st[:len(st)-size]
		}
		h.addLocator(st)
	}
	h.spans = h.spans[:0]
	for _, e := range p.Entities {
		if e.End <= len(p.Text) && (h.names(e.Canonical) || h.names(e.Text)) {
			h.spans = append(h.spans, [2]int{e.Start, e.End})
		}
	}
	text := p.Text
	scan := text[:runeStart(text, MaxHighlightScanBytes)]
	for tries, from := 0, 0; tries < highlightTries; tries++ {
		at, n := h.find(scan, from)
		for _, sp := range h.spans {
			if sp[0] >= from && (at < 0 || sp[0] < at) {
				at, n = sp[0], sp[1]-sp[0]
			}
		}
		if at < 0 {
			break
		}
		if f := h.window(p.ID, text, at, n, key); f != nil {
			return f
		}
		from = at + 1
		for from < len(scan) && !utf8.RuneStart(scan[from]) {
			from++
		}
	}
	return []string{}
}

func (h *highlighter) addLocator(w string) {
	h.list = append(h.list, []byte(w))
	h.longest = max(h.longest, len(w))
}

// names reports whether name, an entity's canonical name or text, has one
// of the words.
func (h *highlighter) names(name string) bool {
	for _, tok := range h.analyzer.Analyze([]byte(name)) {
		if h.words[string(tok.Term)] {
			return true
		}
	}
	return false
}

// marks reports whether the token term at [start, end) of the window is
// one to mark: a word, a form of one, or in an entity the words name.
func (h *highlighter) marks(term string, start, end int, key string) bool {
	if h.words[term] {
		return true
	}
	for _, sp := range h.spans {
		if start >= sp[0] && end <= sp[1] {
			return true
		}
	}
	if a := h.stemmers[key]; a != nil {
		// The term's form in the paragraph's language is a word's form,
		// or the word itself.
		if toks := a.Analyze([]byte(term)); len(toks) == 1 {
			st := toks[0].Term
			return h.stems[key][string(st)] || h.words[string(st)]
		}
	}
	return false
}

// phrasesIn reports whether paragraph p has, for every positive clause
// with a phrase, one of the clause's units: a phrase's words in a row in
// its text or in an entity's name, or a word.
func (h *highlighter) phrasesIn(p *events.EnrichedParagraph, positives []clause) bool {
	var texts [][]string
	for _, c := range positives {
		if !c.hasPhrase() {
			continue
		}
		if texts == nil {
			for _, t := range append([]string{p.Text}, entityNames(p)...) {
				var toks []string
				for _, tok := range h.analyzer.Analyze([]byte(t)) {
					toks = append(toks, string(tok.Term))
				}
				texts = append(texts, toks)
			}
		}
		found := false
		for _, u := range c.units {
			for _, toks := range texts {
				if containsRun(toks, u.words) {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func entityNames(p *events.EnrichedParagraph) []string {
	var out []string
	for _, e := range p.Entities {
		out = append(out, e.Text, e.Canonical)
	}
	return out
}

// find returns where the first of the words occurs in text at or after
// from, compared in lower case, and its length; -1 if none does.
func (h *highlighter) find(text string, from int) (int, int) {
	for from < len(text) {
		end := min(from+foldChunk, len(text))
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		h.buf = foldCase(h.buf[:0], text[from:end])
		at, n := -1, 0
		for _, w := range h.list {
			if i := bytes.Index(h.buf, w); i >= 0 && (at < 0 || i < at) {
				at, n = i, len(w)
			}
		}
		if at >= 0 {
			return from + at, n
		}
		if end == len(text) {
			break
		}
		// The next chunk starts early enough to find a word cut by this
		// one's end.
		next := end - (h.longest - 1)
		for next > from && !utf8.RuneStart(text[next]) {
			next--
		}
		from = max(next, from+1)
	}
	return -1, 0
}

// window analyses the text around at (a word of n bytes, found by find)
// and returns its best fragment; nil if the analysis finds none of the
// words there.
func (h *highlighter) window(id, text string, at, n int, key string) []string {
	start, end := max(0, at-highlightWindow), min(len(text), at+n+highlightWindow)
	// Whole words: from after a space, to before one.
	if start > 0 {
		if i := strings.IndexByte(text[start:at], ' '); i >= 0 {
			start += i + 1
		}
		for start < at && !utf8.RuneStart(text[start]) {
			start++
		}
	}
	if end < len(text) {
		if i := strings.LastIndexByte(text[at+n:end], ' '); i >= 0 {
			end = at + n + i
		}
		end = max(runeStart(text, end), at+n)
	}
	part := text[start:end]
	locs := search.TermLocationMap{}
	for _, tok := range h.analyzer.Analyze([]byte(part)) {
		if term := string(tok.Term); h.marks(term, start+tok.Start, start+tok.End, key) {
			locs[term] = append(locs[term], &search.Location{Pos: uint64(tok.Position), Start: uint64(tok.Start), End: uint64(tok.End)})
		}
	}
	if len(locs) == 0 {
		return nil
	}
	dm := &search.DocumentMatch{ID: id, Locations: search.FieldTermLocationMap{fieldText: locs}}
	doc := document.NewDocument(id)
	doc.AddField(document.NewTextField(fieldText, nil, []byte(part)))
	frags := h.hl.BestFragmentsInField(dm, doc, fieldText, 1)
	// The highlighter marks a fragment cut from its text with its
	// separator: the window's edges are cuts too, unless they are the
	// paragraph's.
	sep := h.hl.Separator()
	for i, f := range frags {
		if start > 0 && !strings.HasPrefix(f, sep) {
			f = sep + f
		}
		if end < len(text) && !strings.HasSuffix(f, sep) {
			f += sep
		}
		frags[i] = f
	}
	return frags
}

// foldCase appends s lower-cased to dst, rune by rune, keeping every
// rune's length so that offsets into dst are offsets into s: a rune whose
// lower case is longer or shorter (rare: "İ") stays as it is.
func foldCase(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if l := unicode.ToLower(r); l != r && utf8.RuneLen(l) == size {
			dst = utf8.AppendRune(dst, l)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}
