// Package trainer trains the entity tagger's models on the named-entity
// corpora and evaluates the tagger on their development splits: the work of
// "warta-train train" and "warta-train eval".
package trainer

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/clusters"
	"github.com/warta-news/warta/services/enrich/entities"
	"github.com/warta-news/warta/services/enrich/ner"
)

// Seed is the fixed seed of training's shuffles and of the mention
// replacements.
const Seed = 20250902

// Iterations over the training data.
const Iterations = 12

// UpperEvery: every UpperEvery-th sentence of a cased corpus is also
// trained on in capitals.
const UpperEvery = 4

// CorpusWeights returns the weight of the corpora that the shipped model
// trains on more than once; the others count once. The two Indonesian news
// corpora, small beside the rest, count twice (idner-news-2k dev +0.008,
// uner-ewt +0.006, nergrit unchanged, nerp -0.005, means of three seeds:
// see model/MODEL.md).
func CorpusWeights() map[string]int {
	return map[string]int{"id/nergrit": 2, "id/idner-news-2k": 2}
}

// Options set what Train reads.
type Options struct {
	// Exclude names corpora ("id/nerp") left out of training, to measure
	// what they bring.
	Exclude []string
	// Weights gives corpora ("id/nergrit") a weight other than the shipped
	// model's (CorpusWeights): their sentences are trained on that many
	// times, to measure what weighting brings.
	Weights map[string]int
	// NoReplace leaves out the copies with replaced mentions, to measure
	// what they bring.
	NoReplace bool
	// Seed replaces the fixed Seed (0: Seed), to measure how much a figure
	// owes to the order of training.
	Seed uint64
	// Clusters replaces the shipped word clusters, and NoClusters leaves
	// them out, to measure what they bring. A model is evaluated with the
	// clusters it was trained with.
	Clusters   *clusters.Table
	NoClusters bool
	// Log receives progress lines; nil for none.
	Log io.Writer
}

// joined is a corpus sentence as a paragraph: its words joined by spaces,
// with their offsets.
func joined(words []string) (string, []ner.Token) {
	var b strings.Builder
	toks := make([]ner.Token, len(words))
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		toks[i] = ner.Token{Start: b.Len(), End: b.Len() + len(w)}
		b.WriteString(w)
	}
	return b.String(), toks
}

