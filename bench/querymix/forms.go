package querymix

import (
	"slices"
	"strings"
)

// idFamilies groups the Indonesian words of df (word → paragraphs) by the
// roots a few affix rules give them, and keeps the roots with two forms or
// more ("bertemu", "pertemuan" → temu; "memimpin", "pemimpin" → pimpin).
//
// The rules are deliberately crude and the bench's own: they only pick the
// words of the id-forms queries, so that the mix does not change with the
// index's analysis; what a word then matches is the index's business. A
// word may belong to more than one family, and a family may hold a word the
// rules read wrongly: such a query is still an Indonesian word with an
// affix, which is what the kind is for.
func idFamilies(df map[string]int) []family {
	byRoot := map[string][]string{}
	for w := range df {
		for _, r := range idRoots(w) {
			if runes(r) >= minRoot && !slices.Contains(byRoot[r], w) {
				byRoot[r] = append(byRoot[r], w)
			}
		}
	}
	var out []family
	for root, forms := range byRoot {
		if len(forms) < 2 {
			continue
		}
		slices.Sort(forms)
		out = append(out, family{root: root, forms: forms})
	}
	slices.SortFunc(out, func(a, b family) int { return strings.Compare(a.root, b.root) })
	return out
}

// idRoots returns the readings of w with its suffixes (-nya, then -kan,
// -an, -i) and one prefix stripped, the nasal of me-/pe- put back as the
// consonant it replaced (menyambut → sambut, memimpin → pimpin, menuduh →
// tuduh, mengirim → kirim). w itself is one of them.
func idRoots(w string) []string {
	stems := []string{w}
	if s, ok := strings.CutSuffix(w, "nya"); ok {
		stems = append(stems, s)
	}
	for _, s := range slices.Clone(stems) {
		for _, suf := range []string{"kan", "an", "i"} {
			if t, ok := strings.CutSuffix(s, suf); ok {
				stems = append(stems, t)
			}
		}
	}
	out := slices.Clone(stems)
	for _, s := range stems {
		for _, p := range idPrefixes {
			rest, ok := strings.CutPrefix(s, p.prefix)
			if !ok || rest == "" {
				continue
			}
			if p.beforeVowel != "" && isVowel(rest[0]) {
				out = append(out, p.beforeVowel+rest)
			}
			if p.plain {
				out = append(out, rest)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// idPrefixes are the prefixes idRoots strips: plain ones as they are, and
// the nasal ones also with the consonant they replace before a vowel.
var idPrefixes = []struct {
	prefix      string
	beforeVowel string // the root's first consonant, dropped before a vowel
	plain       bool   // the rest is a reading as it is
}{
	{"memper", "", true}, {"diper", "", true}, {"ber", "", true}, {"be", "", true}, {"per", "", true},
	{"ter", "", true}, {"di", "", true}, {"ke", "", true}, {"se", "", true},
	{"meny", "s", false}, {"peny", "s", false},
	{"meng", "k", true}, {"peng", "k", true},
	{"mem", "p", true}, {"pem", "p", true},
	{"men", "t", true}, {"pen", "t", true},
	{"me", "", true}, {"pe", "", true},
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// enPlurals returns the English words of df that end in a plural -s, -es
// or -ies and whose singular is a word of df too, as (plural, singular)
// pairs in order.
func enPlurals(df map[string]int) [][2]string {
	var out [][2]string
	for w := range df {
		if runes(w) < minWord || !strings.HasSuffix(w, "s") ||
			strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is") {
			continue
		}
		var singulars []string
		if s, ok := strings.CutSuffix(w, "ies"); ok {
			singulars = append(singulars, s+"y")
		}
		if s, ok := strings.CutSuffix(w, "es"); ok {
			singulars = append(singulars, s)
		}
		singulars = append(singulars, w[:len(w)-1])
		for _, s := range singulars {
			if df[s] > 0 && runes(s) >= 3 {
				out = append(out, [2]string{w, s})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
