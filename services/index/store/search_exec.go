package store

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
)

// searchPlan is a Query, checked and read.
type searchPlan struct {
	q      Query
	size   int
	facets int
	text   parsed
	// entities holds, per entity filter, the canonical names it stands for.
	entities [][]string
	types    []string
	lang     string
	ranges   []timeRange // publication and mentioned dates
	byScore  bool
}

// Search runs a search. It returns an error wrapping ErrBadQuery if q is
// out of bounds (see the limits) or has an unreadable date, unknown entity
// type, grouping, sort or cursor; ctx bounds all of it, the hits' texts and
// highlights included; other errors come from the index.
//
// The work of a search is bounded whatever the index holds: each word of
// the query counts the best MaxMatches paragraphs it matches; a page's hits
// are read one at a time, each cut to MaxHitTextBytes; and highlighting
// looks for the words in the first MaxHighlightScanBytes of a paragraph and
// analyses a window of a few hundred bytes around them.
func (s *Store) Search(ctx context.Context, q Query) (Result, error) {
	start := time.Now()
	sp, hint, err := s.prepare(q)
	if err != nil {
		return Result{}, err
	}
	var res Result
	switch {
	case sp.text.nothing:
		res = Result{Group: sp.q.Group, Articles: []ArticleHit{}, Paragraphs: []Hit{}, Facets: emptyFacets()}
	case hint != nil:
		res = Result{Group: sp.q.Group, Hint: hint, Articles: []ArticleHit{}, Paragraphs: []Hit{}, Facets: emptyFacets()}
	case sp.q.Group == GroupParagraph:
		res, err = s.searchParagraphs(ctx, sp)
	default:
		res, err = s.searchArticles(ctx, sp)
	}
	if err != nil {
		return Result{}, err
	}
	res.Took = time.Since(start)
	return res, nil
}

func emptyFacets() map[string][]FacetCount {
	return map[string][]FacetCount{FacetEntity: {}, FacetEntityType: {}, FacetLang: {}}
}

// prepare checks q and reads it; an entity filter nothing in the index is
// known as gives a Hint instead.
func (s *Store) prepare(q Query) (searchPlan, *Hint, error) {
	sp := searchPlan{q: q}
	var err error
	if sp.size, err = bounded("size", q.Size, DefaultSize, MaxSize); err != nil {
		return sp, nil, err
	}
	if sp.facets, err = bounded("facets", q.Facets, DefaultFacets, MaxFacets); err != nil {
		return sp, nil, err
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return sp, nil, badQuery("offset %d is out of range: use 0 to %d, and page further with search_after "+
			"(the \"next\" of each page), which costs the same at any depth", q.Offset, MaxOffset)
	}
	if q.Offset > 0 && q.After != "" {
		return sp, nil, badQuery("offset %d and search_after cannot go together: page with search_after alone, "+
			"from the \"next\" of the previous page, and not both", q.Offset)
	}
	switch sp.q.Group = strings.ToLower(strings.TrimSpace(q.Group)); sp.q.Group {
	case "":
		sp.q.Group = GroupArticle
	case GroupArticle, GroupParagraph:
	default:
		return sp, nil, badQuery("group %q: use %s (one hit per article, the default) or %s", q.Group, GroupArticle, GroupParagraph)
	}
	text := strings.TrimSpace(q.Text)
	if len(text) > MaxTextBytes {
		return sp, nil, badQuery("text is %d bytes long: use at most %d", len(text), MaxTextBytes)
	}
	if !utf8.ValidString(text) {
		return sp, nil, badQuery("text is not valid UTF-8")
	}
	if sp.text, err = s.parse(text); err != nil {
		return sp, nil, err
	}
	switch sort := strings.ToLower(strings.TrimSpace(q.Sort)); sort {
	case "":
		sp.byScore = len(sp.text.positives()) > 0
	case SortRelevance:
		sp.byScore = len(sp.text.positives()) > 0
	case SortPublished:
	default:
		return sp, nil, badQuery("sort %q: use %s (the default with q) or %s (newest first, the default without)", q.Sort, SortRelevance, SortPublished)
	}
	values, err := filterValues("entity", q.Entity, func(v string) (string, error) { return v, nil })
	if err != nil {
		return sp, nil, err
	}
	if sp.types, err = filterValues("type", q.Type, entityType); err != nil {
		return sp, nil, err
	}
	sp.lang = strings.ToLower(strings.TrimSpace(q.Lang))
	for _, r := range []struct{ field, fromName, from, toName, to string }{
		{fieldPublishedAt, "from", q.From, "to", q.To},
		{fieldDate, "mentioned_from", q.MentionedFrom, "mentioned_to", q.MentionedTo},
	} {
		dq, err := dateRange(r.field, r.fromName, r.from, r.toName, r.to)
		if err != nil {
			return sp, nil, err
		}
		if dq != nil {
			sp.ranges = append(sp.ranges, *dq)
		}
	}
	if sp.q.After != "" {
		// A cursor of another search is refused before any work.
		var err error
		switch {
		case sp.q.Group == GroupArticle && len(sp.text.positives()) > 0:
			var c articleCursor
			if c, err = parseArticleCursor(sp.q.After); err == nil && c.byScore != sp.byScore {
				err = errors.New("another order")
			}
		case sp.byScore && sp.q.Group == GroupParagraph:
			_, err = byScore.parseCursor(sp.q.After)
		default:
			_, err = byTime.parseCursor(sp.q.After)
		}
		if err != nil {
			return sp, nil, badQuery("search_after %q is not a cursor of this search: pass the \"next\" of the previous page "+
				"of the same query (q and filters), unchanged", clip(sp.q.After, 40))
		}
	}
	var unknown []string
	for _, v := range values {
		names, err := s.resolveEntity(v)
		if err != nil {
			return sp, nil, err
		}
		if len(names) == 0 {
			unknown = append(unknown, v)
			continue
		}
		sp.entities = append(sp.entities, names)
	}
	if len(unknown) > 0 {
		hint, err := s.entityHint(unknown)
		return sp, hint, err
	}
	return sp, nil, nil
}

