package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/warta-news/warta/services/index/store"
)

// TestStandingMatchesAsSearch evaluates standing searches against each
// article alone and checks that they match exactly the articles Search
// finds in an index of them all: the same word forms, names, phrases,
// exclusions and filters.
func TestStandingMatchesAsSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	arts := []article{jakarta, rates}
	for _, a := range arts {
		if _, err := s.Apply(ctx, a.all(t)); err != nil {
			t.Fatal(err)
		}
	}
	queries := []store.Query{
		{Text: "pertemuan"},            // a form of "bertemu" (stem temu)
		{Text: "Moscow"},               // the canonical name of "Moskow"
		{Text: "moskow"},               // as written
		{Text: "\"Xi Jinping\""},       // a phrase
		{Text: "\"Jinping Xi\""},       // not in a row
		{Text: "raise"},                // an English form of "raises"/"raised"
		{Text: "rates -Jakarta"},       // excluded by a paragraph
		{Text: "rates -Beijing"},       // nothing excluded
		{Text: "Beijing OR inflation"}, // either
		{Text: "central Prabowo"},      // words in different articles
		{Text: "bank", Lang: "en"},     // word and language
		{Text: "bank", Lang: "id"},     // wrong language
		{Entity: []string{"Tiongkok"}}, // an alias
		{Entity: []string{"china"}},    // a canonical name in another case
		{Entity: []string{"Jakarta"}, Type: []string{"organization"}},
		{Type: []string{"PERSON"}},
		{From: "2025-09-01"},
		{To: "2025-08-15"},
		{MentionedFrom: "2026-01-01", MentionedTo: "2026-12-31"},
		{MentionedFrom: "2025-08-01", MentionedTo: "2025-08-31"},
		{Text: "perjanjian", Entity: []string{"Indonesia"}, Lang: "id", From: "2025-01-01", To: "2025-12-31"},
	}
	for _, q := range queries {
		name := q.Text + "|" + strings.Join(q.Entity, ",") + "|" + strings.Join(q.Type, ",") + "|" + q.Lang + "|" + q.From + q.To + q.MentionedFrom + q.MentionedTo
		t.Run(name, func(t *testing.T) {
			res, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range res.Articles {
				want = append(want, h.ArticleID)
			}
			st, err := s.CompileStanding(q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range arts {
				ca, ok, err := s.Completed(ctx, a.id)
				if err != nil || !ok {
					t.Fatalf("Completed(%s) = %v, %v", a.id, ok, err)
				}
				c, err := s.Prepare(ca)
				if err != nil {
					t.Fatal(err)
				}
				if !anchored(st, c) {
					if _, ok := st.Match(c); ok {
						t.Errorf("%s matches without a key of each anchor group %q", a.id, st.AnchorGroups())
					}
					continue
				}
				if _, ok := st.Match(c); ok {
					got = append(got, a.id)
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("standing search matched %q, search finds %q", got, want)
			}
		})
	}
}

// anchored reports whether the candidate has a key of each of the
// search's anchor groups.
func anchored(st *store.Standing, c *store.Candidate) bool {
	for _, g := range st.AnchorGroups() {
		found := false
		c.Keys(func(k string) bool {
			found = slices.Contains(g, k)
			return !found
		})
		if !found {
			return false
		}
	}
	return true
}

func TestCompileStandingRefuses(t *testing.T) {
	s, _ := openStore(t)
	for _, tc := range []struct {
		q    store.Query
		want string
	}{
		{store.Query{}, "needs a word in q or a filter"},
		{store.Query{Text: "-Trump"}, "needs a word in q or a filter"},
		{store.Query{Text: "!!!"}, "has no word"},
		{store.Query{Text: "x", Size: 5}, "group, sort, size"},
		{store.Query{Text: "x", From: "yesterday"}, "is not a date"},
		{store.Query{Text: "x", From: "2025-09-02", To: "2025-01-01"}, "swap them"},
		{store.Query{Type: []string{"ANIMAL"}}, "unknown entity type"},
		{store.Query{Text: strings.Repeat("a ", store.MaxTextBytes)}, "bytes long"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := s.CompileStanding(tc.q)
			if !errors.Is(err, store.ErrBadQuery) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CompileStanding(%+v) = %v, want ErrBadQuery saying %q", tc.q, err, tc.want)
			}
		})
	}
}

// TestCompletedUpdate: the article read for alerts says whether an earlier
// revision had completed.
func TestCompletedUpdate(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if _, err := s.Apply(ctx, rates.all(t)); err != nil {
		t.Fatal(err)
	}
	a, ok, err := s.Completed(ctx, rates.id)
	if err != nil || !ok || a.Update || len(a.Paragraphs) != 2 {
		t.Fatalf("first revision: %+v %v %v, want complete, not an update, 2 paragraphs", a, ok, err)
	}
	next := rates
	next.version, next.seq = "w2", 5
	if _, err := s.Apply(ctx, next.all(t)); err != nil {
		t.Fatal(err)
	}
	a, ok, err = s.Completed(ctx, rates.id)
	if err != nil || !ok || !a.Update || a.Version != "w2" || a.ArticleSeq != 5 {
		t.Fatalf("second revision: %+v %v %v, want w2/5, an update", a, ok, err)
	}
	if _, ok, _ := s.Completed(ctx, "nope"); ok {
		t.Fatal("an unknown article is complete")
	}
}
