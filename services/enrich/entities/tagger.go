// Package entities finds named entities — people, organisations, places,
// events and other names (MISC) — in paragraphs of Indonesian and English
// news.
//
// Tag is a hybrid. For Indonesian and English it runs a statistical model of
// the language (package ner, trained by "warta-train train" on the corpora of
// ../shared/eval/ner and embedded from model/) over the paragraph, with what
// the rules and gazetteers below say about each word as features of the
// model. The model decides the spans and types; the gazetteer gives
// canonical names, overrules the model where one of its names contains what
// the model found ("Perang Ukraina" over "Ukraina"), and adds the names the
// model missed; the rules' linking then ties short mentions to full ones.
// Text without capitals (or all in capitals) is tagged by the model's
// uncased features. Languages without a model, and text whose language is
// undetermined, get gazetteer matches only, and Name says so.
//
// TagRules is the rules and gazetteers alone, described next.
//
// # How it tags
//
// Tag splits a paragraph into words, keeping byte offsets, and then:
//
//  1. matches the gazetteer, longest alias first ("Perang Dunia II",
//     "Amerika Serikat", "Organisasi Kerjasama Shanghai"). Acronyms of up to
//     three letters match only as written ("AS" but not "as"); other names
//     match in any case but only when capitalised in the text;
//  2. walks the capitalised words that remain. Titles and roles
//     ("Presiden", "Prime Minister", "rekannya") are left out of names and
//     mark the next name as a person, even past a nationality: in "Presiden
//     Tiongkok Xi Jinping" "Tiongkok" is a place and "Xi Jinping" a person.
//     Verbs of saying do the same ("kata Yu", "X said", "menurut X"), and
//     "di", "ke", "in", "from" mark a place. Words that start ("Kementerian",
//     "Partai", "Perang", "Perjanjian") or end ("Ministry", "University",
//     "War", "Act") a name make an organisation, event, place or MISC of it.
//     An ordinary word that only has a capital because it starts a sentence
//     ("Pertemuan", "Setelah", "Officials") is not a name, and neither are
//     weekdays, months, initials ("berinisial AS") or common acronyms
//     ("KTT"). Given names and surnames from a name list make a person; so
//     does an unexplained run of two to four capitalised words none of which
//     is an ordinary word. Ordinary words before a country make an
//     organisation ("Indikator Politik Indonesia"). A single unexplained
//     capitalised word is MISC, an unexplained acronym an organisation. In
//     title-case headlines and text in capitals, where capitals say little,
//     only known names and cues count;
//  3. links short mentions to full ones: "Putin" in a paragraph that also
//     names "Vladimir Putin" gets that canonical name, and an acronym in
//     brackets after a name ("Lembaga Survei Indonesia (LSI)") gets the
//     name's type and canonical name.
//
// Canonical names come from the gazetteer, in English for well-known
// entities ("Moskow" → "Moscow", "Tiongkok" → "China"); otherwise they are
// the text with spaces folded and shouting undone ("XI" → "Xi").
//
// # Gazetteers and word lists
//
// The data is embedded from gazetteer/*.txt. Lines starting with "#" are
// comments. The entity gazetteers (locations, organizations, events, misc)
// have one entity per line, "TYPE<TAB>canonical<TAB>alias1|alias2|...".
// cues.txt gives words and phrases their roles, "role<TAB>words"; names.txt
// lists given names and surnames; common-id.txt and common-en.txt list
// ordinary words, white-space separated.
//
// # Other languages
//
// For languages other than Indonesian ("id") and English ("en") Tag and
// TagRules return gazetteer matches only: the model and the rules lean on
// each language's words and morphology, while the gazetteer's names of
// countries, cities and organisations carry over to most languages written
// in Latin script.
package entities

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/clusters"
	"github.com/warta-news/warta/services/enrich/ner"
)

// Tagger finds named entities in text. It holds only data read by New and is
// safe for concurrent use.
type Tagger struct {
	lex      map[string]*lexEntry
	dict     dictionary            // the English dictionary
	clusters *clusters.Table       // word clusters learnt from unlabelled text
	models   map[string]*ner.Model // by language: "id", "en"
}

// TagRules returns the named entities that the rules and gazetteers alone
// find in text, a paragraph in language lang, with the same guarantees as
// Tag. Tag uses them as features of the model; they are also a baseline to
// measure the model against.
func (t *Tagger) TagRules(text, lang string) []events.Entity {
	s := t.analyse(text, readAs(lang))
	s.result()
	return s.entities()
}

