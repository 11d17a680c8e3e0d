package deadletter_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/deadletter"
	"github.com/warta-news/warta/pkg/events"
)

// TestListAndReplay stores dead letters as the stages do, lists them, and
// replays them to their original subjects: a whole payload from the dead
// letter, a truncated one from its original message, and refuses a truncated
// one whose original is gone.
func TestListAndReplay(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := bus.Start(ctx, bus.NATSConfig{URL: srv.ClientURL(), Replicas: 1}, "test", zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	js := svc.JS

	// Originals in ARTICLES: a small article and a big one.
	big := []byte("Judul\n\n" + strings.Repeat("kata ", 2000))
	var seqs []uint64
	for _, data := range [][]byte{[]byte("Judul\n\nIsi."), big, big} {
		ack, err := js.Publish(ctx, events.SubjectArticlesNew, data)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, ack.Sequence)
	}
	// The third original goes away, as when the stream's max age passes.
	articles := bustest.Stream(t, ctx, js, events.StreamArticles)
	if err := articles.DeleteMsg(ctx, seqs[2]); err != nil {
		t.Fatal(err)
	}
	store := func(stage string, f deadletter.Failed, reason string, maxPayload int64) {
		t.Helper()
		if _, err := deadletter.Store(ctx, js, stage, f, reason, maxPayload, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	// A payload of big's size is truncated with a max payload of 20 KiB.
	store(events.StageIngest, deadletter.Failed{Subject: events.SubjectArticlesNew, Data: []byte("Judul\n\nIsi."),
		Stream: events.StreamArticles, StreamSeq: seqs[0], Deliveries: 1}, "empty body", 0)
	store(events.StageEnrich, deadletter.Failed{Subject: events.SubjectParagraphs, Data: []byte(`{"v":1}`),
		Stream: events.StreamParagraphs, StreamSeq: 7, Deliveries: 5}, "gave up after 5 deliveries: timeout", 0)
	store(events.StageIngest, deadletter.Failed{Subject: events.SubjectArticlesNew, Data: big,
		Stream: events.StreamArticles, StreamSeq: seqs[1], Deliveries: 1}, "too large", 20<<10)
	store(events.StageIngest, deadletter.Failed{Subject: events.SubjectArticlesNew, Data: big,
		Stream: events.StreamArticles, StreamSeq: seqs[2], Deliveries: 1}, "too large", 20<<10)

	all, err := deadletter.List(ctx, js, deadletter.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[0].Seq != 1 || all[3].Seq != 4 || all[1].Stage != events.StageEnrich {
		t.Fatalf("List = %+v, want 4 dead letters in stream order", all)
	}
	if !all[2].PayloadTruncated || all[2].PayloadBytes != len(big) {
		t.Fatalf("big payload not truncated: %+v", all[2].DeadLetter)
	}
	for _, tc := range []struct {
		f    deadletter.Filter
		want []uint64
	}{
		{deadletter.Filter{Stage: events.StageIngest}, []uint64{1, 3, 4}},
		{deadletter.Filter{Stage: events.StageIngest, Limit: 2}, []uint64{3, 4}},
		{deadletter.Filter{Stage: events.StageIndex}, nil},
		{deadletter.Filter{Limit: 1}, []uint64{4}},
	} {
		got, err := deadletter.List(ctx, js, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var gotSeqs []uint64
		for _, e := range got {
			gotSeqs = append(gotSeqs, e.Seq)
		}
		if !slices.Equal(gotSeqs, tc.want) {
			t.Errorf("List(%+v) = %v, want %v", tc.f, gotSeqs, tc.want)
		}
	}

	if _, err := deadletter.Get(ctx, js, 2, events.StageIngest); !errors.Is(err, deadletter.ErrNotFound) {
		t.Errorf("Get of an enrich dead letter as ingest: %v, want ErrNotFound", err)
	}
	if _, err := deadletter.Get(ctx, js, 99, ""); !errors.Is(err, deadletter.ErrNotFound) {
		t.Errorf("Get(99): %v, want ErrNotFound", err)
	}

	now := func() time.Time { return time.Unix(0, 42) }
	// Replay 1 and keep it; replay it again (a fresh id, so not dropped as a duplicate).
	for range 2 {
		r, err := deadletter.Replay(ctx, js, all[0], deadletter.Options{Keep: true, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := articles.GetMsg(ctx, r.NewSeq)
		if err != nil {
			t.Fatal(err)
		}
		if r.NewStream != events.StreamArticles || string(raw.Data) != "Judul\n\nIsi." ||
			!strings.HasPrefix(raw.Header.Get(jetstream.MsgIDHeader), "replay:1:") {
			t.Errorf("replayed %s/%d: %q with id %q", r.NewStream, r.NewSeq, raw.Data, raw.Header.Get(jetstream.MsgIDHeader))
		}
	}
	// The truncated one whose original is still there: the whole payload, then the dead letter goes.
	r, err := deadletter.Replay(ctx, js, all[2], deadletter.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := articles.GetMsg(ctx, r.NewSeq)
	if err != nil {
		t.Fatal(err)
	}
	if !r.FromStream || string(raw.Data) != string(big) || raw.Header.Get(jetstream.MsgIDHeader) != "replay:3:42" {
		t.Errorf("truncated replay: from stream %v, %d bytes, id %q", r.FromStream, len(raw.Data), raw.Header.Get(jetstream.MsgIDHeader))
	}
	// The truncated one whose original is gone is refused and kept.
	if _, err := deadletter.Replay(ctx, js, all[3], deadletter.Options{}); !errors.Is(err, deadletter.ErrTruncated) {
		t.Errorf("replay of a truncated dead letter without its original: %v, want ErrTruncated", err)
	}
	left, err := deadletter.List(ctx, js, deadletter.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var leftSeqs []uint64
	for _, e := range left {
		leftSeqs = append(leftSeqs, e.Seq)
	}
	if !slices.Equal(leftSeqs, []uint64{1, 2, 4}) {
		t.Errorf("after replays the dead letters are %v, want [1 2 4] (1 kept, 3 replayed, 4 refused)", leftSeqs)
	}
}
