package entities

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/warta-news/warta/pkg/events"
)

//go:embed gazetteer/*.txt
var gazetteerFiles embed.FS

// role is a set of things a word list says about a word.
type role uint32

const (
	roleName        role = 1 << iota // a given name or surname ("Vladimir", "Putin", "Yu")
	roleStopID                       // an Indonesian function word: never a name ("Ini", "Dengan")
	roleStopEN                       // an English function word ("The", "After")
	roleCommonID                     // an ordinary Indonesian word: not a name at the start of a sentence
	roleCommonEN                     // an ordinary English word, likewise
	roleSkip                         // capitalised but never a name: weekdays, months, "KTT", "PDB"
	roleSkipWeak                     // a month that is also a given name ("May"): skipped unless it continues a name
	roleNameConn                     // joins the parts of a person's name: "bin", "van", "von"
	roleOrgConn                      // joins the parts of an organisation's name: "of", "dan"
	roleSpeechAfter                  // a verb of saying after a name: "mengatakan", "said"
	roleAbbrev                       // keeps its dot: "Dr.", "St.", "Inc."
	roleOrgHead                      // starts an organisation's name: "Kementerian", "Partai"
	roleOrgTail                      // ends one: "Ministry", "University", "Inc"
	roleEventHead                    // starts an event's name: "Perang", "Olimpiade"
	roleEventTail                    // ends one: "War", "Summit"
	roleLocHead                      // starts a place's name: "Kabupaten", "Gunung", "Mount"
	roleLocTail                      // ends one: "Province", "River", "Selatan"
	roleMiscHead                     // starts the name of a law or treaty: "Perjanjian"
	roleMiscTail                     // ends one: "Act", "Treaty"
)

const (
	roleHeads = roleOrgHead | roleEventHead | roleLocHead | roleMiscHead
	roleTails = roleOrgTail | roleEventTail | roleLocTail | roleMiscTail
)

// roleNamed returns the role a cues.txt line names.
func roleNamed(name string) (role, bool) {
	switch name {
	case "stop-id":
		return roleStopID, true
	case "stop-en":
		return roleStopEN, true
	case "skip":
		return roleSkip, true
	case "skip-weak":
		return roleSkipWeak, true
	case "name-conn":
		return roleNameConn, true
	case "org-conn":
		return roleOrgConn, true
	case "speech-after":
		return roleSpeechAfter, true
	case "abbrev":
		return roleAbbrev, true
	case "org-head":
		return roleOrgHead, true
	case "org-tail":
		return roleOrgTail, true
	case "event-head":
		return roleEventHead, true
	case "event-tail":
		return roleEventTail, true
	case "loc-head":
		return roleLocHead, true
	case "loc-tail":
		return roleLocTail, true
	case "misc-head":
		return roleMiscHead, true
	case "misc-tail":
		return roleMiscTail, true
	}
	return 0, false
}

// phraseKind is what a cue phrase says about the capitalised words after it.
type phraseKind uint8

const (
	phraseTitle     phraseKind = iota + 1 // a title or role: a person's name follows ("Presiden", "rekannya")
	phraseTitleWeak                       // a title that is also a surname ("King"): a title only before a name starts
	phraseSpeech                          // a verb of saying before the speaker ("kata", "said", "according to")
	phraseLoc                             // a preposition or noun before a place ("di", "in", "kota")
	phraseInitials                        // before initials, which are not names ("berinisial AS")
)

// phraseNamed returns the phrase kind a cues.txt line names.
func phraseNamed(name string) (phraseKind, bool) {
	switch name {
	case "title":
		return phraseTitle, true
	case "title-weak":
		return phraseTitleWeak, true
	case "speech-before":
		return phraseSpeech, true
	case "loc-prep":
		return phraseLoc, true
	case "initials":
		return phraseInitials, true
	}
	return 0, false
}

// phrase is a cue of one or more words, matched case-insensitively.
type phrase struct {
	words []string // lower-case
	kind  phraseKind
}

// gazEntry is one entity of the gazetteer.
type gazEntry struct {
	typ       events.EntityType
	canonical string
}

// matchMode says how one word of an alias matches a word of the text.
type matchMode uint8

const (
	modeCap   matchMode = iota // case-insensitively, and the text word must be capitalised
	modeFold                   // case-insensitively: lower-case alias words ("dan", "pengadilan")
	modeExact                  // byte for byte: short acronyms ("AS", "UN"), numerals, initials
)

// alias is one way of writing a gazetteer entity.
type alias struct {
	words []string // as written in the gazetteer
	lower []string
	modes []matchMode
	gaps  []string // gaps[k] separates words[k] and words[k+1]; spaces folded to one
	entry *gazEntry
}

// lexEntry is everything the word lists say about one lower-case word.
type lexEntry struct {
	roles   role
	phrases []phrase // cue phrases that start with the word, longest first
	aliases []alias  // gazetteer aliases that start with the word, longest first
}

