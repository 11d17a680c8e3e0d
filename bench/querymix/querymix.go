// Package querymix makes the fixed, seeded mix of search queries that
// "bench search-latency" fires at the index while it indexes the bench
// corpus: one common word, one rare word, two words, a word with an entity
// filter, filters alone, a quoted phrase, a negated word, an OR of two
// words, Indonesian derived word forms and English plurals.
//
// Every word, phrase and entity is drawn from the corpus's own texts (the
// reference article and samples/bench), split as ingest splits them and
// tagged by the real tagger, so that the queries find something. The mix
// depends only on the texts, the tagger and the seed, never on the index:
// the same seed asks the same queries of the index before and after a
// change to its analysis, which is what makes their latencies comparable.
//
// The queries are plain GET /search parameters. Today's index reads quotes,
// a leading minus and OR as plain words; an index that reads them as
// operators gets the same strings.
package querymix

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/tag"
)

// Kind is a kind of query.
type Kind string

// The kinds of query, in the order the report lists them.
const (
	Common   Kind = "common"      // one word among the most frequent of its language
	Rare     Kind = "rare"        // one word that occurs once in the texts
	TwoWords Kind = "two-words"   // two words of one paragraph
	Entity   Kind = "word+entity" // a word and entity= a canonical name of its paragraph
	Filters  Kind = "filters"     // no words: entity=, type=, lang=, from/to, one or more
	Phrase   Kind = "phrase"      // two or three consecutive words, in double quotes
	Negation Kind = "negation"    // a word and -a word its paragraph lacks
	Or       Kind = "or"          // two words of different paragraphs joined by OR
	IDForms  Kind = "id-forms"    // an Indonesian derived form whose root has another form in the texts
	Plural   Kind = "en-plural"   // an English plural whose singular occurs too
)

// Kinds lists every kind, in the report's order.
var Kinds = []Kind{Common, Rare, TwoWords, Entity, Filters, Phrase, Negation, Or, IDForms, Plural}

// Query is one search.
type Query struct {
	Kind Kind
	// Params are the parameters of GET /search.
	Params url.Values
	// Note says what the words are, where the kind has more to say
	// ("also: bertemu"), for the report.
	Note string
}

