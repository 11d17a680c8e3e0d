package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/link"
)

// Applied is what Apply did with a batch.
type Applied struct {
	// Indexed holds an ArticleIndexed for every article whose current
	// revision became current in the batch or had paragraphs rewritten by
	// it (a redelivery), so that the event is published again after a crash
	// between writing and publishing; publish it with events.IndexedMsgID.
	Indexed []events.ArticleIndexed
	// Rejected maps the position in the batch of every paragraph that was
	// not written because it cannot be true to why; each error matches
	// events.ErrInvalid.
	Rejected map[int]error
	// Stale counts the paragraphs of revisions older than their article's
	// current one: they can never be current, and were not written.
	Stale int
}

// Apply writes a batch of enriched paragraphs, following the rules on
// revisions at the top of plan.go, and reports what it did. A paragraph
// that fails events.EnrichedParagraph.Validate, or has more than the
// store's MaxParagraphs, or whose count disagrees with another paragraph of
// its revision, is rejected alone (Applied.Rejected); the rest of the batch
// is written. Errors come from the index, leave it unchanged and are worth
// retrying.
//
// Everything Apply changes goes into one Bleve batch, which searches see
// entirely or not at all, and which is on disk when Apply returns. Writing the
// same paragraphs again changes nothing, so redelivered messages are harmless.
//
// Linking. When a revision becomes current, its mentions are linked across
// the article (package link: "Xi" → "Xi Jinping", "SCO" → its bracketed
// expansion) from the complete set of its paragraphs: paragraphs written by
// earlier batches are read back and rewritten if linking changes them, and the
// link table goes into the article document. A later delivery of a paragraph
// of the current revision is linked with that stored table, so it never
// reverts to its unlinked canonicals. The entity field, facets and the stored
// paragraph all carry the linked canonicals; the surface text is unchanged.
func (s *Store) Apply(ctx context.Context, ps []events.EnrichedParagraph) (Applied, error) {
	out := Applied{Rejected: map[int]error{}}
	var order []string
	byArticle := map[string][]int{} // positions in ps
	for i := range ps {
		p := &ps[i]
		if err := p.Validate(); err != nil {
			out.Rejected[i] = fmt.Errorf("paragraph %q: %w", p.ID, err)
			continue
		}
		if p.Count > s.maxParagraphs {
			out.Rejected[i] = fmt.Errorf("%w: paragraph %q says its article has %d paragraphs, more than ingest "+
				"passes (MAX_PARAGRAPHS %d): not an event ingest wrote", events.ErrTooLarge, p.ID, p.Count, s.maxParagraphs)
			continue
		}
		if _, ok := byArticle[p.ArticleID]; !ok {
			order = append(order, p.ArticleID)
		}
		byArticle[p.ArticleID] = append(byArticle[p.ArticleID], i)
	}
	if len(order) == 0 {
		return out, nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	states, err := s.loadStates(ctx, order, len(ps))
	if err != nil {
		return Applied{}, err
	}
	plans := make(map[string]plan, len(order))
	var need []string // stored documents the plans read
	for _, id := range order {
		arr := make([]arrival, len(byArticle[id]))
		for k, i := range byArticle[id] {
			arr[k] = arrivalOf(&ps[i])
		}
		pl := planArticle(states[id], arr)
		for k, err := range pl.Rejected {
			out.Rejected[byArticle[id][k]] = fmt.Errorf("paragraph %q: %w", ps[byArticle[id][k]].ID, err)
		}
		out.Stale += len(pl.Stale)
		plans[id] = pl
		need = append(need, pl.reads(id)...)
	}
	stored, err := s.loadDocs(ctx, need)
	if err != nil {
		return Applied{}, err
	}

	now := time.Now().UTC()
	batch := s.idx.NewBatch()
	for _, id := range order {
		w := writer{id: id, ps: ps, pos: byArticle[id], stored: stored, batch: batch, now: now, update: states[id].current != nil}
		done, err := w.write(plans[id])
		if err != nil {
			return Applied{}, err
		}
		if done != nil {
			out.Indexed = append(out.Indexed, *done)
		}
	}
	if err := ctx.Err(); err != nil {
		return Applied{}, err
	}
	if err := s.idx.Batch(batch); err != nil {
		return Applied{}, fmt.Errorf("write batch of %d paragraphs: %w", len(ps), err)
	}
	return out, nil
}

// reads returns the ids of the stored documents that carrying out p reads:
// the paragraphs it moves, those of a revision becoming current (to link
// them), and the article document when paragraphs of the current revision
// are rewritten with its link table.
func (p plan) reads(articleID string) []string {
	var ids []string
	add := func(src source) {
		if src.Pos < 0 {
			ids = append(ids, src.docID(articleID))
		}
	}
	for _, src := range p.Put {
		add(src)
	}
	for _, src := range p.Hold {
		add(src)
	}
	for _, i := range p.Keep {
		ids = append(ids, paragraphDocID(articleID, i))
	}
	if p.Becomes == nil && p.Current != nil && len(p.Put) > 0 {
		ids = append(ids, articleDocID(articleID))
	}
	return ids
}

// docID returns the id of the stored document src names.
func (src source) docID(articleID string) string {
	if src.Pending {
		return pendingDocID(articleID, src.Slot)
	}
	return paragraphDocID(articleID, src.Slot.Index)
}

// storedDocs are documents read back by id: paragraphs (from paragraph and
// pending documents) and link tables (from article documents).
type storedDocs struct {
	paras map[string]*events.EnrichedParagraph
	links map[string]link.Table
}

// writer carries out the plan of one article.
type writer struct {
	id     string
	ps     []events.EnrichedParagraph
	pos    []int // positions in ps of the article's paragraphs, in plan order
	stored storedDocs
	batch  *bleve.Batch
	now    time.Time
	// update: a revision of the article had completed before the batch.
	update bool
}

// content returns the paragraph src names.
func (w *writer) content(src source) (*events.EnrichedParagraph, error) {
	if src.Pos >= 0 {
		return &w.ps[w.pos[src.Pos]], nil
	}
	id := src.docID(w.id)
	p := w.stored.paras[id]
	if p == nil {
		return nil, fmt.Errorf("read stored paragraph %q of %s: not found", id, w.id)
	}
	return p, nil
}

// write adds what p changes to the batch and returns the article's
// ArticleIndexed when it is to be announced.
func (w *writer) write(p plan) (*events.ArticleIndexed, error) {
	var links link.Table
	var meta *events.EnrichedParagraph
	var linked []*events.EnrichedParagraph // the paragraphs of a revision becoming current
	switch {
	case p.Becomes != nil:
		// The revision completes now: link it from all its paragraphs, those
		// of the batch and those stored by earlier batches.
		all := make([]*events.EnrichedParagraph, 0, p.Becomes.Count)
		for _, i := range sortedKeys(p.Put) {
			c, err := w.content(p.Put[i])
			if err != nil {
				return nil, err
			}
			all = append(all, c)
		}
		kept := make([]*events.EnrichedParagraph, len(p.Keep))
		for k, i := range p.Keep {
			c, err := w.content(storedParagraph(p.Becomes.rev, i))
			if err != nil {
				return nil, err
			}
			kept[k] = c
			all = append(all, c)
		}
		links = link.Build(all)
		linked = make([]*events.EnrichedParagraph, len(all))
		for i, c := range all {
			linked[i], _ = links.Apply(c)
		}
		for k, i := range p.Keep {
			// A paragraph written by an earlier batch is rewritten only if
			// linking changes it.
			if linked, changed := links.Apply(kept[k]); changed {
				if err := w.index(paragraphDocID(w.id, i), linked, false); err != nil {
					return nil, err
				}
			}
		}
		meta = all[0]
	case p.Current != nil && len(p.Put) > 0:
		links = w.stored.links[articleDocID(w.id)]
	}
	for _, i := range sortedKeys(p.Put) {
		c, err := w.content(p.Put[i])
		if err != nil {
			return nil, err
		}
		if p.Current != nil {
			c, _ = links.Apply(c)
			if meta == nil {
				meta = c
			}
		}
		if err := w.index(paragraphDocID(w.id, i), c, false); err != nil {
			return nil, err
		}
	}
	for s, src := range p.Hold {
		c, err := w.content(src)
		if err != nil {
			return nil, err
		}
		if err := w.index(pendingDocID(w.id, s), c, true); err != nil {
			return nil, err
		}
	}
	for _, i := range p.Delete {
		w.batch.Delete(paragraphDocID(w.id, i))
	}
	for _, s := range p.Release {
		w.batch.Delete(pendingDocID(w.id, s))
	}
	if p.Becomes != nil {
		doc, err := articleDoc(meta, linked, links, w.now, w.update)
		if err != nil {
			return nil, err
		}
		if err := w.batch.Index(articleDocID(w.id), doc); err != nil {
			return nil, fmt.Errorf("map document %s: %w", articleDocID(w.id), err)
		}
	}
	if p.Current == nil || meta == nil {
		return nil, nil
	}
	return &events.ArticleIndexed{
		V:          events.Version,
		ArticleID:  w.id,
		Version:    p.Current.Version,
		ArticleSeq: p.Current.Seq,
		Title:      meta.Title,
		Paragraphs: p.Current.Count,
		IndexedAt:  w.now,
	}, nil
}

// index adds the paragraph or pending document of c under id to the batch.
func (w *writer) index(id string, c *events.EnrichedParagraph, pending bool) error {
	var doc map[string]any
	var err error
	if pending {
		doc, err = pendingDoc(c, w.now)
	} else {
		doc, err = paragraphDoc(c)
	}
	if err != nil {
		return err
	}
	if err := w.batch.Index(id, doc); err != nil {
		return fmt.Errorf("map document %s: %w", id, err)
	}
	return nil
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
	req.Fields = []string{fieldType, fieldArticleID, fieldVersion, fieldArticleSeq, fieldIndex, fieldCount}
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
		rc := revCount{rev{storedSeq(h.Fields), storedString(h.Fields, fieldVersion)}, storedInt(h.Fields, fieldCount)}
		index := storedInt(h.Fields, fieldIndex)
		switch storedString(h.Fields, fieldType) {
		case typeArticle:
			st.current = &rc
		case typeParagraph:
			st.live[index] = rc
		case typePending:
			st.pending[slot{rc.rev, index}] = rc.Count
		}
	}
	return states, nil
}

