package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/segmentio/encoding/json"
	"github.com/warta-news/warta/pkg/events"
)

// ArticleView is an article with its current paragraphs.
type ArticleView struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	// Complete is false while the first version of the article is still
	// being indexed: then only the paragraphs in so far are listed, and the
	// metadata comes from the first of them.
	Complete    bool   `json:"complete"`
	Title       string `json:"title"`
	URL         string `json:"url,omitempty"`
	Source      string `json:"source,omitempty"`
	Lang        string `json:"lang,omitempty"`
	PublishedAt string `json:"published_at,omitempty"`
	// Count is the number of paragraphs of the version.
	Count int `json:"count"`
	// IndexedAt is when the version was last found complete; nil if Complete is false.
	IndexedAt  *time.Time      `json:"indexed_at,omitempty"`
	Paragraphs []ParagraphView `json:"paragraphs"`
}

// ParagraphView is one paragraph of an ArticleView.
type ParagraphView struct {
	ID      string `json:"id"`
	Index   int    `json:"index"`
	Version string `json:"version"`
	Text    string `json:"text"`
	// Entities and Dates have byte offsets into Text, and rune and UTF-16
	// offsets beside them (see Hit).
	Entities []EntitySpan `json:"entities"`
	Dates    []DateSpan   `json:"dates"`
	Tagger   string       `json:"tagger,omitempty"`
}

// Article returns the article with id and its paragraphs sorted by index. It
// reports false if the index has no paragraph of it. Errors come from the index.
func (s *Store) Article(ctx context.Context, id string) (ArticleView, bool, error) {
	if id == "" {
		return ArticleView{}, false, nil
	}
	res, err := s.articleDocs(ctx, id)
	if err != nil {
		return ArticleView{}, false, fmt.Errorf("read article %s: %w", id, err)
	}
	view := ArticleView{ID: id, Paragraphs: []ParagraphView{}}
	var rec *articleRecord
	var first *events.EnrichedParagraph
	for _, h := range res.Hits {
		if storedString(h.Fields, fieldType) == typeArticle {
			rec = &articleRecord{}
			if err := json.Unmarshal([]byte(storedString(h.Fields, fieldSource)), rec); err != nil {
				return ArticleView{}, false, fmt.Errorf("decode stored article %s: %w", id, err)
			}
			continue
		}
		p, err := decodeParagraph(h.ID, h.Fields)
		if err != nil {
			return ArticleView{}, false, err
		}
		es, ds := spans(p.Text, p.Entities, p.Dates)
		view.Paragraphs = append(view.Paragraphs, ParagraphView{
			ID: p.ID, Index: p.Index, Version: p.Version, Text: p.Text,
			Entities: es, Dates: ds, Tagger: p.Tagger,
		})
		if first == nil || p.Index < first.Index {
			first = &p
		}
	}
	sort.Slice(view.Paragraphs, func(i, j int) bool { return view.Paragraphs[i].Index < view.Paragraphs[j].Index })
	switch {
	case rec != nil:
		at := rec.IndexedAt
		view.Version, view.Complete, view.Title, view.URL, view.Source = rec.Version, true, rec.Title, rec.URL, rec.Source
		view.Lang, view.PublishedAt, view.Count, view.IndexedAt = rec.Lang, publishedAt(rec.PublishedAt), rec.Count, &at
	case first != nil:
		view.Version, view.Title, view.URL, view.Source = first.Version, first.Title, first.URL, first.Source
		view.Lang, view.PublishedAt, view.Count = first.Lang, publishedAt(first.PublishedAt), first.Count
	default:
		return ArticleView{}, false, nil
	}
	return view, true, nil
}

// articleDocs reads the article document and the paragraph documents of
// article id, with what decodeParagraph and the article's record need.
func (s *Store) articleDocs(ctx context.Context, id string) (*bleve.SearchResult, error) {
	req := bleve.NewSearchRequest(bleve.NewConjunctionQuery(
		termQuery(fieldArticleID, id),
		bleve.NewDisjunctionQuery(termQuery(fieldType, typeArticle), termQuery(fieldType, typeParagraph)),
	))
	req.Fields = []string{fieldType, fieldSource, fieldText, fieldTitle}
	req.Score = bleve.ScoreNone
	return s.searchAll(ctx, req, 64)
}

// Stats describes the index.
type Stats struct {
	// Articles counts the articles with a complete version.
	Articles uint64 `json:"articles"`
	// Paragraphs counts the searchable paragraphs.
	Paragraphs uint64 `json:"paragraphs"`
	// Entities counts the distinct canonical entity names in the index. It
	// may include names of deleted paragraphs until Bleve merges the segments
	// that held them.
	Entities uint64 `json:"entities"`
	// IndexPath is the directory of the index.
	IndexPath string `json:"index_path"`
	// DocCount counts every document: paragraphs, articles, and paragraphs
	// of versions still being indexed.
	DocCount uint64 `json:"doc_count"`
}

// Stats counts what the index holds. Errors come from the index.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{IndexPath: s.path}
	for _, c := range []struct {
		typ string
		n   *uint64
	}{{typeArticle, &st.Articles}, {typeParagraph, &st.Paragraphs}} {
		req := bleve.NewSearchRequestOptions(termQuery(fieldType, c.typ), 0, 0, false)
		res, err := s.idx.SearchInContext(ctx, req)
		if err != nil {
			return Stats{}, fmt.Errorf("count %s documents: %w", c.typ, err)
		}
		*c.n = res.Total
	}
	n, err := s.idx.DocCount()
	if err != nil {
		return Stats{}, fmt.Errorf("count documents: %w", err)
	}
	st.DocCount = n
	dict, err := s.idx.FieldDict(fieldEntity)
	if err != nil {
		return Stats{}, fmt.Errorf("read entity dictionary: %w", err)
	}
	defer func() { _ = dict.Close() }()
	for {
		e, err := dict.Next()
		if err != nil {
			return Stats{}, fmt.Errorf("read entity dictionary: %w", err)
		}
		if e == nil {
			break
		}
		if e.Count > 0 {
			st.Entities++
		}
		if st.Entities%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return Stats{}, err
			}
		}
	}
	return st, nil
}
