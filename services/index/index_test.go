package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// TestIndexService runs the real service: enriched paragraphs become
// searchable, the article's completion is announced once all its paragraphs
// are in, a replay changes nothing, and an invalid event is dead-lettered.
func TestIndexService(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env := map[string]string{"NATS_URL": srv.ClientURL(), "HTTP_ADDR": "127.0.0.1:0", "INDEX_DIR": t.TempDir(), "SUMMARY_INTERVAL": "0"}
	getenv := func(k string) string { return env[k] }
	logs := &bustest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, []string{"index"}, getenv, logs, logs) }()
	base := bustest.ServedURL(t, logs, "serving search")

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	bustest.WaitFor(t, func() bool { _, err := js.Stream(ctx, events.StreamEnriched); return err == nil })

	texts := []string{
		"Presiden Tiongkok Xi Jinping telah menyambut rekannya Rusia Vladimir Putin di Beijing.",
		"Putin memuji hubungan Moskow dengan Beijing pada hari Selasa.",
	}
	var outs []message.Out
	for i, text := range texts {
		e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1, ID: events.ParagraphID("art1", i), ArticleID: "art1",
			Version: "v1", Index: i, Count: len(texts), Title: "Xi menyambut Putin", Lang: "id", PublishedAt: "2025-09-02", Text: text}}
		e.Entities = []events.Entity{}
		for _, name := range []struct{ s, canon string }{{"Tiongkok", "China"}, {"Moskow", "Moscow"}, {"Putin", "Vladimir Putin"}} {
			if at := strings.Index(text, name.s); at >= 0 {
				e.Entities = append(e.Entities, events.Entity{Text: name.s, Type: events.Location, Start: at, End: at + len(name.s), Canonical: name.canon})
			}
		}
		e.Dates = []events.Date{}
		data, _ := events.Marshal(&e)
		outs = append(outs, message.Out{Subject: events.SubjectEnriched, Data: data})
	}
	outs = append(outs, outs...) // a replay: every paragraph twice
	// Two invalid events in the same batch: each is dead-lettered alone,
	// and the others go through. An article id with a space cannot be a
	// subject token (articles.indexed.<id>).
	outs = append(outs, message.Out{Subject: events.SubjectEnriched, Data: []byte(`{"v":1,"id":"x-0"}`)},
		message.Out{Subject: events.SubjectEnriched, Data: []byte(`{"v":1,"id":"bad id-0","article_id":"bad id","version":"v1",` +
			`"index":0,"count":1,"title":"T","lang":"en","text":"Forged.","entities":[],"dates":[]}`)})
	if err := bus.Publish(ctx, js, outs, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// The service creates INDEXED after ENRICHED: it may not be there yet.
	bustest.WaitFor(t, func() bool {
		indexed, err := js.Stream(ctx, events.StreamIndexed)
		if err != nil {
			return false
		}
		_, err = indexed.GetLastMsgForSubject(ctx, events.IndexedSubject("art1"))
		return err == nil
	})

	// The search that "wartactl search Beijing --entity tiongkok" asks for
	// (its output is tested in cmd/wartactl): an entity as written.
	if code, body := bustest.Get(t, base+"/search?q=Beijing&entity=tiongkok"); code != http.StatusOK ||
		!strings.Contains(body, `"total":1,`) || !strings.Contains(body, "Xi Jinping") || !strings.Contains(body, `\u003cmark\u003eBeijing`) {
		t.Errorf("search for Beijing with entity tiongkok: %d\n%s", code, body)
	}
	if code, body := bustest.Get(t, base+"/search?q=putin&group=paragraph"); code != http.StatusOK ||
		!strings.Contains(body, `"total":2`) || !strings.Contains(body, `\u003cmark\u003ePutin`) {
		t.Errorf("search for putin: want 2 paragraph hits (a replay adds none) with highlights:\n%s", body)
	}
	dls := bustest.Stream(t, ctx, js, events.StreamDeadLetter)
	bustest.WaitFor(t, func() bool { i, err := dls.Info(ctx); return err == nil && i.State.Msgs == 2 })

	stop()
	if err := <-done; err != nil {
		t.Fatalf("service: %v\n%s", err, logs.String())
	}
	for _, want := range []string{`"msg":"article indexed"`, `"article_id":"art1"`, `"msg":"dead letter"`, `"msg":"final summary"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
}