// analyse runs the rules over text: tokens, gazetteer matches, and the
// entities the rules find (s.out), linked within the paragraph.
func (t *Tagger) analyse(text, lang string) *tagState {
	s := &tagState{t: t, text: text, rules: rulesFor(lang), addrs: addresses(text)}
	s.toks = t.tokenize(text, make([]token, 0, len(text)/6+1))
	s.shape()
	s.matchGazetteer()
	if s.rules.full {
		s.walk()
		s.link()
	} else {
		s.gazetteerOnly()
	}
	return s
}

// gazetteerOnly emits the gazetteer's matches and nothing else.
func (s *tagState) gazetteerOnly() {
	for i := 0; i < len(s.toks); {
		if g := s.gaz[i]; g.end > 0 {
			s.emit(i, g.end, g.entry.typ, g.entry.canonical, fromGazetteer)
			i = g.end
			continue
		}
		i++
	}
}

// cue is what the words before a capitalised word say about it.
type cue uint8

const (
	cueNone     cue = iota
	cuePerson       // after a title or role
	cueSpeech       // after a verb of saying
	cueLoc          // after a preposition of place
	cueInitials     // after "berinisial": the next capitalised word is someone's initials
)

// origin says where an entity came from, which decides what may change it.
type origin uint8

const (
	fromGazetteer origin = iota
	fromRules
	fromGuess // an unexplained word at the start of a sentence or in a headline: kept only if it names a known person
	fromPlace // an unexplained name right after a preposition of place: "in Rio", "di Lembang"
)

// gazHit is a gazetteer match starting at a token.
type gazHit struct {
	end   int // token index after the match; 0 for none
	entry *gazEntry
}

// tagState is the work of one Tag call.
type tagState struct {
	t        *Tagger
	text     string
	rules    langRules
	toks     []token
	gaz      []gazHit
	headline bool     // capitals say little: a title-case headline or shouting
	shouting bool     // mostly upper-case text
	addrs    [][2]int // e-mail addresses, URLs and file names: never entities

	out     []events.Entity
	origins []origin

	// The pending run of capitalised words, toks[ps:pe]; ps < 0 when none.
	ps, pe   int
	pcue     cue  // the cue before the run
	pprev    int  // index in out of a gazetteer entity right before the run, or -1
	segRoles role // roles of the run's words
	porg     bool // the run ends in a place and names an organisation
	cue      cue  // the cue for the next capitalised word

	lastGaz, lastGazStart, lastGazEnd int // the last gazetteer entity: index in out, token span
}

// shape notices text whose capitals carry no information: mostly upper-case
// text, and title-case headlines, told apart from prose crowded with names by
// their capitalised ordinary words ("Xi Welcomes Old Friend Putin").
func (s *tagState) shape() {
	words, shout, capCommon, lowCommon := 0, 0, 0, 0
	for i := range s.toks {
		tk := &s.toks[i]
		r, _ := utf8.DecodeRuneInString(s.text[tk.start:])
		if !unicode.IsLetter(r) {
			continue
		}
		words++
		if tk.allCaps {
			shout++
		}
		if s.rules.full && tk.cap && !tk.sent && !tk.allCaps && s.t.isCommon(tk.lower, s.rules) {
			capCommon++
		}
	}
	if words >= 4 && shout*10 >= words*6 {
		s.shouting, s.headline = true, true
		for i := range s.toks {
			s.toks[i].allCaps = false
		}
		return
	}
	if capCommon < 2 {
		return
	}
	// Prose has its ordinary words in lower case; the word lists suffice
	// to count them.
	for i := range s.toks {
		if tk := &s.toks[i]; !tk.cap && tk.roles()&(s.rules.common|s.rules.stop) != 0 {
			if lowCommon++; lowCommon >= capCommon {
				return
			}
		}
	}
	s.headline = true
}

