package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// request sends a request with body (none if "") and returns the status
// code and the answer.
func request(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// floodArticle returns the enriched paragraphs of a revision of an
// article about floods in Semarang; other makes it about something else.
func floodArticle(t *testing.T, id string, seq uint64, other bool) []message.Out {
	t.Helper()
	texts := []string{
		"Banjir besar melanda Semarang sejak Senin malam.",
		"Warga Semarang mengungsi ke masjid dan sekolah.",
	}
	title := "Semarang dilanda banjir"
	if other {
		texts = []string{"Harga beras naik di Surabaya.", "Pedagang Surabaya mengeluh."}
		title = "Harga beras naik"
	}
	version := fmt.Sprintf("v%d", seq)
	var outs []message.Out
	for i, text := range texts {
		e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1, ID: events.ParagraphID(id, i), ArticleID: id,
			Version: version, ArticleSeq: seq, Index: i, Count: len(texts), Title: title, Lang: "id", PublishedAt: "2025-12-01", Text: text},
			Entities: []events.Entity{}, Dates: []events.Date{}}
		for _, city := range []string{"Semarang", "Surabaya"} {
			if at := strings.Index(text, city); at >= 0 {
				e.Entities = append(e.Entities, events.Entity{Text: city, Type: events.Location, Start: at, End: at + len(city), Canonical: city})
			}
		}
		data, err := events.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, message.Out{Subject: events.SubjectEnriched, Data: data, MsgID: events.MsgID("enrich", &e.Paragraph)})
	}
	return outs
}

// storedAlerts returns every alert in ALERTS, oldest first.
func storedAlerts(t *testing.T, ctx context.Context, js jetstream.JetStream) []events.Alert {
	t.Helper()
	var out []events.Alert
	for _, data := range bustest.StreamData(t, ctx, js, events.StreamAlerts) {
		a, err := events.DecodeAlert(data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func alertsOf(all []events.Alert, name, article string) []events.Alert {
	var out []events.Alert
	for _, a := range all {
		if a.Alert == name && (article == "" || a.ArticleID == article) {
			out = append(out, a)
		}
	}
	return out
}

// TestAlertsAPI: the HTTP API of standing searches refuses what it cannot
// keep with a 400 that says why, and creates, replaces, lists and deletes.
func TestAlertsAPI(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base, _, _ := startService(ctx, t, map[string]string{"NATS_URL": srv.ClientURL(), "INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0"})
	for _, tc := range []struct {
		name, path, body, want string
	}{
		{"name with a dot", "/alerts/a.b", `{"q":"banjir"}`, "'-' and '_'"},
		{"name with a space", "/alerts/a%20b", `{"q":"banjir"}`, "'-' and '_'"},
		{"not JSON", "/alerts/floods", `banjir`, "not a standing search"},
		{"unknown field", "/alerts/floods", `{"q":"banjir","size":3}`, "unknown field"},
		{"bad date", "/alerts/floods", `{"q":"banjir","from":"yesterday"}`, "is not a date"},
		{"bad type", "/alerts/floods", `{"type":"ANIMAL"}`, "unknown entity type"},
		{"nothing to match", "/alerts/floods", `{}`, "needs a word in q or a filter"},
		{"only punctuation", "/alerts/floods", `{"q":"?!"}`, "has no word"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := request(t, http.MethodPut, base+tc.path, tc.body)
			if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Fatalf("PUT %s %s = %d %s, want 400 saying %q", tc.path, tc.body, code, body, tc.want)
			}
		})
	}
	if code, body := request(t, http.MethodPut, base+"/alerts/floods", `{"q":"banjir","entity":"Semarang"}`); code != http.StatusCreated {
		t.Fatalf("PUT = %d %s, want 201", code, body)
	}
	if code, body := request(t, http.MethodPut, base+"/alerts/floods", `{"q":"banjir","entity":["Semarang"],"lang":"id"}`); code != http.StatusOK {
		t.Fatalf("PUT again = %d %s, want 200 (replaced)", code, body)
	}
	if code, body := request(t, http.MethodGet, base+"/alerts/floods", ""); code != http.StatusOK || !strings.Contains(body, `"lang":"id"`) {
		t.Fatalf("GET = %d %s, want the replaced search", code, body)
	}
	if code, body := request(t, http.MethodGet, base+"/alerts", ""); code != http.StatusOK || !strings.Contains(body, `"name":"floods"`) {
		t.Fatalf("GET /alerts = %d %s, want floods listed", code, body)
	}
	if code, body := request(t, http.MethodDelete, base+"/alerts/floods", ""); code != http.StatusOK {
		t.Fatalf("DELETE = %d %s, want 200", code, body)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if code, body := request(t, m, base+"/alerts/floods", ""); code != http.StatusNotFound {
			t.Fatalf("%s after DELETE = %d %s, want 404", m, code, body)
		}
	}
	if code, body := request(t, http.MethodPost, base+"/alerts/floods", `{"q":"x"}`); code != http.StatusMethodNotAllowed {
		t.Fatalf("POST = %d %s, want 405", code, body)
	}
	// A query string would be ignored: a filter in it dropped from the
	// standing search, a GET /alerts?q=… answered with every search.
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		for _, path := range []string{"/alerts?q=banjir", "/alerts/floods?entity=Semarang&lang=id"} {
			code, body := request(t, m, base+path, `{"q":"banjir"}`)
			if code != http.StatusBadRequest || !strings.Contains(body, "take no parameters") {
				t.Fatalf("%s %s = %d %s, want 400 naming the parameters", m, path, code, body)
			}
		}
	}
	if _, body := request(t, http.MethodPut, base+"/alerts/floods?entity=Semarang&lang=id", `{"q":"banjir"}`); !strings.Contains(body, `unknown parameter \"entity\", \"lang\"`) {
		t.Errorf("PUT with a query string: %s, want the parameters named", body)
	}
	if code, body := request(t, http.MethodGet, base+"/alerts/floods", ""); code != http.StatusNotFound {
		t.Fatalf("GET after a PUT with a query string = %d %s, want 404 (nothing stored)", code, body)
	}
}

