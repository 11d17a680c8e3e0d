package entities

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/clusters"
	"github.com/warta-news/warta/services/enrich/ner"
)

// The trained model, model/ner.model, written by "warta-train train" ("make
// model").
//
//go:embed model/ner.model
var modelFile []byte

// The word clusters the model reads, clusters/clusters.txt, written by
// "warta-train clusters".
//
//go:embed clusters/clusters.txt
var clustersFile string

// ModelVersion is the version of the statistical tagger, in Tagger names.
const ModelVersion = "warta-ner/4"

// ModelLanguages returns the languages the model is trained on and tags:
// one model for all of them, fed the hints of each text's own language.
func ModelLanguages() []string { return []string{"en", "id"} }

// New returns a Tagger with the embedded gazetteers, word lists and model
// loaded. The data is compiled into the program; New panics if it is
// malformed, which the package's tests rule out.
func New() *Tagger {
	m, err := ner.Load(modelFile)
	if err != nil {
		panic(fmt.Sprintf("entities: model/ner.model: %v", err))
	}
	return NewRules().WithModel(m)
}

// NewRules returns a Tagger without models: Tag then falls back to the rules
// and gazetteers. Training uses it, to compute the rules' hints that the
// models learn from.
func NewRules() *Tagger {
	cl, err := clusters.Load(clustersFile)
	if err != nil {
		panic(fmt.Sprintf("entities: clusters/clusters.txt: %v", err))
	}
	t := &Tagger{lex: make(map[string]*lexEntry, 8192), dict: loadDictionary(englishWords), clusters: cl, models: map[string]*ner.Model{}}
	t.load()
	return t
}

// WithModel returns a copy of t that uses m for every language of
// ModelLanguages; the evaluation of a model that is not (yet) embedded uses
// it.
func (t *Tagger) WithModel(m *ner.Model) *Tagger {
	c := &Tagger{lex: t.lex, dict: t.dict, clusters: t.clusters, models: make(map[string]*ner.Model, len(ModelLanguages()))}
	for _, l := range ModelLanguages() {
		c.models[l] = m
	}
	return c
}

// WithClusters returns a copy of t whose hints come from the word clusters
// cl (nil: none), to measure what clusters bring; a model reads the
// clusters it was trained with.
func (t *Tagger) WithClusters(cl *clusters.Table) *Tagger {
	c := *t
	c.clusters = cl
	return &c
}

// readAs returns the language whose model and rules tag text in lang:
// Malay ("ms") is read as Indonesian, whose words, affixes and names it
// shares, and the rest as itself.
func readAs(lang string) string {
	if primary(lang) == "ms" {
		return "id"
	}
	return lang
}

// primary returns the primary language subtag of lang, lower-cased, with the
// old code "in" read as "id".
func primary(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	lang = strings.ToLower(lang)
	if lang == "in" {
		return "id"
	}
	return lang
}

// Name says which tagger Tag uses for lang, for EnrichedParagraph.Tagger:
// "warta-ner/4 id" when a model for the language exists, "warta-ner/4 ms
// (read as id)" for Malay, "rules (no model
// for id)" for Indonesian or English without one, and "gazetteer-only (no
// model for fr)" otherwise, "gazetteer-only (language undetermined)" for ""
// and "und".
func (t *Tagger) Name(lang string) string {
	p := primary(lang)
	switch {
	case p == "ms" && t.models["id"] != nil:
		return ModelVersion + " ms (read as id)"
	case t.models[p] != nil:
		return ModelVersion + " " + p
	case p == "" || p == "und":
		return "gazetteer-only (language undetermined)"
	case rulesFor(p).full:
		return "rules (no model for " + p + ")"
	}
	return "gazetteer-only (no model for " + p + ")"
}

// Tag returns the named entities of text, a paragraph in language lang (a
// BCP 47 tag such as "id" or "en"), sorted by Start and not overlapping. For
// every entity text[e.Start:e.End] == e.Text. The slice is empty, never nil,
// when there are none.
//
// Languages with a model ("id", "en") get the model's entities, with the
// gazetteer's canonical names and the gazetteer's matches the model missed.
// Malay ("ms") is tagged as Indonesian. Other languages, and text whose
// language is undetermined ("und", ""), get the gazetteer's matches only: a
// model of the wrong language would guess.
func (t *Tagger) Tag(text, lang string) []events.Entity {
	return validCanonicals(t.tag(text, readAs(lang), true))
}