// matchGazetteer finds the gazetteer's aliases in the text, longest first,
// left to right, without overlaps.
func (s *tagState) matchGazetteer() {
	s.gaz = make([]gazHit, len(s.toks))
	for i := 0; i < len(s.toks); {
		tk := &s.toks[i]
		end := 0
		if tk.lex != nil {
			for k := range tk.lex.aliases {
				a := &tk.lex.aliases[k]
				if !s.matchAlias(i, a) {
					continue
				}
				// "Lima" opening an Indonesian sentence is "five", not Peru's capital.
				if len(a.words) == 1 && s.rules.full && (tk.sent || s.headline) && a.modes[0] == modeCap &&
					tk.roles()&(s.rules.common|s.rules.stop) != 0 {
					continue
				}
				end = i + len(a.words)
				s.gaz[i] = gazHit{end: end, entry: a.entry}
				break
			}
		}
		if end > 0 {
			i = end
		} else {
			i++
		}
	}
}

func (s *tagState) matchAlias(i int, a *alias) bool {
	if i+len(a.words) > len(s.toks) {
		return false
	}
	for k := range a.words {
		tk := &s.toks[i+k]
		if k > 0 && !gapEqual(s.text[s.toks[i+k-1].end:tk.start], a.gaps[k-1]) {
			return false
		}
		switch a.modes[k] {
		case modeExact:
			if s.text[tk.start:tk.end] != a.words[k] {
				return false
			}
		case modeFold:
			if tk.lower != a.lower[k] {
				return false
			}
		default:
			if !tk.cap || tk.lower != a.lower[k] {
				return false
			}
		}
	}
	return true
}

// phraseAt returns the longest cue phrase starting at token i.
func (s *tagState) phraseAt(i int) (phrase, bool) {
	tk := &s.toks[i]
	if tk.lex == nil {
		return phrase{}, false
	}
next:
	for _, ph := range tk.lex.phrases {
		if i+len(ph.words) > len(s.toks) {
			continue
		}
		for k := 1; k < len(ph.words); k++ {
			if w := &s.toks[i+k]; !w.join || w.lower != ph.words[k] {
				continue next
			}
		}
		return ph, true
	}
	return phrase{}, false
}

// walk goes through the words once, left to right, and emits entities.
func (s *tagState) walk() {
	n := len(s.toks)
	s.ps, s.lastGaz = -1, -1
	for i := 0; i < n; {
		tk := &s.toks[i]
		if !tk.join {
			s.flush(i)
			s.cue = cueNone
		}
		if s.cue == cueInitials && tk.cap {
			// "tersangka berinisial AS": initials, not the United States.
			i++
			continue
		}
		if g := s.gaz[i]; g.end > 0 && !s.gazIsName(i, g) {
			i = s.takeGaz(i, g)
			continue
		}
		if ph, ok := s.phraseAt(i); ok && (ph.kind != phraseTitleWeak || s.ps < 0) {
			s.flush(i)
			s.cue = [...]cue{phraseTitle: cuePerson, phraseTitleWeak: cuePerson, phraseSpeech: cueSpeech,
				phraseLoc: cueLoc, phraseInitials: cueInitials}[ph.kind]
			i += len(ph.words)
			continue
		}
		r := tk.roles()
		if !tk.cap {
			if s.ps >= 0 {
				if j, ok := s.connect(i); ok {
					i = j
					continue
				}
			}
			s.flush(i)
			s.cue = cueNone
			i++
			continue
		}
		// A capitalised word.
		if r&s.rules.stop != 0 || r&roleSkip != 0 || r&roleSkipWeak != 0 && s.ps < 0 ||
			(s.ps < 0 && tk.sent || s.headline) && s.commonAtStart(i) {
			s.flush(i)
			s.cue = cueNone
			i++
			continue
		}
		if s.isHead(i) {
			s.flush(i)
			if end := s.consumeHead(i); end > i+1 {
				start := i
				if r&roleTails != 0 && s.adjacentGaz(i) {
					// "Syrian Observatory for Human Rights"
					start = s.popGaz()
				}
				s.emit(start, end, headType(r), "", fromRules)
				s.cue = cueNone
				i = end
				continue
			}
			if r&roleTails == 0 {
				// "Partai" alone names nothing.
				s.cue = cueNone
				i++
				continue
			}
		}
		if tk.allCaps {
			if s.ps >= 0 && isRoman(s.text[tk.start:tk.end]) {
				// A regnal number: "Charles III", "Benediktus XVI".
				s.pe = i + 1
				i++
				continue
			}
			s.flush(i)
			switch {
			case r&roleName != 0:
				s.emit(i, i+1, events.Person, "", fromRules)
			case isRoman(s.text[tk.start:tk.end]):
			default:
				// An unknown acronym is most often an organisation.
				s.emit(i, i+1, events.Organization, "", fromRules)
			}
			if s.cue != cuePerson {
				s.cue = cueNone
			}
			i++
			continue
		}
		if tk.digit {
			// "F-16", "Su-57": a model or product name.
			s.flush(i)
			s.emit(i, i+1, events.Misc, "", fromRules)
			s.cue = cueNone
			i++
			continue
		}
		s.add(i)
		i++
	}
	s.flush(n)
}

