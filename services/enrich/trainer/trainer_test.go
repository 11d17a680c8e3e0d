package trainer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/entities"
	"github.com/warta-news/warta/services/enrich/ner"
)

// corpora returns the folder of the named-entity corpora, or skips the test:
// $WARTA_NER_CORPORA, else ../shared/eval/ner next to the repository.
func corpora(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WARTA_NER_CORPORA")
	if dir == "" {
		dir = "../../../../shared/eval/ner"
	}
	if _, err := os.Stat(filepath.Join(dir, "SOURCES.md")); err != nil {
		t.Skipf("no corpora at %s (set WARTA_NER_CORPORA): %v", dir, err)
	}
	return dir
}

// TestEvaluate scores the shipped tagger on the development splits and fails
// if it falls below a floor a little under what it reached when trained.
func TestEvaluate(t *testing.T) {
	if testing.Short() {
		t.Skip("trains and scores a model")
	}
	dir := corpora(t)
	results, err := Evaluate(dir, entities.New().Tag, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	floors := map[string]float64{"btc": 0.63, "crossner": 0.60, "uner-ewt": 0.70, "wnut17": 0.46, "idcrossner": 0.56,
		"idner-news-2k": 0.79, "nergrit": 0.73, "nerp": 0.72, "nerugm": 0.76, "nerui": 0.86}
	var buf bytes.Buffer
	Report(&buf, results)
	t.Log("\n" + buf.String())
	seen := 0
	for _, r := range results {
		_, _, f := r.Score.PRF(-1)
		floor, ok := floors[r.Corpus.Name]
		if !ok {
			t.Errorf("no floor for %s", r.Corpus.Name)
			continue
		}
		seen++
		if f < floor {
			t.Errorf("%s/%s dev: F1 %.4f, below the floor %.2f", r.Corpus.Lang, r.Corpus.Name, f, floor)
		}
	}
	if seen == 0 {
		t.Error("no development split evaluated")
	}
}

// TestDetectLanguages checks ingest's language detection on single
// sentences of every development split: Indonesian never taken for Malay
// or English, English web text and tweets taken for English. The floors
// are a little under what it reached.
func TestDetectLanguages(t *testing.T) {
	dir := corpora(t)
	results, err := DetectLanguages(dir, func(text string) string { return article.DetectLang(text, "") })
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	ReportLanguages(&buf, results)
	t.Log("\n" + buf.String())
	floors := map[string]float64{"btc": 0.92, "crossner": 0.99, "uner-ewt": 0.94, "wnut17": 0.95,
		"idcrossner": 0.96, "idner-news-2k": 0.99, "nergrit": 0.98, "nerp": 0.98, "nerugm": 0.99, "nerui": 0.98}
	all, right := 0, 0
	for _, r := range results {
		all += r.Sentences
		right += r.Right
		floor, ok := floors[r.Corpus.Name]
		if !ok {
			t.Errorf("no floor for %s", r.Corpus.Name)
			continue
		}
		if acc := float64(r.Right) / float64(r.Sentences); acc < floor {
			t.Errorf("%s/%s dev: %.3f of single sentences in the right language, below the floor %.2f", r.Corpus.Lang, r.Corpus.Name, acc, floor)
		}
	}
	if all == 0 {
		t.Fatal("no development split read")
	}
	if acc := float64(right) / float64(all); acc < 0.97 {
		t.Errorf("all dev splits: %.3f of single sentences in the right language, below the target 0.97", acc)
	}
}

// TestTrainDeterministic trains twice on one of the corpora, in this
// process (with the race detector under make test): the bytes are equal.
func TestTrainDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	dir := corpora(t)
	var exclude []string
	for _, c := range ner.Corpora() {
		if c.Name != "nerugm" {
			exclude = append(exclude, c.Lang+"/"+c.Name)
		}
	}
	var models [2][]byte
	for k := range models {
		m, err := Train(dir, Options{Exclude: exclude})
		if err != nil {
			t.Fatal(err)
		}
		if models[k], err = m.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(models[0], models[1]) {
		t.Errorf("two trainings on the same corpora differ (%d and %d bytes)", len(models[0]), len(models[1]))
	}
}

// TestTrainReproducible trains the model on every corpus with "warta-train
// train", as "make model" does, and compares it with the shipped one. It
// runs the warta-train binary that make test builds (WARTA_BIN_DIR), or
// builds one: a build without the race detector trains in a fraction of the
// time.
func TestTrainReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	dir := corpora(t)
	bin := filepath.Join(os.Getenv("WARTA_BIN_DIR"), "warta-train")
	if os.Getenv("WARTA_BIN_DIR") == "" {
		bin = filepath.Join(t.TempDir(), "warta-train")
		if out, err := exec.Command("go", "build", "-o", bin, "../cmd/warta-train").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	out := filepath.Join(t.TempDir(), "ner.model")
	if msg, err := exec.Command(bin, "train", "--corpus", dir, "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("warta-train train: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../entities/model/ner.model")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("trained model (%d bytes) differs from entities/model/ner.model (%d bytes): run make model", len(got), len(want))
	}
}

// TestProjectBracketedAcronym checks the projection onto a corpus that keeps
// "(BEI)" as one token: the acronym linked to the name before it continues
// that name's mention; one not linked to it is a mention of its own.
func TestProjectBracketedAcronym(t *testing.T) {
	words := []string{"Bursa", "Efek", "Indonesia", "(BEI)", "Medan"}
	text, toks := joined(words)
	ent := func(s, canonical string, typ events.EntityType) events.Entity {
		i := strings.Index(text, s)
		return events.Entity{Text: s, Type: typ, Start: i, End: i + len(s), Canonical: canonical}
	}
	name := ent("Bursa Efek Indonesia", "Bursa Efek Indonesia", events.Organization)
	org, loc := ner.LabelOf("B-ORG"), ner.LabelOf("B-LOC")
	for _, tt := range []struct {
		acronym events.Entity
		want    []int
	}{
		{ent("BEI", "Bursa Efek Indonesia", events.Organization), []int{org, org + 1, org + 1, org + 1, loc}},
		{ent("BEI", "BEI", events.Organization), []int{org, org + 1, org + 1, org, loc}},
	} {
		got := project([]events.Entity{name, tt.acronym, ent("Medan", "Medan", events.Location)}, toks, words)
		if !slices.Equal(got, tt.want) {
			t.Errorf("acronym with canonical %q: labels %v, want %v", tt.acronym.Canonical, got, tt.want)
		}
	}
}