// TagModel returns the model's entities alone, for measurements: the spans
// and types the model decodes (with the rules' and gazetteers' hints as its
// features), without the corrections, additions and canonical names of the
// gazetteer that Tag applies. Languages without a model get the gazetteer's
// matches, as with Tag.
func (t *Tagger) TagModel(text, lang string) []events.Entity {
	return validCanonicals(t.tag(text, readAs(lang), false))
}

// validCanonicals makes every canonical name valid UTF-8. Text that reached
// the tagger with invalid bytes (ingest rejects it, but the tagger is also a
// library) would otherwise give a name that JSON cannot carry faithfully.
func validCanonicals(es []events.Entity) []events.Entity {
	for i := range es {
		if !utf8.ValidString(es[i].Canonical) {
			es[i].Canonical = strings.ToValidUTF8(es[i].Canonical, "\uFFFD")
		}
	}
	return es
}

func (t *Tagger) tag(text, lang string, hybrid bool) []events.Entity {
	m := t.models[primary(lang)]
	s := t.analyse(text, lang)
	s.result()
	if m == nil {
		return s.entities()
	}
	toks := ner.Tokenize(text, make([]ner.Token, 0, len(text)/5+1))
	if len(toks) == 0 {
		return []events.Entity{}
	}
	hints := s.hints(toks)
	sents := ner.Sentences(text, toks, nil)
	uncased := s.shouting || !hasUpper(text)
	words := make([]string, len(toks))
	for i, tk := range toks {
		words[i] = text[tk.Start:tk.End]
	}
	var labels []int
	for k, from := range sents {
		to := len(toks)
		if k+1 < len(sents) {
			to = sents[k+1]
		}
		labels = m.Predict(&ner.Sentence{Words: words[from:to], Hints: hints[from:to], Uncased: uncased}, labels)
	}
	if !hybrid {
		out := []events.Entity{}
		for _, sp := range ner.Spans(labels) {
			start, end := toks[sp.Start].Start, toks[sp.End-1].End
			out = append(out, events.Entity{Text: text[start:end], Type: ourType(sp.Type), Start: start, End: end, Canonical: text[start:end]})
		}
		return out
	}
	return s.merge(toks, labels)
}

