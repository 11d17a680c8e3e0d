package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
	wartaanalysis "github.com/warta-news/warta/services/index/analysis"
	"github.com/warta-news/warta/services/index/link"
)

// Standing searches. A standing search is a Query kept running: when an
// article completes, it is evaluated against that article alone, never
// against the index. CompileStanding checks a Query as Search does (the
// same parser, limits and messages) and reads it once; Prepare reads a
// complete article once, with the same analysers the index uses (its words
// as written and their stems in the article's language, the names of its
// entities); Standing.Match then decides, with set look-ups, what Search
// would decide for that article: each positive clause in its title or in
// one of its paragraphs, no negated one anywhere, phrases in a row, and the
// filters on the article.
//
// AnchorGroups and Candidate.Keys let a caller with many standing searches
// evaluate only those that can match: a search matches an article only if
// the article has a key of each of the search's anchor groups.

// Standing is a standing search compiled for evaluation against articles.
// Any number of goroutines may use it.
type Standing struct {
	text parsed
	// mu guards the names of the entity filters, which Learn adds to.
	mu        sync.RWMutex
	entities  []entityFilter
	types     []string
	lang      string
	published timeSpan
	mentioned timeSpan
	groups    [][]string
	// entityGroup maps the lower-cased value of each entity filter that
	// anchors the search to its group.
	entityGroup map[string]int
	// positives and negatives are the clauses of text.
	positives, negatives []clause
	// needs holds, per positive clause, its alternatives as keys of which
	// an article must have all (a word, or one of its stems; a phrase's
	// words): a clause none of whose alternatives the article has cannot
	// match, which rules out most candidates at a look-up each.
	needs [][][]string
	// hl is the highlighter of its words, made once (Highlighter).
	hlOnce sync.Once
	hl     *highlighter
	hlErr  error
}

// entityFilter is one entity filter of a standing search: the value as
// given, lower-cased (an alias of an entity of the article), and the
// canonical names the index knows it as: those it knew when the search was
// compiled, and those learnt since (Learn).
type entityFilter struct {
	value string
	lower string
	names map[string]bool
}

// timeSpan is a range of times; the zero timeSpan is no filter.
type timeSpan struct {
	set         bool
	from, to    time.Time // zero: open
	toInclusive bool
}

func (s timeSpan) contains(t time.Time) bool {
	if !s.from.IsZero() && t.Before(s.from) {
		return false
	}
	if !s.to.IsZero() && (t.After(s.to) || !s.toInclusive && t.Equal(s.to)) {
		return false
	}
	return true
}

// Keys of AnchorGroups and Candidate.Keys: a word (as written or a stem), an
// entity name lower-cased, an entity type, a language.
const (
	keyWord   = "w\x00"
	keyEntity = "e\x00"
	keyType   = "t\x00"
	keyLang   = "l\x00"
)

// EntityKey returns the key (see AnchorGroups) of an entity named name.
func EntityKey(name string) string { return keyEntity + strings.ToLower(name) }