// filters are the queries that a document of typ must match for the
// filters of sp (see fieldOf for the names of the fields on each).
func (sp searchPlan) filters(typ string) []bq.Query {
	fs := []bq.Query{termQuery(fieldType, typ)}
	for _, names := range sp.entities {
		alts := make([]bq.Query, len(names))
		for i, n := range names {
			alts[i] = termQuery(fieldOf(typ, fieldEntity), n)
		}
		fs = append(fs, bleve.NewDisjunctionQuery(alts...))
	}
	for _, t := range sp.types {
		fs = append(fs, termQuery(fieldOf(typ, fieldEntityType), t))
	}
	if sp.lang != "" {
		fs = append(fs, termQuery(fieldOf(typ, fieldLang), sp.lang))
	}
	for _, r := range sp.ranges {
		fs = append(fs, r.query(typ))
	}
	return fs
}

// addFacets asks req for the facets of the documents of type typ it
// matches, the top n terms of each.
func addFacets(req *bleve.SearchRequest, typ string, n int) {
	req.AddFacet(FacetEntity, bleve.NewFacetRequest(fieldOf(typ, fieldEntity), n))
	req.AddFacet(FacetEntityType, bleve.NewFacetRequest(fieldOf(typ, fieldEntityType), n))
	req.AddFacet(FacetLang, bleve.NewFacetRequest(fieldOf(typ, fieldLang), n))
}

func facetCounts(res *bleve.SearchResult) map[string][]FacetCount {
	out := emptyFacets()
	for name := range out {
		if f := res.Facets[name]; f != nil {
			for _, t := range f.Terms.Terms() {
				out[name] = append(out[name], FacetCount{Term: t.Term, Count: t.Count})
			}
		}
	}
	return out
}

