package querymix

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/pkg/events"
)

var (
	analysed     *texts
	analysedErr  error
	analyseOnce  sync.Once
	loadedSrcs   []corpus.Source
	loadedSrcErr error
)

// sources loads the shipped texts and analyses them once for every test:
// loading the tagger is the slow part.
func sources(t *testing.T) ([]corpus.Source, *texts) {
	t.Helper()
	analyseOnce.Do(func() {
		loadedSrcs, loadedSrcErr = corpus.Load("../../samples", "../../samples/bench")
		if loadedSrcErr == nil {
			analysed, analysedErr = analyse(loadedSrcs)
		}
	})
	if loadedSrcErr != nil {
		t.Fatal(loadedSrcErr)
	}
	if analysedErr != nil {
		t.Fatal(analysedErr)
	}
	return loadedSrcs, analysed
}

// TestBuild checks that the mix is reproducible, shares the kinds equally,
// changes with the seed, and that every query is what its kind says, drawn
// from the texts.
func TestBuild(t *testing.T) {
	srcs, tx := sources(t)
	qs, err := Build(srcs, Options{N: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Build(srcs, Options{N: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(qs, again) {
		t.Error("the same seed made two different mixes")
	}
	other, err := Build(srcs, Options{N: 200, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(qs, other) {
		t.Error("seeds 1 and 2 made the same mix")
	}

	// Every paragraph's text, lower case, to find words and phrases in.
	var all []string
	for _, p := range tx.paras {
		var ws []string
		for _, f := range p.fields {
			ws = append(ws, strings.ToLower(f.text))
		}
		all = append(all, " "+strings.Join(ws, " ")+" ")
	}
	occurs := func(s string) bool {
		s = " " + strings.ToLower(s) + " "
		return slices.ContainsFunc(all, func(p string) bool { return strings.Contains(p, s) })
	}
	cooccur := func(a, b string) bool {
		return slices.ContainsFunc(tx.paras, func(p paragraph) bool { return p.words[a] && p.words[b] })
	}
	canonicals := map[string]bool{}
	for _, p := range tx.paras {
		for _, e := range p.entities {
			canonicals[e.Canonical] = true
		}
	}
	withComma := func(q Query) bool {
		return slices.ContainsFunc(q.Params["entity"], func(e string) bool { return strings.Contains(e, ",") })
	}

	perKind := map[Kind]int{}
	for _, q := range qs {
		perKind[q.Kind]++
		text := q.Params.Get("q")
		words := strings.Fields(text)
		bad := func(format string, args ...any) {
			t.Errorf("%s query %q: %s", q.Kind, q.String(), fmt.Sprintf(format, args...))
		}
		if withComma(q) {
			bad("an entity with a comma, which the API reads as two")
		}
		if q.Kind != Filters && text == "" || q.Kind == Filters && text != "" {
			bad("text %q", text)
			continue
		}
		switch q.Kind {
		case Common, Rare, IDForms, Plural:
			if len(words) != 1 || !occurs(words[0]) {
				bad("not one word of the texts")
			}
		case TwoWords:
			if len(words) != 2 || !cooccur(words[0], words[1]) {
				bad("not two words of one paragraph")
			}
		case Entity:
			if len(words) != 1 || !canonicals[q.Params.Get("entity")] {
				bad("not a word with a canonical name of the tagger's")
			}
		case Filters:
			if len(q.Params) == 0 {
				bad("no filter")
			}
			if e := q.Params.Get("entity"); e != "" && !canonicals[e] {
				bad("entity %q is no canonical name of the tagger's", e)
			}
			if ty := q.Params.Get("type"); ty != "" && !slices.Contains(events.EntityTypes, events.EntityType(ty)) {
				bad("type %q", ty)
			}
			if l := q.Params.Get("lang"); l != "" && !slices.ContainsFunc(tx.paras, func(p paragraph) bool { return p.detected == l }) {
				bad("lang %q is no language of the texts", l)
			}
			if from, to := q.Params.Get("from"), q.Params.Get("to"); (from == "") != (to == "") || from > to {
				bad("from %q to %q", from, to)
			}
		case Phrase:
			inner := strings.Trim(text, `"`)
			if inner != text[1:len(text)-1] || len(words) < 2 || len(words) > 3 || !occurs(inner) {
				bad("not a quoted run of two or three words of the texts")
			}
		case Negation:
			if len(words) != 2 || !strings.HasPrefix(words[1], "-") {
				bad("not a word and a negated word")
			} else if neg := words[1][1:]; !occurs(neg) || !slices.ContainsFunc(tx.paras, func(p paragraph) bool {
				return p.words[words[0]] && !p.words[neg]
			}) {
				bad("the negated word is not a word of the texts that a paragraph with the first one lacks")
			}
		case Or:
			if len(words) != 3 || words[1] != "OR" || !occurs(words[0]) || !occurs(words[2]) {
				bad("not two words of the texts joined by OR")
			}
		}
	}
	for _, k := range Kinds {
		if perKind[k] != 200/len(Kinds) {
			t.Errorf("%d %s queries of 200, want %d", perKind[k], k, 200/len(Kinds))
		}
	}
	// The kinds are spread over the run, not in blocks: the first tenth
	// has several kinds.
	first := map[Kind]bool{}
	for _, q := range qs[:20] {
		first[q.Kind] = true
	}
	if len(first) < 4 {
		t.Errorf("the first 20 queries have %d kinds: the order is not shuffled", len(first))
	}
	for k, ex := range Examples(qs, 3) {
		for _, q := range ex {
			t.Logf("%-11s %s  %s", k, q.String(), q.Note)
		}
	}
}

// TestForms checks the word-form pools on words the texts have: each
// Indonesian family holds words of one root, each English plural its
// singular.
func TestForms(t *testing.T) {
	_, tx := sources(t)
	families := map[string][]string{}
	for _, f := range tx.families {
		families[f.root] = f.forms
	}
	// Pairs the reference article has: its derived forms must be found.
	for root, want := range map[string][]string{
		"temu":   {"pertemuan"},
		"pimpin": {"pemimpin"},
	} {
		for _, w := range want {
			if !slices.Contains(families[root], w) || len(families[root]) < 2 {
				t.Errorf("family %q = %v, want %q and another form", root, families[root], w)
			}
		}
	}
	for _, f := range tx.families {
		for _, w := range f.forms {
			if !slices.Contains(idRoots(w), f.root) {
				t.Errorf("family %q holds %q, whose readings %v lack it", f.root, w, idRoots(w))
			}
		}
	}
	for _, p := range tx.plurals {
		if !strings.HasSuffix(p[0], "s") || tx.df["en"][p[1]] == 0 || len(p[1]) >= len(p[0]) {
			t.Errorf("plural %q with singular %q", p[0], p[1])
		}
	}
	if len(tx.plurals) < 5 || len(tx.families) < 5 {
		t.Errorf("%d English plurals and %d Indonesian families in the texts, want 5 or more of each", len(tx.plurals), len(tx.families))
	}
	for _, tc := range []struct {
		word string
		want string
	}{
		{"bertemu", "temu"}, {"pertemuan", "temu"}, {"memimpin", "pimpin"}, {"pemimpin", "pimpin"},
		{"menyambut", "sambut"}, {"menuduh", "tuduh"}, {"dituduh", "tuduh"}, {"mengirim", "kirim"},
		{"kekuatannya", "kuat"},
	} {
		if !slices.Contains(idRoots(tc.word), tc.want) {
			t.Errorf("idRoots(%q) = %v, lacks %q", tc.word, idRoots(tc.word), tc.want)
		}
	}
	t.Logf("%d Indonesian families, such as %v; %d English plurals, such as %v", len(tx.families),
		tx.families[:min(5, len(tx.families))], len(tx.plurals), tx.plurals[:min(5, len(tx.plurals))])
}

// TestBuildRefuses checks the errors a caller can cause.
func TestBuildRefuses(t *testing.T) {
	srcs, _ := sources(t)
	if _, err := Build(srcs, Options{N: 0}); err == nil {
		t.Error("0 queries: no error")
	}
	var noEnglish []corpus.Source
	for _, s := range srcs {
		if s.Lang != "en" {
			noEnglish = append(noEnglish, s)
		}
	}
	if _, err := Build(noEnglish, Options{N: 10}); err == nil || !strings.Contains(err.Error(), "English") {
		t.Errorf("texts without English: %v, want an error saying so", err)
	}
}
