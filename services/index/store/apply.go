package store

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/segmentio/encoding/json"
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
	// links is the link table of the current version, read only when the
	// batch has paragraphs of it.
	links linkTable
}

func newArticleState() *articleState {
	return &articleState{live: map[int]string{}, pending: map[string]map[int]bool{}}
}

// freeFor reports whether the paragraph document at index is free for a
// paragraph of version: empty, or holding a paragraph of that version.
func (st *articleState) freeFor(index int, version string) bool {
	v, ok := st.live[index]
	return !ok || v == version
}

// complete reports whether all count paragraphs of version are in, as
// paragraph or pending documents.
func (st *articleState) complete(version string, count int) bool {
	for i := range count {
		if st.live[i] != version && !st.pending[version][i] {
			return false
		}
	}
	return true
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
//   - Until a version of the article has completed, a paragraph is written
//     as its paragraph document ("<article_id>-<index>") at once, searchable,
//     unless that document holds a paragraph of another version: then it is
//     written as a pending document, invisible to search. So the paragraph
//     documents never lose a paragraph of one version to another version's
//     before a version completes, and both can still complete.
//   - Once the article has a complete version, its paragraphs are rewritten in
//     place when redelivered, but a paragraph of any other version is written
//     as a pending document. A stale redelivery of an older version therefore
//     cannot clobber the current one.
//   - When all paragraphs of a version are in (as paragraph or pending
//     documents), that version becomes current in the same batch: its
//     paragraphs are written as the paragraph documents, paragraph documents
//     with index >= Count are deleted, its pending documents are deleted, and
//     the article document "article:<article_id>" is written. A paragraph
//     document it overwrites or deletes that holds a paragraph of a third
//     version (possible only if no version was complete before) is moved to
//     a pending document of that version first.
//   - If more than one version completes in one batch, a version other than
//     the current one wins over the current one (new content beats a
//     redelivery of the old), and among those the one whose last paragraph
//     comes latest in ps wins.
//   - When a version wins, the pending documents deleted are exactly those of
//     the winner (now paragraph documents), of the version it replaces, and
//     of the versions that completed in the same batch and lost. Pending
//     documents of every other version stay, whether written by this batch
//     or earlier ones: versions carry no order, so such a version may be a
//     newer one still arriving, and it must be able to complete and replace
//     the winner. They go when their own version completes: promoted if it
//     wins, deleted if it loses a tie in its batch.
//
// Linking. When a version becomes current, its mentions are linked across
// the article (see link.go: "Xi" → "Xi Jinping", "SCO" → its bracketed
// expansion) from the complete set of its paragraphs: paragraphs written by
// earlier batches are read back and rewritten if linking changes them, and the
// link table goes into the article document. A later delivery of a paragraph
// of the current version is linked with that stored table, so it never
// reverts to its unlinked canonicals. The entity field, facets and the stored
// paragraph all carry the linked canonicals; the surface text is unchanged.
// The table of a version is computed once: if the same version is enriched
// again differently (another model), its mentions are linked by the first
// table until a new version completes.
//
// Apply returns an ArticleIndexed for every article of ps that is complete
// after the batch, whether or not it was complete before, so that the event
// is published again after a crash between writing and publishing; publish it
// with a dedupe id built from ArticleID and Version.
//
// Storage cost of that rule: pending documents of a version that never
// completes (one of its paragraphs was dead-lettered, or a stale partial
// redelivery of an old version) stay for good, invisible to search: at most
// Count documents per such version, counted in Stats.DocCount and read back
// by every later Apply that has a paragraph of the article.
//
// Known limit: versions are content hashes and carry no order, so if the
// missing paragraphs of an old version are redelivered after a newer version
// completed, the old version completes again and becomes current (its
// earlier paragraphs may still be pending). Rebuilding the index by replaying
// the stream in order ends on the newest version.
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
	if err := s.loadLinks(ctx, states, byArticle); err != nil {
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
// complete afterwards. The paragraphs of the version that is complete after
// the batch are written with their mentions linked (see link.go).
func (s *Store) plan(ctx context.Context, batch *bleve.Batch, articleID string, ps []*events.EnrichedParagraph, st *articleState, now time.Time) (*events.ArticleIndexed, error) {
	// ops maps a document id to its new content, or to nil for a deletion.
	// Collecting them first makes a later decision override an earlier one.
	ops := map[string]map[string]any{}
	// paras maps a paragraph document id to the paragraph to write there.
	// Their documents are built last, once it is known which are linked.
	paras := map[string]*events.EnrichedParagraph{}
	// batchParas maps a version and index to its paragraph in ps.
	batchParas := map[string]map[int]*events.EnrichedParagraph{}
	last := map[string]int{} // version → position of its last paragraph in ps
	for pos, p := range ps {
		// Before any version completed, a paragraph takes its paragraph
		// document unless a paragraph of another version holds it.
		if p.Version == st.current || st.current == "" && st.freeFor(p.Index, p.Version) {
			paras[p.ID] = p
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
	var complete []string
	for v, pos := range last {
		if !st.complete(v, ps[pos].Count) {
			continue
		}
		complete = append(complete, v)
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
		if err := addParagraphs(ops, paras, "", linkTable{}); err != nil {
			return nil, err
		}
		return nil, addOps(batch, ops)
	}

	meta := ps[last[winner]]
	count := meta.Count
	links := st.links
	if winner != st.current {
		// The version completes now: link it from all its paragraphs, those
		// of the batch and those stored by earlier batches.
		all := make([]*events.EnrichedParagraph, 0, count)
		var stored, pending []string
		for i := range count {
			if p := batchParas[winner][i]; p != nil {
				all = append(all, p)
				paras[events.ParagraphID(articleID, i)] = p
				continue
			}
			if st.live[i] == winner {
				stored = append(stored, events.ParagraphID(articleID, i))
			} else {
				pending = append(pending, pendingDocID(articleID, winner, i))
			}
		}
		if len(pending) > 0 {
			promoted, err := s.loadParagraphs(ctx, articleID, pending)
			if err != nil {
				return nil, err
			}
			for i := range promoted {
				all = append(all, &promoted[i])
				paras[promoted[i].ID] = &promoted[i]
			}
		}
		var earlier []events.EnrichedParagraph
		if len(stored) > 0 {
			var err error
			if earlier, err = s.loadParagraphs(ctx, articleID, stored); err != nil {
				return nil, err
			}
			for i := range earlier {
				all = append(all, &earlier[i])
			}
		}
		links = buildLinks(all)
		// A paragraph written by an earlier batch is rewritten only if
		// linking changes it.
		for i := range earlier {
			if linked, changed := links.apply(&earlier[i]); changed {
				paras[linked.ID] = linked
			}
		}
	}
	// Pending documents deleted: the winner's (promoted above), those of the
	// version it replaces and those of versions that completed in this batch
	// but lost to the winner. Other versions keep theirs.
	drop := map[string]bool{winner: true, st.current: true}
	for _, v := range complete {
		drop[v] = true
	}
	if winner != st.current {
		if err := s.demote(ctx, ops, articleID, st, batchParas, drop); err != nil {
			return nil, err
		}
	}
	for i := range st.live {
		if i >= count {
			id := events.ParagraphID(articleID, i)
			delete(paras, id)
			ops[id] = nil
		}
	}
	for v, indexes := range st.pending {
		if drop[v] {
			for i := range indexes {
				ops[pendingDocID(articleID, v, i)] = nil
			}
		}
	}
	if err := addParagraphs(ops, paras, winner, links); err != nil {
		return nil, err
	}
	doc, err := articleDoc(meta, links, now)
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

// demote adds to ops a pending document for every paragraph document that
// holds a paragraph of a version other than those of drop, which the
// winner's paragraphs are about to overwrite or delete. Such documents exist
// only if the article had no complete version before the batch: each holds
// a paragraph that took a free paragraph document while several versions
// were arriving, and moving it to a pending document keeps its version able
// to complete. Paragraphs of the batch are taken from batchParas; others are
// read back.
func (s *Store) demote(ctx context.Context, ops map[string]map[string]any, articleID string, st *articleState, batchParas map[string]map[int]*events.EnrichedParagraph, drop map[string]bool) error {
	var moved []*events.EnrichedParagraph
	var stored []string
	for i, v := range st.live {
		if drop[v] {
			continue
		}
		if p := batchParas[v][i]; p != nil {
			moved = append(moved, p)
			continue
		}
		stored = append(stored, events.ParagraphID(articleID, i))
	}
	if len(stored) > 0 {
		earlier, err := s.loadParagraphs(ctx, articleID, stored)
		if err != nil {
			return err
		}
		for i := range earlier {
			moved = append(moved, &earlier[i])
		}
	}
	for _, p := range moved {
		doc, err := pendingDoc(p)
		if err != nil {
			return err
		}
		ops[pendingDocID(articleID, p.Version, p.Index)] = doc
	}
	return nil
}

// addParagraphs adds to ops the paragraph documents of paras, linking those
// of version winner with links.
func addParagraphs(ops map[string]map[string]any, paras map[string]*events.EnrichedParagraph, winner string, links linkTable) error {
	for id, p := range paras {
		if p.Version == winner {
			p, _ = links.apply(p)
		}
		doc, err := paragraphDoc(p)
		if err != nil {
			return err
		}
		ops[id] = doc
	}
	return nil
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

// loadParagraphs reads stored paragraphs of an article, by the ids of their
// paragraph or pending documents.
func (s *Store) loadParagraphs(ctx context.Context, articleID string, ids []string) ([]events.EnrichedParagraph, error) {
	req := bleve.NewSearchRequest(bleve.NewDocIDQuery(ids))
	req.Fields = []string{fieldSource, fieldText, fieldTitle}
	req.Score = bleve.ScoreNone
	res, err := s.searchAll(ctx, req, len(ids)+1)
	if err != nil {
		return nil, fmt.Errorf("read stored paragraphs of %s: %w", articleID, err)
	}
	if len(res.Hits) != len(ids) {
		return nil, fmt.Errorf("read stored paragraphs of %s: found %d of %d", articleID, len(res.Hits), len(ids))
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

// loadLinks reads the link tables of the articles of byArticle that have a
// paragraph of their current, complete version in the batch: those are
// rewritten linked by the table of their first completion.
func (s *Store) loadLinks(ctx context.Context, states map[string]*articleState, byArticle map[string][]*events.EnrichedParagraph) error {
	var ids []string
	for id, st := range states {
		if st.current == "" {
			continue
		}
		for _, p := range byArticle[id] {
			if p.Version == st.current {
				ids = append(ids, articleDocID(id))
				break
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	req := bleve.NewSearchRequest(bleve.NewDocIDQuery(ids))
	req.Fields = []string{fieldArticleID, fieldSource}
	req.Score = bleve.ScoreNone
	res, err := s.searchAll(ctx, req, len(ids)+1)
	if err != nil {
		return fmt.Errorf("read link tables of %d articles: %w", len(ids), err)
	}
	for _, h := range res.Hits {
		st := states[storedString(h.Fields, fieldArticleID)]
		if st == nil {
			continue
		}
		var rec articleRecord
		if err := json.Unmarshal([]byte(storedString(h.Fields, fieldSource)), &rec); err != nil {
			return fmt.Errorf("decode stored article %s: %w", h.ID, err)
		}
		if rec.Links != nil {
			st.links = *rec.Links
		}
	}
	return nil
}