// searchParagraphs answers a search of GroupParagraph: every positive
// clause must match the paragraph, no negated one may, and the filters
// apply to it. A phrase's words must be in the paragraph, and in a row on
// the hits: Total counts the paragraphs with the words.
func (s *Store) searchParagraphs(ctx context.Context, sp searchPlan) (Result, error) {
	b := bleve.NewBooleanQuery()
	positives := sp.text.positives()
	for _, c := range positives {
		b.AddMust(c.paragraphQuery())
	}
	for _, c := range sp.text.negatives() {
		b.AddMustNot(c.paragraphQuery())
	}
	filters := bleve.NewConjunctionQuery(sp.filters(typeParagraph)...)
	if len(positives) == 0 {
		b.AddMust(filters)
	} else {
		b.AddFilter(filters)
	}
	var query bq.Query = b
	if len(positives) == 0 && len(sp.text.negatives()) == 0 {
		// Filters only: a conjunction leapfrogs through the filters' postings.
		query = filters
	}
	sorted := byTime
	if sp.byScore {
		sorted = byScore
	}
	req := bleve.NewSearchRequestOptions(query, sp.size, sp.q.Offset, false)
	addFacets(req, typeParagraph, sp.facets)
	if sorted == byScore {
		// The id breaks ties, so that pages do not overlap.
		req.SortBy([]string{"-_score", "_id"})
	} else {
		// Keyword fields keep no norms, so scores of filter-only searches
		// are meaningless (NaN): skip them.
		req.Score = bleve.ScoreNone
		req.SortBy([]string{"-" + fieldPublishedAt, "_id"})
	}
	if sp.q.After != "" {
		after, err := sorted.parseCursor(sp.q.After)
		if err != nil {
			return Result{}, err
		}
		req.SearchAfter = after
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	hl, err := s.newHighlighter(sp.text)
	if err != nil {
		return Result{}, err
	}
	out := Result{Group: GroupParagraph, Total: res.Total, Paragraphs: make([]Hit, 0, len(res.Hits)), Facets: facetCounts(res)}
	for _, h := range res.Hits {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		p, ok, err := s.storedParagraph(h.ID)
		if err != nil {
			return Result{}, err
		}
		if !ok || !hl.phrasesIn(&p, positives) {
			continue
		}
		out.Paragraphs = append(out.Paragraphs, s.hit(h, &p, hl, sorted))
	}
	if len(res.Hits) == req.Size && len(out.Paragraphs) > 0 {
		out.Next = out.Paragraphs[len(out.Paragraphs)-1].cursor
	}
	return out, nil
}

// storedParagraph reads the paragraph document id, one at a time: Bleve
// could load the stored fields of every hit with the search, but would hold
// them all, whole, until the page is done. It reports false for a document
// that is gone, or not a paragraph.
func (s *Store) storedParagraph(id string) (events.EnrichedParagraph, bool, error) {
	doc, err := s.idx.Document(id)
	if err != nil {
		return events.EnrichedParagraph{}, false, fmt.Errorf("read paragraph %s: %w", id, err)
	}
	if doc == nil {
		return events.EnrichedParagraph{}, false, nil
	}
	fields := map[string]any{}
	doc.VisitFields(func(f index.Field) {
		switch f.Name() {
		case fieldSource, fieldText, fieldTitle, fieldType:
			fields[f.Name()] = string(f.Value())
		}
	})
	if storedString(fields, fieldType) != typeParagraph {
		return events.EnrichedParagraph{}, false, nil
	}
	p, err := decodeParagraph(id, fields)
	return p, err == nil, err
}

// hit makes the Hit of paragraph p, matched by h.
func (s *Store) hit(h *search.DocumentMatch, p *events.EnrichedParagraph, hl *highlighter, sorted sortKind) Hit {
	score := h.Score
	if math.IsNaN(score) || math.IsInf(score, 0) || sorted != byScore {
		score = 0 // JSON has no NaN
	}
	text, truncated := cutText(p.Text)
	ents := slices.DeleteFunc(slices.Clone(p.Entities), func(e events.Entity) bool { return e.End > len(text) })
	dates := slices.DeleteFunc(slices.Clone(p.Dates), func(d events.Date) bool { return d.End > len(text) })
	es, ds := spans(text, ents, dates)
	return Hit{
		ArticleID:   p.ArticleID,
		ParagraphID: p.ID,
		Index:       p.Index,
		Title:       p.Title,
		Text:        text,
		TextBytes:   len(p.Text),
		Truncated:   truncated,
		Score:       score,
		Highlights:  hl.fragments(p),
		Entities:    es,
		Dates:       ds,
		PublishedAt: publishedAt(p.PublishedAt),
		Lang:        p.Lang,
		URL:         p.URL,
		Source:      p.Source,
		cursor:      sorted.cursor(h),
	}
}

// cutText returns text, cut to MaxHitTextBytes when longer.
func cutText(text string) (string, bool) {
	if len(text) <= MaxHitTextBytes {
		return text, false
	}
	return text[:runeStart(text, MaxHitTextBytes)], true
}

// articleMatch is what one clause matched of one article: the score of
// each paragraph it matched, and of its title.
type articleMatch struct {
	paras map[int]float64
	title float64
}

// titleWeight is how much more a word in the title counts than in a
// paragraph: a title says what the article is about.
const titleWeight = 2

// searchArticles answers a search of GroupArticle. Each clause of the text
// is looked up on its own, in paragraphs and titles (the best MaxMatches
// of each); an article matches when every positive clause matched it and
// no negated one did, and the filters hold of the article. Its score is,
// over the positive clauses, the sum of the best a paragraph scored plus
// titleWeight times what the title scored: a title lifts the article once,
// not every paragraph.
func (s *Store) searchArticles(ctx context.Context, sp searchPlan) (Result, error) {
	positives, negatives := sp.text.positives(), sp.text.negatives()
	// Phrases last: their hits are read to check the words are in a row,
	// and by then only those of the articles still in.
	slices.SortStableFunc(positives, func(a, b clause) int { return cmp.Compare(btoi(a.hasPhrase()), btoi(b.hasPhrase())) })
	out := Result{Group: GroupArticle, Articles: []ArticleHit{}}
	var matched []map[string]*articleMatch
	var candidates []string // article ids
	if len(positives) > 0 {
		for k, c := range positives {
			var restrict map[string]bool
			if k > 0 {
				// Later clauses only need to look at the articles still in.
				restrict = make(map[string]bool, len(candidates))
				for _, id := range candidates {
					restrict[id] = true
				}
			}
			m, capped, err := s.clauseMatches(ctx, c, restrict)
			if err != nil {
				return Result{}, err
			}
			out.Capped = out.Capped || capped
			matched = append(matched, m)
			if k == 0 {
				for id := range m {
					candidates = append(candidates, id)
				}
			} else {
				candidates = slices.DeleteFunc(candidates, func(id string) bool { return m[id] == nil })
			}
			if len(candidates) == 0 {
				out.Facets = emptyFacets()
				return out, nil
			}
		}
	}
	var excluded []string
	var in map[string]bool // the candidates, when there are any
	if len(positives) > 0 {
		in = make(map[string]bool, len(candidates))
		for _, id := range candidates {
			in[id] = true
		}
	}
	for _, c := range negatives {
		m, capped, err := s.clauseMatches(ctx, c, in)
		if err != nil {
			return Result{}, err
		}
		out.Capped = out.Capped || capped
		for id := range m {
			excluded = append(excluded, id)
		}
	}

	// The filters and the facets, on the article documents; and the
	// articles in order of publication, newest first, which also breaks
	// ties of relevance.
	var query bq.Query = bleve.NewConjunctionQuery(sp.filters(typeArticle)...)
	if len(positives) > 0 {
		ids := make([]string, len(candidates))
		for i, id := range candidates {
			ids[i] = articleDocID(id)
		}
		query = bleve.NewConjunctionQuery(query, bleve.NewDocIDQuery(ids))
	}
	if len(excluded) > 0 {
		ids := make([]string, len(excluded))
		for i, id := range excluded {
			ids[i] = articleDocID(id)
		}
		b := bleve.NewBooleanQuery()
		b.AddMust(query)
		b.AddMustNot(bleve.NewDocIDQuery(ids))
		query = b
	}
	if len(positives) == 0 {
		// Nothing to score: Bleve ranks (by time) and pages on its own.
		return s.articlesByTime(ctx, sp, query, out)
	}
	req := bleve.NewSearchRequestOptions(query, len(candidates), 0, false)
	req.Score = bleve.ScoreNone
	req.SortBy([]string{"-" + fieldArticlePublished, "_id"})
	addFacets(req, typeArticle, sp.facets)
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search articles: %w", err)
	}
	out.Total, out.Facets = res.Total, facetCounts(res)
	all := make([]ranked, len(res.Hits))
	for i, h := range res.Hits {
		id := strings.TrimPrefix(h.ID, "article ")
		score := 0.0
		for _, m := range matched {
			if am := m[id]; am != nil {
				best := 0.0
				for _, v := range am.paras {
					best = max(best, v)
				}
				score += best + titleWeight*am.title
			}
		}
		key := ""
		if len(h.Sort) > 0 {
			key = h.Sort[0]
		}
		all[i] = ranked{id: id, score: score, published: key}
	}
	if sp.byScore {
		// Stable: equal scores stay newest first.
		slices.SortStableFunc(all, func(a, b ranked) int { return cmp.Compare(b.score, a.score) })
	}
	from := sp.q.Offset
	if sp.q.After != "" {
		after, err := parseArticleCursor(sp.q.After)
		if err != nil || after.byScore != sp.byScore {
			return Result{}, badQuery("search_after %q is not a cursor of this search: pass the \"next\" of the previous page "+
				"of the same query (q and filters), unchanged", clip(sp.q.After, 40))
		}
		from = after.next(all, sp.byScore)
	}
	page := all[min(from, len(all)):min(from+sp.size, len(all))]
	hl, err := s.newHighlighter(sp.text)
	if err != nil {
		return Result{}, err
	}
	for _, r := range page {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		hit, ok, err := s.articleHit(r.id, matched, hl)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			continue
		}
		hit.Score = r.score
		hit.cursor = cursorOf(sp.byScore, r).String()
		out.Articles = append(out.Articles, hit)
	}
	if len(page) == sp.size && len(out.Articles) > 0 {
		out.Next = out.Articles[len(out.Articles)-1].cursor
	}
	return out, nil
}

