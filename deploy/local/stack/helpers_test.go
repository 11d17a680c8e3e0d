package stack_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// sampleParagraphs returns the paragraphs of the reference article, without
// its title and dateline.
func sampleParagraphs(t *testing.T) []string {
	t.Helper()
	sample, err := os.ReadFile("../../../samples/xi-putin-beijing.id.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(sample), "\n")[4:] {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// buildArticles returns articles first to first+n-1, each titled "Laporan i"
// with 2+i%6 of the sample's paragraphs, and how many paragraphs they hold
// in all. Each carries a message id, so publishing it again is a no-op.
func buildArticles(t *testing.T, first, n int) ([]message.Out, int) {
	t.Helper()
	lines := sampleParagraphs(t)
	outs := make([]message.Out, 0, n)
	paragraphs := 0
	for i := first; i < first+n; i++ {
		k := 2 + i%6
		body := make([]string, 0, k)
		for j := range k {
			body = append(body, lines[(i+j)%len(lines)])
		}
		paragraphs += k
		data, err := json.Marshal(events.Article{Title: "Laporan " + strconv.Itoa(i), Body: strings.Join(body, "\n\n"),
			PublishedAt: "2025-09-02", Lang: "id"})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, message.Out{Subject: events.SubjectArticlesNew, Data: data, MsgID: "test-article-" + strconv.Itoa(i)})
	}
	return outs, paragraphs
}

// publishArticles publishes articles first to first+n-1 (see buildArticles)
// and returns how many paragraphs they hold. It tries again for up to a
// minute while NATS is unreachable, as during a restart; the message ids
// keep the retries from storing an article twice.
func publishArticles(t *testing.T, ctx context.Context, js jetstream.Publisher, first, n int) int {
	t.Helper()
	outs, paragraphs := buildArticles(t, first, n)
	var err error
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err = bus.Publish(ctx, js, outs, 5*time.Second); err == nil {
			return paragraphs
		}
	}
	t.Fatalf("publish articles %d to %d: %v", first, first+n-1, err)
	return 0
}

// indexStats is what the index's /stats says about its content.
type indexStats struct {
	Articles   int `json:"articles"`
	Paragraphs int `json:"paragraphs"`
}

// readStats asks the index for its /stats; it fails while the index is down.
func readStats(s *stack.Stack) (indexStats, error) {
	var st indexStats
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.HTTPURL + "/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// waitArticles waits up to timeout until /stats shows n articles, and
// returns what it last showed. The index may be down for a while.
func waitArticles(s *stack.Stack, n int, timeout time.Duration) indexStats {
	var st indexStats
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got, err := readStats(s); err == nil {
			st = got
			if st.Articles >= n {
				break
			}
		}
	}
	return st
}