func hasUpper(text string) bool {
	for _, r := range text {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// ourType maps an index in ner.Types to our entity type.
func ourType(t int) events.EntityType {
	return [...]events.EntityType{events.Person, events.Organization, events.Location, events.Event, events.Misc}[t]
}

// nerType maps our entity type to its index in ner.Types.
func nerType(t events.EntityType) int {
	switch t {
	case events.Person:
		return 0
	case events.Organization:
		return 1
	case events.Location:
		return 2
	case events.Event:
		return 3
	}
	return 4
}

// hintName returns the hint for a word in a gazetteer match (kind 'G') or in
// an entity of the rules (kind 'R'): "GB2" for the first word of a place.
// Words also get "N" for a given name or surname, "C" for an ordinary word and
// "S" for a function word of the language.
func hintName(kind byte, begin bool, typ int) string {
	// A table rather than concatenation: no allocation per word.
	const tbl = "GB0GI0GB1GI1GB2GI2GB3GI3GB4GI4RB0RI0RB1RI1RB2RI2RB3RI3RB4RI4gB0gI0gB1gI1gB2gI2gB3gI3gB4gI4"
	k := typ * 2
	if !begin {
		k++
	}
	switch kind {
	case 'R':
		k += 10
	case 'g':
		k += 20
	}
	return tbl[k*3 : k*3+3]
}

// hints computes what the rules and gazetteers say about each of toks, the
// model's tokens of s.text, as hint strings (see ner.Sentence).
func (s *tagState) hints(toks []ner.Token) [][]string {
	out := make([][]string, len(toks))
	flat := make([]string, 0, len(toks)*(2+len(clusters.PrefixLengths())))
	// Rule tokens and model tokens are both sorted by offset.
	r := 0
	for i, tk := range toks {
		for r < len(s.toks) && s.toks[r].end <= tk.Start {
			r++
		}
		from := len(flat)
		if r < len(s.toks) && s.toks[r].start <= tk.Start {
			rt := &s.toks[r]
			switch {
			case rt.roles()&roleName != 0:
				flat = append(flat, "N")
			}
			if s.rules.dict && strings.IndexFunc(rt.lower, unicode.IsLetter) >= 0 {
				flat = append(flat, s.t.dict.hint(rt.lower))
			}
			if s.rules.full && s.t.isCommon(rt.lower, s.rules) {
				if rt.roles()&s.rules.stop != 0 {
					flat = append(flat, "S")
				} else {
					flat = append(flat, "C")
				}
			}
		}
		flat = append(flat, s.t.clusters.Hints(s.text[tk.Start:tk.End])...)
		out[i] = flat[from:len(flat):len(flat)]
	}
	// Gazetteer matches and the rules' entities.
	mark := func(kind byte, start, end int, typ events.EntityType) {
		first := true
		for i := range toks {
			if toks[i].Start >= start && toks[i].End <= end {
				out[i] = append(out[i], hintName(kind, first, nerType(typ)))
				first = false
			}
		}
	}
	for i := 0; i < len(s.toks); i++ {
		if g := s.gaz[i]; g.end > 0 {
			mark('G', s.toks[i].start, s.toks[g.end-1].end, g.entry.typ)
		}
	}
	for _, e := range s.out {
		mark('R', e.Start, e.End, e.Type)
	}
	// Names of the gazetteer written in lower case ("malaysia", "tampa
	// bay"), which the rules leave alone, are a weaker hint.
	for i := 0; i < len(s.toks); {
		end, g := s.foldedAlias(i)
		if end == 0 {
			i++
			continue
		}
		mark('g', s.toks[i].start, s.toks[end-1].end, g.typ)
		i = end
	}
	return out
}

// foldedAt returns the gazetteer's entity one of whose aliases is
// text[start:end] when case is ignored (see foldedAlias), or nil.
func (s *tagState) foldedAt(start, end int) *gazEntry {
	for i := range s.toks {
		if s.toks[i].start == start {
			if k, g := s.foldedAlias(i); k > 0 && s.toks[k-1].end == end {
				return g
			}
			return nil
		}
	}
	return nil
}

// capitalise writes a name found in lower case with capitals: every word
// but the function words of the language and the particles of names after
// the first ("menteri luar negeri" → "Menteri Luar Negeri", "ministry of
// energy" → "Ministry of Energy", "abu bakar bin ahmad" → "Abu Bakar bin
// Ahmad").
func (s *tagState) capitalise(text string) string {
	words := strings.Fields(text)
	for i, w := range words {
		if e := s.t.lex[w]; i > 0 && e != nil && e.roles&(s.rules.stop|roleNameConn) != 0 {
			continue
		}
		words[i] = titleCase(w)
	}
	return strings.Join(words, " ")
}

// foldedAlias returns the end and entry of the longest alias of the
// gazetteer that starts at token i when case is ignored, for aliases of more
// than three letters in all, and 0 when there is none or the gazetteer
// matched there already.
func (s *tagState) foldedAlias(i int) (int, *gazEntry) {
	tk := &s.toks[i]
	if tk.lex == nil || s.gaz[i].end > 0 {
		return 0, nil
	}
next:
	for k := range tk.lex.aliases {
		a := &tk.lex.aliases[k]
		if i+len(a.words) > len(s.toks) || len(a.words) == 1 && len(a.lower[0]) <= 3 {
			continue
		}
		for j := range a.words {
			w := &s.toks[i+j]
			if w.lower != a.lower[j] || j > 0 && !gapEqual(s.text[s.toks[i+j-1].end:w.start], a.gaps[j-1]) {
				continue next
			}
		}
		return i + len(a.words), a.entry
	}
	return 0, nil
}

// merge turns the model's labels for toks into entities. The model decides
// spans and types, with three exceptions where the word lists know better:
// a name of the gazetteer that the rules kept and that contains what the
// model found wins ("Perang Ukraina" over "Ukraina"), and so do the
// gazetteer's names the model left out ("pengadilan pidana internasional");
// a span of words that are never names ("KTT", "Persero") is dropped. The
// gazetteer gives canonical names (and the type) where a span is exactly
// one of its aliases. Then short mentions are linked to full ones.
func (s *tagState) merge(toks []ner.Token, labels []int) []events.Entity {
	spans := ner.Spans(labels)
	found := make([]events.Entity, len(spans)) // what the model found, before the rules' say
	for i, sp := range spans {
		found[i] = events.Entity{Start: toks[sp.Start].Start, End: toks[sp.End-1].End, Type: ourType(sp.Type)}
	}
	found = s.cutAtTitles(found)
	found = s.cutAtAnd(found)
	found = s.cutAtBrackets(found)
	out := make([]events.Entity, 0, len(s.out)+4)
	origins := make([]origin, 0, cap(out))
	for _, f := range found {
		start, end, typ := f.Start, f.End, f.Type
		if s.neverName(start, end) || s.lowerWord(start, end) {
			continue
		}
		if s.rulesKnowBetter(start, end, typ) {
			continue
		}
		e := events.Entity{Text: s.text[start:end], Type: typ, Start: start, End: end}
		o := fromRules
		if g := s.gazAt(start, end); g != nil && (g.typ != events.Location || typ != events.Organization) {
			e.Type, e.Canonical, o = g.typ, g.canonical, fromGazetteer
		} else if g != nil {
			// A place's name that the model reads as an organisation is
			// its team or its government ("melawan Napoli", "Jakarta
			// menolak"): the model's type stays, and the name as written.
			o = fromGazetteer
		} else {
			// The rules may know better: a person's name they linked, or a
			// place right after "in" or "di" that the model took for a
			// person ("hosted the summit in Rio"), unless a possessive
			// follows ("in Trump's cabinet").
			for k, r := range s.out {
				if r.Start != start || r.End != end {
					continue
				}
				if r.Type == e.Type {
					e.Canonical, o = r.Canonical, s.origins[k]
					break
				}
				if s.origins[k] == fromPlace && e.Type == events.Person && !strings.HasPrefix(s.text[end:], "'s") && !strings.HasPrefix(s.text[end:], "’s") {
					e.Type, o = r.Type, fromPlace
					break
				}
			}
		}
		if e.Canonical == "" && !hasUpper(e.Text) {
			// "retno marsudi", "jakarta": the gazetteer's name where it
			// has one written in any case, else the words capitalised, so
			// that a facet does not split one name in two.
			if g := s.foldedAt(start, end); g != nil {
				e.Type, e.Canonical, o = g.typ, g.canonical, fromGazetteer
			} else {
				e.Canonical = s.capitalise(e.Text)
			}
		}
		if e.Canonical == "" {
			e.Canonical = s.normalise(e.Text, e.Type)
			if k := s.nameStart(start, end); k > start {
				// "kota Tianjin": the lower-case words the model took in
				// ahead of the name are not part of its canonical name.
				e.Canonical = s.normalise(s.text[k:end], e.Type)
				if g := s.gazAt(k, end); g != nil {
					e.Canonical = g.canonical
				}
			}
		}
		out = append(out, e)
		origins = append(origins, o)
	}
	for k, g := range s.out {
		if s.origins[k] != fromGazetteer && !s.widensAny(g, found) && !s.headlineName(g) && !s.cuedName(g) || s.currency(g) {
			continue
		}
		covered := false
		for _, e := range out {
			if g.Start < e.End && e.Start < g.End && (g.Start > e.Start || g.End < e.End || g.End-g.Start == e.End-e.Start) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, g)
			origins = append(origins, s.origins[k])
		}
	}
	s.out, s.origins = out, origins
	s.result()
	s.link()
	return s.entities()
}

// rulesKnowBetter reports whether the rules' entities overrule the model's
// entity text[start:end] of type typ: a name of the gazetteer that contains
// it ("Perang Ukraina" over "Ukraina"), or a longer name of the same type
// of a person ("Luiz Inacio Lula da Silva" over "Lula da Silva"); or an alias of the
// gazetteer that the rules rejected there ("berinisial AS": initials, not
// the United States).
func (s *tagState) rulesKnowBetter(start, end int, typ events.EntityType) bool {
	for k, r := range s.out {
		if r.Start <= start && end <= r.End && r.End-r.Start > end-start &&
			(s.origins[k] == fromGazetteer || r.Type == typ && s.widens(r, start, end)) {
			return true
		}
	}
	if s.gazAt(start, end) == nil {
		return false
	}
	for _, r := range s.out {
		if r.Start < end && start < r.End {
			return false
		}
	}
	return true
}

// headlineName reports whether r, an entity of the rules, is a person in a
// title-case headline whose every word is a given name or surname of the
// name list ("Xi Welcomes Old Friend Putin"). The model learnt case from
// prose, where a capitalised ordinary word ("xi", a Greek letter) opening
// a sentence is seldom a name; in a headline every word is capitalised, the
// rules keep only the names they know, and those are the better guess.
//
// The same holds for a name in capitals in prose ("XI pada gilirannya
// mengatakan"), which the model reads as an acronym or a numeral.
func (s *tagState) headlineName(r events.Entity) bool {
	if s.shouting || r.Type != events.Person {
		return false
	}
	caps := true
	for i := range s.toks {
		tk := &s.toks[i]
		if tk.start >= r.Start && tk.end <= r.End {
			if tk.roles()&roleName == 0 {
				return false
			}
			caps = caps && tk.allCaps
		}
	}
	return s.headline || caps
}

// currency reports whether r, an entity of the rules, is the country of a
// currency ("dolar AS", "US dollar" reads "dollar" after it, so only the
// words before count): a price, not a mention of the place, which the model
// leaves out too.
func (s *tagState) currency(r events.Entity) bool {
	if r.Type != events.Location {
		return false
	}
	for i := range s.toks {
		if s.toks[i].start == r.Start {
			if i == 0 {
				return false
			}
			switch s.toks[i-1].lower {
			case "dolar", "dollar", "dollars", "yen", "yuan", "euro", "ringgit", "rupee", "peso", "pound", "franc":
				return true
			}
			return false
		}
	}
	return false
}

// cuedName reports whether r, an entity of the rules, is an event or other
// name (MISC) that a word of its own makes one ("Online Safety Act",
// "Perang Dingin"): the model, which learnt from corpora that seldom mark
// such names, may leave it out.
func (s *tagState) cuedName(r events.Entity) bool {
	if r.Type != events.Event && r.Type != events.Misc {
		return false
	}
	for i := range s.toks {
		if tk := &s.toks[i]; tk.start >= r.Start && tk.end <= r.End && tk.roles()&(roleHeads|roleTails) != 0 {
			return true
		}
	}
	return false
}

// widensAny reports whether r, an entity of the rules, is a longer name
// than one the model found, as widens tells.
func (s *tagState) widensAny(r events.Entity, found []events.Entity) bool {
	for _, e := range found {
		if r.Start <= e.Start && e.End <= r.End && r.End-r.Start > e.End-e.Start && r.Type == e.Type && s.widens(r, e.Start, e.End) {
			return true
		}
	}
	return false
}

// widens reports whether r, an entity of the rules, is a longer name of the
// same thing as the model's text[start:end], which it contains: for a
// person, always ("Luiz Inacio Lula da Silva" over "Lula da Silva"); for an
// organisation, when the word that makes r one ("Observatory", "Ministry")
// is outside what the model found ("Syrian Observatory for Human Rights"
// over "Human Rights").
func (s *tagState) widens(r events.Entity, start, end int) bool {
	switch r.Type {
	case events.Person:
		return true
	case events.Organization:
		return s.orgCue(r.Start, start) && !s.orgCue(start, end)
	}
	return false
}

// gazAt returns the gazetteer's entity whose alias is exactly text[start:end],
// or nil.
func (s *tagState) gazAt(start, end int) *gazEntry {
	for i := range s.toks {
		if s.toks[i].start > start {
			break
		}
		if g := s.gaz[i]; g.end > 0 && s.toks[i].start == start && s.toks[g.end-1].end == end {
			return g.entry
		}
	}
	return nil
}

// nameStart returns where the name starts in the span [start, end) of cased
// text: at its first capitalised word when only ordinary lower-case words
// come before it ("kota Tianjin"), else at start. A particle of a name ("de
// Gaulle", "van Gogh") is part of it.
func (s *tagState) nameStart(start, end int) int {
	if s.shouting || s.headline {
		return start
	}
	for i := range s.toks {
		tk := &s.toks[i]
		switch {
		case tk.start < start:
			continue
		case tk.end > end || tk.roles()&roleNameConn != 0:
			return start
		case tk.cap || tk.digit:
			return tk.start
		}
	}
	return start
}

// cutAtTitles cuts the model's spans at a lower-case title inside them, in
// cased text: "White House spokesperson Karine Jean-Pierre" is two names, not
// one. A part takes the type the rules or the gazetteer give that exact span,
// else the type of the whole.
func (s *tagState) cutAtTitles(found []events.Entity) []events.Entity {
	if s.shouting || s.headline || !hasUpper(s.text) {
		return found
	}
	var out []events.Entity
	for _, f := range found {
		from := f.Start
		for i := 0; i < len(s.toks) && s.toks[i].start < f.End; i++ {
			tk := &s.toks[i]
			if tk.start <= f.Start || tk.cap {
				continue
			}
			ph, ok := s.phraseAt(i)
			if !ok || ph.kind != phraseTitle && ph.kind != phraseTitleWeak {
				continue
			}
			last := i + len(ph.words) - 1
			if s.toks[last].end >= f.End {
				break
			}
			out = s.appendPart(out, from, tk.start, f.Type)
			from = s.toks[last].end
			i = last
		}
		if from == f.Start {
			out = append(out, f)
			continue
		}
		out = s.appendPart(out, from, f.End, f.Type)
	}
	return out
}

// cutAtAnd cuts an organisation the model found at "and" or "dan" between
// two names of organisations: "US Department of Energy and India's Ministry
// of New and Renewable Energy" is two. Each side must have a word that
// starts or ends an organisation's name ("Department", "Ministry",
// "Kementerian"), so "Ministry of New and Renewable Energy" stays whole.
func (s *tagState) cutAtAnd(found []events.Entity) []events.Entity {
	var out []events.Entity
	for _, f := range found {
		if f.Type != events.Organization {
			out = append(out, f)
			continue
		}
		from := f.Start
		for i := range s.toks {
			tk := &s.toks[i]
			if tk.start <= from || tk.end >= f.End || tk.lower != "and" && tk.lower != "dan" {
				continue
			}
			if !s.orgCue(from, tk.start) || !s.orgCue(tk.end, f.End) {
				continue
			}
			out = s.appendPart(out, from, tk.start, f.Type)
			from = tk.end
		}
		if from == f.Start {
			out = append(out, f)
			continue
		}
		out = s.appendPart(out, from, f.End, f.Type)
	}
	return out
}

// cutAtBrackets cuts the model's spans at brackets: "PT Pertamina
// (Persero)" is the name and a word in brackets, "Lembaga Survei Indonesia
// (LSI)" a name and its acronym, which the rules link to it; a bracket at
// an end of a span ("LSI)") is left out.
func (s *tagState) cutAtBrackets(found []events.Entity) []events.Entity {
	var out []events.Entity
	for _, f := range found {
		cut := strings.IndexAny(s.text[f.Start:f.End], "()[]")
		if cut < 0 {
			out = append(out, f)
			continue
		}
		from := f.Start
		for i := f.Start; i < f.End; i++ {
			switch s.text[i] {
			case '(', ')', '[', ']':
				out = s.appendPart(out, from, i, f.Type)
				from = i + 1
			}
		}
		out = s.appendPart(out, from, f.End, f.Type)
	}
	return out
}

// orgCue reports whether the words in text[from:to] include one that starts
// or ends the name of an organisation.
func (s *tagState) orgCue(from, to int) bool {
	for i := range s.toks {
		if tk := &s.toks[i]; tk.start >= from && tk.end <= to && tk.roles()&(roleOrgHead|roleOrgTail) != 0 {
			return true
		}
	}
	return false
}

// appendPart appends to out the words of a cut span that lie in [from, to),
// with the type the rules or the gazetteer give them, else typ.
func (s *tagState) appendPart(out []events.Entity, from, to int, typ events.EntityType) []events.Entity {
	start, end := -1, -1
	for i := range s.toks {
		if tk := &s.toks[i]; tk.start >= from && tk.end <= to {
			if start < 0 {
				start = tk.start
			}
			end = tk.end
		}
	}
	if start < 0 {
		return out
	}
	if g := s.gazAt(start, end); g != nil {
		typ = g.typ
	}
	for _, r := range s.out {
		if r.Start == start && r.End == end {
			typ = r.Type
		}
	}
	return append(out, events.Entity{Start: start, End: end, Type: typ})
}

// addresses returns the byte ranges of text's e-mail addresses, URLs and file
// names: whatever the model makes of them ("Kevin.A.Boone@accenture.com",
// "CrudeStocks.pdf", "detik.com/Jakarta"), they are not the name of a person,
// a place or an organisation as written.
func addresses(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); {
		j := strings.IndexFunc(text[i:], unicode.IsSpace)
		if j < 0 {
			j = len(text) - i
		}
		if word := text[i : i+j]; strings.ContainsAny(word, "@/.") {
			// Brackets and quotes around it are not part of it.
			trimmed := strings.TrimLeftFunc(word, unicode.IsPunct)
			start := i + len(word) - len(trimmed)
			trimmed = strings.TrimRightFunc(trimmed, unicode.IsPunct)
			if isAddress(trimmed) {
				out = append(out, [2]int{start, start + len(trimmed)})
			}
		}
		i += j
		if i < len(text) {
			_, w := utf8.DecodeRuneInString(text[i:])
			i += w
		}
	}
	return out
}

