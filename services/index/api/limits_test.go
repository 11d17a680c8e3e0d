package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/micro"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/api"
	"github.com/warta-news/warta/services/index/store"
)

// page is the part of a search answer these tests read.
type page struct {
	Total uint64 `json:"total"`
	Hits  []struct {
		ParagraphID string   `json:"paragraph_id"`
		Text        string   `json:"text"`
		TextBytes   int      `json:"text_bytes"`
		Truncated   bool     `json:"truncated"`
		Highlights  []string `json:"highlights"`
	} `json:"hits"`
	Next string `json:"next"`
}

// bigStore is an index holding n articles whose second paragraph is about
// bytes long (at most events.MaxParagraphBytes, the longest there is) and
// says "kukis" once, at about three quarters of it.
func bigStore(t *testing.T, n, bytes int) *store.Store {
	bytes = min(bytes, events.MaxParagraphBytes-100)
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	filler := strings.Repeat("kata demi kata mengisi paragraf yang panjang ", bytes/46/4)
	var ps []events.EnrichedParagraph
	for i := range n {
		id := fmt.Sprintf("big-%03d", i)
		long := filler + filler + filler + "Peretas mencuri kukis <b>sesi</b> pengguna. " + filler
		ps = append(ps, paragraph(id, 0, 2, "id", "Paragraf pembuka."), paragraph(id, 1, 2, "id", long))
	}
	if res, err := s.Apply(context.Background(), ps); err != nil || len(res.Rejected) > 0 {
		t.Fatal(err, res.Rejected)
	}
	return s
}

// TestBigParagraphsBounded searches the longest paragraphs there are: each
// hit's text is bounded, and its highlight is a short window around the
// word, found three quarters of the way in. (Ingest cuts paragraphs at
// events.MaxParagraphBytes; before, a paragraph of 250 KB could reach the
// index, every hit carried its whole text and the whole text was analysed
// to highlight it.)
func TestBigParagraphsBounded(t *testing.T) {
	s := bigStore(t, 3, 250_000)
	srv := httptest.NewServer(api.NewHandler(s, zaptest.NewLogger(t)))
	defer srv.Close()
	var res page
	get(t, srv, "/search?group=paragraph&q=kukis&size=100", http.StatusOK, &res)
	if len(res.Hits) != 3 {
		t.Fatalf("%d hits, want 3", len(res.Hits))
	}
	for _, h := range res.Hits {
		if len(h.Text) > store.MaxHitTextBytes || h.TextBytes != len(h.Text) || h.TextBytes < 15_000 {
			t.Errorf("hit %s: text of %d bytes, text_bytes %d; want the whole paragraph, at most %d bytes",
				h.ParagraphID, len(h.Text), h.TextBytes, store.MaxHitTextBytes)
		}
		if len(h.Highlights) != 1 || !strings.Contains(h.Highlights[0], "<mark>kukis</mark>") ||
			!strings.Contains(h.Highlights[0], "&lt;b&gt;sesi&lt;/b&gt;") || len(h.Highlights[0]) > 1024 {
			t.Errorf("hit %s: highlights %.300q, want one short fragment with <mark>kukis</mark>", h.ParagraphID, h.Highlights)
		}
	}
}

// corpus is an index of n one-paragraph articles that all say "harian".
func corpus(t *testing.T, n int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	var ps []events.EnrichedParagraph
	for i := range n {
		// Repeats of the word make the scores differ, and equal scores
		// are ordered by id.
		text := "Berita harian" + strings.Repeat(" harian", i%7) + fmt.Sprintf(" nomor %d.", i)
		p := paragraph(fmt.Sprintf("a%04d", i), 0, 1, "id", text)
		p.PublishedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%50).Format(time.DateOnly)
		ps = append(ps, p)
	}
	if res, err := s.Apply(context.Background(), ps); err != nil || len(res.Rejected) > 0 {
		t.Fatal(err, res.Rejected)
	}
	return s
}

// TestSearchAfter pages through every hit with the cursor each page
// answers ("next"), with and without free text: the pages hold every hit
// once, in the order of offset paging. (Deep offsets are refused with a
// 400 that points to search_after, see TestBadRequests: a page at offset
// 10000 made the index rank and hold 10,100 hits, and 150 of them at once
// took 1.2 GB.)
func TestSearchAfter(t *testing.T) {
	const n = 230
	srv := httptest.NewServer(api.NewHandler(corpus(t, n), zaptest.NewLogger(t)))
	defer srv.Close()
	for _, q := range []string{"group=paragraph&q=harian", "group=paragraph&lang=id"} {
		t.Run(q, func(t *testing.T) {
			var want []string
			for off := 0; off < n; off += 100 {
				var p page
				get(t, srv, fmt.Sprintf("/search?%s&size=100&offset=%d", q, off), http.StatusOK, &p)
				for _, h := range p.Hits {
					want = append(want, h.ParagraphID)
				}
			}
			var got []string
			cursor := ""
			for range n {
				u := "/search?" + q + "&size=50"
				if cursor != "" {
					u += "&search_after=" + url.QueryEscape(cursor)
				}
				var p page
				get(t, srv, u, http.StatusOK, &p)
				for _, h := range p.Hits {
					got = append(got, h.ParagraphID)
				}
				if p.Next == "" {
					break
				}
				cursor = p.Next
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("search_after pages gave %d hits:\n%v\nwant the %d of offset paging:\n%v", len(got), got, len(want), want)
			}
		})
	}
}

// TestSearchOverNATSFits asks warta.index.search for 100 hits of 16 KB:
// more than a NATS message holds (1 MiB by default). The answer comes, cut
// to fit, with the cursor of its last hit to page on; before, the index
// failed to send it and the client waited for nothing.
func TestSearchOverNATSFits(t *testing.T) {
	nc := searchOverNATS(t, bigStore(t, 100, 20_000))
	seen := map[string]bool{}
	req := map[string]any{"q": "kukis", "size": 100, "group": "paragraph"}
	for range 100 {
		body, _ := json.Marshal(req)
		msg, err := nc.Request(events.SubjectSearch, body, 10*time.Second)
		if err != nil {
			t.Fatalf("search over NATS: %v", err)
		}
		if code := msg.Header.Get(micro.ErrorCodeHeader); code != "" {
			t.Fatalf("search over NATS: error %s %s", code, msg.Header.Get(micro.ErrorHeader))
		}
		var p page
		if err := json.Unmarshal(msg.Data, &p); err != nil {
			t.Fatal(err)
		}
		if len(msg.Data) > 1<<20 || len(p.Hits) == 0 {
			t.Fatalf("answer of %d bytes with %d hits", len(msg.Data), len(p.Hits))
		}
		for _, h := range p.Hits {
			if seen[h.ParagraphID] {
				t.Fatalf("hit %s twice", h.ParagraphID)
			}
			seen[h.ParagraphID] = true
		}
		if p.Next == "" {
			break
		}
		req["search_after"] = p.Next
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct hits over the pages, want 100", len(seen))
	}
}
