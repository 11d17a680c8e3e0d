package stack_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// putStandingSearch creates the standing search name with body on the
// stack's index.
func putStandingSearch(t *testing.T, s *stack.Stack, name, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.HTTPURL+"/alerts/"+name, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT /alerts/%s: %s", name, resp.Status)
	}
}

// searchIDs returns the ids of the articles a search of the stack's index finds.
func searchIDs(t *testing.T, s *stack.Stack, q url.Values) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for offset := 0; ; offset += 100 {
		q.Set("size", "100")
		q.Set("offset", fmt.Sprint(offset))
		resp, err := http.Get(s.HTTPURL + "/search?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Hits []struct {
				ID string `json:"article_id"`
			} `json:"hits"`
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			ids[h.ID] = true
		}
		if len(res.Hits) < 100 {
			return ids
		}
	}
}

// TestFaultIndexKilledAlerts kills the index with SIGKILL twice while it
// publishes alerts, each time in the gap between writing a batch (the
// articles it completes are searchable) and publishing their alerts, and
// restarts it: the redelivered batch completes the articles again and their
// alerts are published then, and every (standing search, article revision)
// has exactly one alert: none lost, none doubled. One search matches every
// article (by its title), the other exactly the articles that search finds
// by a word (a name, in the text or among the entities' names); and
// "wartactl alerts follow", run as the client role, prints them.
func TestFaultIndexKilledAlerts(t *testing.T) {
	// The alert delay holds each batch between its write and its alerts,
	// where the kills land.
	r := startFaultStack(t, stack.Config{Enrichers: 2}, "BATCH_SIZE=50", "INDEX_ALERT_DELAY=150ms")
	putStandingSearch(t, r.s, "laporan", `{"q":"laporan"}`)
	putStandingSearch(t, r.s, "putin", `{"q":"Putin","lang":"id"}`)
	const articles = 300
	paragraphs := publishArticles(t, r.ctx, r.js, 0, articles)

	for k := 1; k <= 2; k++ {
		// The index has written batches (and published alerts) before the kill.
		if !poll(30*time.Second, 2*time.Millisecond, func() bool { return r.streamMsgs(events.StreamAlerts) >= k*articles/5 }) {
			t.Fatalf("ALERTS never held %d alerts (it holds %d)", k*articles/5, r.streamMsgs(events.StreamAlerts))
		}
		before := r.streamMsgs(events.StreamAlerts)
		r.killBusy("index")
		t.Logf("kill %d: index killed with %d alerts stored", k, before)
		if err := r.s.Restart("index"); err != nil {
			t.Fatal(err)
		}
	}
	r.waitIndexed(articles, time.Now())
	r.checkExactlyOnce(articles, paragraphs)

	all := bustest.StreamData(t, r.ctx, r.js, events.StreamAlerts)
	count := map[string]int{}
	per := map[string]int{}
	putin := map[string]bool{}
	for _, data := range all {
		a, err := events.DecodeAlert(data)
		if err != nil {
			t.Fatal(err)
		}
		count[events.AlertMsgID(a.Alert, a.ArticleID, a.ArticleSeq, a.Version)]++
		per[a.Alert]++
		if a.Alert == "putin" {
			putin[a.ArticleID] = true
		}
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%d alerts %s, want 1", n, id)
		}
	}
	if per["laporan"] != articles {
		t.Errorf("%d alerts of laporan, want %d: one per article", per["laporan"], articles)
	}
	want := searchIDs(t, r.s, url.Values{"q": {"Putin"}, "lang": {"id"}})
	for id := range want {
		if !putin[id] {
			t.Errorf("search finds %s, which has no alert of putin", id)
		}
	}
	for id := range putin {
		if !want[id] {
			t.Errorf("%s has an alert of putin, which search does not find", id)
		}
	}
	if len(want) == 0 {
		t.Error("search finds no article naming Putin: the test shows nothing")
	}
	t.Logf("%d alerts for %d articles, exactly one per (search, revision)", len(all), articles)

	// "wartactl alerts follow" as the client role (no credentials) prints
	// them as JSON lines.
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "wartactl"), "alerts", "follow", "putin", "--since", "10m",
		"--count", fmt.Sprint(per["putin"]), "--nats-url", r.s.NATSURL)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("wartactl alerts follow: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != per["putin"] || !strings.Contains(lines[0], `"alert":"putin"`) {
		t.Errorf("wartactl alerts follow printed %d lines, want %d alerts of putin:\n%s", len(lines), per["putin"], lines[0])
	}
	r.stop()
	r.logSummaries()
	if idx := totals(r.summaries(), "index"); idx.Redelivered == 0 {
		t.Error("the restarted index got no redelivery: the killed one held nothing unacked")
	}
}
