package article_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
)

// FuzzParse checks that Parse never panics, that it either fails with an
// events.ErrInvalid error or returns a complete article within its limits,
// and that every paragraph Split makes of it is valid. Its seed corpus is
// in testdata/fuzz/FuzzParse: JSON, plain text with datelines, HTML,
// invalid UTF-8, binary files, control characters and mixed scripts.
func FuzzParse(f *testing.F) {
	f.Add([]byte("Judul\n\nDiterbitkan pada 2 Sep 2025\nIsi berita.\nParagraf dua."))
	f.Add([]byte(`{"id":"a1","title":"T","body":"<p>x</p><p>y</p>","published_at":"2025-09-02T10:30:00+07:00","lang":"EN-us"}`))
	f.Add([]byte("<html><body><h1>T</h1><p>a&amp;b</p><script>x</script></body></html>"))
	f.Add([]byte("Title\r\nPublished: September 2, 2025\r\n\u00a0Body\x07 text\u2028more"))
	f.Add([]byte(`[{"title":"T"}]`))
	f.Add([]byte("\xff\x00binary"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		const maxParagraphs = 100
		a, err := article.Parse(payload, article.Options{MaxBytes: 1 << 16, MaxParagraphs: maxParagraphs})
		if err != nil {
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("error %v does not match events.ErrInvalid", err)
			}
			return
		}
		switch {
		case a.V != events.Version, a.ID == "", a.Version == "", a.Lang == "":
			t.Fatalf("incomplete article: %+v", a)
		case a.Title == "", strings.Contains(a.Title, "\n"), !utf8.ValidString(a.Title):
			t.Fatalf("bad title %q", a.Title)
		case strings.TrimSpace(a.Body) == "", !utf8.ValidString(a.Body):
			t.Fatalf("bad body %q", a.Body)
		}
		ps := article.Split(a)
		if len(ps) == 0 || len(ps) > maxParagraphs {
			t.Fatalf("%d paragraphs in body %q, want 1 to %d", len(ps), a.Body, maxParagraphs)
		}
		if len(a.Title) > article.MaxTitleBytes {
			t.Fatalf("title of %d bytes accepted", len(a.Title))
		}
		for i := range ps {
			if err := ps[i].Validate(); err != nil {
				t.Fatalf("paragraph %d of %q: %v", i, a.Body, err)
			}
		}
	})
}
