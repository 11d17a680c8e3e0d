package main

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// TestEnrichService runs the real service: a paragraph comes out tagged on
// paragraphs.enriched, and an undecodable one goes to the dead-letter stream.
func TestEnrichService(t *testing.T) {
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
		done <- run(runCtx, []string{"enrich"}, func(k string) string { return env[k] }, nil, logs, logs)
	}()

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	bustest.WaitFor(t, func() bool {
		_, err := js.Consumer(ctx, events.StreamParagraphs, events.ConsumerEnrich)
		return err == nil
	})

	p := events.Paragraph{V: 1, ID: "a-0", ArticleID: "a", Version: "v", Count: 1, Lang: "id", PublishedAt: "2025-09-02",
		Title: "t", Text: "Putin memanggil Xi sebagai “teman baik” pada hari Selasa dan memuji hubungan Moskow dengan Beijing."}
	data, _ := events.Marshal(&p)
	// A paragraph longer than ingest ever cuts (this one was published by
	// hand) is dead-lettered at once, not retried nor tagged: its tags
	// would not fit in a NATS message, and tagging it would take long.
	big := events.Paragraph{V: 1, ID: "big-0", ArticleID: "big", Version: "v", Count: 1, Lang: "id",
		Title: "t", Text: strings.Repeat("Putin dan Xi. ", 25000)}
	bigData, _ := events.Marshal(&big)
	if err := bus.Publish(ctx, js, []message.Out{{Subject: events.SubjectParagraphs, Data: data}, {Subject: events.SubjectParagraphs, Data: []byte("garbage")},
		{Subject: events.SubjectParagraphs, Data: bigData}}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	cons, err := js.OrderedConsumer(ctx, events.StreamEnriched, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	e, err := events.DecodeEnriched(m.Data())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, en := range e.Entities {
		got[string(en.Type)+":"+en.Canonical] = true
	}
	for _, d := range e.Dates {
		got["DATE:"+d.Value] = true
	}
	for _, want := range []string{"PERSON:Putin", "PERSON:Xi", "LOCATION:Moscow", "LOCATION:Beijing", "DATE:2025-09-02"} {
		if !got[want] {
			t.Errorf("enriched paragraph lacks %s: %+v %+v", want, e.Entities, e.Dates)
		}
	}
	dls := bustest.Stream(t, ctx, js, events.StreamDeadLetter)
	bustest.WaitFor(t, func() bool { i, err := dls.Info(ctx); return err == nil && i.State.Msgs == 2 })
	bigReason := ""
	for _, dl := range bustest.DeadLetters(t, ctx, js) {
		if dl.Deliveries != 1 {
			t.Errorf("dead letter after %d deliveries, want 1: %s", dl.Deliveries, dl.Reason)
		}
		if strings.Contains(string(dl.Payload), `"id":"big-0"`) {
			bigReason = dl.Reason
		}
	}
	if !strings.Contains(bigReason, "too large") {
		t.Errorf("dead letter of the big paragraph: %q, want it too large", bigReason)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestTagCommand tags the sample offline: one valid enriched event per
// paragraph, with the sample's people, places and dates.
func TestTagCommand(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"enrich", "tag", "../../samples/xi-putin-beijing.id.txt"}, func(string) string { return "" }, nil, &out, &errs); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	n := 0
	var all []string
	for sc.Scan() {
		e, err := events.DecodeEnriched(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		n++
		for _, en := range e.Entities {
			all = append(all, string(en.Type)+":"+en.Text+"="+en.Canonical)
		}
		for _, d := range e.Dates {
			all = append(all, "DATE:"+d.Text+"="+d.Value)
		}
	}
	if n != 17 {
		t.Errorf("%d paragraphs, want 17", n)
	}
	joined := strings.Join(all, "|")
	for _, want := range []string{"PERSON:Xi Jinping=Xi Jinping", "PERSON:Vladimir Putin=Vladimir Putin", "LOCATION:Beijing=Beijing",
		"LOCATION:Moskow=Moscow", "DATE:pada hari Selasa=2025-09-02", "DATE:pada hari Senin=2025-09-01", "DATE:tahun lalu=2024",
		"DATE:Pada tahun 2024=2024", "DATE:awal 2022=2022", "DATE:1930 -an=193X"} {
		if !strings.Contains(joined, want) {
			t.Errorf("tag output lacks %s", want)
		}
	}
}
