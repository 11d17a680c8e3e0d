package stack_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/access"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// binDir holds the service binaries under test: WARTA_BIN_DIR (make test
// builds them there), or a fresh build. The fault tests that slow the index
// need it built with -tags faults (services/index/faults.go): make test
// gives them bin/faults, and the fresh build here has the tag.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the binaries unless WARTA_BIN_DIR has them, runs the
// tests and removes what it built: os.Exit skips deferred calls, so they
// run here, before it.
func runTests(m *testing.M) int {
	flag.Parse()
	binDir = os.Getenv("WARTA_BIN_DIR")
	if binDir == "" && !testing.Short() { // -short skips every test that runs them
		dir, err := os.MkdirTemp("", "warta-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "build", "-tags", "faults", "-o", dir+"/", "../../../services/ingest", "../../../services/enrich", "../../../services/index",
			"../../../cmd/wartactl")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build services:", err)
			return 1
		}
		binDir = dir
	}
	return m.Run()
}

func startStack(t *testing.T, ctx context.Context, enrichers int) (*stack.Stack, *bustest.LogBuffer) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the whole pipeline as processes")
	}
	logs := &bustest.LogBuffer{}
	s, err := stack.Start(ctx, stack.Config{BinDir: binDir, DataDir: t.TempDir(), NATSPort: -1, HTTPAddr: "127.0.0.1:0",
		Enrichers: enrichers, Env: []string{"SUMMARY_INTERVAL=0"}, Output: logs})
	if err != nil {
		t.Fatalf("start stack: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() { checkLogs(t, logs) })
	return s, logs
}

// checkLogs fails the test if a service was refused a subject by its NATS
// permissions (every service runs as its own user: none may need a subject
// package access does not give it), and shows the logs of a failed test.
func checkLogs(t *testing.T, logs *bustest.LogBuffer) {
	if strings.Contains(logs.String(), "Permissions Violation") {
		t.Error("a service was refused a subject by its NATS permissions (see the logs)")
	}
	if t.Failed() {
		t.Log(logs.String())
	}
}

// TestSampleEndToEnd drops the reference article on articles.new with the
// real client and finds its paragraphs, tagged, through search.
func TestSampleEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, _ := startStack(t, ctx, 2)

	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "wartactl"), "publish", "--wait", "--timeout", "60s", "../../../samples/xi-putin-beijing.id.txt")
	cmd.Env = append(os.Environ(), "NATS_URL="+s.NATSURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wartactl publish --wait: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "17 paragraphs searchable") {
		t.Errorf("publish output: %s", out)
	}

	var stats map[string]any
	getJSON(t, s.HTTPURL+"/stats", &stats)
	if stats["articles"] != float64(1) || stats["paragraphs"] != float64(17) {
		t.Errorf("stats = %v, want 1 article, 17 paragraphs", stats)
	}

	// People, places and dates, found through search by their canonical names.
	type hit struct {
		Text     string          `json:"text"`
		Entities []events.Entity `json:"entities"`
		Dates    []events.Date   `json:"dates"`
	}
	var res struct {
		Total int   `json:"total"`
		Hits  []hit `json:"hits"`
	}
	found := map[string]bool{}
	for _, q := range []string{"entity=Xi+Jinping", "entity=Vladimir+Putin", "entity=Beijing", "entity=Moscow", "q=Moskow", "q=Selasa", "q=tahun"} {
		getJSON(t, s.HTTPURL+"/search?group=paragraph&size=100&"+q, &res)
		if res.Total == 0 {
			t.Errorf("search %s: no hits", q)
		}
		for _, h := range res.Hits {
			for _, e := range h.Entities {
				found[string(e.Type)+" "+e.Text+" → "+e.Canonical] = true
			}
			for _, d := range h.Dates {
				found["DATE "+d.Text+" → "+d.Value] = true
			}
		}
	}
	for _, want := range []string{
		"PERSON Xi Jinping → Xi Jinping", "PERSON Vladimir Putin → Vladimir Putin",
		"LOCATION Beijing → Beijing", "LOCATION Moskow → Moscow",
		"DATE pada hari Selasa → 2025-09-02", "DATE pada hari Senin → 2025-09-01",
		"DATE tahun lalu → 2024", "DATE Pada tahun 2024 → 2024",
	} {
		if !found[want] {
			t.Errorf("search did not surface %q", want)
		}
	}

	// Internal subjects are locked: neither a client without credentials
	// nor another stage's user may forge an event there, so the article
	// stays as ingested.
	forged, _ := events.Marshal(&events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1,
		ID: "c5c9df72a2acaa7c-0", ArticleID: "c5c9df72a2acaa7c", Version: "evil", ArticleSeq: 1 << 40, Count: 1, Text: "Forged."}})
	ingestKey, err := nats.NkeyOptionFromSeed(s.Keys[access.Ingest].SeedFile)
	if err != nil {
		t.Fatal(err)
	}
	for who, opts := range map[string][]nats.Option{"a client without credentials": nil, "the ingest user": {ingestKey}} {
		nc, err := nats.Connect(s.NATSURL, opts...)
		if err != nil {
			t.Fatal(err)
		}
		js := bustest.JetStream(t, nc)
		for _, subj := range []string{events.SubjectEnriched, events.IndexedSubject("c5c9df72a2acaa7c"), events.DeadLetterSubject("index")} {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := js.Publish(pctx, subj, forged)
			cancel()
			if err == nil {
				t.Errorf("%s published on %s", who, subj)
			}
		}
		nc.Close()
	}
	getJSON(t, s.HTTPURL+"/stats", &stats)
	if stats["articles"] != float64(1) || stats["paragraphs"] != float64(17) {
		t.Errorf("stats after forgery attempts = %v, want 1 article, 17 paragraphs", stats)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestEnrichersShareTheWork runs three enrichers over 500 articles: every
// paragraph is indexed exactly once, every enricher takes a share, bad input
// lands in the dead-letter stream with its reason, and SIGTERM stops every
// service cleanly with nothing left unacked.
func TestEnrichersShareTheWork(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s, logs := startStack(t, ctx, 3)

	nc, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)

	const articles = 500
	start := time.Now()
	want := publishArticles(t, ctx, js, 0, articles)
	bad := []string{`{"title":"t","body":""}`, `{"title": `, "Judul\n\nIsi \xff artikel", "Judul\n\n" + strings.Repeat("x ", 300_000)}
	var outs []message.Out
	for _, b := range bad {
		outs = append(outs, message.Out{Subject: events.SubjectArticlesNew, Data: []byte(b)})
	}
	if err := bus.Publish(ctx, js, outs, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	stats := waitArticles(s, articles, 3*time.Minute)
	t.Logf("%d articles, %d paragraphs indexed in %v", stats.Articles, stats.Paragraphs, time.Since(start).Round(time.Millisecond))
	if stats.Articles != articles || stats.Paragraphs != want {
		t.Fatalf("index holds %d articles and %d paragraphs, want %d and %d", stats.Articles, stats.Paragraphs, articles, want)
	}
	// Exactly once on the bus too: no paragraph was enriched into two messages.
	enriched := bustest.Stream(t, ctx, js, events.StreamEnriched)
	if info := bustest.StreamInfo(t, ctx, enriched); info.State.Msgs != uint64(want) {
		t.Errorf("ENRICHED holds %d messages, want %d", info.State.Msgs, want)
	}
	dls := bustest.Stream(t, ctx, js, events.StreamDeadLetter)
	if info := bustest.StreamInfo(t, ctx, dls); info.State.Msgs != uint64(len(bad)) {
		t.Errorf("DEADLETTER holds %d messages, want %d", info.State.Msgs, len(bad))
	}

	for _, name := range []string{"ingest", "enrich-1", "enrich-2", "enrich-3", "index"} {
		if err := s.Signal(name, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := s.Wait(name); err != nil {
			t.Errorf("%s after SIGTERM: %v (want exit 0)", name, err)
		}
	}
	// Each enricher's final summary shows its share of the work.
	total := 0
	for i := 1; i <= 3; i++ {
		m := regexp.MustCompile(fmt.Sprintf(`enrich-%d\s*\| .*"final summary".*"processed":(\d+)`, i)).FindStringSubmatch(logs.String())
		if m == nil {
			t.Fatalf("no final summary from enrich-%d", i)
		}
		n, _ := strconv.Atoi(m[1])
		if n == 0 {
			t.Errorf("enrich-%d processed nothing: the work is not shared", i)
		}
		t.Logf("enrich-%d processed %d paragraphs", i, n)
		total += n
	}
	if total != want {
		t.Errorf("enrichers processed %d paragraphs in all, want %d", total, want)
	}
	for _, c := range []struct{ stream, durable string }{
		{events.StreamArticles, events.ConsumerIngest}, {events.StreamParagraphs, events.ConsumerEnrich}, {events.StreamEnriched, events.ConsumerIndex},
	} {
		if info := bustest.ConsumerInfo(t, ctx, js, c.stream, c.durable); info.NumPending != 0 || info.NumAckPending != 0 {
			t.Errorf("consumer %s: %v pending, %v unacked", c.durable, info.NumPending, info.NumAckPending)
		}
	}
	if err := s.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
