// Package corpus builds the benchmark's articles from real text the project
// ships: the reference article and the original texts in samples/bench, in
// Indonesian, English and a few other languages. Each generated article
// is a run of paragraphs of one language, of a realistic and varied length,
// with its own id, title and publication date; no two are copies.
package corpus

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
)

// Source is one text the articles are drawn from.
type Source struct {
	File       string
	Lang       string
	Title      string
	Paragraphs []string
}

// Load reads every "<name>.<lang>.txt" file of dirs: a title line, then
// paragraphs one per line. Datelines ("Diterbitkan pada …", "Published on
// …") are left out, since each generated article gets a date of its own.
func Load(dirs ...string) ([]Source, error) {
	var out []Source
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.*.txt"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			s, err := loadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no <name>.<lang>.txt texts in %s: run from the repository root or set --samples", strings.Join(dirs, ", "))
	}
	return out, nil
}

func loadFile(path string) (Source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Source{}, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".txt")
	s := Source{File: path, Lang: name[strings.LastIndexByte(name, '.')+1:]}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case s.Title == "":
			s.Title = line
		case strings.HasPrefix(line, "Diterbitkan pada ") || strings.HasPrefix(line, "Published on "):
		default:
			s.Paragraphs = append(s.Paragraphs, line)
		}
	}
	if len(s.Paragraphs) == 0 {
		return Source{}, fmt.Errorf("%s: no paragraphs after the title line", path)
	}
	return s, nil
}

// Mix is the share of articles per language; "other" stands for every
// language but id and en, taken in turn.
var Mix = []struct {
	Lang  string
	Share float64
}{{"id", 0.50}, {"en", 0.40}, {"other", 0.10}}

// PublishedFrom and PublishedUntil bound the generated articles'
// publication days: from the first, before the second.
var (
	PublishedFrom  = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	PublishedUntil = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// Article is one generated article.
type Article struct {
	ID string
	// Version is the revision of the article as ingest will see it (a
	// hash of its normalised content, article.Parse).
	Version string
	Lang    string
	// Paragraphs is how many paragraph events ingest makes of it.
	Paragraphs int
	// Data is the article as JSON, as a user drops it on articles.new.
	Data []byte
}

// Options say how many articles to make and how.
type Options struct {
	// Paragraphs is the total to reach: articles are made until their
	// paragraphs add up to at least this many.
	Paragraphs int
	// Seed makes the corpus reproducible.
	Seed uint64
	// Prefix starts every article id, so runs do not collide.
	Prefix string
}

// Generate makes articles from srcs. Lengths follow a log-normal
// distribution (median 7 paragraphs, from 1 to 60), like news articles; the
// paragraphs of an article run in order through one text and on into other
// texts of its language. The language is not set: ingest detects it, as it
// would for a user's article.
func Generate(srcs []Source, o Options) ([]Article, error) {
	byLang := map[string][]Source{}
	var others []string
	for _, s := range srcs {
		if s.Lang != "id" && s.Lang != "en" && len(byLang[s.Lang]) == 0 {
			others = append(others, s.Lang)
		}
		byLang[s.Lang] = append(byLang[s.Lang], s)
	}
	slices.Sort(others)
	if len(byLang["id"]) == 0 || len(byLang["en"]) == 0 {
		return nil, errors.New("the corpus needs texts in id and en")
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	start := PublishedFrom
	days := int(PublishedUntil.Sub(start).Hours() / 24)
	var out []Article
	total, other := 0, 0
	for total < o.Paragraphs {
		lang := pickLang(r.Float64())
		if lang == "other" {
			if len(others) == 0 {
				lang = "id"
			} else {
				lang = others[other%len(others)]
				other++
			}
		}
		pool := byLang[lang]
		n := int(math.Round(math.Exp(math.Log(7) + 0.8*r.NormFloat64())))
		n = min(max(n, 1), 60)
		src := r.IntN(len(pool))
		at := r.IntN(len(pool[src].Paragraphs))
		body := make([]string, 0, n)
		for range n {
			if at == len(pool[src].Paragraphs) {
				src, at = r.IntN(len(pool)), 0
			}
			body = append(body, pool[src].Paragraphs[at])
			at++
		}
		id := fmt.Sprintf("%s-%06d", o.Prefix, len(out))
		published := start.AddDate(0, 0, r.IntN(days)).Add(time.Duration(6+r.IntN(14)) * time.Hour)
		a := events.Article{
			ID: id, Title: pool[src].Title, Body: strings.Join(body, "\n\n"),
			PublishedAt: published.Format(time.RFC3339), Source: "warta-bench",
			URL: "https://bench.example/" + id,
		}
		data, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		// Count as ingest will: the same parser and splitter.
		parsed, err := article.Parse(data, article.Options{})
		if err != nil {
			return nil, fmt.Errorf("article %s does not parse: %w", id, err)
		}
		k := len(article.Split(parsed))
		out = append(out, Article{ID: id, Version: parsed.Version, Lang: lang, Paragraphs: k, Data: data})
		total += k
	}
	return out, nil
}

func pickLang(x float64) string {
	for _, m := range Mix {
		if x < m.Share {
			return m.Lang
		}
		x -= m.Share
	}
	return Mix[0].Lang
}

// Summary describes a corpus in one line: articles, paragraphs, bytes and
// the languages' shares of paragraphs.
func Summary(as []Article) string {
	paras, bytes := 0, 0
	byLang := map[string]int{}
	for _, a := range as {
		paras += a.Paragraphs
		bytes += len(a.Data)
		byLang[a.Lang] += a.Paragraphs
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(a, b string) int { return byLang[b] - byLang[a] })
	var parts []string
	for _, l := range langs {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", l, 100*float64(byLang[l])/float64(max(paras, 1))))
	}
	return fmt.Sprintf("%d articles, %d paragraphs (%.1f per article, %d to %d), %.1f MB; paragraphs by language: %s",
		len(as), paras, float64(paras)/float64(max(len(as), 1)), minParas(as), maxParas(as), float64(bytes)/1e6, strings.Join(parts, ", "))
}

func minParas(as []Article) int {
	m := 0
	for i, a := range as {
		if i == 0 || a.Paragraphs < m {
			m = a.Paragraphs
		}
	}
	return m
}

func maxParas(as []Article) int {
	m := 0
	for _, a := range as {
		m = max(m, a.Paragraphs)
	}
	return m
}