// takeGaz handles the gazetteer match g at token i and returns where to
// continue. Usually the match is an entity; sometimes it ends or extends a
// longer name.
func (s *tagState) takeGaz(i int, g gazHit) int {
	if s.ps >= 0 && g.entry.typ == events.Location && s.orgBeforePlace() {
		// "(Direktur Eksekutif) Indikator Politik Indonesia": a name of
		// ordinary words and a country is an organisation, and a title
		// before it is still waiting for its person.
		pcue := s.pcue
		s.pe, s.porg = g.end, true
		s.flush(g.end)
		if s.cue = cueNone; pcue == cuePerson {
			s.cue = cuePerson
		}
		return g.end
	}
	s.flush(i)
	if g.end == i+1 && g.entry.typ == events.Location && s.toks[i].roles()&roleLocTail != 0 &&
		s.adjacentGaz(i) && s.out[s.lastGaz].Type == events.Location {
		// "Jakarta Barat": a compass word after a place is part of it.
		s.emit(s.popGaz(), g.end, events.Location, "", fromRules)
		s.cue = cueNone
		return g.end
	}
	if end := s.ofCountry(i, g); end > 0 {
		// "Kementerian Luar Negeri Rusia": Russia's ministry, not the
		// Indonesian one the gazetteer knows.
		s.emit(i, end, events.Organization, "", fromRules)
		s.cue = cueNone
		return end
	}
	s.emit(i, g.end, g.entry.typ, g.entry.canonical, fromGazetteer)
	s.lastGaz, s.lastGazStart, s.lastGazEnd = len(s.out)-1, i, g.end
	if s.cue != cuePerson {
		// A title reaches past a place or body: "Presiden Tiongkok Xi Jinping".
		s.cue = cueNone
	}
	return g.end
}

// ofCountry returns the end of a place from the gazetteer that follows an
// Indonesian-style organisation from the gazetteer ("Kementerian ...",
// "Partai ...") and belongs to its name, or 0.
func (s *tagState) ofCountry(i int, g gazHit) int {
	if g.entry.typ != events.Organization || s.toks[i].roles()&roleOrgHead == 0 ||
		g.end >= len(s.toks) || !s.toks[g.end].join {
		return 0
	}
	if h := s.gaz[g.end]; h.end > 0 && h.entry.typ == events.Location {
		return h.end
	}
	return 0
}

// add appends token i to the pending run, starting one if needed.
func (s *tagState) add(i int) {
	if s.ps < 0 {
		s.ps, s.pcue, s.segRoles, s.pprev, s.porg = i, s.cue, 0, -1, false
		if s.adjacentGaz(i) {
			s.pprev = s.lastGaz
		}
		s.cue = cueNone
	}
	s.segRoles |= s.toks[i].roles()
	s.pe = i + 1
}

// orgBeforePlace reports whether the pending run, followed by a place, is
// the name of an organisation: no cue but perhaps a title, no given name or
// surname, and an ordinary word among its words ("Indikator Politik
// Indonesia").
func (s *tagState) orgBeforePlace() bool {
	return (s.pcue == cueNone || s.pcue == cuePerson) && s.segRoles&(roleName|roleTails) == 0 && s.hasCommon(s.ps, s.pe)
}

// hasCommon reports whether an ordinary word of the language is among the
// capitalised words toks[i:j].
func (s *tagState) hasCommon(i, j int) bool {
	for k := i; k < j; k++ {
		if tk := &s.toks[k]; tk.cap && s.t.isCommon(tk.lower, s.rules) {
			return true
		}
	}
	return false
}

// adjacentGaz reports whether the last entity emitted came from the
// gazetteer and ends right before token i, with only spaces between.
func (s *tagState) adjacentGaz(i int) bool {
	return s.lastGaz >= 0 && s.lastGaz == len(s.out)-1 && s.lastGazEnd == i && s.toks[i].join
}

