package main

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// TestRestoreFromCopy follows deploy/README.md's "Back up the index": a
// copy of the folder of a stopped index, put back after the folder is
// lost and replayed over from ENRICHED with a consumer of its own and no
// alerts, holds every article as the lost index did, those indexed after
// the copy too; then the index goes back to its own consumer and indexes
// what comes next.
func TestRestoreFromCopy(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	start := func(dir string, extra ...string) (indexInstance, func() error) {
		t.Helper()
		env := map[string]string{"NATS_URL": srv.ClientURL(), "INDEX_DIR": dir, "SUMMARY_INTERVAL": "0"}
		for i := 0; i+1 < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		base, _, stop := startService(ctx, t, env)
		return indexInstance{url: base}, stop
	}
	publish := func(consumer string, outs ...[]message.Out) {
		t.Helper()
		for _, o := range outs {
			if err := bus.Publish(ctx, js, o, 5*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		bustest.WaitDrained(t, ctx, js, events.StreamEnriched, consumer)
	}
	copyDir := func(from string) string {
		t.Helper()
		to := t.TempDir()
		if err := os.CopyFS(to, os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
		return to
	}

	dir := t.TempDir()
	_, stop := start(dir)
	publish(events.ConsumerIndex, floodArticle(t, "before", 1, false))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	backup := copyDir(dir)

	// After the copy: a new article, and a new revision of the one before.
	ix, stop := start(dir)
	publish(events.ConsumerIndex, floodArticle(t, "after", 2, true), floodArticle(t, "before", 3, true))
	ids := []string{"before", "after"}
	wantStats := ix.stats(t)
	want := map[string]map[string]any{}
	for _, id := range ids {
		want[id] = ix.article(id)
	}
	if wantStats.Articles != 2 || want["before"]["version"] != "v3" {
		t.Fatalf("before the loss: %+v, article before of version %v; want 2 articles, before of v3", wantStats, want["before"]["version"])
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil { // the disk is lost
		t.Fatal(err)
	}

	restored := copyDir(backup)
	ix, stop = start(restored, "INDEX_CONSUMER", "index-restore", "ALERTS", "false")
	bustest.WaitDrained(t, ctx, js, events.StreamEnriched, "index-restore")
	if st := ix.stats(t); st != wantStats {
		t.Errorf("restored and replayed: %+v, want %+v as before the loss", st, wantStats)
	}
	for _, id := range ids {
		if got := ix.article(id); !reflect.DeepEqual(got, want[id]) {
			t.Errorf("restored and replayed, /articles/%s = %v, want %v as before the loss", id, got, want[id])
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Back to the manifests' settings: its own consumer, alerts on.
	ix, _ = start(restored)
	publish(events.ConsumerIndex, floodArticle(t, "next", 4, false))
	if st := ix.stats(t); st.Articles != wantStats.Articles+1 {
		t.Errorf("after going back to consumer %s: %+v, want %d articles", events.ConsumerIndex, st, wantStats.Articles+1)
	}
	if got := ix.article("before"); !reflect.DeepEqual(got, want["before"]) {
		t.Errorf("after going back to consumer %s, /articles/before = %v, want %v", events.ConsumerIndex, got, want["before"])
	}
}
