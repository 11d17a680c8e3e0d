package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// TestParagraphsCount: "publish --wait" says "1 paragraph searchable", not
// "1 paragraphs".
func TestParagraphsCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 paragraphs", 1: "1 paragraph", 17: "17 paragraphs"} {
		if got := paragraphs(n); got != want {
			t.Errorf("paragraphs(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPublishIDTaken: when another message took the message id of an
// article's publication, the article is published again without it (and
// the note says so) rather than reported published and never ingested; a
// retry of the same publication is stored once.
func TestPublishIDTaken(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: events.StreamArticles, Subjects: []string{events.SubjectArticlesNew}}); err != nil {
		t.Fatal(err)
	}
	id := events.ArticleMsgID("legit-1", "v", "n")
	if _, err := js.Publish(ctx, events.SubjectArticlesNew, []byte("junk"), jetstream.WithMsgID(id)); err != nil {
		t.Fatal(err)
	}
	article := []byte(`{"id":"legit-1","title":"Judul","body":"Isi."}`)
	seq, note, err := publishArticle(ctx, js, article, id)
	if err != nil || seq != 2 || !strings.Contains(note, "published again without it") {
		t.Errorf("publish over a taken id = seq %d, note %q, %v; want sequence 2 and a note", seq, note, err)
	}
	// A retry of one publication (same id, same bytes) is stored once.
	retry := events.ArticleMsgID("legit-1", "v", "m")
	first, _, err := publishArticle(ctx, js, article, retry)
	if err != nil {
		t.Fatal(err)
	}
	again, note, err := publishArticle(ctx, js, article, retry)
	if err != nil || again != first || note != "" {
		t.Errorf("retry = seq %d (first %d), note %q, %v; want the first's sequence and no note", again, first, note, err)
	}
}

// TestPublishAboveMaxPayload drops an article larger than the server's
// max_payload: "wartactl publish" refuses it before sending, naming the
// server's limit; a raw publish fails in the client; and nothing reaches the
// stream.
func TestPublishAboveMaxPayload(t *testing.T) {
	binary(t, "ingest") // built before the test's clock starts
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ingest := startService(t, "ingest", "NATS_URL="+srv.ClientURL(), "SUMMARY_INTERVAL=0")
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
	streamMsgs := func(name string) uint64 {
		return bustest.StreamInfo(t, ctx, bustest.Stream(t, ctx, js, name)).State.Msgs
	}

	big := "Pidato panjang\n\n" + strings.Repeat("Warga berhamburan keluar rumah.\n", 50_000) // 1.6 MB
	file := filepath.Join(t.TempDir(), "besar.txt")
	if err := os.WriteFile(file, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NATS_URL": srv.ClientURL(), "MAX_ARTICLE_BYTES": strconv.Itoa(4 << 20)}
	var out bytes.Buffer
	err = run(ctx, []string{"wartactl", "publish", file}, func(k string) string { return env[k] }, nil, &out, &out)
	if err == nil {
		t.Fatalf("publish of %d bytes succeeded; want it refused\n%s", len(big), out.String())
	}
	for _, w := range []string{file, "too large", fmt.Sprintf("article is %d bytes", len(big)), "max_payload of 1048576", "split the article"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("publish output does not say %q:\n%s", w, out.String())
		}
	}
	if _, err := js.Publish(ctx, events.SubjectArticlesNew, []byte(big)); !errors.Is(err, nats.ErrMaxPayload) {
		t.Errorf("raw publish of %d bytes: %v, want nats.ErrMaxPayload", len(big), err)
	}
	if n := streamMsgs(events.StreamArticles); n != 0 {
		t.Errorf("ARTICLES has %d messages, want none", n)
	}
	// The same client still publishes an article that fits.
	out.Reset()
	good := "Gempa mengguncang Cianjur\n\n" +
		"Gempa bermagnitudo 5,6 mengguncang Cianjur, Jawa Barat, pada Senin siang.\n" +
		"Warga berhamburan keluar rumah dan petugas memeriksa bangunan yang retak."
	if err := run(ctx, []string{"wartactl", "publish", "-"}, func(k string) string { return env[k] },
		strings.NewReader(good), &out, &out); err != nil {
		t.Fatalf("publish of the good article: %v\n%s", err, out.String())
	}
	bustest.WaitDrained(t, ctx, js, events.StreamArticles, events.ConsumerIngest)
	if n := streamMsgs(events.StreamParagraphs); n != 2 {
		t.Errorf("PARAGRAPHS has %d messages, want the good article's 2", n)
	}
	if err := ingest.stop(); err != nil {
		t.Errorf("ingest: %v", err)
	}
}