// isAddress reports whether word, a run of text without spaces or
// punctuation around it, is an e-mail address, a URL or a file name.
func isAddress(word string) bool {
	if at := strings.IndexByte(word, '@'); at > 0 && strings.Contains(word[at:], ".") {
		return true
	}
	if strings.Contains(word, "://") || len(word) > 4 && strings.EqualFold(word[:4], "www.") {
		return true
	}
	if slash := strings.IndexByte(word, '/'); slash > 0 {
		// "detik.com/berita": a host name before the first slash.
		host := word[:slash]
		return strings.IndexByte(host, '.') > 0 && !strings.HasSuffix(host, ".") &&
			strings.IndexFunc(host, func(r rune) bool { return !isHostRune(r) }) < 0
	}
	dot := strings.LastIndexByte(word, '.')
	if dot <= 0 {
		return false
	}
	switch strings.ToLower(word[dot+1:]) {
	case "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv",
		"jpg", "jpeg", "png", "gif", "zip", "htm", "html", "exe", "mp3", "mp4":
		return true
	}
	return false
}

// isHostRune reports whether r may be part of a host name.
func isHostRune(r rune) bool {
	return r == '.' || r == '-' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// overlapsAny reports whether [start, end) overlaps one of rs.
func overlapsAny(rs [][2]int, start, end int) bool {
	for _, r := range rs {
		if start < r[1] && r[0] < end {
			return true
		}
	}
	return false
}

// neverName reports whether text[start:end] is made only of words that are
// never names: function words, weekdays, months, "KTT".
func (s *tagState) neverName(start, end int) bool {
	any := false
	for i := range s.toks {
		tk := &s.toks[i]
		if tk.end <= start || tk.start >= end {
			continue
		}
		if tk.roles()&(roleSkip|s.rules.stop) == 0 {
			return false
		}
		any = true
	}
	return any
}

// lowerWord reports whether text[start:end] is one word without a capital
// in Indonesian text that has them, such as "padang" in "Negara padang
// rumput": news capitalises names, and the model, which also learnt from
// text without capitals, takes some ordinary words for them. Several such
// words ("pengadilan pidana internasional") are left to the gazetteer and
// the model, and so is English, whose web text and tweets write names in
// lower case too (on the English dev splits the rule cost up to 0.09).
func (s *tagState) lowerWord(start, end int) bool {
	if !s.rules.id || s.shouting || s.headline || hasUpper(s.text[start:end]) || !hasUpper(s.text) {
		return false
	}
	return !strings.ContainsAny(strings.TrimSpace(s.text[start:end]), " \t\n")
}

// normalise spells a name the model found in a normal form: spaces folded,
// and capitals undone where they only shout ("XI" → "Xi").
func (s *tagState) normalise(text string, typ events.EntityType) string {
	words := strings.Fields(text)
	for i, w := range words {
		if !isAcronym(w) || isRoman(w) && typ != events.Person {
			continue
		}
		if s.shouting && (len(w) > 4 || typ == events.Person || len(words) > 1) || typ == events.Person && utf8.RuneCountInString(w) > 1 {
			words[i] = titleCase(w)
		}
	}
	return strings.Join(words, " ")
}

// Hints returns what the rules and gazetteers say about each of toks, the
// tokens of text (a paragraph in language lang), as the model sees it: the
// hints of ner.Sentence. Training computes them with this, so that the
// model learns from exactly what Tag gives it.
func (t *Tagger) Hints(text, lang string, toks []ner.Token) [][]string {
	s := t.analyse(text, lang)
	s.result()
	return s.hints(toks)
}
