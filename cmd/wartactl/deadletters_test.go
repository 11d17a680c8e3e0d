package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/deadletter"
	"github.com/warta-news/warta/pkg/events"
)

// TestDeadlettersCommand dead-letters an article that is over the size limit,
// lists it with "wartactl deadletters list", raises the limit (the fix),
// replays it with "wartactl deadletters replay" and finds it ingested.
func TestDeadlettersCommand(t *testing.T) {
	binary(t, "ingest") // built before the test's clock starts
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env := map[string]string{"NATS_URL": srv.ClientURL(), "SUMMARY_INTERVAL": "0", "MAX_ARTICLE_BYTES": "1024"}
	getenv := func(k string) string { return env[k] }
	startIngest := func() (stop func()) {
		s := startService(t, "ingest", "NATS_URL="+env["NATS_URL"], "SUMMARY_INTERVAL="+env["SUMMARY_INTERVAL"],
			"MAX_ARTICLE_BYTES="+env["MAX_ARTICLE_BYTES"])
		return func() {
			if err := s.stop(); err != nil {
				t.Errorf("ingest: %v", err)
			}
		}
	}
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"wartactl", "deadletters"}, args...), getenv, nil, &out, &out)
		return out.String(), err
	}

	stop := startIngest()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	bustest.WaitFor(t, func() bool { _, err := js.Stream(ctx, events.StreamDeadLetter); return err == nil })
	long := "Artikel panjang\n\n" + strings.Repeat("Kalimat yang cukup panjang untuk artikel ini. ", 60)
	if _, err := js.Publish(ctx, events.SubjectArticlesNew, []byte(long)); err != nil {
		t.Fatal(err)
	}
	bustest.WaitFor(t, func() bool {
		es, err := deadletter.List(ctx, js, deadletter.Filter{})
		return err == nil && len(es) == 1
	})
	stop()

	out, err := cli("list")
	if err != nil {
		t.Fatalf("list: %v\n%s", err, out)
	}
	t.Logf("wartactl deadletters list:\n%s", out)
	for _, want := range []string{"SEQ", "REASON", "ingest", "articles.new", fmt.Sprintf("%dB", len(long)), `"Artikel panjang Kalimat`, "too large"} {
		if !strings.Contains(out, want) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}
	out, err = cli("list", "--json", "--stage", "ingest")
	if err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	var e deadletter.Entry
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Seq != 1 || string(e.Payload) != long || e.Deliveries != 1 {
		t.Errorf("list --json: %v, entry %+v", err, e)
	}
	if out, _ := cli("list", "--stage", "enrich"); !strings.Contains(out, "no dead letters") {
		t.Errorf("list --stage enrich: %s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "list or replay"},
		{[]string{"purge"}, `unknown command "purge"`},
		{[]string{"replay"}, "give SEQ numbers, or --all"},
		{[]string{"replay", "--all", "1"}, "not both"},
		{[]string{"replay", "one"}, `"one" is not a dead letter number`},
		{[]string{"replay", "99"}, "1 of 1 dead letters not replayed"},
		{[]string{"replay", "--stage", "enrich", "1"}, "1 of 1 dead letters not replayed"},
		{[]string{"list", "--limit", "-1"}, "limit -1"},
	} {
		if out, err := cli(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("deadletters %v: error %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
	for _, args := range [][]string{{"--help"}, {"list", "--help"}, {"replay", "--help"}} {
		if out, err := cli(args...); err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "deadletters") {
			t.Errorf("deadletters %v: %v\n%s", args, err, out)
		}
	}

	// The fix: a larger limit. The replayed article is ingested and its dead letter goes.
	env["MAX_ARTICLE_BYTES"] = "65536"
	stop = startIngest()
	defer stop()
	out, err = cli("replay", "--stage", "ingest", "1")
	if err != nil || !strings.Contains(out, "replayed 1 (ingest) to articles.new as ARTICLES 2") {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	paragraphs := bustest.Stream(t, ctx, js, events.StreamParagraphs)
	bustest.WaitFor(t, func() bool { info, err := paragraphs.Info(ctx); return err == nil && info.State.Msgs > 0 })
	if out, _ := cli("list"); !strings.Contains(out, "no dead letters") {
		t.Errorf("the replayed dead letter is still listed:\n%s", out)
	}
	if out, err := cli("replay", "--all"); err != nil || !strings.Contains(out, "no dead letters to replay") {
		t.Errorf("replay --all with none left: %v\n%s", err, out)
	}
}
