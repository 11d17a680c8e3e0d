package store

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/warta-news/warta/pkg/events"
)

// articleState is what the index holds of one article before a batch.
type articleState struct {
	// current is the version of the article document: the last version of
	// the article that was complete. It is "" before any version completed.
	current string
	// live maps the index of each paragraph document to its version.
	live map[int]string
	// pending maps a version to the indexes of its pending documents.
	pending map[string]map[int]bool
}

func newArticleState() *articleState {
	return &articleState{live: map[int]string{}, pending: map[string]map[int]bool{}}
}

// Apply writes a batch of enriched paragraphs and reports the articles that
// are complete after it. It returns an error wrapping events.ErrInvalid if a
// paragraph fails events.EnrichedParagraph.Validate, before writing anything;
// callers should validate each message as they decode it (events.DecodeEnriched
// does) so that one bad message does not hold up a batch. Other errors come
// from the index and are worth retrying.
//
// Everything Apply changes goes into one Bleve batch, which searches see
// entirely or not at all, and which is on disk when Apply returns. Writing the
// same paragraphs again changes nothing (documents are keyed by paragraph id),
// so redelivered messages are harmless.
//
// Versions. An article's paragraphs carry the Version of the content they were
// cut from; an article is complete when all Count paragraphs of one version are
// in. The rule is "the last version to complete wins, and nothing else ever
// replaces a complete version":
//
//   - Until a version of the article has completed, paragraphs are written as
//     paragraph documents ("<article_id>-<index>") at once and are searchable.
//   - Once the article has a complete version, its paragraphs are rewritten in
//     place when redelivered, but a paragraph of any other version is written
//     as a pending document, invisible to search. A stale redelivery of an
//     older version therefore cannot clobber the current one.
//   - When all paragraphs of a version are in (as paragraph or pending
//     documents), that version becomes current in the same batch: its
//     paragraphs are written as the paragraph documents, paragraph documents
//     with index >= Count are deleted, its pending documents are deleted, and
//     the article document "article:<article_id>" is written. If it replaced
//     another version, every pending document of the article is deleted too,
//     so leftovers of versions that never completed do not pile up.
//   - If more than one version completes in one batch, a version other than
//     the current one wins over the current one (new content beats a
//     redelivery of the old), and among those the one whose last paragraph
//     comes latest in ps wins.
//
// Apply returns an ArticleIndexed for every article of ps that is complete
// after the batch, whether or not it was complete before, so that the event
// is published again after a crash between writing and publishing; publish it
// with a dedupe id built from ArticleID and Version.
//
// Pending documents of a version that never completes (one of its paragraphs
// was dead-lettered, say) stay, invisible to search, until another version of
// the article completes.
//
// Known limit: versions are content hashes and carry no order, so if every
// paragraph of an old version is redelivered after a newer version completed,
// the old version completes again and becomes current. Rebuilding the index by
// replaying the stream in order ends on the newest version.
func (s *Store) Apply(ctx context.Context, ps []events.EnrichedParagraph) ([]events.ArticleIndexed, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			return nil, fmt.Errorf("paragraph %q: %w", ps[i].ID, err)
		}
	}
	var order []string
	byArticle := map[string][]*events.EnrichedParagraph{}
	for i := range ps {
		p := &ps[i]
		if _, ok := byArticle[p.ArticleID]; !ok {
			order = append(order, p.ArticleID)
		}
		byArticle[p.ArticleID] = append(byArticle[p.ArticleID], p)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	states, err := s.loadStates(ctx, order, len(ps))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	batch := s.idx.NewBatch()
	var done []events.ArticleIndexed
	for _, id := range order {
		c, err := s.plan(ctx, batch, id, byArticle[id], states[id], now)
		if err != nil {
			return nil, err
		}
		if c != nil {
			done = append(done, *c)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.idx.Batch(batch); err != nil {
		return nil, fmt.Errorf("write batch of %d paragraphs: %w", len(ps), err)
	}
	return done, nil
}

// loadStates reads the article, paragraph and pending documents of articles.
func (s *Store) loadStates(ctx context.Context, articles []string, guess int) (map[string]*articleState, error) {
	states := make(map[string]*articleState, len(articles))
	terms := make([]bq.Query, 0, len(articles))
	for _, id := range articles {
		states[id] = newArticleState()
		terms = append(terms, termQuery(fieldArticleID, id))
	}
	req := bleve.NewSearchRequest(bleve.NewDisjunctionQuery(terms...))
	req.Fields = []string{fieldType, fieldArticleID, fieldVersion, fieldIndex}
	req.Score = bleve.ScoreNone
	res, err := s.searchAll(ctx, req, 2*guess)
	if err != nil {
		return nil, fmt.Errorf("read state of %d articles: %w", len(articles), err)
	}
	for _, h := range res.Hits {
		st := states[storedString(h.Fields, fieldArticleID)]
		if st == nil {
			continue
		}
		version := storedString(h.Fields, fieldVersion)
		index := storedInt(h.Fields, fieldIndex)
		switch storedString(h.Fields, fieldType) {
		case typeArticle:
			st.current = version
		case typeParagraph:
			st.live[index] = version
		case typePending:
			if st.pending[version] == nil {
				st.pending[version] = map[int]bool{}
			}
			st.pending[version][index] = true
		}
	}
	return states, nil
}

// plan adds to batch what the paragraphs ps of one article change, following
// the rule documented on Apply, and returns the article's completion if it is
// complete afterwards.
func (s *Store) plan(ctx context.Context, batch *bleve.Batch, articleID string, ps []*events.EnrichedParagraph, st *articleState, now time.Time) (*events.ArticleIndexed, error) {
	// ops maps a document id to its new content, or to nil for a deletion.
	// Collecting them first makes a later decision override an earlier one.
	ops := map[string]map[string]any{}
	// batchParas maps a version and index to its paragraph in ps.
	batchParas := map[string]map[int]*events.EnrichedParagraph{}
	last := map[string]int{} // version → position of its last paragraph in ps
	for pos, p := range ps {
		if st.current == "" || p.Version == st.current {
			doc, err := paragraphDoc(p)
			if err != nil {
				return nil, err
			}
			ops[p.ID] = doc
			st.live[p.Index] = p.Version
		} else {
			doc, err := pendingDoc(p)
			if err != nil {
				return nil, err
			}
			ops[pendingDocID(articleID, p.Version, p.Index)] = doc
			if st.pending[p.Version] == nil {
				st.pending[p.Version] = map[int]bool{}
			}
			st.pending[p.Version][p.Index] = true
		}
		if batchParas[p.Version] == nil {
			batchParas[p.Version] = map[int]*events.EnrichedParagraph{}
		}
		batchParas[p.Version][p.Index] = p
		last[p.Version] = pos
	}

	winner, best := "", -1
	for v, pos := range last {
		count := ps[pos].Count
		complete := true
		for i := 0; i < count && complete; i++ {
			complete = st.live[i] == v || st.pending[v][i]
		}
		if !complete {
			continue
		}
		// Rank: a version other than the current one first, then the latest.
		rank := pos
		if v != st.current {
			rank += len(ps)
		}
		if rank > best {
			winner, best = v, rank
		}
	}
	if winner == "" {
		return nil, addOps(batch, ops)
	}

	meta := ps[last[winner]]
	count := meta.Count
	var missing []int
	for i := range count {
		if st.live[i] == winner {
			continue
		}
		if p := batchParas[winner][i]; p != nil {
			doc, err := paragraphDoc(p)
			if err != nil {
				return nil, err
			}
			ops[events.ParagraphID(articleID, i)] = doc
			continue
		}
		missing = append(missing, i)
	}
	if len(missing) > 0 {
		promoted, err := s.loadPending(ctx, articleID, winner, missing)
		if err != nil {
			return nil, err
		}
		for i := range promoted {
			doc, err := paragraphDoc(&promoted[i])
			if err != nil {
				return nil, err
			}
			ops[promoted[i].ID] = doc
		}
	}
	for i := range st.live {
		if i >= count {
			ops[events.ParagraphID(articleID, i)] = nil
		}
	}
	for v, indexes := range st.pending {
		if v == winner || winner != st.current {
			for i := range indexes {
				ops[pendingDocID(articleID, v, i)] = nil
			}
		}
	}
	doc, err := articleDoc(meta, now)
	if err != nil {
		return nil, err
	}
	ops[articleDocID(articleID)] = doc
	if err := addOps(batch, ops); err != nil {
		return nil, err
	}
	return &events.ArticleIndexed{
		V:          events.Version,
		ArticleID:  articleID,
		Version:    winner,
		Title:      meta.Title,
		Paragraphs: count,
		IndexedAt:  now,
	}, nil
}

// addOps adds ops to batch. Every id appears once in ops, so the order in
// which they are added does not matter.
func addOps(batch *bleve.Batch, ops map[string]map[string]any) error {
	for id, doc := range ops {
		if doc == nil {
			batch.Delete(id)
			continue
		}
		if err := batch.Index(id, doc); err != nil {
			return fmt.Errorf("map document %s: %w", id, err)
		}
	}
	return nil
}

// loadPending reads the pending paragraphs of one version of an article.
func (s *Store) loadPending(ctx context.Context, articleID, version string, indexes []int) ([]events.EnrichedParagraph, error) {
	ids := make([]string, len(indexes))
	for i, index := range indexes {
		ids[i] = pendingDocID(articleID, version, index)
	}
	req := bleve.NewSearchRequest(bleve.NewDocIDQuery(ids))
	req.Fields = []string{fieldSource}
	req.Score = bleve.ScoreNone
	res, err := s.searchAll(ctx, req, len(ids)+1)
	if err != nil {
		return nil, fmt.Errorf("read pending paragraphs of %s: %w", articleID, err)
	}
	if len(res.Hits) != len(ids) {
		return nil, fmt.Errorf("read pending paragraphs of %s version %s: found %d of %d", articleID, version, len(res.Hits), len(ids))
	}
	out := make([]events.EnrichedParagraph, len(res.Hits))
	for i, h := range res.Hits {
		p, err := decodeParagraph(h.ID, h.Fields)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
