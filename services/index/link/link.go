// Package link ties the short mentions of an article to the full names the
// article gives elsewhere, once all its paragraphs are in.
package link

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warta-news/warta/pkg/events"
)

// Enrich tags each paragraph on its own, in parallel, so a paragraph that
// only says "Xi" or "SCO" cannot know that the article says "Xi Jinping" or
// "Organisasi Kerjasama Shanghai (SCO)" elsewhere. The index links them when a
// version of the article is complete: it builds a link table from the whole
// set of paragraphs and rewrites the canonical names of the short mentions.
// The table depends only on that set, not on the order or the batches in
// which the paragraphs came, so redeliveries, replays and any number of
// enrichers give the same result. It is kept in the article document, so that
// a paragraph of the complete version that is delivered again is linked the
// same way without reading the rest of the article.
//
// The rules:
//
//   - A PERSON mention of one token ("Xi", "XI", "Putin") that equals, ignoring
//     case, the first or last token of exactly one longer PERSON name of the
//     article takes that name's canonical ("Xi Jinping", "Vladimir Putin").
//     If two longer names share the token, the mention is left alone.
//   - An all-capitals ORGANIZATION or LOCATION mention ("SCO") that the article
//     introduces in brackets right after an ORGANIZATION or LOCATION mention
//     ("Organisasi Kerjasama Shanghai (SCO)") takes that expansion's
//     canonical, everywhere in the article. Two different expansions of one
//     acronym cancel each other.
//   - A mention whose canonical differs from its text other than by case
//     already has a normalised name (from the gazetteer: "Tiongkok" → "China")
//     and keeps it. The surface text is never changed.

// Table is what an article's paragraphs link to. The index stores it, as
// JSON, with the article.
type Table struct {
	// Names maps a lower-case name token to the canonical of the one longer
	// PERSON name of the article that starts or ends with it.
	Names map[string]string `json:"names,omitempty"`
	// Acronyms maps an acronym, as written, to the canonical of the expansion
	// the article introduces it with.
	Acronyms map[string]string `json:"acronyms,omitempty"`
}

// Empty reports whether t links nothing.
func (t Table) Empty() bool { return len(t.Names) == 0 && len(t.Acronyms) == 0 }

// Build computes the link table of the complete set of paragraphs ps of one
// revision of an article.
func Build(ps []*events.EnrichedParagraph) Table {
	names := map[string]map[string]bool{}    // token → canonicals of longer names
	acronyms := map[string]map[string]bool{} // acronym → canonicals of expansions
	add := func(m map[string]map[string]bool, k, v string) {
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][v] = true
	}
	for _, p := range ps {
		for _, e := range p.Entities {
			canon := CanonicalOf(e)
			switch e.Type {
			case events.Person:
				tokens := strings.Fields(e.Text)
				if len(tokens) < 2 {
					continue
				}
				add(names, strings.ToLower(tokens[0]), canon)
				add(names, strings.ToLower(tokens[len(tokens)-1]), canon)
				// A gazetteer may give a fuller canonical than the text.
				if ct := strings.Fields(canon); len(ct) >= 2 {
					add(names, strings.ToLower(ct[0]), canon)
					add(names, strings.ToLower(ct[len(ct)-1]), canon)
				}
			case events.Organization, events.Location:
				if acr, ok := bracketedAcronym(p.Text, e.End); ok && !strings.EqualFold(acr, canon) && !IsAcronym(e.Text) {
					add(acronyms, acr, canon)
				}
			}
		}
	}
	var t Table
	for k, set := range names {
		if len(set) == 1 {
			if t.Names == nil {
				t.Names = map[string]string{}
			}
			t.Names[k] = onlyKey(set)
		}
	}
	for k, set := range acronyms {
		if len(set) == 1 {
			if t.Acronyms == nil {
				t.Acronyms = map[string]string{}
			}
			t.Acronyms[k] = onlyKey(set)
		}
	}
	return t
}

func onlyKey(set map[string]bool) string {
	for k := range set {
		return k
	}
	return ""
}

// CanonicalOf returns the name the index files an entity under: its
// canonical name, else its text.
func CanonicalOf(e events.Entity) string {
	if e.Canonical != "" {
		return e.Canonical
	}
	return e.Text
}

// linkable reports whether e has no normalised name of its own: its canonical
// is empty or its text up to case.
func linkable(e events.Entity) bool {
	return e.Canonical == "" || strings.EqualFold(e.Canonical, e.Text)
}

// link returns the canonical that t gives e, and whether it gives one.
func (t Table) link(e events.Entity) (string, bool) {
	if !linkable(e) {
		return "", false
	}
	var c string
	switch e.Type {
	case events.Person:
		if len(t.Names) == 0 || strings.ContainsFunc(e.Text, unicode.IsSpace) {
			return "", false
		}
		c = t.Names[strings.ToLower(e.Text)]
	case events.Organization, events.Location:
		if len(t.Acronyms) == 0 {
			return "", false
		}
		c = t.Acronyms[e.Text]
	}
	if c == "" || c == e.Canonical {
		return "", false
	}
	return c, true
}

// Apply returns p with its mentions linked by t. It never modifies p: if a
// canonical changes, the result has its own Entities slice. changed tells
// whether any did.
func (t Table) Apply(p *events.EnrichedParagraph) (linked *events.EnrichedParagraph, changed bool) {
	if t.Empty() {
		return p, false
	}
	var ents []events.Entity
	for i, e := range p.Entities {
		c, ok := t.link(e)
		if !ok {
			continue
		}
		if ents == nil {
			ents = make([]events.Entity, len(p.Entities))
			copy(ents, p.Entities)
		}
		ents[i].Canonical = c
	}
	if ents == nil {
		return p, false
	}
	cp := *p
	cp.Entities = ents
	return &cp, true
}

// bracketedAcronym returns the acronym in brackets that follows text[end:]
// after optional spaces: "(SCO)" in "Organisasi Kerjasama Shanghai (SCO)".
func bracketedAcronym(text string, end int) (string, bool) {
	if end < 0 || end > len(text) {
		return "", false
	}
	rest := strings.TrimLeftFunc(text[end:], unicode.IsSpace)
	if !strings.HasPrefix(rest, "(") {
		return "", false
	}
	closing := strings.IndexByte(rest, ')')
	if closing < 0 {
		return "", false
	}
	acr := strings.TrimSpace(rest[1:closing])
	if !IsAcronym(acr) {
		return "", false
	}
	return acr, true
}

// IsAcronym reports whether s looks like an acronym: two or more letters, all
// of them capitals, with digits, "&", "-" and "." allowed between them
// ("SCO", "G20", "AT&T"), and no space.
func IsAcronym(s string) bool {
	if utf8.RuneCountInString(s) < 2 || utf8.RuneCountInString(s) > 12 {
		return false
	}
	letters := 0
	for i, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsLetter(r):
			return false
		case unicode.IsDigit(r), r == '&', r == '-', r == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return letters >= 2
}