// popGaz removes the last entity, which came from the gazetteer, so that a
// longer name can take it in, and returns its first token.
func (s *tagState) popGaz() int {
	s.out, s.origins = s.out[:s.lastGaz], s.origins[:s.lastGaz]
	s.lastGaz = -1
	return s.lastGazStart
}

// connect extends the pending run over connecting words at i ("bin", "von
// der", or "of" inside an organisation's name) when a capitalised word
// follows, and returns where to continue.
func (s *tagState) connect(i int) (int, bool) {
	n := len(s.toks)
	j := i
	org := false
	for j < n && s.toks[j].join && !s.toks[j].cap {
		r := s.toks[j].roles()
		switch {
		case r&roleNameConn != 0:
		case r&roleOrgConn != 0 && s.segRoles&(roleOrgTail|roleEventTail|roleMiscTail) != 0:
			org = true
		default:
			return 0, false
		}
		j++
	}
	if j == i || j >= n || !s.toks[j].join {
		return 0, false
	}
	if g := s.gaz[j]; g.end > 0 {
		if !org {
			return 0, false
		}
		// "Communist Party of China": the place belongs to the name.
		s.pe = g.end
		return g.end, true
	}
	if !s.toks[j].cap || s.toks[j].roles()&(s.rules.stop|roleSkip) != 0 {
		return 0, false
	}
	s.pe = j
	return j, true
}

// gazIsName reports whether a one-word place from the gazetteer is a
// person's name here: "Jordan Peterson", "Lloyd Austin".
func (s *tagState) gazIsName(i int, g gazHit) bool {
	if g.end != i+1 || g.entry.typ != events.Location || s.toks[i].roles()&roleName == 0 {
		return false
	}
	if s.ps >= 0 && s.toks[i].join {
		return s.pcue == cuePerson || s.pcue == cueSpeech || s.segRoles&roleName != 0
	}
	if i+1 >= len(s.toks) {
		return false
	}
	nx := &s.toks[i+1]
	if !nx.join || !nx.cap || nx.allCaps || s.gaz[i+1].end > 0 {
		return false
	}
	if _, ok := s.phraseAt(i + 1); ok {
		return false
	}
	return nx.roles()&(s.rules.stop|s.rules.common|roleSkip|roleSkipWeak|roleHeads|roleTails) == 0
}

// commonAtStart reports whether the capitalised word i, which starts a
// sentence, is an ordinary word rather than a name.
func (s *tagState) commonAtStart(i int) bool {
	tk := &s.toks[i]
	r := tk.roles()
	if r&roleName != 0 {
		if r&s.rules.common == 0 {
			return false
		}
		// "Will", "Bayu": a name when another name follows ("Tim SAR" is a team).
		nx := i + 1
		return !(nx < len(s.toks) && s.toks[nx].join && s.toks[nx].cap && !s.toks[nx].allCaps)
	}
	if r&(roleHeads|roleTails) != 0 {
		return false
	}
	return s.t.isCommon(tk.lower, s.rules)
}

// isHead reports whether word i starts a name of the kind it names:
// "Kementerian ...", "Perang ...", or an English "Ministry of ...".
func (s *tagState) isHead(i int) bool {
	r := s.toks[i].roles()
	if r&roleHeads != 0 {
		return s.ps < 0 || r&roleTails == 0
	}
	if r&roleTails != 0 && s.ps < 0 && i+1 < len(s.toks) {
		nx := &s.toks[i+1]
		return nx.join && (nx.lower == "of" || nx.lower == "for")
	}
	return false
}

func headType(r role) events.EntityType {
	switch {
	case r&(roleOrgHead|roleOrgTail) != 0:
		return events.Organization
	case r&(roleEventHead|roleEventTail) != 0:
		return events.Event
	case r&(roleMiscHead|roleMiscTail) != 0:
		return events.Misc
	}
	return events.Location
}

