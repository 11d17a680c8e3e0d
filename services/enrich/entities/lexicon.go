package entities

import "strings"

// langRules are the language-specific parts of the rules.
type langRules struct {
	full   bool // false: gazetteer matches only
	id     bool // Indonesian morphology for common words
	stop   role // function words of the language
	common role // ordinary words of the language
	dict   bool // the English dictionary's hints
}

// rulesFor returns the rules for a BCP 47 language tag. Only the primary
// subtag counts: "en-GB" is "en".
func rulesFor(lang string) langRules {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	switch strings.ToLower(lang) {
	case "id", "in": // "in" is the old code for Indonesian
		return langRules{full: true, id: true, stop: roleStopID, common: roleCommonID}
	case "en":
		return langRules{full: true, stop: roleStopEN, common: roleCommonEN, dict: true}
	}
	return langRules{}
}

// isCommon reports whether lower, the lower-case form of a word, is an
// ordinary word of the language, in the word list or inflected from one.
func (t *Tagger) isCommon(lower string, lr langRules) bool {
	if t.hasRole(lower, lr.common|lr.stop) {
		return true
	}
	if h := strings.IndexByte(lower, '-'); h > 0 {
		// Reduplication ("anak-anak") and compounds ("laki-laki").
		return t.isCommon(lower[:h], lr)
	}
	if lr.id {
		return t.isCommonID(lower, lr)
	}
	return t.isCommonEN(lower, lr)
}

func (t *Tagger) hasRole(word string, r role) bool {
	e := t.lex[word]
	return e != nil && e.roles&r != 0
}

// isCommonID recognises inflected Indonesian words: "Sebelumnya" (sebelum +
// -nya), "Pembicaraan" (pem- + bicara + -an), "Diterbitkan" (di- + terbit +
// -kan). An affixed word of seven letters or more with both a verbal or
// nominal prefix and a suffix is taken as ordinary even when its root is not
// in the list; names that look like that ("Setiawan") are in the name list,
// which Tag consults first.
func (t *Tagger) isCommonID(w string, lr langRules) bool {
	for _, p := range [...]string{"nya", "lah", "kah", "pun"} {
		if root, ok := strings.CutSuffix(w, p); ok && len(root) >= 3 && t.hasRole(root, lr.common|lr.stop) {
			return true
		}
	}
	suffix := ""
	for _, s := range [...]string{"kan", "nya", "an", "i"} {
		if strings.HasSuffix(w, s) && len(w)-len(s) >= 3 {
			suffix = s
			break
		}
	}
	if suffix != "" && t.hasRole(w[:len(w)-len(suffix)], lr.common) {
		return true
	}
	for _, p := range [...]string{"meng", "meny", "mem", "men", "me", "ber", "be", "ter", "di", "peng", "peny", "pem", "pen", "per", "pe", "ke", "se"} {
		rest, ok := strings.CutPrefix(w, p)
		if !ok || len(rest) < 3 {
			continue
		}
		if t.hasRole(rest, lr.common) || suffix != "" && t.hasRole(rest[:max(0, len(rest)-len(suffix))], lr.common) {
			return true
		}
		if suffix != "" && len(w) >= 7 && !(suffix == "i" && (p == "se" || p == "ke")) {
			return true
		}
	}
	return false
}

// isCommonEN recognises inflected English words: "Officials", "Shares",
// "Asked", "Speaking".
func (t *Tagger) isCommonEN(w string, lr langRules) bool {
	try := func(root string) bool { return len(root) >= 2 && t.hasRole(root, lr.common) }
	switch {
	case strings.HasSuffix(w, "ies"):
		return try(w[:len(w)-3] + "y")
	case strings.HasSuffix(w, "es") && try(w[:len(w)-2]):
		return true
	case strings.HasSuffix(w, "s"):
		return try(w[:len(w)-1])
	case strings.HasSuffix(w, "ed"):
		return try(w[:len(w)-2]) || try(w[:len(w)-1]) || len(w) > 4 && w[len(w)-3] == w[len(w)-4] && try(w[:len(w)-3])
	case strings.HasSuffix(w, "ing"):
		return try(w[:len(w)-3]) || try(w[:len(w)-3]+"e") || len(w) > 5 && w[len(w)-4] == w[len(w)-5] && try(w[:len(w)-4])
	case strings.HasSuffix(w, "ly"):
		return try(w[:len(w)-2])
	}
	return false
}