// articlesByTime answers a search of GroupArticle without words to score:
// the articles query matches, newest first.
func (s *Store) articlesByTime(ctx context.Context, sp searchPlan, query bq.Query, out Result) (Result, error) {
	req := bleve.NewSearchRequestOptions(query, sp.size, sp.q.Offset, false)
	req.Score = bleve.ScoreNone
	req.SortBy([]string{"-" + fieldArticlePublished, "_id"})
	addFacets(req, typeArticle, sp.facets)
	if sp.q.After != "" {
		after, err := byTime.parseCursor(sp.q.After)
		if err != nil {
			return Result{}, err
		}
		req.SearchAfter = after
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search articles: %w", err)
	}
	out.Total, out.Facets = res.Total, facetCounts(res)
	for _, h := range res.Hits {
		hit, ok, err := s.articleHit(strings.TrimPrefix(h.ID, "article "), nil, nil)
		if err != nil {
			return Result{}, err
		}
		if ok {
			hit.cursor = byTime.cursor(h)
			out.Articles = append(out.Articles, hit)
		}
	}
	if len(res.Hits) == req.Size && len(out.Articles) > 0 {
		out.Next = out.Articles[len(out.Articles)-1].cursor
	}
	return out, nil
}

// maxRestrictIDs is the most article ids clauseMatches puts in a query to
// look among their documents only; with more, it filters the hits.
const maxRestrictIDs = 1024

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// clauseMatches returns, per article, what clause c matched of it: the
// best MaxMatches paragraphs and titles, of the articles of restrict when
// it is set; and whether there were more.
func (s *Store) clauseMatches(ctx context.Context, c clause, restrict map[string]bool) (map[string]*articleMatch, bool, error) {
	out := map[string]*articleMatch{}
	get := func(id string) *articleMatch {
		m := out[id]
		if m == nil {
			m = &articleMatch{paras: map[int]float64{}}
			out[id] = m
		}
		return m
	}
	capped := false
	for _, side := range []struct {
		typ   string
		query bq.Query
	}{{typeParagraph, c.paragraphQuery()}, {typeArticle, c.titleQuery()}} {
		// The type is a filter: a keyword field keeps no norms, and would
		// make every score NaN.
		b := bleve.NewBooleanQuery()
		b.AddMust(side.query)
		b.AddFilter(termQuery(fieldType, side.typ))
		if restrict != nil && len(restrict) <= maxRestrictIDs {
			// Few articles left: look among theirs only.
			ids := make([]bq.Query, 0, len(restrict))
			for id := range restrict {
				ids = append(ids, termQuery(fieldArticleID, id))
			}
			b.AddFilter(bleve.NewDisjunctionQuery(ids...))
		}
		// By score alone: a tie-break by id would read the id of every
		// document matched, not only of those kept.
		req := bleve.NewSearchRequestOptions(b, MaxMatches, 0, false)
		req.SortBy([]string{"-_score"})
		res, err := s.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, false, fmt.Errorf("search: %w", err)
		}
		capped = capped || res.Total > uint64(len(res.Hits))
		for _, h := range res.Hits {
			id, index, ok := parseDocID(h.ID)
			if !ok || restrict != nil && !restrict[id] {
				continue
			}
			if c.hasPhrase() {
				in, err := s.phraseMatches(h.ID, side.typ, c)
				if err != nil {
					return nil, false, err
				}
				if !in {
					continue
				}
			}
			score := h.Score
			if math.IsNaN(score) || math.IsInf(score, 0) {
				score = 0
			}
			if side.typ == typeArticle {
				get(id).title = score
			} else {
				get(id).paras[index] = score
			}
		}
	}
	return out, capped, nil
}