// loadDocs reads the stored documents ids: the paragraphs of paragraph and
// pending documents, and the link tables of article documents.
func (s *Store) loadDocs(ctx context.Context, ids []string) (storedDocs, error) {
	out := storedDocs{paras: map[string]*events.EnrichedParagraph{}, links: map[string]link.Table{}}
	if len(ids) == 0 {
		return out, nil
	}
	req := bleve.NewSearchRequest(bleve.NewDocIDQuery(ids))
	req.Fields = []string{fieldType, fieldSource, fieldText, fieldTitle}
	req.Score = bleve.ScoreNone
	res, err := s.searchAll(ctx, req, len(ids)+1)
	if err != nil {
		return out, fmt.Errorf("read %d stored documents: %w", len(ids), err)
	}
	for _, h := range res.Hits {
		if storedString(h.Fields, fieldType) == typeArticle {
			var rec articleRecord
			if err := json.Unmarshal([]byte(storedString(h.Fields, fieldSource)), &rec); err != nil {
				return out, fmt.Errorf("decode stored article %s: %w", h.ID, err)
			}
			if rec.Links != nil {
				out.links[h.ID] = *rec.Links
			}
			continue
		}
		p, err := decodeParagraph(h.ID, h.Fields)
		if err != nil {
			return out, err
		}
		out.paras[h.ID] = &p
	}
	return out, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[int]V) []int {
	return slices.Sorted(maps.Keys(m))
}