// CompileStanding checks q and compiles it as a standing search. It takes
// the fields of a Query that say what matches (Text, Entity, Type, Lang,
// From, To, MentionedFrom, MentionedTo) and returns an error wrapping
// ErrBadQuery, saying why, for the same faults Search refuses, for the
// fields that page or sort, for a query that has no word (only
// punctuation), and for one with nothing to match on (it would alert on
// every article). Entity filters are resolved to the canonical names the
// index knows them by now, and match any entity of the article written or
// named as they are; other errors come from the index.
func (s *Store) CompileStanding(q Query) (*Standing, error) {
	if q.Group != "" || q.Sort != "" || q.Size != 0 || q.Offset != 0 || q.After != "" || q.Facets != 0 {
		return nil, badQuery("a standing search takes q, entity, type, lang, from, to, mentioned_from and mentioned_to; " +
			"group, sort, size, offset, search_after and facets are for searches")
	}
	text := strings.TrimSpace(q.Text)
	if len(text) > MaxTextBytes {
		return nil, badQuery("text is %d bytes long: use at most %d", len(text), MaxTextBytes)
	}
	if !utf8.ValidString(text) {
		return nil, badQuery("text is not valid UTF-8")
	}
	st := &Standing{}
	var err error
	if st.text, err = s.parse(text); err != nil {
		return nil, err
	}
	if st.text.nothing {
		return nil, badQuery("q %q has no word (only punctuation): it would never match; write words, \"phrases\", -excluded words or OR", clip(text, 40))
	}
	values, err := filterValues("entity", q.Entity, func(v string) (string, error) { return v, nil })
	if err != nil {
		return nil, err
	}
	for _, v := range values {
		names, err := s.resolveEntity(v)
		if err != nil {
			return nil, err
		}
		f := entityFilter{value: v, lower: strings.ToLower(v), names: map[string]bool{}}
		for _, n := range names {
			f.names[n] = true
		}
		st.entities = append(st.entities, f)
	}
	if st.types, err = filterValues("type", q.Type, entityType); err != nil {
		return nil, err
	}
	st.lang = strings.ToLower(strings.TrimSpace(q.Lang))
	for _, r := range []struct {
		dst                        *timeSpan
		fromName, from, toName, to string
	}{
		{&st.published, "from", q.From, "to", q.To},
		{&st.mentioned, "mentioned_from", q.MentionedFrom, "mentioned_to", q.MentionedTo},
	} {
		// dateRange refuses what Search refuses (a bound that is no date,
		// or out of range; bounds the wrong way round).
		if _, err := dateRange(fieldDate, r.fromName, r.from, r.toName, r.to); err != nil {
			return nil, err
		}
		*r.dst, _ = span(r.from, r.to)
	}
	st.positives, st.negatives = st.text.positives(), st.text.negatives()
	if len(st.positives) == 0 && len(st.entities) == 0 && len(st.types) == 0 && st.lang == "" &&
		!st.published.set && !st.mentioned.set {
		return nil, badQuery("a standing search needs a word in q or a filter (entity, type, lang, from, to, " +
			"mentioned_from, mentioned_to): without one it would alert on every article; to follow every article, " +
			"subscribe to " + events.SubjectIndexedPrefix + ">")
	}
	st.pickAnchors()
	for _, c := range st.positives {
		var alts [][]string
		for _, u := range c.units {
			if u.phrase() {
				all := make([]string, len(u.words))
				for i, w := range u.words {
					all[i] = keyWord + w
				}
				alts = append(alts, all)
				continue
			}
			alts = append(alts, []string{keyWord + u.words[0]})
			for _, stem := range u.stems {
				alts = append(alts, []string{keyWord + stem})
			}
		}
		st.needs = append(st.needs, alts)
	}
	return st, nil
}

// span reads the bounds of a date filter (checked by dateRange): a
// date-only upper bound includes its whole day.
func span(from, to string) (timeSpan, error) {
	if strings.TrimSpace(from) == "" && strings.TrimSpace(to) == "" {
		return timeSpan{}, nil
	}
	start, _, err := parseBound("from", from)
	if err != nil {
		return timeSpan{}, err
	}
	end, dateOnly, err := parseBound("to", to)
	if err != nil {
		return timeSpan{}, err
	}
	s := timeSpan{set: true, from: start, to: end, toInclusive: true}
	if dateOnly {
		s.to, s.toInclusive = end.AddDate(0, 0, 1), false
	}
	return s, nil
}

// MaxAnchorGroups bounds the groups of AnchorGroups.
const MaxAnchorGroups = 2

// AnchorGroups returns groups of keys (see Candidate.Keys), each from a
// criterion every match needs: an article can match only if it has a key
// of every group. None when any article may match. The criteria are those
// likely the rarest, up to MaxAnchorGroups of them: entity filters (their
// names), then the positive clauses of the longest words (each of a
// clause's words and their stems; a phrase's longest word), then an
// entity type, then the language. Two groups rather than one keep the
// searches of a common word and a rare one from being tried on every
// article with the common word.
func (st *Standing) AnchorGroups() [][]string { return st.groups }

// EntityGroup returns the position in AnchorGroups of the group of the
// entity filter whose value, lower-cased, is alias; -1 if it has none.
func (st *Standing) EntityGroup(alias string) int {
	if g, ok := st.entityGroup[alias]; ok {
		return g
	}
	return -1
}