// load reads the embedded word lists and gazetteers. The files are part of
// the program, so a malformed line is a programming error and panics.
func (t *Tagger) load() {
	names, err := fs.Glob(gazetteerFiles, "gazetteer/*.txt")
	if err != nil {
		panic(err)
	}
	// Cues first: the abbreviations among them decide how aliases tokenize.
	slices.SortStableFunc(names, func(a, b string) int {
		return cmpBool(!strings.HasSuffix(a, "/cues.txt"), !strings.HasSuffix(b, "/cues.txt"))
	})
	for _, name := range names {
		data, err := gazetteerFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		base := strings.TrimSuffix(strings.TrimPrefix(name, "gazetteer/"), ".txt")
		err = eachLine(string(data), func(line string) error {
			switch {
			case base == "cues":
				return t.addCue(line)
			case base == "names":
				t.addWords(line, roleName)
			case base == "common-id":
				t.addWords(line, roleCommonID)
			case base == "common-en":
				t.addWords(line, roleCommonEN)
			default:
				return t.addEntity(line)
			}
			return nil
		})
		if err != nil {
			panic(fmt.Sprintf("entities: %s: %v", name, err))
		}
	}
	for _, e := range t.lex {
		slices.SortStableFunc(e.phrases, func(a, b phrase) int { return len(b.words) - len(a.words) })
		slices.SortStableFunc(e.aliases, func(a, b alias) int { return len(b.words) - len(a.words) })
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// eachLine calls f on every line that is neither blank nor a "#" comment,
// and reports the first error with its line number.
func eachLine(data string, f func(string) error) error {
	sc := bufio.NewScanner(strings.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := f(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

func (t *Tagger) entry(word string) *lexEntry {
	e := t.lex[word]
	if e == nil {
		e = &lexEntry{}
		t.lex[word] = e
	}
	return e
}

// addWords gives a role to every white-space separated word of line.
func (t *Tagger) addWords(line string, r role) {
	for _, w := range strings.Fields(line) {
		t.entry(strings.ToLower(w)).roles |= r
	}
}

// addCue reads "role<TAB>word or phrase".
func (t *Tagger) addCue(line string) error {
	kind, text, ok := strings.Cut(line, "\t")
	if !ok {
		return fmt.Errorf("want ROLE<TAB>WORDS, got %q", line)
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		return fmt.Errorf("no words in %q", line)
	}
	if r, ok := roleNamed(kind); ok {
		if len(words) != 1 {
			return fmt.Errorf("role %s takes one word, got %q", kind, text)
		}
		t.entry(words[0]).roles |= r
		return nil
	}
	if k, ok := phraseNamed(kind); ok {
		e := t.entry(words[0])
		e.phrases = append(e.phrases, phrase{words: words, kind: k})
		return nil
	}
	return fmt.Errorf("unknown role %q", kind)
}

// entityType returns the EntityType a gazetteer line names.
func entityType(name string) (events.EntityType, bool) {
	for _, typ := range events.EntityTypes {
		if string(typ) == name {
			return typ, true
		}
	}
	return "", false
}

// addEntity reads "TYPE<TAB>canonical<TAB>alias1|alias2|...".
func (t *Tagger) addEntity(line string) error {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return fmt.Errorf("want TYPE<TAB>CANONICAL<TAB>ALIASES, got %q", line)
	}
	typ, ok := entityType(f[0])
	if !ok {
		return fmt.Errorf("unknown entity type %q", f[0])
	}
	if strings.TrimSpace(f[1]) == "" {
		return fmt.Errorf("empty canonical name in %q", line)
	}
	ent := &gazEntry{typ: typ, canonical: f[1]}
	for _, a := range strings.Split(f[2], "|") {
		al, err := t.parseAlias(a, ent)
		if err != nil {
			return err
		}
		e := t.entry(al.lower[0])
		e.aliases = append(e.aliases, al)
	}
	return nil
}

// parseAlias tokenizes an alias the way Tag tokenizes text, so that the two
// always agree on where words start and end.
func (t *Tagger) parseAlias(text string, ent *gazEntry) (alias, error) {
	toks := t.tokenize(text, nil)
	if len(toks) == 0 {
		return alias{}, fmt.Errorf("alias %q has no words", text)
	}
	a := alias{entry: ent}
	for k := range toks {
		tk := &toks[k]
		if k > 0 {
			gap := text[toks[k-1].end:tk.start]
			if strings.ContainsAny(gap, "\n\r") {
				return alias{}, fmt.Errorf("alias %q spans lines", text)
			}
			a.gaps = append(a.gaps, foldSpaces(gap))
		}
		word := text[tk.start:tk.end]
		a.words = append(a.words, word)
		a.lower = append(a.lower, tk.lower)
		a.modes = append(a.modes, aliasMode(tk, word))
	}
	return a, nil
}

// aliasMode decides how strictly an alias word must match: acronyms of up to
// three letters exactly ("AS" is the United States, "as" is not), lower-case
// words in any case, other names case-insensitively but only when capitalised.
func aliasMode(tk *token, word string) matchMode {
	switch {
	case tk.initial, tk.allCaps && len(word) <= 3, !tk.cap && tk.digit:
		return modeExact
	case !tk.cap:
		return modeFold
	}
	return modeCap
}

// foldSpaces turns every run of spaces in s into a single space.
func foldSpaces(s string) string {
	if !strings.ContainsAny(s, " \t\u00a0\u202f") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if isSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// gapEqual compares a gap of the text with a gap of an alias, counting every
// run of spaces as one space.
func gapEqual(text, al string) bool {
	if text == al {
		return true
	}
	i, j := 0, 0
	for i < len(text) && j < len(al) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if isSpace(r) {
			if al[j] != ' ' {
				return false
			}
			for i < len(text) {
				r, w = utf8.DecodeRuneInString(text[i:])
				if !isSpace(r) {
					break
				}
				i += w
			}
			j++
			continue
		}
		r2, w2 := utf8.DecodeRuneInString(al[j:])
		if r != r2 {
			return false
		}
		i += w
		j += w2
	}
	return i == len(text) && j == len(al)
}