// parseDocID returns the article and, for a paragraph document, the index
// of a document id (see docs.go).
func parseDocID(docID string) (articleID string, index int, ok bool) {
	kind, rest, _ := strings.Cut(docID, " ")
	switch kind {
	case "article":
		return rest, -1, rest != ""
	case "paragraph":
		i := strings.LastIndexByte(rest, ' ')
		if i <= 0 {
			return "", 0, false
		}
		n, err := strconv.Atoi(rest[i+1:])
		return rest[:i], n, err == nil
	}
	return "", 0, false
}

// phraseMatches reports whether the document docID (a paragraph, or an
// article's title) has one of c's units: its words in a row, for a phrase.
func (s *Store) phraseMatches(docID, typ string, c clause) (bool, error) {
	exact := s.idx.Mapping().AnalyzerNamed(textAnalyzer)
	in := func(text string) bool {
		var toks []string
		for _, tok := range exact.Analyze([]byte(text)) {
			toks = append(toks, string(tok.Term))
		}
		for _, u := range c.units {
			if !u.phrase() || containsRun(toks, u.words) {
				return true
			}
		}
		return false
	}
	if typ != typeParagraph {
		rec, ok, err := s.articleRecordOf(docID)
		return ok && in(rec.Title), err
	}
	// The text first; the entity names (in _source, JSON) only when the
	// text does not have it.
	doc, err := s.idx.Document(docID)
	if err != nil || doc == nil {
		return false, err
	}
	fields := map[string]any{}
	doc.VisitFields(func(f index.Field) {
		if n := f.Name(); n == fieldText || n == fieldSource {
			fields[n] = string(f.Value())
		}
	})
	if in(storedString(fields, fieldText)) {
		return true, nil
	}
	p, err := decodeParagraph(docID, fields)
	if err != nil {
		return false, err
	}
	for _, e := range p.Entities {
		if in(e.Text) || in(e.Canonical) {
			return true, nil
		}
	}
	return false, nil
}

