package indexer_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/indexer"
	"github.com/warta-news/warta/services/index/store"
)

// TestHandle runs the index stage's handler on plain messages and a real
// Bleve index, no NATS server: the batch that completes an article emits
// its ArticleIndexed from the article's last message, under the indexed
// message id; a message that is no enriched paragraph, and one the store
// rejects, fail alone.
func TestHandle(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "index"), store.WithMaxParagraphs(10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	m, err := indexer.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	h := &indexer.Handler{Store: st, Log: zaptest.NewLogger(t), Metrics: m}
	para := func(id string, i, count int, text string) message.Msg {
		e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: events.Version, ID: events.ParagraphID(id, i),
			ArticleID: id, Version: "v1", ArticleSeq: 5, Index: i, Count: count, Title: "Xi menyambut Putin",
			Lang: "id", PublishedAt: "2025-09-02", Text: text},
			Entities: []events.Entity{}, Dates: []events.Date{}}
		data, err := events.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		return message.Msg{Data: data, Stored: time.Now(), Delivered: 1}
	}
	b := message.NewBatch(
		para("a1", 0, 2, "Presiden Xi Jinping menyambut Vladimir Putin."),
		message.Msg{Data: []byte(`{"v":1}`), Delivered: 1},
		para("a1", 1, 2, "Kedua pemimpin bertemu di Beijing."),
		para("b2", 0, 20, "Sebuah paragraf dari artikel yang mengaku punya 20 paragraf."),
	)
	if err := h.Handle(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if len(b.Outs(0)) != 0 || b.Err(0) != nil {
		t.Errorf("first paragraph: %v, %d outputs; want neither (the article completes with the second)", b.Err(0), len(b.Outs(0)))
	}
	for _, i := range []int{1, 3} {
		if err := b.Err(i); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("message %d: %v, want an error matching ErrInvalid", i, err)
		}
	}
	outs := b.Outs(2)
	if b.Err(2) != nil || len(outs) != 1 {
		t.Fatalf("last paragraph: %v, outputs %+v; want the article's completion", b.Err(2), outs)
	}
	var done events.ArticleIndexed
	if err := events.Unmarshal(outs[0].Data, &done); err != nil {
		t.Fatal(err)
	}
	if outs[0].Subject != events.IndexedSubject("a1") || outs[0].MsgID != events.IndexedMsgID(&done) ||
		done.ArticleID != "a1" || done.ArticleSeq != 5 || done.Paragraphs != 2 {
		t.Errorf("completion on %s id %s: %+v", outs[0].Subject, outs[0].MsgID, done)
	}
	if s, err := st.Stats(context.Background()); err != nil || s.Articles != 1 || s.Paragraphs != 2 {
		t.Errorf("store stats %+v, %v; want 1 article of 2 paragraphs", s, err)
	}
}

// TestHandleCompletionBesideRejected: when the last message of an article
// in a batch is one the store rejects, the article's completion is emitted
// from its last message that was stored, not lost with the rejected one.
func TestHandleCompletionBesideRejected(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "index"), store.WithMaxParagraphs(10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := &indexer.Handler{Store: st, Log: zaptest.NewLogger(t)}
	para := func(i, count int) message.Msg {
		e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: events.Version, ID: events.ParagraphID("a1", i),
			ArticleID: "a1", Version: "v1", ArticleSeq: 5, Index: i, Count: count, Title: "Xi menyambut Putin",
			Lang: "id", PublishedAt: "2025-09-02", Text: "Kedua pemimpin bertemu di Beijing."},
			Entities: []events.Entity{}, Dates: []events.Date{}}
		data, err := events.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		return message.Msg{Data: data, Stored: time.Now(), Delivered: 1}
	}
	// The third claims 20 paragraphs, more than the store takes: rejected.
	b := message.NewBatch(para(0, 2), para(1, 2), para(5, 20))
	if err := h.Handle(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := b.Err(2); !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("third message: %v, want it rejected (ErrInvalid)", err)
	}
	if b.Err(1) != nil || len(b.Outs(1)) != 1 || b.Outs(1)[0].Subject != events.IndexedSubject("a1") {
		t.Errorf("second message: %v, outputs %+v; want the article's completion", b.Err(1), b.Outs(1))
	}
	if len(b.Outs(2)) != 0 {
		t.Errorf("the rejected message has outputs %+v", b.Outs(2))
	}
}

// TestHandleBeforeWrite: the hook the fault tests' build sets runs before the
// write, and its error fails the whole batch with nothing written.
func TestHandleBeforeWrite(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	slow := errors.New("disk too slow")
	h := &indexer.Handler{Store: st, Log: zaptest.NewLogger(t), BeforeWrite: func(context.Context) error { return slow }}
	e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: events.Version, ID: events.ParagraphID("a1", 0),
		ArticleID: "a1", Version: "v1", ArticleSeq: 1, Index: 0, Count: 1, Lang: "id", Text: "Putin tiba di Beijing."},
		Entities: []events.Entity{}, Dates: []events.Date{}}
	data, err := events.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(context.Background(), message.NewBatch(message.Msg{Data: data, Stored: time.Now(), Delivered: 1})); !errors.Is(err, slow) {
		t.Errorf("Handle: %v, want the hook's error", err)
	}
	if s, err := st.Stats(context.Background()); err != nil || s.Paragraphs != 0 {
		t.Errorf("store stats %+v, %v; want nothing written", s, err)
	}
}