// TestAlerts runs two index processes, each with an index and a consumer
// of its own, on one NATS server: a standing search put on one applies on
// both, an article that matches gets exactly one alert (both publish it,
// with the same message id), a new revision alerts again marked update,
// a deleted search alerts no more, a search added while articles flow
// alerts on every article published after its PUT returned, and a
// standing search that cannot be evaluated is skipped without stopping
// the index.
func TestAlerts(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	envA := map[string]string{"NATS_URL": srv.ClientURL(), "INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0"}
	baseA, logsA, _ := startService(ctx, t, envA)
	envB := map[string]string{"NATS_URL": srv.ClientURL(), "INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0", "INDEX_CONSUMER": "index-b"}
	baseB, _, _ := startService(ctx, t, envB)

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	drained := func() {
		t.Helper()
		bustest.WaitDrained(t, ctx, js, events.StreamEnriched, events.ConsumerIndex)
		bustest.WaitDrained(t, ctx, js, events.StreamEnriched, "index-b")
	}
	publish := func(outs []message.Out) {
		t.Helper()
		if err := bus.Publish(ctx, js, outs, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	// Put on A, seen by B.
	if code, body := request(t, http.MethodPut, baseA+"/alerts/floods", `{"q":"banjir","entity":["semarang"]}`); code != http.StatusCreated {
		t.Fatalf("PUT = %d %s", code, body)
	}
	bustest.WaitFor(t, func() bool {
		code, _ := request(t, http.MethodGet, baseB+"/alerts/floods", "")
		return code == http.StatusOK
	})

	// Standing searches that cannot be evaluated, put by hand.
	kv, err := js.KeyValue(ctx, events.BucketStandingSearches)
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{"garbage": "not json", "punctuation": `{"v":1,"q":"?!"}`} {
		if _, err := kv.Put(ctx, name, []byte(value)); err != nil {
			t.Fatal(err)
		}
	}
	bustest.WaitFor(t, func() bool {
		return strings.Contains(logsA.String(), `"alert":"garbage"`) && strings.Contains(logsA.String(), `"alert":"punctuation"`)
	})

	publish(append(floodArticle(t, "flood-1", 1, false), floodArticle(t, "rice-1", 2, true)...))
	drained()
	all := storedAlerts(t, ctx, js)
	got := alertsOf(all, "floods", "")
	if len(got) != 1 || got[0].ArticleID != "flood-1" || got[0].Update {
		t.Fatalf("alerts of floods = %+v, want one, of flood-1, not an update", got)
	}
	a := got[0]
	if a.Version != "v1" || a.Title != "Semarang dilanda banjir" || a.Lang != "id" || len(a.Paragraphs) == 0 ||
		len(a.Paragraphs[0].Highlights) == 0 || !strings.Contains(a.Paragraphs[0].Highlights[0], "<mark>") ||
		len(a.Entities) == 0 || a.LatencyMS <= 0 {
		t.Fatalf("alert = %+v, want version, title, lang, highlighted paragraphs, entities and latency", a)
	}

	// A new revision that still matches alerts again, as an update.
	publish(floodArticle(t, "flood-1", 3, false))
	drained()
	got = alertsOf(storedAlerts(t, ctx, js), "floods", "flood-1")
	if len(got) != 2 || !got[1].Update || got[1].Version != "v3" {
		t.Fatalf("alerts of flood-1 = %+v, want a second one, of v3, an update", got)
	}

	// Deleted on B: no alert from either.
	if code, body := request(t, http.MethodDelete, baseB+"/alerts/floods", ""); code != http.StatusOK {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	bustest.WaitFor(t, func() bool {
		code, _ := request(t, http.MethodGet, baseA+"/alerts/floods", "")
		return code == http.StatusNotFound
	})
	publish(floodArticle(t, "flood-2", 4, false))
	drained()
	if got := alertsOf(storedAlerts(t, ctx, js), "floods", "flood-2"); len(got) != 0 {
		t.Fatalf("alerts of a deleted search: %+v", got)
	}

	// Added while articles flow: every article published after the PUT
	// returned alerts.
	var mu sync.Mutex
	putDone := false
	var after []string
	stop := make(chan struct{})
	flowing := make(chan struct{})
	go func() {
		defer close(flowing)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			mu.Lock()
			put := putDone
			mu.Unlock()
			id := fmt.Sprintf("flow-%d", i)
			if err := bus.Publish(ctx, js, floodArticle(t, id, uint64(100+i), false), 5*time.Second); err != nil {
				t.Error(err)
				return
			}
			if put {
				mu.Lock()
				after = append(after, id)
				mu.Unlock()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(100 * time.Millisecond) // articles flowing before the PUT
	if code, body := request(t, http.MethodPut, baseB+"/alerts/flow", `{"q":"mengungsi"}`); code != http.StatusCreated {
		t.Fatalf("PUT = %d %s", code, body)
	}
	mu.Lock()
	putDone = true
	mu.Unlock()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	<-flowing
	drained()
	all = storedAlerts(t, ctx, js)
	if len(after) == 0 {
		t.Fatal("no article was published after the PUT")
	}
	for _, id := range after {
		if got := alertsOf(all, "flow", id); len(got) != 1 {
			t.Errorf("article %s, published after the PUT returned, has %d alerts of flow, want 1", id, len(got))
		}
	}
	t.Logf("%d articles published after the PUT returned, %d alerts in all", len(after), len(all))
	// Exactly one alert per (search, revision), whatever the two processes did.
	seen := map[string]bool{}
	for _, a := range all {
		key := events.AlertMsgID(a.Alert, a.ArticleID, a.ArticleSeq, a.Version)
		if seen[key] {
			t.Errorf("two alerts %s", key)
		}
		seen[key] = true
	}
	// The metrics count each alert stored once, in the process that
	// stored it (the other's publish was a duplicate), and the searches
	// loaded: flow (floods is deleted, the two broken ones skipped).
	stored := 0.0
	for _, base := range []string{baseA, baseB} {
		code, body := request(t, http.MethodGet, base+"/metrics", "")
		if code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", code)
		}
		stored += metricValue(body, `warta_alerts_total{alert="floods"}`)
		if n := metricValue(body, "warta_standing_searches"); n != 1 {
			t.Errorf("warta_standing_searches = %v, want 1:\n%s", n, grepLines(body, "warta_standing"))
		}
	}
	if stored != 2 {
		t.Errorf(`warta_alerts_total{alert="floods"} = %v in all, want 2 (flood-1 v1 and v3)`, stored)
	}
}

// metricValue returns the value of the sample named name (with its
// labels) in a /metrics answer, or 0.
func metricValue(body, name string) float64 {
	for _, l := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(l, name+" "); ok {
			var v float64
			if _, err := fmt.Sscan(rest, &v); err == nil {
				return v
			}
		}
	}
	return 0
}

func grepLines(s, sub string) string {
	var b bytes.Buffer
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