// Train trains the model on the train splits of the corpora of every
// language under root: the Indonesian and English corpora together, each
// sentence with the hints of its own language. On top of the corpora's
// sentences, the model learns from
//
//   - a copy of every sentence that has entities, each mention replaced by
//     a mention of the same type drawn at random from the same corpus
//     (names it has not seen, in contexts it has: what it meets in new
//     text), and
//   - every UpperEvery-th sentence of a cased corpus in capitals.
//
// The same corpora give the same model, byte for byte.
func Train(root string, opts Options) (*ner.Model, error) {
	rules := entities.NewRules()
	switch {
	case opts.NoClusters:
		rules = rules.WithClusters(nil)
	case opts.Clusters != nil:
		rules = rules.WithClusters(opts.Clusters)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = Seed
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	weights := CorpusWeights()
	for k, v := range opts.Weights {
		weights[k] = v
	}
	var examples []ner.Example
	var used []string
	for _, c := range ner.Corpora() {
		if !slices.Contains(entities.ModelLanguages(), c.Lang) || c.Train == "" || slices.Contains(opts.Exclude, c.Lang+"/"+c.Name) {
			continue
		}
		exs, n, err := corpusExamples(root, c, rules, rng, opts)
		if errors.Is(err, ner.ErrNoSplit) {
			if opts.Log != nil {
				fmt.Fprintf(opts.Log, "%s/%s: no train split, skipped\n", c.Lang, c.Name)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		examples = append(examples, exs...)
		w := weights[c.Lang+"/"+c.Name]
		for range w - 1 {
			examples = append(examples, exs[:n]...)
		}
		if w > 1 {
			used = append(used, fmt.Sprintf("%s/%s(%d sentences, %d times)", c.Lang, c.Name, n, w))
		} else {
			used = append(used, fmt.Sprintf("%s/%s(%d sentences)", c.Lang, c.Name, n))
		}
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("no training data under %s: want LANG/NAME/train files laid out as in ../shared/eval/ner, LANG one of %s",
			root, strings.Join(entities.ModelLanguages(), ", "))
	}
	extra := ""
	if !opts.NoReplace {
		extra = ", and once with replaced mentions"
	}
	info := fmt.Sprintf("%s %s; averaged perceptron, %d iterations, seed %d; trained on %s, every %dth sentence also in capitals%s",
		entities.ModelVersion, strings.Join(entities.ModelLanguages(), "+"), Iterations, seed, strings.Join(used, " "), UpperEvery, extra)
	return ner.Train(examples, ner.TrainOptions{Info: info, Iterations: Iterations, Seed: seed, Log: opts.Log})
}

// corpusExamples reads the train split of corpus c under root and returns
// what the model learns from it: its n sentences first, then the copies
// with replaced mentions (unless opts.NoReplace; drawn with rng) and those
// in capitals, all with the hints of rules. It returns ner.ErrNoSplit when
// the corpus has no train split.
func corpusExamples(root string, c ner.Corpus, rules *entities.Tagger, rng *rand.Rand, opts Options) (exs []ner.Example, n int, err error) {
	exs, err = ner.ReadSplit(root, c, "train")
	if err != nil {
		return nil, 0, err
	}
	n = len(exs)
	if !opts.NoReplace {
		exs = append(exs, replaceMentions(exs, rng)...)
	}
	replaced := len(exs) - n
	for i := range exs {
		text, toks := joined(exs[i].Words)
		exs[i].Hints = rules.Hints(text, c.Lang, toks)
	}
	for i := range n {
		if c.Uncased || i%UpperEvery != 0 {
			continue
		}
		// Headlines and wire copy in capitals: Tag reads them uncased,
		// so the model learns that too.
		up := ner.Example{Labels: exs[i].Labels, Sentence: ner.Sentence{Uncased: true}}
		for _, w := range exs[i].Words {
			up.Words = append(up.Words, strings.ToUpper(w))
		}
		text, toks := joined(up.Words)
		up.Hints = rules.Hints(text, c.Lang, toks)
		exs = append(exs, up)
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "%s/%s: %d sentences, %d more with replaced mentions, %d more in capitals\n",
			c.Lang, c.Name, n, replaced, len(exs)-n-replaced)
	}
	return exs, n, nil
}

// replaceMentions returns a copy of every example with entities, each
// mention replaced by a mention of the same type drawn by rng from all of
// exs. The copies have no hints yet.
func replaceMentions(exs []ner.Example, rng *rand.Rand) []ner.Example {
	var byType [len(ner.Types)][][]string
	for _, ex := range exs {
		for _, sp := range ner.Spans(ex.Labels) {
			byType[sp.Type] = append(byType[sp.Type], ex.Words[sp.Start:sp.End])
		}
	}
	var out []ner.Example
	for _, ex := range exs {
		spans := ner.Spans(ex.Labels)
		if len(spans) == 0 {
			continue
		}
		cp := ner.Example{Sentence: ner.Sentence{Uncased: ex.Uncased}}
		last := 0
		for _, sp := range spans {
			cp.Words = append(cp.Words, ex.Words[last:sp.Start]...)
			cp.Labels = append(cp.Labels, ex.Labels[last:sp.Start]...)
			pool := byType[sp.Type]
			for j, w := range pool[rng.IntN(len(pool))] {
				cp.Words = append(cp.Words, w)
				l := ner.Inside(sp.Type)
				if j == 0 {
					l = ner.Begin(sp.Type)
				}
				cp.Labels = append(cp.Labels, l)
			}
			last = sp.End
		}
		cp.Words = append(cp.Words, ex.Words[last:]...)
		cp.Labels = append(cp.Labels, ex.Labels[last:]...)
		out = append(out, cp)
	}
	return out
}

// Result is the evaluation of the tagger on one development split.
type Result struct {
	Corpus ner.Corpus
	Score  ner.Score
	Scored []int // indexes in ner.Types of the types the corpus annotates
	Tokens int
	Time   time.Duration
}

// Evaluate runs tag (such as (*entities.Tagger).Tag) over every development
// split under root, one sentence at a time as a paragraph, and scores its
// entities against the corpus with exact span and type matching, counting
// only the types the corpus annotates. Splits not on disk are skipped. If
// errs is not nil, the entities missed and found wrongly in corpus errsOf
// ("nergrit") are written to it, with their context.
func Evaluate(root string, tag func(text, lang string) []events.Entity, errsOf string, errs io.Writer) ([]Result, error) {
	var out []Result
	err := devSplits(root, func(c ner.Corpus, exs []ner.Example) {
		r := Result{Corpus: c}
		for _, t := range c.ScoredTypes() {
			r.Scored = append(r.Scored, slices.Index(ner.Types[:], t))
		}
		for _, ex := range exs {
			text, toks := joined(ex.Words)
			start := time.Now()
			ents := tag(text, c.Lang)
			r.Time += time.Since(start)
			r.Tokens += len(toks)
			pred := project(ents, toks, ex.Words)
			r.Score.Add(ex.Labels, pred, r.Scored)
			if errs != nil && errsOf == c.Name {
				gs, ps := ner.Spans(ex.Labels), ner.Spans(pred)
				for _, g := range gs {
					if !slices.Contains(ps, g) {
						fmt.Fprintln(errs, "missed", ner.Types[g.Type], strings.Join(ex.Words[g.Start:g.End], " "), "|", strings.Join(ex.Words[max(0, g.Start-3):min(len(ex.Words), g.End+3)], " "))
					}
				}
				for _, p := range ps {
					if !slices.Contains(gs, p) && slices.Contains(r.Scored, p.Type) {
						fmt.Fprintln(errs, "wrong ", ner.Types[p.Type], strings.Join(ex.Words[p.Start:p.End], " "), "|", strings.Join(ex.Words[max(0, p.Start-3):min(len(ex.Words), p.End+3)], " "))
					}
				}
			}
		}
		out = append(out, r)
	})
	return out, err
}

// devSplits calls fn with the sentences of every development split under
// root, skipping the splits not on disk.
func devSplits(root string, fn func(c ner.Corpus, exs []ner.Example)) error {
	for _, c := range ner.Corpora() {
		if c.Dev == "" {
			continue
		}
		exs, err := ner.ReadSplit(root, c, "dev")
		if errors.Is(err, ner.ErrNoSplit) {
			continue
		}
		if err != nil {
			return err
		}
		fn(c, exs)
	}
	return nil
}

// project labels the corpus's tokens, words, with entities found in their
// text: a token overlapping an entity is in it.
//
// One exception follows a corpus's tokenization: where a corpus keeps a
// bracketed acronym in one token with its brackets ("(BEI)", as
// idner-news-2k does), it can only mark it as part of the name before it
// ("Bursa Efek Indonesia (BEI)"). The tagger finds two mentions there, the
// acronym linked to the name (the same canonical); the token then continues
// the name's mention, which is what the two say together.
func project(ents []events.Entity, toks []ner.Token, words []string) []int {
	labels := make([]int, len(toks))
	prevLast, prevType, prevCanon := -2, 0, ""
	for _, e := range ents {
		t := 4
		for k, name := range []events.EntityType{events.Person, events.Organization, events.Location, events.Event, events.Misc} {
			if e.Type == name {
				t = k
			}
		}
		first, last := true, -2
		for i, tk := range toks {
			if tk.Start >= e.End || e.Start >= tk.End || labels[i] != 0 {
				continue
			}
			switch {
			case first && i == prevLast+1 && e.Canonical == prevCanon && bracketed(words[i]):
				t = prevType
				labels[i] = ner.Inside(t)
			case first:
				labels[i] = ner.Begin(t)
			default:
				labels[i] = ner.Inside(t)
			}
			first, last = false, i
		}
		prevLast, prevType, prevCanon = last, t, e.Canonical
	}
	return labels
}

// bracketed reports whether a corpus token is a word in brackets: "(BEI)".
func bracketed(tok string) bool {
	return len(tok) > 2 && tok[0] == '(' && tok[len(tok)-1] == ')'
}

// Report writes results as a table per split.
func Report(w io.Writer, results []Result) {
	for _, r := range results {
		fmt.Fprintf(w, "%s/%s dev: %d tokens, %.0f ns/token\n", r.Corpus.Lang, r.Corpus.Name, r.Tokens,
			float64(r.Time.Nanoseconds())/float64(max(r.Tokens, 1)))
		r.Score.Report(w, r.Scored)
		fmt.Fprintln(w)
	}
}

// LangResult is how often language detection, given one sentence of a
// development split, names the split's language.
type LangResult struct {
	Corpus    ner.Corpus
	Sentences int
	Right     int
	Wrong     map[string]int // by the language detected instead ("und" when undecided)
}

// DetectLanguages runs detect (such as article.DetectLang without a
// fallback) over every sentence of every development split under root, each
// on its own as an article would be, and counts the sentences given the
// split's language.
func DetectLanguages(root string, detect func(text string) string) ([]LangResult, error) {
	var out []LangResult
	err := devSplits(root, func(c ner.Corpus, exs []ner.Example) {
		r := LangResult{Corpus: c, Wrong: map[string]int{}}
		for _, ex := range exs {
			text, _ := joined(ex.Words)
			r.Sentences++
			if l := detect(text); l == c.Lang {
				r.Right++
			} else {
				r.Wrong[l]++
			}
		}
		out = append(out, r)
	})
	return out, err
}

// ReportLanguages writes results, a line per split and one for them all.
func ReportLanguages(w io.Writer, results []LangResult) {
	fmt.Fprintln(w, "language of single sentences (detected from one sentence, no default):")
	all, right := 0, 0
	for _, r := range results {
		all += r.Sentences
		right += r.Right
		var wrong []string
		for l, n := range r.Wrong {
			wrong = append(wrong, fmt.Sprintf("%s %d", l, n))
		}
		slices.Sort(wrong)
		fmt.Fprintf(w, "  %s/%-14s %5d of %5d right (%.3f); instead: %s\n", r.Corpus.Lang, r.Corpus.Name, r.Right, r.Sentences,
			float64(r.Right)/float64(max(r.Sentences, 1)), strings.Join(wrong, ", "))
	}
	fmt.Fprintf(w, "  all %24d of %5d right (%.3f)\n", right, all, float64(right)/float64(max(all, 1)))
}