// articleRecordOf reads the record of the article document docID.
func (s *Store) articleRecordOf(docID string) (articleRecord, bool, error) {
	var rec articleRecord
	doc, err := s.idx.Document(docID)
	if err != nil {
		return rec, false, fmt.Errorf("read article %s: %w", docID, err)
	}
	if doc == nil {
		return rec, false, nil
	}
	var src []byte
	doc.VisitFields(func(f index.Field) {
		if f.Name() == fieldSource {
			src = f.Value()
		}
	})
	if src == nil {
		return rec, false, nil
	}
	if err := json.Unmarshal(src, &rec); err != nil {
		return rec, false, fmt.Errorf("decode stored article %s: %w", docID, err)
	}
	return rec, true, nil
}

// articleHit makes the hit of article id: its record, and its paragraphs
// that matched (by the sum of what the positive clauses scored), best
// first, each with its highlights.
func (s *Store) articleHit(id string, matched []map[string]*articleMatch, hl *highlighter) (ArticleHit, bool, error) {
	rec, ok, err := s.articleRecordOf(articleDocID(id))
	if err != nil || !ok {
		return ArticleHit{}, false, err
	}
	hit := ArticleHit{ArticleID: rec.ID, Title: rec.Title, PublishedAt: publishedAt(rec.PublishedAt), Lang: rec.Lang, URL: rec.URL,
		Source: rec.Source, Paragraphs: []ParagraphMatch{}, Entities: rec.Entities}
	if len(hit.Entities) > MaxHitEntities {
		hit.Entities = hit.Entities[:MaxHitEntities]
	}
	if hit.Entities == nil {
		hit.Entities = []EntityCount{}
	}
	scores := map[int]float64{}
	for _, m := range matched {
		if am := m[id]; am != nil {
			for i, v := range am.paras {
				scores[i] += v
			}
		}
	}
	order := make([]int, 0, len(scores))
	for i := range scores {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b)) })
	for _, i := range order {
		if len(hit.Paragraphs) == MaxHitParagraphs {
			break
		}
		p, ok, err := s.storedParagraph(paragraphDocID(id, i))
		if err != nil {
			return ArticleHit{}, false, err
		}
		if !ok {
			continue
		}
		frags := hl.fragments(&p)
		if len(frags) == 0 {
			continue
		}
		text, truncated := cutText(p.Text)
		hit.Paragraphs = append(hit.Paragraphs, ParagraphMatch{Index: i, ParagraphID: p.ID, Text: text, TextBytes: len(p.Text),
			Truncated: truncated, Highlights: frags})
	}
	return hit, true, nil
}

