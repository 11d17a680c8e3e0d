package store

import (
	"context"
	"encoding/base64"
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

// Limits on a Query. Values beyond them are refused with ErrBadQuery.
const (
	DefaultSize = 10
	MaxSize     = 100
	// MaxOffset bounds Offset: the index ranks and holds Offset+Size hits
	// to answer a page, so deeper pages are asked for with After, which
	// holds Size.
	MaxOffset     = 1000
	DefaultFacets = 10
	MaxFacets     = 50
	// MaxTextBytes bounds the free text of a query.
	MaxTextBytes = 1024
	// MaxTerms bounds the words of the free text, each of which costs a
	// look-up in three fields.
	MaxTerms = 32
	// MaxFilters bounds the Entity and Type values of a query, each.
	MaxFilters = 20
)

// Facet names in Result.Facets.
const (
	FacetEntity     = "entity"
	FacetEntityType = "entity_type"
	FacetLang       = "lang"
)

// Query is a search over paragraphs. The zero Query finds every paragraph,
// newest first.
type Query struct {
	// Text is free text. A paragraph matches if every word of Text occurs in
	// its text, its article's title, or the surface form of one of its
	// entities; words are split and lower-cased like the indexed text, and no
	// operators are interpreted, so any input is safe. Hits are ranked by
	// relevance. Without Text, hits are sorted by publication time, newest first.
	Text string
	// Entity keeps paragraphs that mention every one of these canonical
	// entity names ("China", not "Tiongkok"); they match exactly, as the
	// "entity" facet lists them.
	Entity []string
	// Type keeps paragraphs that have an entity of every one of these types
	// (PERSON, ORGANIZATION, LOCATION, EVENT, MISC; case-insensitive).
	Type []string
	// Lang keeps paragraphs of articles in this language ("id", "en").
	Lang string
	// From and To keep paragraphs of articles published in [From, To]. Each
	// is a date ("2025-09-02", whole day, so To includes that day) or an RFC
	// 3339 time. They filter on the publication time, not on the dates the
	// text mentions: that is what a reader browsing the news by day expects,
	// and every article has one publication time while a paragraph may
	// mention none or many dates.
	From, To string
	// MentionedFrom and MentionedTo keep paragraphs that mention a date in
	// [MentionedFrom, MentionedTo], in the same formats. A mentioned month or
	// year counts as its first day ("2025-09" as 2025-09-01); decades do not
	// count.
	MentionedFrom, MentionedTo string
	// Size is the number of hits to return: 0 means DefaultSize, at most MaxSize.
	Size int
	// Offset is the number of hits to skip, for paging: at most MaxOffset.
	Offset int
	// After pages on from a hit: the Next of the previous page of the same
	// query. It costs the same however deep the page; it cannot be
	// combined with Offset.
	After string
	// Facets is the number of terms per facet: 0 means DefaultFacets, at most MaxFacets.
	Facets int
}

// Result is the answer to a Query.
type Result struct {
	// Total is the number of paragraphs that match, of which Hits is one page.
	Total uint64 `json:"total"`
	// Took is how long the index took; it is "took_ms" in JSON.
	Took time.Duration `json:"-"`
	Hits []Hit         `json:"hits"`
	// Facets counts the matching paragraphs by FacetEntity (canonical
	// names), FacetEntityType and FacetLang, most frequent first.
	Facets map[string][]FacetCount `json:"facets"`
	// Next, when set, is the Query.After that asks for the page after this
	// one. It is set on every full page (as many hits as Size), so the
	// page after it may be empty.
	Next string `json:"next,omitempty"`
}

type resultJSON struct {
	Total  uint64                  `json:"total"`
	TookMS float64                 `json:"took_ms"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
	Next   string                  `json:"next,omitempty"`
}

// MarshalJSON encodes Took as fractional milliseconds in "took_ms".
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultJSON{
		Total:  r.Total,
		TookMS: float64(r.Took.Microseconds()) / 1000,
		Hits:   r.Hits,
		Facets: r.Facets,
		Next:   r.Next,
	})
}

// Truncate keeps the first n hits and sets Next to page on after the last
// of them: how an answer too large to send is cut without losing a hit.
func (r *Result) Truncate(n int) {
	if n >= len(r.Hits) || n < 0 {
		return
	}
	r.Hits = r.Hits[:n]
	r.Next = ""
	if n > 0 {
		r.Next = r.Hits[n-1].cursor
	}
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (r *Result) UnmarshalJSON(b []byte) error {
	var v resultJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Result{
		Total:  v.Total,
		Took:   time.Duration(v.TookMS * float64(time.Millisecond)),
		Hits:   v.Hits,
		Facets: v.Facets,
		Next:   v.Next,
	}
	return nil
}

// Hit is one matching paragraph.
type Hit struct {
	ArticleID   string `json:"article_id"`
	ParagraphID string `json:"paragraph_id"`
	Index       int    `json:"index"`
	Title       string `json:"title"`
	// Text is the paragraph's text, or its first MaxHitTextBytes when it
	// is longer: then Truncated is set, and the whole paragraph is in the
	// article (Store.Article). TextBytes is the length of the whole.
	Text      string `json:"text"`
	TextBytes int    `json:"text_bytes"`
	Truncated bool   `json:"truncated,omitempty"`
	// Score is the relevance to Query.Text, higher is better; 0 without Text.
	Score float64 `json:"score"`
	// Highlights are fragments of the paragraph around the query's words,
	// HTML-escaped, with the words in <mark>…</mark>: one, found in its
	// first MaxHighlightScanBytes (and so perhaps beyond Text). Empty
	// without Query.Text, or if the words matched the title or entities only.
	Highlights []string `json:"highlights"`
	// Entities and Dates are those in Text, as enrich tagged them, with
	// byte offsets into Text, except that once the article is complete an
	// entity's Canonical is the one linked across the article ("Xi" → "Xi
	// Jinping").
	Entities    []events.Entity `json:"entities"`
	Dates       []events.Date   `json:"dates"`
	PublishedAt string          `json:"published_at,omitempty"`
	Lang        string          `json:"lang"`
	URL         string          `json:"url,omitempty"`
	Source      string          `json:"source,omitempty"`

	// cursor is the Query.After of the page after this hit.
	cursor string
}

// FacetCount is one term of a facet and how many matching paragraphs have it.
type FacetCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// MaxHitTextBytes bounds the text of a hit (see Hit.Text): a page of
// MaxSize hits stays small however long the paragraphs.
const MaxHitTextBytes = 16 << 10

// Search finds paragraphs. It returns an error wrapping ErrBadQuery if q is
// out of bounds (see the limits) or has an unreadable date, unknown entity
// type or cursor; ctx bounds all of it, the hits' texts and highlights
// included; other errors come from the index.
//
// The work of a search is bounded whatever the index holds: Bleve ranks
// Offset+Size hits; their paragraphs are read one at a time, each cut to
// MaxHitTextBytes; and highlighting looks for the words in the first
// MaxHighlightScanBytes of each and analyses a window of a few hundred
// bytes around them, never the whole paragraph.
func (s *Store) Search(ctx context.Context, q Query) (Result, error) {
	req, words, sorted, err := s.request(q)
	if err != nil {
		return Result{}, err
	}
	var hl *highlighter
	if len(words) > 0 {
		if hl, err = s.newHighlighter(words); err != nil {
			return Result{}, err
		}
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	out := Result{
		Total:  res.Total,
		Took:   res.Took,
		Hits:   make([]Hit, 0, len(res.Hits)),
		Facets: make(map[string][]FacetCount, len(res.Facets)),
	}
	for _, h := range res.Hits {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		hit, ok, err := s.hit(h, hl, sorted)
		if err != nil {
			return Result{}, err
		}
		if ok {
			out.Hits = append(out.Hits, hit)
		}
	}
	if len(res.Hits) == req.Size && len(out.Hits) > 0 {
		out.Next = out.Hits[len(out.Hits)-1].cursor
	}
	for _, name := range []string{FacetEntity, FacetEntityType, FacetLang} {
		counts := []FacetCount{}
		if f := res.Facets[name]; f != nil {
			for _, t := range f.Terms.Terms() {
				counts = append(counts, FacetCount{Term: t.Term, Count: t.Count})
			}
		}
		out.Facets[name] = counts
	}
	return out, nil
}

// hit reads the paragraph of a match, cuts its text and highlights it. It
// reports false for a paragraph deleted since the search ran.
func (s *Store) hit(h *search.DocumentMatch, hl *highlighter, sorted sortKind) (Hit, bool, error) {
	// Bleve could load the stored fields of every hit with the search, but
	// would hold them all, whole, until the page is done: here one
	// paragraph at a time is read, and only its cut text is kept.
	doc, err := s.idx.Document(h.ID)
	if err != nil {
		return Hit{}, false, fmt.Errorf("read paragraph %s: %w", h.ID, err)
	}
	if doc == nil {
		return Hit{}, false, nil
	}
	fields := map[string]any{}
	doc.VisitFields(func(f index.Field) {
		switch f.Name() {
		case fieldSource, fieldText, fieldTitle, fieldType:
			fields[f.Name()] = string(f.Value())
		}
	})
	if storedString(fields, fieldType) != typeParagraph {
		return Hit{}, false, nil
	}
	p, err := decodeParagraph(h.ID, fields)
	if err != nil {
		return Hit{}, false, err
	}
	score := h.Score
	if math.IsNaN(score) || math.IsInf(score, 0) {
		score = 0 // JSON has no NaN
	}
	hit := Hit{
		ArticleID:   p.ArticleID,
		ParagraphID: p.ID,
		Index:       p.Index,
		Title:       p.Title,
		Text:        p.Text,
		TextBytes:   len(p.Text),
		Score:       score,
		Highlights:  []string{},
		Entities:    p.Entities,
		Dates:       p.Dates,
		PublishedAt: p.PublishedAt,
		Lang:        p.Lang,
		URL:         p.URL,
		Source:      p.Source,
		cursor:      sorted.cursor(h),
	}
	if hl != nil {
		hit.Highlights = hl.fragments(h.ID, p.Text)
	}
	if len(hit.Text) > MaxHitTextBytes {
		hit.Text = hit.Text[:runeStart(hit.Text, MaxHitTextBytes)]
		hit.Truncated = true
		hit.Entities = slices.DeleteFunc(hit.Entities, func(e events.Entity) bool { return e.End > len(hit.Text) })
		hit.Dates = slices.DeleteFunc(hit.Dates, func(d events.Date) bool { return d.End > len(hit.Text) })
	}
	return hit, true, nil
}

// runeStart returns the largest i <= n (and <= len(s)) at which a rune of s
// starts.
func runeStart(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

func badQuery(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadQuery, fmt.Sprintf(format, args...))
}

// request validates q and turns it into a Bleve request; it returns the
// words to highlight and how the hits are sorted.
func (s *Store) request(q Query) (*bleve.SearchRequest, []string, sortKind, error) {
	size, err := bounded("size", q.Size, DefaultSize, MaxSize)
	if err != nil {
		return nil, nil, 0, err
	}
	facets, err := bounded("facets", q.Facets, DefaultFacets, MaxFacets)
	if err != nil {
		return nil, nil, 0, err
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return nil, nil, 0, badQuery("offset %d is out of range: use 0 to %d, and page further with search_after "+
			"(the \"next\" of each page), which costs the same at any depth", q.Offset, MaxOffset)
	}
	if q.Offset > 0 && q.After != "" {
		return nil, nil, 0, badQuery("offset %d and search_after cannot go together: page with search_after alone, "+
			"from the \"next\" of the previous page, and not both", q.Offset)
	}
	// Filters decide which paragraphs match but add nothing to the score.
	filters := []bq.Query{termQuery(fieldType, typeParagraph)}

	text := strings.TrimSpace(q.Text)
	if len(text) > MaxTextBytes {
		return nil, nil, 0, badQuery("text is %d bytes long: use at most %d", len(text), MaxTextBytes)
	}
	if !utf8.ValidString(text) {
		return nil, nil, 0, badQuery("text is not valid UTF-8")
	}
	var words []string
	if text != "" {
		if words, err = s.words(text); err != nil {
			return nil, nil, 0, err
		}
	}

	entities, err := filterValues("entity", q.Entity, func(v string) (string, error) { return v, nil })
	if err != nil {
		return nil, nil, 0, err
	}
	for _, e := range entities {
		filters = append(filters, termQuery(fieldEntity, e))
	}
	types, err := filterValues("type", q.Type, entityType)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, t := range types {
		filters = append(filters, termQuery(fieldEntityType, t))
	}
	if lang := strings.ToLower(strings.TrimSpace(q.Lang)); lang != "" {
		filters = append(filters, termQuery(fieldLang, lang))
	}
	for _, r := range []struct{ field, fromName, from, toName, to string }{
		{fieldPublishedAt, "from", q.From, "to", q.To},
		{fieldDate, "mentioned_from", q.MentionedFrom, "mentioned_to", q.MentionedTo},
	} {
		dq, err := dateRange(r.field, r.fromName, r.from, r.toName, r.to)
		if err != nil {
			return nil, nil, 0, err
		}
		if dq != nil {
			filters = append(filters, dq)
		}
	}

	var bleveQuery bq.Query
	sorted := byTime
	switch {
	case text == "":
		// Filters only: a conjunction leapfrogs through the filters' postings,
		// where a boolean filter would walk every document.
		bleveQuery = bleve.NewConjunctionQuery(filters...)
	case len(words) == 0:
		// Nothing but punctuation: no paragraph can match it. (Not a boolean
		// query's Must, which Bleve drops when it matches nothing.)
		bleveQuery = bleve.NewMatchNoneQuery()
	default:
		// Every word must occur in one of the three fields.
		b := bleve.NewBooleanQuery()
		for _, w := range words {
			b.AddMust(bleve.NewDisjunctionQuery(
				termQuery(fieldText, w), termQuery(fieldTitle, w), termQuery(fieldEntityText, w)))
		}
		b.AddFilter(bleve.NewConjunctionQuery(filters...))
		bleveQuery = b
		sorted = byScore
	}

	req := bleve.NewSearchRequestOptions(bleveQuery, size, q.Offset, false)
	req.AddFacet(FacetEntity, bleve.NewFacetRequest(fieldEntity, facets))
	req.AddFacet(FacetEntityType, bleve.NewFacetRequest(fieldEntityType, facets))
	req.AddFacet(FacetLang, bleve.NewFacetRequest(fieldLang, facets))
	if sorted == byScore {
		// The id breaks ties, so that pages do not overlap.
		req.SortBy([]string{"-_score", "_id"})
	} else {
		// Keyword fields keep no norms, so scores of filter-only searches are
		// meaningless (NaN): skip them.
		req.Score = bleve.ScoreNone
		req.SortBy([]string{"-" + fieldPublishedAt, "_id"})
	}
	if q.After != "" {
		after, err := sorted.parseCursor(q.After)
		if err != nil {
			return nil, nil, 0, err
		}
		req.SearchAfter = after
	}
	return req, words, sorted, nil
}

// sortKind is how the hits of a search are sorted: by relevance, or (with
// no free text) by publication time, newest first; the id breaks ties.
type sortKind byte

const (
	byTime  sortKind = 't'
	byScore sortKind = 's'
)

// cursor returns the Query.After that pages on after h: the sort kind and
// h's sort values, each base64 (a publication time is Bleve's binary
// term), joined by dots.
func (k sortKind) cursor(h *search.DocumentMatch) string {
	first := ""
	switch {
	case k == byScore:
		first = strconv.FormatFloat(h.Score, 'g', -1, 64)
	case len(h.Sort) > 0:
		first = h.Sort[0]
	}
	enc := base64.RawURLEncoding
	return string(k) + "." + enc.EncodeToString([]byte(first)) + "." + enc.EncodeToString([]byte(h.ID))
}

// parseCursor reads a cursor into Bleve's SearchAfter values.
func (k sortKind) parseCursor(c string) ([]string, error) {
	bad := badQuery("search_after %q is not a cursor of this search: pass the \"next\" of the previous page "+
		"of the same query (q and filters), unchanged", clip(c, 40))
	kind, rest, ok1 := strings.Cut(c, ".")
	first, id, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || kind != string(k) {
		return nil, bad
	}
	enc := base64.RawURLEncoding
	v, err1 := enc.DecodeString(first)
	d, err2 := enc.DecodeString(id)
	if err1 != nil || err2 != nil || len(d) == 0 {
		return nil, bad
	}
	if k == byScore {
		if f, err := strconv.ParseFloat(string(v), 64); err != nil || math.IsNaN(f) {
			return nil, bad
		}
	}
	return []string{string(v), string(d)}, nil
}

// clip shortens s to at most n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:runeStart(s, n)] + "…"
}

// words splits text as the text fields are analysed, dropping repeats.
func (s *Store) words(text string) ([]string, error) {
	analyzer := s.idx.Mapping().AnalyzerNamed(textAnalyzer)
	if analyzer == nil {
		return nil, fmt.Errorf("analyzer %s is missing from the index mapping", textAnalyzer)
	}
	var words []string
	seen := map[string]bool{}
	for _, tok := range analyzer.Analyze([]byte(text)) {
		w := string(tok.Term)
		if seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
	}
	if len(words) > MaxTerms {
		return nil, badQuery("text has %d distinct words: use at most %d", len(words), MaxTerms)
	}
	return words, nil
}

func bounded(name string, v, def, hi int) (int, error) {
	switch {
	case v == 0:
		return def, nil
	case v < 0 || v > hi:
		return 0, badQuery("%s %d is out of range: use 1 to %d", name, v, hi)
	}
	return v, nil
}

// filterValues trims, checks and de-duplicates the values of a repeatable filter.
func filterValues(name string, vs []string, check func(string) (string, error)) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		v, err := check(v)
		if err != nil {
			return nil, err
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(out) > MaxFilters {
		return nil, badQuery("%d %s filters: use at most %d", len(out), name, MaxFilters)
	}
	return out, nil
}

func entityType(v string) (string, error) {
	up := strings.ToUpper(v)
	names := make([]string, len(events.EntityTypes))
	for i, t := range events.EntityTypes {
		if string(t) == up {
			return up, nil
		}
		names[i] = string(t)
	}
	return "", badQuery("unknown entity type %q: use one of %s", v, strings.Join(names, ", "))
}

// dateRange builds a range query on a datetime field, or nil if both bounds
// are empty. A date-only upper bound includes its whole day.
func dateRange(field, fromName, from, toName, to string) (bq.Query, error) {
	if from == "" && to == "" {
		return nil, nil
	}
	start, _, err := parseBound(fromName, from)
	if err != nil {
		return nil, err
	}
	end, dateOnly, err := parseBound(toName, to)
	if err != nil {
		return nil, err
	}
	endInclusive := true
	if dateOnly {
		end = end.AddDate(0, 0, 1)
		endInclusive = false
	}
	if !start.IsZero() && !end.IsZero() && !start.Before(end) && !(endInclusive && start.Equal(end)) {
		return nil, badQuery("%s %s is after %s %s: swap them", fromName, from, toName, to)
	}
	startInclusive := true
	q := bleve.NewDateRangeInclusiveQuery(start, end, &startInclusive, &endInclusive)
	q.SetField(field)
	return q, nil
}

// parseBound reads a date bound; dateOnly tells a "2006-01-02" date.
func parseBound(name, v string) (t time.Time, dateOnly bool, err error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false, nil
	}
	if t, err = time.Parse(time.RFC3339, v); err != nil {
		if t, err = time.Parse(time.DateOnly, v); err != nil {
			return time.Time{}, false, badQuery("%s %q is not a date: use 2025-09-02 or an RFC 3339 time such as 2025-09-02T10:30:00+07:00", name, v)
		}
		dateOnly = true
	}
	if !timeInRange(t) {
		return time.Time{}, false, badQuery("%s %q is out of range: use a date between %d and %d", name, v, minTime.Year(), maxTime.Year()-1)
	}
	return t, dateOnly, nil
}

func termQuery(field, term string) *bq.TermQuery {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	return q
}
