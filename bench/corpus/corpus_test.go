package corpus_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
)

func load(t *testing.T) []corpus.Source {
	t.Helper()
	srcs, err := corpus.Load("../../samples", "../../samples/bench")
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

// TestGenerate checks that the corpus is reproducible, mixed, varied and
// counted as ingest counts.
func TestGenerate(t *testing.T) {
	srcs := load(t)
	o := corpus.Options{Paragraphs: 3000, Seed: 7, Prefix: "t"}
	as, err := corpus.Generate(srcs, o)
	if err != nil {
		t.Fatal(err)
	}
	again, err := corpus.Generate(srcs, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(as) {
		t.Fatalf("same seed: %d then %d articles", len(as), len(again))
	}
	total := 0
	langs := map[string]int{}
	lengths := map[int]bool{}
	bodies := map[string]bool{}
	for i, a := range as {
		if !bytes.Equal(a.Data, again[i].Data) {
			t.Fatalf("same seed, article %d differs", i)
		}
		var ev events.Article
		if err := json.Unmarshal(a.Data, &ev); err != nil {
			t.Fatal(err)
		}
		parsed, err := article.Parse(a.Data, article.Options{})
		if err != nil {
			t.Fatalf("article %s: %v", a.ID, err)
		}
		if n := len(article.Split(parsed)); n != a.Paragraphs || n < 1 || n > 60 {
			t.Errorf("article %s: %d paragraphs, counted %d (want 1 to 60)", a.ID, n, a.Paragraphs)
		}
		if ev.ID != a.ID || ev.PublishedAt == "" || ev.Lang != "" {
			t.Errorf("article %s: id %q, published_at %q, lang %q (want its id, a date, no language)", a.ID, ev.ID, ev.PublishedAt, ev.Lang)
		}
		total += a.Paragraphs
		langs[a.Lang]++
		lengths[a.Paragraphs] = true
		bodies[ev.Body] = true
	}
	if total < o.Paragraphs {
		t.Errorf("%d paragraphs, want at least %d", total, o.Paragraphs)
	}
	if len(lengths) < 10 || len(bodies) < len(as)*9/10 {
		t.Errorf("%d distinct lengths and %d distinct bodies in %d articles: not varied enough", len(lengths), len(bodies), len(as))
	}
	others := len(as) - langs["id"] - langs["en"]
	if langs["id"] < len(as)*4/10 || langs["en"] < len(as)*3/10 || others < len(as)/20 || len(langs) < 4 {
		t.Errorf("languages %v in %d articles: want about 50%% id, 40%% en, 10%% others", langs, len(as))
	}
	if s := corpus.Summary(as); !strings.Contains(s, "paragraphs by language") {
		t.Errorf("Summary = %q", s)
	}
}

// TestLoadErrors names the folder when there is nothing to read.
func TestLoadErrors(t *testing.T) {
	if _, err := corpus.Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no <name>.<lang>.txt") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := corpus.Generate(load(t)[:1], corpus.Options{Paragraphs: 10}); err == nil {
		t.Error("a corpus without English texts was accepted")
	}
}
