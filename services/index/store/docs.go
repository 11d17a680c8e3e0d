package store

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/analysis"
	"github.com/warta-news/warta/services/index/link"
)

// The times an index keeps: the range of Bleve's datetimes (int64
// nanoseconds since 1970), which the index used before time keys and whose
// years all have four digits, as timeKey needs. Times outside it are left
// out of the time fields.
var (
	minTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

func timeInRange(t time.Time) bool { return !t.Before(minTime) && t.Before(maxTime) }

// timeKeyLayout is how the index keeps a time (see timeKey).
const timeKeyLayout = "2006-01-02T15:04:05.000000000Z"

// timeKey returns the keyword the index keeps for t: UTC, to the
// nanosecond, of a fixed width (every year in range has four digits), so
// keywords sort as their times do and a range of times is a range of
// terms. A datetime field would index sixteen terms per value (Bleve's
// precision steps), and keep them all in its doc values.
func timeKey(t time.Time) string { return t.UTC().Format(timeKeyLayout) }

// Document ids. Each kind has a prefix of its own and its parts are joined
// by spaces, which no article id contains (events.CheckArticleID), so an id
// of one kind is never an id of another, nor of another article:
// "article jkt-1", "paragraph jkt-1 2", "pending jkt-1 17 a685e4645aa025ca 2".

// articleDocID is the id of an article's document.
func articleDocID(articleID string) string { return "article " + articleID }

// paragraphDocID is the id of the paragraph document at index: the
// paragraph of the article's current revision (or, before one completed,
// of the newest revision seen there).
func paragraphDocID(articleID string, index int) string {
	return "paragraph " + articleID + " " + strconv.Itoa(index)
}

// pendingDocID is the id of a pending paragraph: one of a revision that waits
// to complete.
func pendingDocID(articleID string, s slot) string {
	return "pending " + articleID + " " + strconv.FormatUint(s.Seq, 10) + " " + s.Version + " " + strconv.Itoa(s.Index)
}

// articleRecord is the _source of an article document.
type articleRecord struct {
	ID          string    `json:"id"`
	Version     string    `json:"version"`
	ArticleSeq  uint64    `json:"article_seq,omitempty"`
	Title       string    `json:"title"`
	Count       int       `json:"count"`
	PublishedAt string    `json:"published_at,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	URL         string    `json:"url,omitempty"`
	Source      string    `json:"source,omitempty"`
	IndexedAt   time.Time `json:"indexed_at"`
	// Entities summarises the names the article mentions.
	Entities []EntityCount `json:"entities,omitempty"`
	// Links is the link table of the revision, computed when it completed.
	Links *link.Table `json:"links,omitempty"`
	// Update says that an earlier revision of the article had completed
	// before this one: its alerts are updates.
	Update bool `json:"update,omitempty"`
}

// EntityCount is a name an article mentions: its canonical name, its type,
// and how many times the article mentions it.
type EntityCount struct {
	Name     string            `json:"name"`
	Type     events.EntityType `json:"type"`
	Mentions int               `json:"mentions"`
}

// aliasSep joins a lower-cased alias and its canonical name in the
// entity_alias field: no name contains it.
const aliasSep = "\x1f"

// articleDoc builds the document of an article whose complete revision is
// ps (its paragraphs, linked), meta being one of them; update says an
// earlier revision had completed.
func articleDoc(meta *events.EnrichedParagraph, ps []*events.EnrichedParagraph, links link.Table, now time.Time, update bool) (map[string]any, error) {
	rec := articleRecord{
		ID: meta.ArticleID, Version: meta.Version, ArticleSeq: meta.ArticleSeq, Title: meta.Title, Count: meta.Count,
		PublishedAt: meta.PublishedAt, Lang: meta.Lang, URL: meta.URL, Source: meta.Source, IndexedAt: now, Update: update,
	}
	if !links.Empty() {
		rec.Links = &links
	}
	type key struct {
		name string
		typ  events.EntityType
	}
	mentions := map[key]int{}
	aliases := map[string]bool{}
	var dates []*events.Date
	for _, p := range ps {
		for _, e := range p.Entities {
			name := link.CanonicalOf(e)
			mentions[key{name, e.Type}]++
			aliases[strings.ToLower(name)+aliasSep+name] = true
			aliases[strings.ToLower(e.Text)+aliasSep+name] = true
		}
		for i := range p.Dates {
			dates = append(dates, &p.Dates[i])
		}
	}
	for k, n := range mentions {
		rec.Entities = append(rec.Entities, EntityCount{Name: k.name, Type: k.typ, Mentions: n})
	}
	slices.SortFunc(rec.Entities, func(a, b EntityCount) int {
		return cmp.Or(cmp.Compare(b.Mentions, a.Mentions), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type))
	})
	src, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encode article %s: %w", meta.ArticleID, err)
	}
	doc := map[string]any{
		fieldType:       typeArticle,
		fieldArticleID:  meta.ArticleID,
		fieldVersion:    meta.Version,
		fieldArticleSeq: float64(meta.ArticleSeq),
		fieldCount:      float64(meta.Count),
		fieldSource:     string(src),
	}
	addWords(doc, fieldTitle, meta.Lang, meta.Title)
	addMeta(doc, typeArticle, meta)
	if len(rec.Entities) > 0 {
		var names, types []string
		seen := map[string]bool{}
		for _, e := range rec.Entities {
			if !seen["n"+e.Name] {
				seen["n"+e.Name] = true
				names = append(names, e.Name)
			}
			if !seen["t"+string(e.Type)] {
				seen["t"+string(e.Type)] = true
				types = append(types, string(e.Type))
			}
		}
		doc[fieldArticleEntity] = names
		doc[fieldArticleEntityType] = types
		doc[fieldEntityAlias] = slices.Sorted(maps.Keys(aliases))
	}
	addDates(doc, dates)
	return doc, nil
}

// addWords adds to doc the text of field to be indexed as words, in the
// words field of its language (see wordsField).
func addWords(doc map[string]any, field, lang, text string) {
	key := ""
	if st, ok := analysis.ForLang(strings.ToLower(lang)); ok {
		key = st.Key
	}
	if text != "" {
		doc[wordsField(field, key)] = text
	}
}

// publishedAt is a stored publication time as the API and the alerts show
// it: RFC 3339. An event written before ingest normalised dates may carry
// a date ("2025-09-02"), which an index keeps as it came: it is shown as
// midnight UTC, the time it is indexed at.
func publishedAt(s string) string {
	if t, err := events.NormalizeTime(s); err == nil {
		return t
	}
	return s
}

// addMeta adds the language and publication time of p's article to doc, a
// document of type typ, in that type's fields (see fieldOf).
func addMeta(doc map[string]any, typ string, p *events.EnrichedParagraph) {
	if lang := strings.ToLower(p.Lang); lang != "" {
		doc[fieldOf(typ, fieldLang)] = lang
	}
	if p.PublishedAt != "" {
		if t, err := events.ParseTime(p.PublishedAt); err == nil && timeInRange(t) {
			doc[fieldOf(typ, fieldPublishedAt)] = timeKey(t)
		}
	}
}

// addDates adds the values and the starts of dates to doc.
func addDates(doc map[string]any, dates []*events.Date) {
	var values []string
	var starts []string
	seen := make(map[string]bool, len(dates))
	for _, d := range dates {
		if d.Value == "" || seen[d.Value] {
			continue
		}
		seen[d.Value] = true
		values = append(values, d.Value)
		if t, ok := dateStart(d.Value); ok {
			starts = append(starts, timeKey(t))
		}
	}
	if len(values) > 0 {
		doc[fieldDateValue] = values
	}
	if len(starts) > 0 {
		doc[fieldDate] = starts
	}
}

func pendingDoc(p *events.EnrichedParagraph, now time.Time) (map[string]any, error) {
	src, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode paragraph %s: %w", p.ID, err)
	}
	return map[string]any{
		fieldType:       typePending,
		fieldArticleID:  p.ArticleID,
		fieldVersion:    p.Version,
		fieldArticleSeq: float64(p.ArticleSeq),
		fieldIndex:      float64(p.Index),
		fieldCount:      float64(p.Count),
		fieldHeldAt:     timeKey(now),
		fieldSource:     string(src),
	}, nil
}

// ParagraphDocument returns the id and the Bleve document that the store
// indexes for paragraph p, as they are before its article is linked: what
// a program writing into an index of NewIndex gives bleve.Batch.Index. It
// returns an error for a paragraph that cannot be encoded.
func ParagraphDocument(p *events.EnrichedParagraph) (id string, doc map[string]any, err error) {
	doc, err = paragraphDoc(p)
	return paragraphDocID(p.ArticleID, p.Index), doc, err
}

func paragraphDoc(p *events.EnrichedParagraph) (map[string]any, error) {
	// The text and title have stored fields of their own; keeping them out of
	// _source saves storing the text twice.
	slim := *p
	slim.Text, slim.Title = "", ""
	if slim.Entities == nil {
		slim.Entities = []events.Entity{}
	}
	if slim.Dates == nil {
		slim.Dates = []events.Date{}
	}
	src, err := json.Marshal(&slim)
	if err != nil {
		return nil, fmt.Errorf("encode paragraph %s: %w", p.ID, err)
	}
	doc := map[string]any{
		fieldType:       typeParagraph,
		fieldArticleID:  p.ArticleID,
		fieldVersion:    p.Version,
		fieldArticleSeq: float64(p.ArticleSeq),
		fieldIndex:      float64(p.Index),
		fieldCount:      float64(p.Count),
		fieldTitle:      p.Title,
		fieldText:       p.Text,
		fieldSource:     string(src),
	}
	addWords(doc, fieldText, p.Lang, p.Text)
	addMeta(doc, typeParagraph, p)
	if p.Tagger != "" {
		doc[fieldTagger] = p.Tagger
	}
	if len(p.Entities) > 0 {
		var canon, types, words []string
		seen := make(map[string]bool, 3*len(p.Entities))
		add := func(list *[]string, kind, v string) {
			if v != "" && !seen[kind+v] {
				seen[kind+v] = true
				*list = append(*list, v)
			}
		}
		for _, e := range p.Entities {
			name := link.CanonicalOf(e)
			add(&canon, "c", name)
			add(&types, "t", string(e.Type))
			// Canonical names are searched as words; a surface form is
			// in the text's words already.
			if !strings.EqualFold(name, e.Text) {
				add(&words, "w", name)
			}
		}
		doc[fieldEntity] = canon
		doc[fieldEntityType] = types
		if len(words) > 0 {
			doc[fieldEntityText] = words
		}
	}
	dates := make([]*events.Date, len(p.Dates))
	for i := range p.Dates {
		dates[i] = &p.Dates[i]
	}
	addDates(doc, dates)
	return doc, nil
}

// dateStart returns the first instant (UTC) of a TIMEX3-like date value: a day
// "2025-09-02", a month "2025-09", a year "2024", an ISO week "2025-W35" or a
// quarter "2025-Q3". Anything else (decades "193X", seasons, times of day,
// "PRESENT_REF") has no start here and is left to the date_value keyword.
func dateStart(v string) (time.Time, bool) {
	var t time.Time
	var err error
	switch {
	case len(v) == 10:
		t, err = time.Parse(time.DateOnly, v)
	case len(v) == 7 && v[4:6] == "-Q" && v[6] >= '1' && v[6] <= '4':
		var year int
		if year, err = strconv.Atoi(v[:4]); err != nil {
			return time.Time{}, false
		}
		t = time.Date(year, time.Month(3*int(v[6]-'1')+1), 1, 0, 0, 0, 0, time.UTC)
	case len(v) == 7 && v[4] == '-':
		t, err = time.Parse("2006-01", v)
	case len(v) == 4:
		t, err = time.Parse("2006", v)
	case len(v) == 8 && v[4:6] == "-W":
		var year, week int
		if year, err = strconv.Atoi(v[:4]); err == nil {
			week, err = strconv.Atoi(v[6:])
		}
		if err != nil || week < 1 || week > 53 {
			return time.Time{}, false
		}
		// ISO week 1 is the week with 4 January in it; weeks start on Monday.
		jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		t = monday.AddDate(0, 0, 7*(week-1))
	default:
		return time.Time{}, false
	}
	if err != nil || !timeInRange(t) {
		return time.Time{}, false
	}
	return t, true
}

// storedString returns a stored field of a hit as a string.
func storedString(fields map[string]any, name string) string {
	s, _ := fields[name].(string)
	return s
}

// storedInt returns a stored numeric field of a hit as an int.
func storedInt(fields map[string]any, name string) int {
	f, _ := fields[name].(float64)
	return int(f)
}

// storedSeq returns a stored article_seq of a hit.
func storedSeq(fields map[string]any) uint64 {
	f, _ := fields[fieldArticleSeq].(float64)
	return uint64(f)
}

// decodeParagraph rebuilds the enriched paragraph of a paragraph hit, whose
// text and title live in fields of their own.
func decodeParagraph(id string, fields map[string]any) (events.EnrichedParagraph, error) {
	var p events.EnrichedParagraph
	if err := json.Unmarshal([]byte(storedString(fields, fieldSource)), &p); err != nil {
		return p, fmt.Errorf("decode stored paragraph %s: %w", id, err)
	}
	if p.Entities == nil {
		p.Entities = []events.Entity{}
	}
	if p.Dates == nil {
		p.Dates = []events.Date{}
	}
	if t := storedString(fields, fieldText); t != "" {
		p.Text = t
	}
	if t := storedString(fields, fieldTitle); t != "" {
		p.Title = t
	}
	return p, nil
}
