package trainer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/warta-news/warta/services/enrich/entities"
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
	dir := corpora(t)
	results, err := Evaluate(dir, entities.New().Tag, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	floors := map[string]float64{"uner-ewt": 0.64, "wnut17": 0.44, "idner-news-2k": 0.77, "nergrit": 0.72, "nerp": 0.72}
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

// TestTrainReproducible trains the model and compares it with the shipped
// one: training is deterministic, and the shipped model is what "make model"
// makes of these corpora.
func TestTrainReproducible(t *testing.T) {
	dir := corpora(t)
	m, err := Train(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.MarshalBinary()
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