func (st *Standing) pickAnchors() {
	type criterion struct {
		keys   []string
		score  int
		entity string // the lower-cased value of an entity filter
	}
	var cs []criterion
	for _, f := range st.entities {
		keys := []string{keyEntity + f.lower}
		for n := range f.names {
			keys = append(keys, keyEntity+strings.ToLower(n))
		}
		cs = append(cs, criterion{keys: keys, score: 1000, entity: f.lower})
	}
	for _, c := range st.positives {
		var keys []string
		score := MaxTextBytes
		for _, u := range c.units {
			w := u.words[0]
			n := len(w)
			if u.phrase() {
				w = slices.MaxFunc(u.words, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
				n = len(w) + 3 // the other words must be there too
			}
			score = min(score, n)
			keys = append(keys, keyWord+w)
			for _, stem := range u.stems {
				keys = append(keys, keyWord+stem)
			}
		}
		cs = append(cs, criterion{keys: keys, score: score})
	}
	for _, t := range st.types {
		cs = append(cs, criterion{keys: []string{keyType + t}, score: 1})
	}
	if st.lang != "" {
		cs = append(cs, criterion{keys: []string{keyLang + st.lang}, score: 0})
	}
	slices.SortStableFunc(cs, func(a, b criterion) int { return cmp.Compare(b.score, a.score) })
	st.groups, st.entityGroup = nil, map[string]int{}
	for _, c := range cs[:min(len(cs), MaxAnchorGroups)] {
		slices.Sort(c.keys)
		if c.entity != "" {
			st.entityGroup[c.entity] = len(st.groups)
		}
		st.groups = append(st.groups, slices.Compact(c.keys))
	}
}

// CompletedArticle is a complete revision of an article, as standing
// searches see it: its metadata and its paragraphs, linked.
type CompletedArticle struct {
	ID          string
	Version     string
	ArticleSeq  uint64
	Title       string
	Lang        string
	PublishedAt string
	URL         string
	// IndexedAt is when the revision completed.
	IndexedAt time.Time
	// Update says that an earlier revision had completed before it.
	Update bool
	// Entities are the canonical names it mentions, most mentioned first.
	Entities []string
	// Paragraphs are sorted by index.
	Paragraphs []events.EnrichedParagraph
}

// Completed reads the current, complete revision of article id; false when
// the article has none. Errors come from the index.
func (s *Store) Completed(ctx context.Context, id string) (CompletedArticle, bool, error) {
	res, err := s.articleDocs(ctx, id)
	if err != nil {
		return CompletedArticle{}, false, fmt.Errorf("read article %s: %w", id, err)
	}
	var a CompletedArticle
	complete := false
	for _, h := range res.Hits {
		if storedString(h.Fields, fieldType) == typeArticle {
			var rec articleRecord
			if err := json.Unmarshal([]byte(storedString(h.Fields, fieldSource)), &rec); err != nil {
				return CompletedArticle{}, false, fmt.Errorf("decode stored article %s: %w", id, err)
			}
			complete = true
			a.ID, a.Version, a.ArticleSeq, a.Title, a.Lang = rec.ID, rec.Version, rec.ArticleSeq, rec.Title, rec.Lang
			a.PublishedAt, a.URL, a.IndexedAt, a.Update = publishedAt(rec.PublishedAt), rec.URL, rec.IndexedAt, rec.Update
			for _, e := range rec.Entities {
				if !slices.Contains(a.Entities, e.Name) {
					a.Entities = append(a.Entities, e.Name)
				}
			}
			continue
		}
		p, err := decodeParagraph(h.ID, h.Fields)
		if err != nil {
			return CompletedArticle{}, false, err
		}
		a.Paragraphs = append(a.Paragraphs, p)
	}
	if !complete {
		return CompletedArticle{}, false, nil
	}
	// Paragraphs of another revision are not the complete one's (none
	// should be: they are replaced in the batch that completes it).
	a.Paragraphs = slices.DeleteFunc(a.Paragraphs, func(p events.EnrichedParagraph) bool { return p.Version != a.Version })
	slices.SortFunc(a.Paragraphs, func(x, y events.EnrichedParagraph) int { return cmp.Compare(x.Index, y.Index) })
	return a, true, nil
}

// Candidate is a complete article read for standing searches: its words
// (as written and stemmed, as the index has them), its entities' names,
// types and dates. Build it once per article with Prepare; it is read-only
// afterwards except for the phrase tokens it caches, so one goroutine at a
// time evaluates searches against it.
type Candidate struct {
	Article CompletedArticle
	key     string // the language analysis key; "" for none
	title   map[string]bool
	paras   []candidatePara
	types   map[string]bool
	// names maps every entity name of the article (canonical and as
	// written) lower-cased, and the canonical names as they are, to true.
	names     map[string]bool
	canonical map[string]bool
	published time.Time
	dates     []time.Time
	keys      map[string]bool
	keyList   []string // the keys of keys
	exact     analysis.Analyzer
	// titleRun holds the title's words as written, for phrases; nil
	// until a phrase needs it.
	titleRun []string
}

// candidatePara is one paragraph of a Candidate.
type candidatePara struct {
	words  map[string]bool // the words_<key> field: as written and stems
	entity map[string]bool // the entity_text field
	runs   [][]string      // words as written of the text and of each name, for phrases; nil until needed
}

// Prepare reads a for evaluating standing searches against it, with the
// index's analysers. Errors come from a missing analyser (a fault of the
// mapping).
func (s *Store) Prepare(a CompletedArticle) (*Candidate, error) {
	exact := s.idx.Mapping().AnalyzerNamed(textAnalyzer)
	if exact == nil {
		return nil, fmt.Errorf("analyzer %s is missing from the index mapping", textAnalyzer)
	}
	c := &Candidate{Article: a, exact: exact, title: map[string]bool{}, types: map[string]bool{},
		names: map[string]bool{}, canonical: map[string]bool{}, keys: map[string]bool{}}
	words := exact
	if l, ok := wartaanalysis.ForLang(strings.ToLower(a.Lang)); ok {
		c.key = l.Key
		if words = s.idx.Mapping().AnalyzerNamed(l.Words()); words == nil {
			return nil, fmt.Errorf("analyzer %s is missing from the index mapping", l.Words())
		}
	}
	for _, tok := range words.Analyze([]byte(a.Title)) {
		c.title[string(tok.Term)] = true
	}
	for w := range c.title {
		c.keys[keyWord+w] = true
	}
	if t, err := events.ParseTime(a.PublishedAt); a.PublishedAt != "" && err == nil {
		c.published = t
	}
	if lang := strings.ToLower(a.Lang); lang != "" {
		c.keys[keyLang+lang] = true
	}
	c.paras = make([]candidatePara, len(a.Paragraphs))
	for i := range a.Paragraphs {
		p := &a.Paragraphs[i]
		cp := candidatePara{words: map[string]bool{}, entity: map[string]bool{}}
		for _, tok := range words.Analyze([]byte(p.Text)) {
			cp.words[string(tok.Term)] = true
		}
		for _, e := range p.Entities {
			name := link.CanonicalOf(e)
			for _, v := range []string{e.Text, name} {
				for _, tok := range exact.Analyze([]byte(v)) {
					cp.entity[string(tok.Term)] = true
				}
				c.names[strings.ToLower(v)] = true
				c.keys[keyEntity+strings.ToLower(v)] = true
			}
			c.canonical[name] = true
			c.types[string(e.Type)] = true
			c.keys[keyType+string(e.Type)] = true
		}
		for _, d := range p.Dates {
			if t, ok := dateStart(d.Value); ok {
				c.dates = append(c.dates, t)
			}
		}
		for w := range cp.words {
			c.keys[keyWord+w] = true
		}
		for w := range cp.entity {
			c.keys[keyWord+w] = true
		}
		c.paras[i] = cp
	}
	c.keyList = make([]string, 0, len(c.keys))
	for k := range c.keys {
		c.keyList = append(c.keyList, k)
	}
	return c, nil
}

// Keys calls yield with every key of the article (see AnchorGroups) until it
// returns false.
func (c *Candidate) Keys(yield func(string) bool) {
	for _, k := range c.keyList {
		if !yield(k) {
			return
		}
	}
}

// Match reports whether the article matches the standing search, and the
// positions in Article.Paragraphs of the paragraphs that match one of its
// positive clauses, in order.
func (st *Standing) Match(c *Candidate) ([]int, bool) {
	for _, alts := range st.needs {
		if !slices.ContainsFunc(alts, func(keys []string) bool {
			return !slices.ContainsFunc(keys, func(k string) bool { return !c.keys[k] })
		}) {
			return nil, false
		}
	}
	if st.lang != "" && strings.ToLower(c.Article.Lang) != st.lang {
		return nil, false
	}
	if st.published.set && (c.published.IsZero() || !timeInRange(c.published) || !st.published.contains(c.published)) {
		return nil, false
	}
	if st.mentioned.set && !slices.ContainsFunc(c.dates, st.mentioned.contains) {
		return nil, false
	}
	for _, t := range st.types {
		if !c.types[t] {
			return nil, false
		}
	}
	st.mu.RLock()
	for _, f := range st.entities {
		if !c.names[f.lower] && !c.canonical[f.value] && !c.hasCanonical(f.names) {
			st.mu.RUnlock()
			return nil, false
		}
	}
	st.mu.RUnlock()
	for _, cl := range st.negatives {
		if c.titleMatches(cl) {
			return nil, false
		}
		for i := range c.paras {
			if c.paraMatches(i, cl) {
				return nil, false
			}
		}
	}
	var matched []int
	in := make([]bool, len(c.paras))
	for _, cl := range st.positives {
		found := c.titleMatches(cl)
		for i := range c.paras {
			if c.paraMatches(i, cl) {
				found, in[i] = true, true
			}
		}
		if !found {
			return nil, false
		}
	}
	for i, ok := range in {
		if ok {
			matched = append(matched, i)
		}
	}
	return matched, true
}

// EntityValues returns the values of the entity filters, lower-cased: the
// aliases that Learn takes.
func (st *Standing) EntityValues() []string {
	out := make([]string, len(st.entities))
	for i, f := range st.entities {
		out[i] = f.lower
	}
	return out
}

// Learn adds canonical to the names of the entity filters whose value,
// lower-cased, is alias, and reports whether one did not have it: what the
// index learns from an article that names canonical so (its entity_alias
// terms), so that the search goes on matching what Search finds. The
// names the search then stands for include canonical.
func (st *Standing) Learn(alias, canonical string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	added := false
	for _, f := range st.entities {
		if f.lower == alias && !f.names[canonical] {
			f.names[canonical] = true
			added = true
		}
	}
	return added
}

// Aliases calls yield with every alias of an entity of the article
// (lower-cased, as written or its canonical name) and the canonical name,
// until it returns false: the entity_alias terms of its article document.
func (c *Candidate) Aliases(yield func(alias, canonical string) bool) {
	for _, p := range c.Article.Paragraphs {
		for _, e := range p.Entities {
			name := link.CanonicalOf(e)
			if !yield(strings.ToLower(e.Text), name) || !yield(strings.ToLower(name), name) {
				return
			}
		}
	}
}

func (c *Candidate) hasCanonical(names map[string]bool) bool {
	for n := range names {
		if c.canonical[n] {
			return true
		}
	}
	return false
}

// titleMatches reports whether the title has one of cl's units: as the
// title_words fields of the article document do.
func (c *Candidate) titleMatches(cl clause) bool {
	for _, u := range cl.units {
		if u.phrase() {
			if !allIn(u.words, c.title) {
				continue
			}
			if c.titleRun == nil {
				c.titleRun = c.analyze(c.Article.Title)
			}
			if containsRun(c.titleRun, u.words) {
				return true
			}
			continue
		}
		if c.title[u.words[0]] || c.key != "" && u.stems[c.key] != "" && c.title[u.stems[c.key]] {
			return true
		}
	}
	return false
}

// paraMatches reports whether paragraph i has one of cl's units: a word
// in its words or entity names, or its stem in the words of the
// article's language; a phrase's words in a row in its text or a name.
func (c *Candidate) paraMatches(i int, cl clause) bool {
	p := &c.paras[i]
	for _, u := range cl.units {
		if u.phrase() {
			if !slices.ContainsFunc(u.words, func(w string) bool { return !p.words[w] && !p.entity[w] }) && c.phraseIn(i, u.words) {
				return true
			}
			continue
		}
		w := u.words[0]
		if p.words[w] || p.entity[w] || c.key != "" && u.stems[c.key] != "" && p.words[u.stems[c.key]] {
			return true
		}
	}
	return false
}

// phraseIn reports whether words occur in a row in paragraph i's text or
// in one of its entities' names, as Search checks its phrase hits.
func (c *Candidate) phraseIn(i int, words []string) bool {
	p := &c.paras[i]
	if p.runs == nil {
		src := &c.Article.Paragraphs[i]
		p.runs = append(p.runs, c.analyze(src.Text))
		for _, e := range src.Entities {
			p.runs = append(p.runs, c.analyze(e.Text), c.analyze(e.Canonical))
		}
	}
	return slices.ContainsFunc(p.runs, func(run []string) bool { return containsRun(run, words) })
}

func (c *Candidate) analyze(text string) []string {
	toks := c.exact.Analyze([]byte(text))
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(t.Term)
	}
	return out
}

func allIn(words []string, set map[string]bool) bool {
	return !slices.ContainsFunc(words, func(w string) bool { return !set[w] })
}

// Highlighter returns what marks the standing search's words in a
// paragraph, as in a search hit's highlights (none when it has no words).
// One goroutine at a time may call what it returns; the words and their
// forms are read once per standing search, and each call of Highlighter
// only adds buffers of its own.
func (s *Store) Highlighter(st *Standing) (func(p *events.EnrichedParagraph) []string, error) {
	st.hlOnce.Do(func() { st.hl, st.hlErr = s.newHighlighter(st.text) })
	if st.hlErr != nil || st.hl == nil {
		return func(*events.EnrichedParagraph) []string { return []string{} }, st.hlErr
	}
	h := *st.hl // its maps are only read
	h.list, h.buf, h.spans = nil, nil, nil
	return h.fragments, nil
}

// CutText cuts a paragraph's text for an alert as for a hit: to its first
// MaxHitTextBytes, reporting whether it was cut.
func CutText(text string) (string, bool) { return cutText(text) }