// consumeHead takes the name that word i starts: the capitalised words after
// it, with connecting words, up to and including a place or organisation
// from the gazetteer ("Bank Indonesia", "Kementerian Luar Negeri Rusia").
func (s *tagState) consumeHead(i int) int {
	n := len(s.toks)
	j := i + 1
	for j < n && s.toks[j].join {
		if g := s.gaz[j]; g.end > 0 {
			if g.entry.typ == events.Location || g.entry.typ == events.Organization || g.entry.typ == events.Misc {
				j = g.end
			}
			break
		}
		tk := &s.toks[j]
		r := tk.roles()
		if tk.cap && r&(s.rules.stop|roleSkip|roleSkipWeak) == 0 && !tk.digit {
			j++
			continue
		}
		if !tk.cap && r&(roleOrgConn|roleNameConn) != 0 && j+1 < n && s.toks[j+1].join &&
			(s.toks[j+1].cap || s.gaz[j+1].end > 0) && s.toks[j+1].roles()&roleHeads == 0 {
			j++
			continue
		}
		break
	}
	for j > i+1 && !s.toks[j-1].cap && s.gaz[j-1].end == 0 {
		j-- // a trailing connector
	}
	return j
}

// flush classifies and emits the pending run of capitalised words. next is
// the index of the word after it.
func (s *tagState) flush(next int) {
	if s.ps < 0 {
		return
	}
	ps, pe := s.ps, s.pe
	s.ps = -1
	for pe > ps && !s.toks[pe-1].cap && s.toks[pe-1].roles()&(roleNameConn|roleOrgConn) != 0 {
		pe--
	}
	if s.headline && s.segRoles&roleName != 0 {
		// In a title-case headline every word is capitalised: keep the
		// names and drop the words around them ("Xi Welcomes" → "Xi").
		for ps < pe && s.toks[ps].roles()&roleName == 0 {
			ps++
		}
		for pe > ps && s.toks[pe-1].roles()&roleName == 0 {
			pe--
		}
	}
	if pe <= ps {
		return
	}
	// A word that ends names: "Harvard University", "Toyota Motor Corp",
	// "Korean War". A place, demonym or organisation from the gazetteer
	// right before joins in: "Russian Foreign Ministry".
	for k := pe - 1; k >= ps; k-- {
		r := s.toks[k].roles()
		if r&roleTails == 0 {
			continue
		}
		if pe-ps < 2 && s.pprev < 0 {
			break
		}
		start := ps
		if s.pprev >= 0 {
			start = s.popGaz()
		}
		s.emit(start, pe, headType(r&roleTails), "", fromRules)
		return
	}
	if s.porg {
		s.emit(ps, pe, events.Organization, "", fromRules)
		return
	}
	words := 0
	for k := ps; k < pe; k++ {
		if s.toks[k].cap {
			words++
		}
	}
	speechAfter := next < len(s.toks) && s.toks[next].join && s.toks[next].roles()&roleSpeechAfter != 0
	initial := s.toks[ps].sent || s.headline
	switch {
	case s.pcue == cuePerson || s.pcue == cueSpeech || speechAfter || s.segRoles&roleName != 0:
		s.emit(ps, pe, events.Person, "", fromRules)
	case s.pcue == cueLoc:
		s.emit(ps, pe, events.Location, "", fromPlace)
	case s.headline:
		s.emit(ps, pe, events.Person, "", fromGuess)
	case words >= 2 && words <= 4 && !s.hasCommon(ps, pe):
		// Two to four capitalised words, none of them ordinary, are most
		// often a name nobody has listed.
		s.emit(ps, pe, events.Person, "", fromRules)
	case words == 1 && initial:
		s.emit(ps, pe, events.Misc, "", fromGuess)
	default:
		s.emit(ps, pe, events.Misc, "", fromRules)
	}
}

// emit appends the entity made of tokens [i, j).
func (s *tagState) emit(i, j int, typ events.EntityType, canonical string, o origin) {
	start, end := s.toks[i].start, s.toks[j-1].end
	if canonical == "" {
		canonical = s.canonical(i, j, typ)
	}
	s.out = append(s.out, events.Entity{Text: s.text[start:end], Type: typ, Start: start, End: end, Canonical: canonical})
	s.origins = append(s.origins, o)
}

