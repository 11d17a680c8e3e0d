package store

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
)

// highlighter marks the query's words in the hits' text. The index keeps no
// term vectors for the text field (they cost a fifth of the indexing time
// and a large part of the index on disk), so the words' locations are found
// at search time instead, by analysing each hit's stored text as the field
// was analysed; Bleve's html highlighter then cuts the fragment, escapes it
// and marks the words (<mark>…</mark>), as it would from term vectors.
type highlighter struct {
	analyzer analysis.Analyzer
	hl       highlight.Highlighter
	words    map[string]bool
}

func (s *Store) newHighlighter(words []string) (*highlighter, error) {
	analyzer := s.idx.Mapping().AnalyzerNamed(textAnalyzer)
	if analyzer == nil {
		return nil, fmt.Errorf("analyzer %s is missing from the index mapping", textAnalyzer)
	}
	hl, err := bleve.Config.Cache.HighlighterNamed(html.Name)
	if err != nil {
		return nil, fmt.Errorf("highlighter: %w", err)
	}
	h := &highlighter{analyzer: analyzer, hl: hl, words: make(map[string]bool, len(words))}
	for _, w := range words {
		h.words[w] = true
	}
	return h, nil
}

// fragments returns the best fragment of text around the words, or none if
// the text has none of them (the hit matched on its title or entities).
func (h *highlighter) fragments(id, text string) []string {
	locs := search.TermLocationMap{}
	for _, tok := range h.analyzer.Analyze([]byte(text)) {
		if term := string(tok.Term); h.words[term] {
			locs[term] = append(locs[term], &search.Location{Pos: uint64(tok.Position), Start: uint64(tok.Start), End: uint64(tok.End)})
		}
	}
	if len(locs) == 0 {
		return []string{}
	}
	dm := &search.DocumentMatch{ID: id, Locations: search.FieldTermLocationMap{fieldText: locs}}
	doc := document.NewDocument(id)
	doc.AddField(document.NewTextField(fieldText, nil, []byte(text)))
	return h.hl.BestFragmentsInField(dm, doc, fieldText, 1)
}
