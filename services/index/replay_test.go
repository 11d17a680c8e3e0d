package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// pipelineBinaries returns a folder with the ingest and enrich binaries:
// WARTA_BIN_DIR (make test builds them there), or a fresh build.
func pipelineBinaries(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("WARTA_BIN_DIR"); dir != "" {
		return dir
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+"/", "../ingest", "../enrich")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build ingest and enrich: %v\n%s", err, out)
	}
	return dir
}

// serviceEnv is the environment of a service binary under test: the test's
// own, with NATS at natsURL and no periodic summaries.
func serviceEnv(natsURL string) []string {
	return append(os.Environ(), "NATS_URL="+natsURL, "SUMMARY_INTERVAL=0")
}

// indexInstance is an index service run in-process by the test.
type indexInstance struct {
	url string
}

func startIndex(t *testing.T, ctx context.Context, env map[string]string, logs io.Writer) indexInstance {
	t.Helper()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	own := &bustest.LogBuffer{} // where this instance says it serves
	w := io.MultiWriter(logs, own)
	go func() { done <- run(runCtx, []string{"index"}, func(k string) string { return env[k] }, w, w) }()
	ix := indexInstance{url: bustest.ServedURL(t, own, "serving search")}
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("index on %s: %v", ix.url, err)
		}
	})
	// Ready: consuming, its streams in place, so stopping it is a clean stop.
	bustest.WaitFor(t, func() bool { _, err := ix.get("/readyz"); return err == nil })
	return ix
}