// String shows the parameters unescaped, in a fixed order: q first.
func (q Query) String() string {
	var parts []string
	for _, k := range paramOrder {
		for _, v := range q.Params[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

// Encode is the URL query string.
func (q Query) Encode() string { return q.Params.Encode() }

var paramOrder = []string{"q", "entity", "type", "lang", "from", "to"}

// Options say how many queries to make and how.
type Options struct {
	// N is the number of queries: the kinds take equal shares, in an order
	// shuffled by the seed.
	N    int
	Seed uint64
}

// Build makes o.N queries from the texts of srcs. It splits and tags every
// text as the pipeline does (loading the tagger takes a second or two). It
// fails if the texts lack what a kind needs, such as Indonesian or English
// texts.
func Build(srcs []corpus.Source, o Options) ([]Query, error) {
	if o.N < 1 {
		return nil, fmt.Errorf("%d queries: ask for 1 or more", o.N)
	}
	t, err := analyse(srcs)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x9e7))
	kinds := make([]Kind, 0, o.N)
	for i := range o.N {
		kinds = append(kinds, Kinds[i%len(Kinds)])
	}
	r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	out := make([]Query, 0, o.N)
	for _, k := range kinds {
		q, err := t.make(r, k)
		if err != nil {
			return nil, fmt.Errorf("%s query: %w", k, err)
		}
		out = append(out, q)
	}
	return out, nil
}

// Examples returns up to n queries of each kind, in the order of Kinds, for
// the report.
func Examples(qs []Query, n int) map[Kind][]Query {
	out := map[Kind][]Query{}
	for _, q := range qs {
		if len(out[q.Kind]) < n {
			out[q.Kind] = append(out[q.Kind], q)
		}
	}
	return out
}

// paragraph is one paragraph of a text, as the pipeline sees it.
type paragraph struct {
	src      int    // index of its text
	lang     string // its text's language (from the file name)
	detected string // as ingest detected it: what lang= filters on
	fields   []field
	words    map[string]bool // its words, lower case
	entities []events.Entity
}

// field is one white-space-separated piece of a paragraph's text.
type field struct {
	// word is the piece in lower case, without the punctuation around it,
	// if the rest is all letters; "" otherwise.
	word string
	// text is the word as written.
	text string
	// lead and trail are set when punctuation came before or after it.
	lead, trail bool
}

// texts is what the queries are drawn from.
type texts struct {
	paras  []paragraph
	byLang map[string][]int // paragraph indexes by text language
	others []string         // languages other than id and en, sorted
	// count holds each word's occurrences in all texts; df, per language,
	// the paragraphs that have it.
	count map[string]int
	df    map[string]map[string]int
	// common holds each language's most frequent words.
	common map[string][]string
	// rare holds, per language, the words that occur once in all texts.
	rare map[string][]string
	// families are the Indonesian words that share a root with another word
	// of the texts; plurals the English plurals whose singular occurs.
	families []family
	plurals  [][2]string
}

type family struct {
	root  string
	forms []string
}

const (
	minWord    = 4  // runes of a word drawn for most kinds
	minRare    = 5  // of a rare word
	commonTop  = 20 // the common pool: the most frequent words of a language
	minRoot    = 4  // runes of an Indonesian root
	maxWindow  = 120
	minWindow  = 7
	publishedA = "2025-01-15T08:00:00Z" // any date: only relative dates depend on it
)

// analyse splits and tags every text as ingest and enrich do, and counts its
// words.
func analyse(srcs []corpus.Source) (*texts, error) {
	tagger := tag.New()
	t := &texts{byLang: map[string][]int{}, count: map[string]int{}, df: map[string]map[string]int{},
		common: map[string][]string{}, rare: map[string][]string{}}
	for i, s := range srcs {
		data, err := json.Marshal(events.Article{ID: fmt.Sprintf("mix-%d", i), Title: s.Title,
			Body: strings.Join(s.Paragraphs, "\n\n"), PublishedAt: publishedA})
		if err != nil {
			return nil, err
		}
		a, err := article.Parse(data, article.Options{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.File, err)
		}
		if s.Lang != "id" && s.Lang != "en" && len(t.byLang[s.Lang]) == 0 {
			t.others = append(t.others, s.Lang)
		}
		for _, p := range article.Split(a) {
			e := tagger.Enrich(p)
			// The API reads a comma in entity= as a list ("Badan
			// Meteorologi, Klimatologi, dan Geofisika" would be three
			// names): such a name cannot be a filter.
			ents := slices.DeleteFunc(e.Entities, func(e events.Entity) bool { return strings.Contains(e.Canonical, ",") })
			para := paragraph{src: i, lang: s.Lang, detected: p.Lang, fields: fields(p.Text),
				words: map[string]bool{}, entities: ents}
			for _, f := range para.fields {
				if f.word != "" {
					t.count[f.word]++
					para.words[f.word] = true
				}
			}
			if t.df[s.Lang] == nil {
				t.df[s.Lang] = map[string]int{}
			}
			for w := range para.words {
				t.df[s.Lang][w]++
			}
			t.byLang[s.Lang] = append(t.byLang[s.Lang], len(t.paras))
			t.paras = append(t.paras, para)
		}
	}
	if len(t.byLang["id"]) == 0 || len(t.byLang["en"]) == 0 {
		return nil, fmt.Errorf("the query mix needs Indonesian and English texts (<name>.id.txt, <name>.en.txt)")
	}
	slices.Sort(t.others)
	for lang, df := range t.df {
		var ws []string
		for w := range df {
			if runes(w) >= minWord {
				ws = append(ws, w)
			}
			if runes(w) >= minRare && t.count[w] == 1 {
				t.rare[lang] = append(t.rare[lang], w)
			}
		}
		sort.Slice(ws, func(i, j int) bool { return df[ws[i]] > df[ws[j]] || df[ws[i]] == df[ws[j]] && ws[i] < ws[j] })
		t.common[lang] = ws[:min(len(ws), commonTop)]
		slices.Sort(t.rare[lang])
	}
	t.families = idFamilies(t.df["id"])
	t.plurals = enPlurals(t.df["en"])
	return t, nil
}

// fields splits text at white space and reads each piece as a word where
// it is one.
func fields(text string) []field {
	var out []field
	for _, s := range strings.Fields(text) {
		core := strings.TrimFunc(s, isPunct)
		f := field{text: core}
		if core != "" && strings.IndexFunc(core, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			f.word = strings.ToLower(core)
			f.lead = !strings.HasPrefix(s, core)
			f.trail = !strings.HasSuffix(s, core)
		}
		out = append(out, f)
	}
	return out
}

func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

func runes(s string) int { return utf8.RuneCountInString(s) }

// make draws one query of kind k.
func (t *texts) make(r *rand.Rand, k Kind) (Query, error) {
	q := Query{Kind: k, Params: url.Values{}}
	switch k {
	case Common:
		q.Params.Set("q", pick(r, t.common[t.lang(r)]))
	case Rare:
		lang := t.lang(r)
		if len(t.rare[lang]) == 0 {
			lang = "en"
		}
		q.Params.Set("q", pick(r, t.rare[lang]))
	case TwoWords:
		p, err := t.para(r, t.lang(r), func(p *paragraph) bool { return len(p.longWords(nil)) >= 2 })
		if err != nil {
			return q, err
		}
		ws := p.longWords(nil)
		i := r.IntN(len(ws) - 1)
		j := i + 1 + r.IntN(len(ws)-i-1)
		q.Params.Set("q", ws[i]+" "+ws[j])
	case Entity:
		p, err := t.para(r, t.lang(r), func(p *paragraph) bool { return len(p.entities) > 0 && len(p.longWords(nil)) > 0 })
		if err != nil {
			return q, err
		}
		e := p.entities[r.IntN(len(p.entities))]
		ws := p.longWords(entityWords(e))
		if len(ws) == 0 {
			ws = p.longWords(nil)
		}
		q.Params.Set("q", pick(r, ws))
		q.Params.Set("entity", e.Canonical)
		q.Note = fmt.Sprintf("%s %q", e.Type, e.Text)
	case Filters:
		// Filters that a paragraph of the texts passes, as a reader who
		// narrows down to what is there: its entity, its entity's type,
		// its language, a window of publication days (every window of a
		// week or more has articles).
		p, err := t.para(r, t.lang(r), func(p *paragraph) bool { return len(p.entities) > 0 })
		if err != nil {
			return q, err
		}
		for len(q.Params) == 0 {
			e := p.entities[r.IntN(len(p.entities))]
			if r.IntN(2) == 0 {
				q.Params.Set("entity", e.Canonical)
			}
			if r.IntN(2) == 0 {
				q.Params.Set("type", string(e.Type))
			}
			if r.IntN(2) == 0 {
				q.Params.Set("lang", p.detected)
			}
			if r.IntN(2) == 0 {
				days := int(corpus.PublishedUntil.Sub(corpus.PublishedFrom).Hours() / 24)
				window := minWindow + r.IntN(maxWindow-minWindow+1)
				from := corpus.PublishedFrom.AddDate(0, 0, r.IntN(days-window))
				q.Params.Set("from", from.Format(time.DateOnly))
				q.Params.Set("to", from.AddDate(0, 0, window-1).Format(time.DateOnly))
			}
		}
	case Phrase:
		n := 2 + r.IntN(2)
		p, err := t.para(r, t.lang(r), func(p *paragraph) bool { return len(p.phrases(n)) > 0 })
		if err != nil {
			return q, err
		}
		ph := p.phrases(n)
		q.Params.Set("q", `"`+ph[r.IntN(len(ph))]+`"`)
	case Negation:
		lang := t.lang(r)
		p, err := t.para(r, lang, func(p *paragraph) bool { return len(p.longWords(nil)) > 0 })
		if err != nil {
			return q, err
		}
		other, err := t.para(r, lang, func(o *paragraph) bool { return len(o.longWords(p.words)) > 0 })
		if err != nil {
			return q, err
		}
		q.Params.Set("q", pick(r, p.longWords(nil))+" -"+pick(r, other.longWords(p.words)))
	case Or:
		lang := t.lang(r)
		p, err := t.para(r, lang, func(p *paragraph) bool { return len(p.longWords(nil)) > 0 })
		if err != nil {
			return q, err
		}
		a := pick(r, p.longWords(nil))
		other, err := t.para(r, lang, func(o *paragraph) bool {
			return o.src != p.src && len(o.longWords(map[string]bool{a: true})) > 0
		})
		if err != nil {
			return q, err
		}
		q.Params.Set("q", a+" OR "+pick(r, other.longWords(map[string]bool{a: true})))
	case IDForms:
		if len(t.families) == 0 {
			return q, fmt.Errorf("no Indonesian words that share a root in the texts")
		}
		f := t.families[r.IntN(len(t.families))]
		// A derived form rather than the root itself, where there is one.
		forms := slices.DeleteFunc(slices.Clone(f.forms), func(s string) bool { return s == f.root })
		w := pick(r, forms)
		q.Params.Set("q", w)
		q.Note = "also: " + strings.Join(slices.DeleteFunc(slices.Clone(f.forms), func(s string) bool { return s == w }), ", ")
	case Plural:
		if len(t.plurals) == 0 {
			return q, fmt.Errorf("no English plural with its singular in the texts")
		}
		pl := t.plurals[r.IntN(len(t.plurals))]
		q.Params.Set("q", pl[0])
		q.Note = "singular: " + pl[1]
	default:
		return q, fmt.Errorf("unknown kind")
	}
	if k != Filters && q.Params.Get("q") == "" {
		return q, errors.New("no words of the texts fit: add texts to --samples")
	}
	return q, nil
}

// lang draws a language with the corpus's shares (corpus.Mix): "other"
// stands for the other languages in turn.
func (t *texts) lang(r *rand.Rand) string {
	x := r.Float64()
	for _, m := range corpus.Mix {
		if x < m.Share {
			if m.Lang == "other" {
				if len(t.others) == 0 {
					return "id"
				}
				return t.others[r.IntN(len(t.others))]
			}
			return m.Lang
		}
		x -= m.Share
	}
	return "id"
}

// para draws a paragraph of lang that ok accepts; if lang has none, one of
// any language. It fails when no paragraph of the texts will do.
func (t *texts) para(r *rand.Rand, lang string, ok func(*paragraph) bool) (*paragraph, error) {
	all := make([]int, len(t.paras))
	for i := range all {
		all[i] = i
	}
	for _, pool := range [][]int{t.byLang[lang], all} {
		fit := slices.DeleteFunc(slices.Clone(pool), func(i int) bool { return !ok(&t.paras[i]) })
		if len(fit) > 0 {
			return &t.paras[fit[r.IntN(len(fit))]], nil
		}
	}
	return nil, errNoParagraph
}

var errNoParagraph = errors.New("no paragraph of the texts has what it needs: add texts to --samples")

// longWords returns the paragraph's distinct words of at least minWord
// runes, in order, leaving out those of skip.
func (p *paragraph) longWords(skip map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range p.fields {
		if f.word == "" || runes(f.word) < minWord || skip[f.word] || seen[f.word] {
			continue
		}
		seen[f.word] = true
		out = append(out, f.word)
	}
	return out
}

// phrases returns the runs of n words, as written, that follow one another
// with nothing but a space between them and have a word of minWord runes.
func (p *paragraph) phrases(n int) []string {
	var out []string
	for i := 0; i+n <= len(p.fields); i++ {
		run := p.fields[i : i+n]
		ok, long := true, false
		for j, f := range run {
			if f.word == "" || j > 0 && f.lead || j < n-1 && f.trail {
				ok = false
				break
			}
			long = long || runes(f.word) >= minWord
		}
		if !ok || !long {
			continue
		}
		ws := make([]string, n)
		for j, f := range run {
			ws[j] = f.text
		}
		out = append(out, strings.Join(ws, " "))
	}
	return out
}

// entityWords returns the words of an entity's text, lower case.
func entityWords(e events.Entity) map[string]bool {
	out := map[string]bool{}
	for _, f := range fields(e.Text) {
		out[f.word] = true
	}
	return out
}

func pick(r *rand.Rand, ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	return ws[r.IntN(len(ws))]
}
