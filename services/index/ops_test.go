package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// TestEveryFlagHasEnv checks that --help names a variable for every flag,
// and that each setting of index's own is checked at start.
func TestEveryFlagHasEnv(t *testing.T) {
	help := indexHelp(t)
	if missing := bustest.FlagsWithoutEnv(help); len(missing) > 0 || !strings.Contains(help, "METRICS_ADDR") {
		t.Errorf("flags without an environment variable: %v\n%s", missing, help)
	}
	checkRefused(t, []setting{
		{"BATCH_SIZE", "0", "batch-size"}, {"BATCH_SIZE", "lots", "BATCH_SIZE"},
		{"FLUSH_INTERVAL", "0s", "flush-interval"}, {"FLUSH_INTERVAL", "100", "FLUSH_INTERVAL"},
		{"HTTP_ADDR", "8080", "http-addr"},
		{"INDEX_CONSUMER", "a.b", "consumer"}, {"MAX_REQUESTS", "0", "max-requests"},
		{"REQUEST_TIMEOUT", "1ms", "request-timeout"}, {"REQUEST_TIMEOUT", "10", "REQUEST_TIMEOUT"},
	})
}

// indexHelp returns what "index --help" prints.
func indexHelp(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"index", "--help"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// setting is a bad value of an environment variable, and the name the
// error refusing it must give.
type setting struct{ env, val, name string }

// checkRefused checks that the index refuses to start with each setting,
// naming it.
func checkRefused(t *testing.T, bad []setting) {
	t.Helper()
	for _, tc := range bad {
		err := run(context.Background(), []string{"index"}, func(k string) string {
			return map[string]string{tc.env: tc.val, "INDEX_DIR": t.TempDir()}[k]
		}, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%s: %v, want an error naming %s", tc.env, tc.val, err, tc.name)
		}
	}
}

// TestIndexOps runs the real service: its search answers over NATS as a
// micro endpoint (a bad query as a micro error 400), its HTTP API serves
// /metrics and /readyz, and "article indexed" carries latency_ms.
func TestIndexOps(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base, logs, stop := startService(ctx, t, map[string]string{"NATS_URL": srv.ClientURL(), "INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0"})

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1, ID: events.ParagraphID("art1", 0), ArticleID: "art1",
		Version: "v1", Index: 0, Count: 1, Title: "Putin di Beijing", Lang: "id", PublishedAt: "2025-09-02",
		Text: "Vladimir Putin tiba di Beijing."}, Entities: []events.Entity{}, Dates: []events.Date{}}
	data, _ := events.Marshal(&e)
	if err := bus.Publish(ctx, js, []message.Out{{Subject: events.SubjectEnriched, Data: data}}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	bustest.WaitFor(t, func() bool { return strings.Contains(logs.String(), `"article indexed"`) })
	if !strings.Contains(logs.String(), `"latency_ms":`) {
		t.Error(`"article indexed" has no latency_ms`)
	}

	// Search over NATS, as a micro client would.
	msg, err := nc.Request(events.SubjectSearch, []byte(`{"q": "Putin", "size": 5}`), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var res store.Result
	if err := json.Unmarshal(msg.Data, &res); err != nil || res.Total != 1 || res.NumHits() != 1 {
		t.Errorf("search over NATS: %s (%v)", msg.Data, err)
	}
	for _, bad := range []string{`{"size": 1000}`, `not json`} {
		msg, err = nc.Request(events.SubjectSearch, []byte(bad), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if code := msg.Header.Get(micro.ErrorCodeHeader); code != "400" {
			t.Errorf("search %s: error code %q (%s), want 400", bad, code, msg.Header.Get(micro.ErrorHeader))
		}
	}
	// Discovery lists the search endpoint.
	msg, err = nc.Request("$SRV.INFO.warta-index", nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var info micro.Info
	if err := json.Unmarshal(msg.Data, &info); err != nil {
		t.Fatal(err)
	}
	subjects := map[string]bool{}
	for _, ep := range info.Endpoints {
		subjects[ep.Subject] = true
	}
	if !subjects[events.SubjectSearch] || !subjects[events.StatsSubject(events.StageIndex)] || info.Metadata["consumer"] != events.ConsumerIndex {
		t.Errorf("$SRV.INFO.warta-index: %s", msg.Data)
	}

	if code, _ := bustest.Get(t, base+"/search?q=Putin"); code != http.StatusOK {
		t.Errorf("GET /search: %d", code)
	}
	_, metrics := bustest.Get(t, base+"/metrics")
	for _, want := range []string{
		`warta_processed_total{stage="index"} 1`, `warta_indexed_articles_total 1`, `warta_index_batch_seconds_count 1`,
		`warta_search_requests_total{code="200"} 2`, `warta_search_requests_total{code="400"} 2`,
		`warta_search_seconds_count 4`, `warta_build_info{service="index",version="dev"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestSecondIndexOnSameFolder: an index started on a folder another index
// uses stops at once with an error naming the folder and that process,
// instead of hanging in Bleve's file lock.
func TestSecondIndexOnSameFolder(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	startIndex(t, ctx, map[string]string{"NATS_URL": srv.ClientURL(), "HTTP_ADDR": "127.0.0.1:0",
		"INDEX_DIR": dir, "SUMMARY_INTERVAL": "0"}, &bustest.LogBuffer{})
	env := map[string]string{"NATS_URL": srv.ClientURL(), "HTTP_ADDR": "127.0.0.1:0", "INDEX_DIR": dir}
	err := run(ctx, []string{"index"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "in use by process") {
		t.Errorf("second index on %s: %v, want an error naming the folder and the process using it", dir, err)
	}
}