// get returns the JSON body of a 200 answer.
func (ix indexInstance) get(path string) ([]byte, error) {
	resp, err := http.Get(ix.url + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return body, nil
}

type replayStats struct {
	Articles   uint64 `json:"articles"`
	Paragraphs uint64 `json:"paragraphs"`
	DocCount   uint64 `json:"doc_count"`
}

func (ix indexInstance) stats(t *testing.T) replayStats {
	t.Helper()
	var st replayStats
	body, err := ix.get("/stats")
	if err == nil {
		err = json.Unmarshal(body, &st)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// article returns /articles/{id} as generic JSON without indexed_at (when
// this index found it complete), or nil if the index does not have it.
func (ix indexInstance) article(id string) map[string]any {
	body, err := ix.get("/articles/" + url.PathEscape(id))
	if err != nil {
		return nil
	}
	var a map[string]any
	if json.Unmarshal(body, &a) != nil {
		return nil
	}
	delete(a, "indexed_at")
	return a
}

func (ix indexInstance) searchTotal(t *testing.T, q string) float64 {
	t.Helper()
	body, err := ix.get("/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Total float64 `json:"total"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func paragraphTexts(a map[string]any) []string {
	ps, _ := a["paragraphs"].([]any)
	var out []string
	for _, p := range ps {
		m, _ := p.(map[string]any)
		s, _ := m["text"].(string)
		out = append(out, s)
	}
	return out
}

// TestUpdatesAndReplay runs the real pipeline (ingest and enrich binaries,
// the index in-process) and checks that an article dropped twice is indexed
// once, that a new version of an article replaces the old one with its stale
// paragraphs gone, and that a second index replaying ENRICHED from the start
// into a fresh folder (another durable consumer) ends up equal to the first.
func TestUpdatesAndReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the pipeline binaries")
	}
	bins := pipelineBinaries(t)
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logs := &bustest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	start := time.Now()
	primary := startIndex(t, ctx, map[string]string{"NATS_URL": srv.ClientURL(), "HTTP_ADDR": "127.0.0.1:0",
		"INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0"}, logs)
	bustest.Spawn(t, filepath.Join(bins, "ingest"), serviceEnv(srv.ClientURL()), logs)
	bustest.Spawn(t, filepath.Join(bins, "enrich"), serviceEnv(srv.ClientURL()), logs)

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	bustest.WaitFor(t, func() bool {
		_, err := js.Consumer(ctx, events.StreamArticles, events.ConsumerIngest)
		return err == nil
	})

	drop := func(id string, paragraphs ...string) {
		t.Helper()
		data, _ := json.Marshal(events.Article{ID: id, Title: "Berita " + id, Lang: "id", PublishedAt: "2025-09-02",
			Body: strings.Join(paragraphs, "\n\n")})
		if _, err := js.Publish(ctx, events.SubjectArticlesNew, data); err != nil {
			t.Fatal(err)
		}
	}
	oldVersion := []string{
		"Presiden Prabowo Subianto bertemu Xi Jinping di Beijing pada hari Selasa.",
		"Kedua pemimpin membahas perdagangan antara Indonesia dan Tiongkok.",
		"Menteri Luar Negeri Sugiono ikut dalam pertemuan di Balai Agung Rakyat.",
		"Paragraf lama ini menyebut kata unik zebrafosil yang hanya ada di versi pertama.",
		"Pertemuan itu berlangsung dua jam sebelum jamuan makan malam.",
	}
	newVersion := []string{
		"Presiden Prabowo Subianto bertemu Xi Jinping di Beijing pada hari Rabu.",
		"Versi baru ini menyebut kata unik kudanilbiru dan tidak lagi menyebut yang lama.",
		"Pertemuan itu berlangsung tiga jam di Jakarta menurut Kementerian Luar Negeri.",
	}
	// Every article is dropped twice: the same article is one article. Each
	// drop is a revision of its own (a later drop of the same content is
	// indexed again, not dropped as a duplicate: see the revert below).
	const others = 8
	for range 2 {
		drop("upd-1", oldVersion...)
		for i := range others {
			drop(fmt.Sprintf("other-%d", i),
				fmt.Sprintf("Joko Widodo mengunjungi Surabaya untuk acara nomor %d pada 1 September 2025.", i),
				fmt.Sprintf("Gubernur Jawa Timur menyambutnya di Bandara Juanda bersama %d warga.", 100+i))
		}
	}
	wantParagraphs := uint64(len(oldVersion) + 2*others)
	bustest.WaitFor(t, func() bool {
		st := primary.stats(t)
		return st.Articles == 1+others && st.Paragraphs == wantParagraphs
	})
	// Once everything dropped went through, the index holds each article once.
	enriched := bustest.Stream(t, ctx, js, events.StreamEnriched)
	bustest.WaitFor(t, func() bool {
		info, err := enriched.Info(ctx)
		return err == nil && info.State.Msgs >= 2*wantParagraphs
	})
	bustest.WaitDrained(t, ctx, js, events.StreamEnriched, events.ConsumerIndex)
	if info := bustest.StreamInfo(t, ctx, enriched); info.State.Msgs != 2*wantParagraphs {
		t.Errorf("ENRICHED holds %d paragraphs, want %d: two revisions of every article, each paragraph once", info.State.Msgs, 2*wantParagraphs)
	}
	if st := primary.stats(t); st.Articles != 1+others || st.Paragraphs != wantParagraphs {
		t.Errorf("after dropping every article twice: %+v, want %d articles and %d paragraphs", st, 1+others, wantParagraphs)
	}
	old := primary.article("upd-1")
	if n := primary.searchTotal(t, "zebrafosil"); n != 1 {
		t.Fatalf("search for a word of old paragraph 4 finds %v paragraphs before the update, want 1", n)
	}

	// The same id with changed content: the new version replaces the old.
	drop("upd-1", newVersion...)
	bustest.WaitFor(t, func() bool {
		a := primary.article("upd-1")
		return a != nil && a["version"] != old["version"] && a["complete"] == true
	})
	updated := primary.article("upd-1")
	if got := paragraphTexts(updated); !reflect.DeepEqual(got, newVersion) {
		t.Errorf("/articles/upd-1 after the update lists %q, want the 3 new paragraphs", got)
	}
	if updated["count"] != float64(3) {
		t.Errorf("/articles/upd-1 count = %v, want 3", updated["count"])
	}
	if n := primary.searchTotal(t, "zebrafosil"); n != 0 {
		t.Errorf("search for a word only in old paragraph 4 finds %v paragraphs, want 0", n)
	}
	if n := primary.searchTotal(t, "kudanilbiru"); n != 1 {
		t.Errorf("search for a word of the new version finds %v paragraphs, want 1", n)
	}
	// Reverting to the old text, then back to the new one: each publication
	// is a newer revision, so each wins, even though its content (and its
	// version hash) was published minutes before.
	drop("upd-1", oldVersion...)
	bustest.WaitFor(t, func() bool {
		a := primary.article("upd-1")
		return a != nil && a["version"] == old["version"] && a["complete"] == true
	})
	if n := primary.searchTotal(t, "zebrafosil"); n != 1 {
		t.Errorf("after reverting, a word of old paragraph 4 finds %v paragraphs, want 1", n)
	}
	drop("upd-1", newVersion...)
	bustest.WaitFor(t, func() bool {
		a := primary.article("upd-1")
		return a != nil && a["version"] == updated["version"] && a["complete"] == true
	})
	wantParagraphs = uint64(len(newVersion) + 2*others)
	bustest.WaitFor(t, func() bool { return primary.stats(t).Paragraphs == wantParagraphs })
	firstStats := primary.stats(t)
	if firstStats.Articles != 1+others {
		t.Errorf("after the update: %+v, want %d articles", firstStats, 1+others)
	}
	t.Logf("pipeline indexed %d articles, one updated, in %v: %+v", 1+others, time.Since(start).Round(time.Millisecond), firstStats)

	// Rebuild: a second index reads ENRICHED from the start into a fresh folder.
	rebuildStart := time.Now()
	rebuilt := startIndex(t, ctx, map[string]string{"NATS_URL": srv.ClientURL(), "HTTP_ADDR": "127.0.0.1:0",
		"INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0", "INDEX_CONSUMER": "index-rebuild"}, logs)
	bustest.WaitFor(t, func() bool {
		a := rebuilt.article("upd-1")
		return rebuilt.stats(t).Paragraphs == wantParagraphs && a != nil && a["version"] == updated["version"]
	})
	t.Logf("rebuilt index caught up in %v", time.Since(rebuildStart).Round(time.Millisecond))
	if a, b := primary.stats(t), rebuilt.stats(t); a != b {
		t.Errorf("stats differ: primary %+v, rebuilt %+v", a, b)
	}
	ids := []string{"upd-1"}
	for i := range others {
		ids = append(ids, fmt.Sprintf("other-%d", i))
	}
	for _, id := range ids {
		a, b := primary.article(id), rebuilt.article(id)
		if a == nil || !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Errorf("/articles/%s differs:\nprimary %s\nrebuilt %s", id, ja, jb)
		}
	}
	for _, q := range []string{"zebrafosil", "kudanilbiru", "Surabaya", "Beijing"} {
		if a, b := primary.searchTotal(t, q), rebuilt.searchTotal(t, q); a != b {
			t.Errorf("search %q: primary finds %v, rebuilt %v", q, a, b)
		}
	}
	if _, err := js.Consumer(ctx, events.StreamEnriched, "index-rebuild"); err != nil {
		t.Errorf("the rebuild did not use its own durable consumer: %v", err)
	}
}
