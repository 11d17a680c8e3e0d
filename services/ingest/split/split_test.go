package split_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/ingest/split"
)

// TestStageHandle runs the ingest stage's handler on plain messages, no
// NATS server: an article becomes one paragraph event per paragraph,
// stamped with its message's stream sequence; bad input, a message without
// a stream sequence and a paragraph too large for a NATS message each fail
// their own message only, and publish nothing of it.
func TestStageHandle(t *testing.T) {
	good := []byte("Xi menyambut Putin\n\nPresiden Xi Jinping menyambut Vladimir Putin.\n\nKedua pemimpin bertemu di Beijing.")
	long := []byte("Judul panjang\n\n" + strings.Repeat("kata ", 400))
	s := &split.Stage{Options: article.Options{MaxBytes: 64 << 10, MaxParagraphs: 100},
		MaxPayload: split.HeaderRoom + 1500, Log: zaptest.NewLogger(t)}
	b := message.NewBatch(
		message.Msg{Data: good, Delivered: 1, StreamSeq: 7},
		message.Msg{Data: []byte("Judul saja"), Delivered: 1, StreamSeq: 8},
		message.Msg{Data: good, Delivered: 1},
		message.Msg{Data: long, Delivered: 1, StreamSeq: 9},
	)
	if err := s.Handle(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := b.Err(0); err != nil {
		t.Fatalf("good article: %v", err)
	}
	outs := b.Outs(0)
	if len(outs) != 2 {
		t.Fatalf("good article: %d outputs, want 2 paragraphs", len(outs))
	}
	for i, o := range outs {
		p, err := events.DecodeParagraph(o.Data)
		if err != nil {
			t.Fatal(err)
		}
		if o.Subject != events.SubjectParagraphs || p.ArticleSeq != 7 || p.Index != i || p.Count != 2 ||
			o.MsgID != events.MsgID(events.StageIngest, &p) || p.Title != "Xi menyambut Putin" {
			t.Errorf("output %d: %s %s %+v", i, o.Subject, o.MsgID, p)
		}
	}
	for i, want := range map[int]error{1: events.ErrInvalid, 3: events.ErrTooLarge} {
		if err := b.Err(i); !errors.Is(err, want) || len(b.Outs(i)) != 0 {
			t.Errorf("message %d: %v, %d outputs; want an error matching %v and none", i, err, len(b.Outs(i)), want)
		}
	}
	if err := b.Err(2); err == nil || errors.Is(err, events.ErrInvalid) || len(b.Outs(2)) != 0 {
		t.Errorf("message without a stream sequence: %v; want a failure that is retried, and no output", err)
	}
}
