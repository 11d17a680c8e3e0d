package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// TestIngestService runs the real service against a real server: the sample
// becomes 17 paragraph events, publishing it twice makes two revisions of
// one article (each paragraph stamped with its article's place in
// ARTICLES), and bad input lands in the dead-letter stream with a reason.
func TestIngestService(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env := map[string]string{"NATS_URL": srv.ClientURL(), "SUMMARY_INTERVAL": "0"}
	logs := &bustest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, []string{"ingest"}, func(k string) string { return env[k] }, logs, logs)
	}()

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	bustest.WaitFor(t, func() bool { _, err := js.Stream(ctx, events.StreamArticles); return err == nil })

	sample, err := os.ReadFile("../../samples/xi-putin-beijing.id.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The sample dropped twice: one article, two revisions.
	for range 2 {
		if _, err := js.Publish(ctx, events.SubjectArticlesNew, sample); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	bad := map[string]string{
		"empty body":   `{"title":"Judul","body":"   "}`,
		"invalid json": `{"title": "x", "body": `,
		"invalid utf8": "Judul\n\nIsi \xff\xfe artikel.",
		"oversized":    "Judul\n\n" + strings.Repeat("kata ", 200_000),
	}
	for _, payload := range bad {
		if _, err := js.Publish(ctx, events.SubjectArticlesNew, []byte(payload)); err != nil {
			t.Fatal(err)
		}
	}

	paragraphs := bustest.Stream(t, ctx, js, events.StreamParagraphs)
	dls := bustest.Stream(t, ctx, js, events.StreamDeadLetter)
	bustest.WaitFor(t, func() bool {
		pi, perr := paragraphs.Info(ctx)
		di, derr := dls.Info(ctx)
		return perr == nil && derr == nil && pi.State.Msgs >= 2*17 && di.State.Msgs >= uint64(len(bad))
	})
	bustest.WaitDrained(t, ctx, js, events.StreamArticles, events.ConsumerIngest)
	revisions := map[uint64]int{}
	ordered, err := paragraphs.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 * 17 {
		m, err := ordered.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		p, err := events.DecodeParagraph(m.Data())
		if err != nil {
			t.Fatal(err)
		}
		revisions[p.ArticleSeq]++
	}
	if pi := bustest.StreamInfo(t, ctx, paragraphs); pi.State.Msgs != 2*17 || len(revisions) != 2 || revisions[1] != 17 || revisions[2] != 17 {
		t.Errorf("paragraphs stream has %d messages of revisions %v, want 17 of each of ARTICLES sequences 1 and 2", pi.State.Msgs, revisions)
	}
	// Every dead letter says what was wrong.
	reasons := map[string]bool{}
	cons, err := dls.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for range len(bad) {
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		var dl events.DeadLetter
		if err := events.Unmarshal(m.Data(), &dl); err != nil {
			t.Fatal(err)
		}
		if dl.Stage != events.StageIngest || len(dl.Payload) == 0 || dl.Reason == "" {
			t.Errorf("dead letter %+v lacks stage, payload or reason", dl)
		}
		reasons[dl.Reason] = true
		if strings.Contains(dl.Reason, "too large") && (!dl.PayloadTruncated || dl.PayloadBytes != len(bad["oversized"])) {
			t.Errorf("oversized dead letter: truncated=%v bytes=%d, want truncated copy of %d bytes",
				dl.PayloadTruncated, dl.PayloadBytes, len(bad["oversized"]))
		}
	}
	for _, want := range []string{"empty body", "not decodable", "UTF-8", "too large"} {
		found := false
		for r := range reasons {
			found = found || strings.Contains(r, want)
		}
		if !found {
			t.Errorf("no dead letter reason mentions %q; got %v", want, reasons)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("service: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"article ingested"`) || !strings.Contains(logs.String(), `"msg":"dead letter"`) {
		t.Errorf("logs lack the ingested and dead-letter lines:\n%s", logs.String())
	}
}

func TestHelpAndBadConfig(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ingest", "--help"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wartactl publish", "-nats-url", "NATS_URL", "MAX_ARTICLE_BYTES"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	err := run(context.Background(), []string{"ingest"}, func(k string) string {
		return map[string]string{"WORKERS": "0"}[k]
	}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "workers") {
		t.Errorf("bad WORKERS not reported: %v", err)
	}
}