// ranked is a matching article in the order of a search of GroupArticle.
type ranked struct {
	id        string
	score     float64
	published string // Bleve's sort key of its publication time
}

// articleCursor is the Query.After of the page after an article hit: how
// the hits were sorted, and the hit's score, publication sort key and id.
type articleCursor struct {
	byScore bool
	ranked
}

func cursorOf(byScore bool, r ranked) articleCursor { return articleCursor{byScore, r} }

// String encodes the cursor: "as" (by score) or "at" (by time), then the
// score, the sort key and the id, base64, joined by dots.
func (c articleCursor) String() string {
	kind := "at"
	if c.byScore {
		kind = "as"
	}
	enc := base64.RawURLEncoding
	return kind + "." + enc.EncodeToString([]byte(strconv.FormatFloat(c.score, 'g', -1, 64))) + "." +
		enc.EncodeToString([]byte(c.published)) + "." + enc.EncodeToString([]byte(c.id))
}

func parseArticleCursor(s string) (articleCursor, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != "as" && parts[0] != "at" {
		return articleCursor{}, fmt.Errorf("not an article cursor")
	}
	var dec [3][]byte
	for i := range dec {
		var err error
		if dec[i], err = base64.RawURLEncoding.DecodeString(parts[i+1]); err != nil {
			return articleCursor{}, err
		}
	}
	score, err := strconv.ParseFloat(string(dec[0]), 64)
	if err != nil || math.IsNaN(score) || len(dec[2]) == 0 {
		return articleCursor{}, fmt.Errorf("bad cursor")
	}
	return articleCursor{parts[0] == "as", ranked{id: string(dec[2]), score: score, published: string(dec[1])}}, nil
}

// next returns the position in all (in the search's order) of the first
// article after the cursor: right after its own article when that is still
// there, else the first that sorts after it.
func (c articleCursor) next(all []ranked, byScore bool) int {
	for i, r := range all {
		if r.id == c.id {
			return i + 1
		}
	}
	for i, r := range all {
		after := r.published < c.published || r.published == c.published && r.id > c.id
		if byScore {
			after = r.score < c.score || r.score == c.score && after
		}
		if after {
			return i
		}
	}
	return len(all)
}
