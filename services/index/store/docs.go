package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/link"
)

// Bleve keeps datetimes as int64 nanoseconds since 1970; it rejects times
// outside this range, so such dates are left out of the datetime fields.
var (
	minTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

func timeInRange(t time.Time) bool { return !t.Before(minTime) && t.Before(maxTime) }

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
	// Links is the link table of the revision, computed when it completed.
	Links *link.Table `json:"links,omitempty"`
}

func articleDoc(p *events.EnrichedParagraph, links link.Table, now time.Time) (map[string]any, error) {
	rec := articleRecord{
		ID: p.ArticleID, Version: p.Version, ArticleSeq: p.ArticleSeq, Title: p.Title, Count: p.Count,
		PublishedAt: p.PublishedAt, Lang: p.Lang, URL: p.URL, Source: p.Source, IndexedAt: now,
	}
	if !links.Empty() {
		rec.Links = &links
	}
	src, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encode article %s: %w", p.ArticleID, err)
	}
	return map[string]any{
		fieldType:       typeArticle,
		fieldArticleID:  p.ArticleID,
		fieldVersion:    p.Version,
		fieldArticleSeq: float64(p.ArticleSeq),
		fieldCount:      float64(p.Count),
		fieldSource:     string(src),
	}, nil
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
		fieldHeldAt:     now,
		fieldSource:     string(src),
	}, nil
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
	if lang := strings.ToLower(p.Lang); lang != "" {
		doc[fieldLang] = lang
	}
	if p.Tagger != "" {
		doc[fieldTagger] = p.Tagger
	}
	if p.PublishedAt != "" {
		if t, err := events.ParseTime(p.PublishedAt); err == nil && timeInRange(t) {
			doc[fieldPublishedAt] = t.UTC()
		}
	}
	if len(p.Entities) > 0 {
		var canon, types, surface []string
		seen := make(map[string]bool, 3*len(p.Entities))
		add := func(list *[]string, kind, v string) {
			if v != "" && !seen[kind+v] {
				seen[kind+v] = true
				*list = append(*list, v)
			}
		}
		for _, e := range p.Entities {
			name := e.Canonical
			if name == "" {
				name = e.Text
			}
			add(&canon, "c", name)
			add(&types, "t", string(e.Type))
			add(&surface, "s", e.Text)
		}
		doc[fieldEntity] = canon
		doc[fieldEntityType] = types
		doc[fieldEntityText] = surface
	}
	if len(p.Dates) > 0 {
		var values []string
		var starts []time.Time
		seen := make(map[string]bool, len(p.Dates))
		for _, d := range p.Dates {
			if d.Value == "" || seen[d.Value] {
				continue
			}
			seen[d.Value] = true
			values = append(values, d.Value)
			if t, ok := dateStart(d.Value); ok {
				starts = append(starts, t)
			}
		}
		if len(values) > 0 {
			doc[fieldDateValue] = values
		}
		if len(starts) > 0 {
			doc[fieldDate] = starts
		}
	}
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