// PurgePending deletes the pending documents written before before, and
// returns how many it deleted. The index consumes a stream that keeps
// messages for a while (STREAM_MAX_AGE): a revision still incomplete after
// that long can no longer receive its missing paragraphs, so its pending
// documents would stay for good, invisible, and be read by every later
// Apply of the article. Errors come from the index.
func (s *Store) PurgePending(ctx context.Context, before time.Time) (int, error) {
	purged := 0
	for {
		s.mu.Lock()
		n, err := s.purgePendingBatch(ctx, before)
		s.mu.Unlock()
		purged += n
		if err != nil || n == 0 {
			return purged, err
		}
	}
}

// purgePendingBatch deletes up to 1000 pending documents written before
// before; s.mu is held.
func (s *Store) purgePendingBatch(ctx context.Context, before time.Time) (int, error) {
	inclusive := false
	held := bleve.NewTermRangeInclusiveQuery("", timeKey(before), nil, &inclusive)
	held.SetField(fieldHeldAt)
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(termQuery(fieldType, typePending), held), 1000, 0, false)
	req.Score = bleve.ScoreNone
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("find stale pending documents: %w", err)
	}
	if len(res.Hits) == 0 {
		return 0, nil
	}
	batch := s.idx.NewBatch()
	for _, h := range res.Hits {
		batch.Delete(h.ID)
	}
	if err := s.idx.Batch(batch); err != nil {
		return 0, fmt.Errorf("delete %d stale pending documents: %w", len(res.Hits), err)
	}
	return len(res.Hits), nil
}
