package tag_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/tag"
)

// TestStageHandle runs the enrich stage's handler on a batch of plain
// messages, no NATS server: a paragraph comes out enriched on
// paragraphs.enriched under the enrich stage's message id, and a message
// that is no paragraph fails alone, permanently.
func TestStageHandle(t *testing.T) {
	p := events.Paragraph{V: events.Version, ID: events.ParagraphID("a1", 0), ArticleID: "a1", Version: "v1",
		ArticleSeq: 3, Count: 1, Title: "Xi menyambut Putin", Lang: "id", PublishedAt: "2025-09-02",
		Text: "Presiden Tiongkok Xi Jinping menyambut Vladimir Putin di Beijing pada hari Selasa."}
	data, err := events.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	s := &tag.Stage{Tagger: tag.New(), Log: zaptest.NewLogger(t)}
	b := message.NewBatch(message.Msg{Data: []byte(`{"v":1,"id":"x"}`), Delivered: 1},
		message.Msg{Data: data, Stored: time.Now(), Delivered: 1, StreamSeq: 9})
	if err := s.Handle(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := b.Err(0); !errors.Is(err, events.ErrInvalid) || len(b.Outs(0)) != 0 {
		t.Errorf("message 0 (no paragraph): error %v, %d outputs; want an invalid-event error and none", err, len(b.Outs(0)))
	}
	if err := b.Err(1); err != nil {
		t.Fatalf("message 1: %v", err)
	}
	outs := b.Outs(1)
	if len(outs) != 1 || outs[0].Subject != events.SubjectEnriched || outs[0].MsgID != "enrich:a1:3:0" {
		t.Fatalf("outputs %+v, want one on %s with id enrich:a1:3:0", outs, events.SubjectEnriched)
	}
	e, err := events.DecodeEnriched(outs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, ent := range e.Entities {
		names[ent.Canonical] = true
	}
	if !names["Xi Jinping"] || !names["Vladimir Putin"] || len(e.Dates) == 0 || e.Dates[0].Value != "2025-09-02" {
		t.Errorf("enriched = entities %+v, dates %+v; want Xi Jinping, Vladimir Putin and 2025-09-02", e.Entities, e.Dates)
	}
}
