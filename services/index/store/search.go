package store

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
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

// Groupings of Query.Group.
const (
	// GroupArticle returns one hit per article: the default.
	GroupArticle = "article"
	// GroupParagraph returns one hit per paragraph.
	GroupParagraph = "paragraph"
)

// Orders of Query.Sort.
const (
	// SortRelevance ranks the best matches first: the default with Text.
	SortRelevance = "relevance"
	// SortPublished puts the newest first: the default without Text.
	SortPublished = "published"
)

// Query is a search. The zero Query finds every complete article, newest
// first.
type Query struct {
	// Text is free text, in the query language described in query.go:
	// words, "phrases", -excluded words, and OR. An article matches when
	// each of its words (or phrases, or one of words joined by OR) occurs
	// in its title or in one of its paragraphs (in the text, as another
	// form of the word in the article's language, or as an entity's name)
	// and no excluded one does. With GroupParagraph, all of them must occur
	// in the paragraph. Without Text, hits are sorted by publication time,
	// newest first.
	Text string
	// Entity keeps articles that mention every one of these entities. A
	// value may be a canonical name ("China"), any name the article's
	// entities were written as ("Tiongkok"), in any case ("xi jinping"):
	// it stands for every canonical name the index knows it as. A value
	// the index does not know gets an empty Result with a Hint.
	Entity []string
	// Type keeps articles that have an entity of every one of these types
	// (PERSON, ORGANIZATION, LOCATION, EVENT, MISC; case-insensitive).
	Type []string
	// Lang keeps articles in this language ("id", "en").
	Lang string
	// From and To keep articles published in [From, To]. Each is a date
	// ("2025-09-02", whole day, so To includes that day) or an RFC 3339
	// time. They filter on the publication time, not on the dates the text
	// mentions.
	From, To string
	// MentionedFrom and MentionedTo keep articles that mention a date in
	// [MentionedFrom, MentionedTo], in the same formats. A mentioned month or
	// year counts as its first day ("2025-09" as 2025-09-01); decades do not
	// count.
	MentionedFrom, MentionedTo string
	// Group is GroupArticle (""), one hit per article, or GroupParagraph,
	// one hit per paragraph, with the filters applying to the paragraph.
	Group string
	// Sort is SortRelevance or SortPublished; "" means relevance with Text
	// and published without.
	Sort string
	// Size is the number of hits to return: 0 means DefaultSize, at most MaxSize.
	Size int
	// Offset is the number of hits to skip, for paging: at most MaxOffset.
	Offset int
	// After pages on from a hit: the Next of the previous page of the same
	// query. It cannot be combined with Offset.
	After string
	// Facets is the number of terms per facet: 0 means DefaultFacets, at most MaxFacets.
	Facets int
}

// Result is the answer to a Query.
type Result struct {
	// Total is the number of articles (or, with GroupParagraph,
	// paragraphs) that match, of which the hits are one page.
	Total uint64
	// Took is how long the index took; it is "took_ms" in JSON.
	Took time.Duration
	// Group is the grouping of the hits: GroupArticle or GroupParagraph.
	Group string
	// Articles are the hits of GroupArticle, Paragraphs those of
	// GroupParagraph; both are "hits" in JSON.
	Articles   []ArticleHit
	Paragraphs []Hit
	// Facets counts the matching articles (paragraphs, with
	// GroupParagraph) by FacetEntity (canonical names), FacetEntityType and
	// FacetLang, most frequent first.
	Facets map[string][]FacetCount
	// Next, when set, is the Query.After that asks for the page after this
	// one. It is set on every full page (as many hits as Size), so the
	// page after it may be empty.
	Next string
	// Hint says why nothing matched when a filter names something the
	// index does not know, and what it knows that is close.
	Hint *Hint
	// Capped says that a word of Text matched more than MaxMatches
	// paragraphs: Total and the hits count the best MaxMatches of them.
	Capped bool
}

// Hint explains an empty result.
type Hint struct {
	// Message says what was not found and what to try.
	Message string `json:"message"`
	// Unknown are the entity filters no entity of the index is known as.
	Unknown []string `json:"unknown_entities,omitempty"`
	// DidYouMean are the known canonical names nearest to them.
	DidYouMean []string `json:"did_you_mean,omitempty"`
}