// canonical spells the entity made of tokens [i, j) in a normal form: spaces
// folded, a person's name in capitals ("XI") in title case ("Xi").
func (s *tagState) canonical(i, j int, typ events.EntityType) string {
	fold := func(k int) bool {
		tk := &s.toks[k]
		if tk.initial {
			return false
		}
		word := s.text[tk.start:tk.end]
		if s.shouting {
			return len(word) > 4 || typ == events.Person || j-i > 1
		}
		return typ == events.Person && tk.allCaps && (!isRoman(word) || tk.roles()&roleName != 0)
	}
	raw := s.text[s.toks[i].start:s.toks[j-1].end]
	plain := true
	for k := i; k < j && plain; k++ {
		plain = !fold(k) && (k == i || s.text[s.toks[k-1].end:s.toks[k].start] == " ")
	}
	if plain {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for k := i; k < j; k++ {
		tk := &s.toks[k]
		if k > i {
			b.WriteString(foldSpaces(s.text[s.toks[k-1].end:tk.start]))
		}
		word := s.text[tk.start:tk.end]
		if fold(k) {
			word = titleCase(word)
		}
		b.WriteString(word)
	}
	return b.String()
}

// titleCase upper-cases the first letter of every part of a word and
// lower-cases the rest: "XI" → "Xi", "AL-ASSAD" → "Al-Assad".
func titleCase(word string) string {
	var b strings.Builder
	b.Grow(len(word))
	first := true
	for _, r := range word {
		if first {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		first = !ner.IsWordRune(r)
	}
	return b.String()
}

// isRoman reports whether word is a small Roman numeral ("II", "XVI").
func isRoman(word string) bool {
	if len(word) == 0 || len(word) > 5 {
		return false
	}
	for i := 0; i < len(word); i++ {
		if c := word[i]; c != 'I' && c != 'V' && c != 'X' {
			return false
		}
	}
	return true
}

// link ties short mentions to full ones within the paragraph: a single word
// that is the first or last word of a person's full name is that person
// ("Putin" → "Vladimir Putin", "XI" → "Xi Jinping"); an acronym in brackets
// right after a name is that name ("Organisasi Kerjasama Shanghai (SCO)").
func (s *tagState) link() {
	for i := range s.out {
		e := &s.out[i]
		if s.origins[i] == fromGazetteer || (e.Type != events.Person && e.Type != events.Misc) ||
			strings.ContainsAny(e.Text, " \t\u00a0") {
			continue
		}
		for j := range s.out {
			f := &s.out[j]
			if f.Type != events.Person || s.origins[j] == fromGuess {
				continue
			}
			first, last, ok := firstLast(f.Canonical)
			if ok && (strings.EqualFold(e.Text, first) || strings.EqualFold(e.Text, last)) {
				e.Type, e.Canonical, s.origins[i] = events.Person, f.Canonical, fromRules
				break
			}
		}
	}
	for i := 0; i+1 < len(s.out); i++ {
		e, a := &s.out[i], &s.out[i+1]
		if e.Type == events.Person || e.Type == events.Misc || !strings.Contains(e.Text, " ") ||
			strings.TrimSpace(s.text[e.End:a.Start]) != "(" || a.End >= len(s.text) || s.text[a.End] != ')' ||
			!isAcronym(a.Text) {
			continue
		}
		a.Type, a.Canonical, s.origins[i+1] = e.Type, e.Canonical, fromRules
		for k := range s.out {
			if o := &s.out[k]; o.Text == a.Text && s.origins[k] != fromGazetteer {
				o.Type, o.Canonical, s.origins[k] = e.Type, e.Canonical, fromRules
			}
		}
	}
}

// firstLast returns the first and last words of a name of two words or more.
func firstLast(name string) (first, last string, ok bool) {
	i, j := strings.IndexByte(name, ' '), strings.LastIndexByte(name, ' ')
	if i < 0 {
		return "", "", false
	}
	return name[:i], name[j+1:], true
}

func isAcronym(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// result drops the guesses nothing confirmed and leaves s.out (and
// s.origins) in order, without overlaps.
func (s *tagState) result() {
	idx := make([]int, 0, len(s.out))
	for i, e := range s.out {
		if s.origins[i] != fromGuess && !overlapsAny(s.addrs, e.Start, e.End) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return s.out[a].Start - s.out[b].Start })
	out := make([]events.Entity, 0, len(idx))
	origins := make([]origin, 0, len(idx))
	end := -1
	for _, i := range idx {
		if e := s.out[i]; e.Start >= end {
			out = append(out, e)
			origins = append(origins, s.origins[i])
			end = e.End
		}
	}
	s.out, s.origins = out, origins
}

// entities returns s.out, empty rather than nil.
func (s *tagState) entities() []events.Entity {
	if s.out == nil {
		return []events.Entity{}
	}
	return s.out
}