type resultJSON struct {
	Total  uint64                  `json:"total"`
	TookMS float64                 `json:"took_ms"`
	Group  string                  `json:"group"`
	Hits   json.RawMessage         `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
	Next   string                  `json:"next,omitempty"`
	Hint   *Hint                   `json:"hint,omitempty"`
	Capped bool                    `json:"capped,omitempty"`
}

// MarshalJSON encodes the hits of the Result's grouping as "hits", and
// Took as fractional milliseconds in "took_ms".
func (r Result) MarshalJSON() ([]byte, error) {
	var hits any = r.Articles
	if r.Group == GroupParagraph {
		hits = r.Paragraphs
	}
	raw, err := json.Marshal(hits)
	if err != nil {
		return nil, err
	}
	if string(raw) == "null" {
		raw = []byte("[]")
	}
	return json.Marshal(resultJSON{
		Total:  r.Total,
		TookMS: float64(r.Took.Microseconds()) / 1000,
		Group:  r.Group,
		Hits:   raw,
		Facets: r.Facets,
		Next:   r.Next,
		Hint:   r.Hint,
		Capped: r.Capped,
	})
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
		Group:  v.Group,
		Facets: v.Facets,
		Next:   v.Next,
		Hint:   v.Hint,
		Capped: v.Capped,
	}
	if len(v.Hits) == 0 {
		return nil
	}
	if r.Group == GroupParagraph {
		return json.Unmarshal(v.Hits, &r.Paragraphs)
	}
	return json.Unmarshal(v.Hits, &r.Articles)
}

// NumHits returns the number of hits on the page.
func (r Result) NumHits() int {
	if r.Group == GroupParagraph {
		return len(r.Paragraphs)
	}
	return len(r.Articles)
}

// HitJSON returns hit i as JSON: what it adds to the answer.
func (r Result) HitJSON(i int) ([]byte, error) {
	if r.Group == GroupParagraph {
		return json.Marshal(r.Paragraphs[i])
	}
	return json.Marshal(r.Articles[i])
}

// Truncate keeps the first n hits and sets Next to page on after the last
// of them: how an answer too large to send is cut without losing a hit.
func (r *Result) Truncate(n int) {
	if n >= r.NumHits() || n < 0 {
		return
	}
	r.Next = ""
	if r.Group == GroupParagraph {
		r.Paragraphs = r.Paragraphs[:n]
		if n > 0 {
			r.Next = r.Paragraphs[n-1].cursor
		}
		return
	}
	r.Articles = r.Articles[:n]
	if n > 0 {
		r.Next = r.Articles[n-1].cursor
	}
}

// ArticleHit is one matching article.
type ArticleHit struct {
	ArticleID   string `json:"article_id"`
	Title       string `json:"title"`
	PublishedAt string `json:"published_at,omitempty"`
	Lang        string `json:"lang,omitempty"`
	URL         string `json:"url,omitempty"`
	Source      string `json:"source,omitempty"`
	// Score is the relevance to Query.Text, higher is better; 0 without Text.
	Score float64 `json:"score"`
	// Paragraphs are the article's paragraphs that match Query.Text, best
	// first, at most MaxHitParagraphs, each with its highlights; empty when
	// the article matched by its title or by filters alone.
	Paragraphs []ParagraphMatch `json:"paragraphs"`
	// Entities are the names the article mentions, most mentioned first:
	// at most MaxHitEntities of them.
	Entities []EntityCount `json:"entities"`

	cursor string
}

// ParagraphMatch is a paragraph of an ArticleHit.
type ParagraphMatch struct {
	Index       int    `json:"index"`
	ParagraphID string `json:"paragraph_id"`
	// Text is the paragraph's text (see Hit.Text).
	Text      string `json:"text"`
	TextBytes int    `json:"text_bytes"`
	Truncated bool   `json:"truncated,omitempty"`
	// Highlights are fragments of the paragraph around the query's words,
	// HTML-escaped, with the words (and other forms of them, and the
	// entities named by them) in <mark>…</mark>.
	Highlights []string `json:"highlights"`
}

// Bounds of an ArticleHit.
const (
	MaxHitParagraphs = 3
	MaxHitEntities   = 20
)

// MaxMatches bounds the paragraphs (and titles) one word of a query may
// match in a search of GroupArticle: the best of them count. It bounds the
// work of a word as common as "the" in a large index.
const MaxMatches = 20_000

// Hit is one matching paragraph, a hit of GroupParagraph.
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
	// first MaxHighlightScanBytes. Empty without Query.Text.
	Highlights []string `json:"highlights"`
	// Entities and Dates are those in Text, as enrich tagged them, except
	// that once the article is complete an entity's Canonical is the one
	// linked across the article ("Xi" → "Xi Jinping"). Their start and end
	// are byte offsets into the UTF-8 Text; the rune and UTF-16 offsets
	// beside them cut the text right in Python (code points) and
	// JavaScript (UTF-16 code units).
	Entities    []EntitySpan `json:"entities"`
	Dates       []DateSpan   `json:"dates"`
	PublishedAt string       `json:"published_at,omitempty"`
	Lang        string       `json:"lang"`
	URL         string       `json:"url,omitempty"`
	Source      string       `json:"source,omitempty"`

	// cursor is the Query.After of the page after this hit.
	cursor string
}

// FacetCount is one term of a facet and how many matching articles (or
// paragraphs) have it.
type FacetCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// MaxHitTextBytes bounds the text of a hit (see Hit.Text): a page of
// MaxSize hits stays small however long the paragraphs.
const MaxHitTextBytes = 16 << 10

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

// timeRange is a from/to filter on a time field (a keyword of time keys):
// the keys of its bounds, "" for an open end.
type timeRange struct {
	field        string
	min, max     string
	maxInclusive bool
}

// query is the filter on the field of a document of type typ.
func (r timeRange) query(typ string) bq.Query {
	minInclusive := true
	q := bleve.NewTermRangeInclusiveQuery(r.min, r.max, &minInclusive, &r.maxInclusive)
	q.SetField(fieldOf(typ, r.field))
	return q
}

// dateRange reads the bounds of a range on a time field, or nil if both are
// empty. A date-only upper bound includes its whole day.
func dateRange(field, fromName, from, toName, to string) (*timeRange, error) {
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
	r := &timeRange{field: field, maxInclusive: endInclusive}
	if !start.IsZero() {
		r.min = timeKey(start)
	}
	if !end.IsZero() {
		r.max = timeKey(end)
	}
	return r, nil
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
