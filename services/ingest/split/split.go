// Package split is the ingest stage's work, apart from the NATS plumbing:
// a raw article (JSON or text) is parsed, normalised and split into its
// paragraph events, each small enough for one NATS message.
package split

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// HeaderRoom is the part of the server's max_payload kept free for a
// message's headers: the Nats-Msg-Id of an article or a paragraph event is
// well under 200 bytes.
const HeaderRoom = 4 << 10

// Stage is the ingest stage's handler: it turns each raw article of a
// batch into its paragraph events.
type Stage struct {
	// Options are the limits and the default language of article.Parse.
	Options article.Options
	// MaxPayload is the NATS server's largest message: a paragraph event
	// must fit in it, headers included. 0 means no limit.
	MaxPayload int64
	Log        *zap.Logger
}

// Handle parses each article of the batch and emits its paragraph events,
// each stamped with the article message's stream sequence (the order of
// the article's revisions).
// An article that cannot become events (bad input, or a paragraph too large
// for one NATS message) is failed with an events.ErrInvalid error, so it is
// dead-lettered at once and none of its paragraphs are published.
func (h *Stage) Handle(_ context.Context, b *message.Batch) error {
	for i, m := range b.Msgs {
		a, err := article.Parse(m.Data, h.Options)
		if err != nil {
			b.Fail(i, err)
			continue
		}
		if m.StreamSeq == 0 {
			b.Fail(i, errors.New("read the message's stream sequence: the message carries none"))
			continue
		}
		ps := article.Split(a)
		for j := range ps {
			// The article's place in ARTICLES orders its revisions.
			ps[j].ArticleSeq = m.StreamSeq
		}
		evs, err := h.events(a, ps)
		if err != nil {
			b.Fail(i, err)
			continue
		}
		b.Emit(i, evs...)
		h.Log.Info("article ingested", zap.String("article_id", a.ID), zap.String("version", a.Version),
			zap.Uint64("article_seq", m.StreamSeq),
			zap.String("title", a.Title), zap.String("lang", a.Lang), zap.String("published_at", a.PublishedAt),
			zap.Int("paragraphs", len(ps)), message.LatencyMS(m.Stored))
	}
	return nil
}

// events encodes the paragraphs of a as messages. A paragraph whose event
// would not fit in a NATS message is an error matching events.ErrTooLarge:
// the server would reject it on every delivery, so it is not worth retrying.
func (h *Stage) events(a events.Article, ps []events.Paragraph) ([]message.Out, error) {
	limit := int(h.MaxPayload) - HeaderRoom
	outs := make([]message.Out, 0, len(ps))
	for j := range ps {
		data, err := events.Marshal(&ps[j])
		if err != nil {
			return nil, err
		}
		if h.MaxPayload > 0 && len(data) > limit {
			return nil, fmt.Errorf("%w: paragraph %d of %d (index %d, starting %q) of article %s %q is %d bytes "+
				"as an event, and a NATS message can hold %d (the server's max_payload %d, less %d for headers); "+
				"break that paragraph into shorter ones (one per line), or raise max_payload on the NATS server",
				events.ErrTooLarge, j+1, len(ps), j, clipText(ps[j].Text, 40), a.ID, clipText(a.Title, 60), len(data),
				limit, h.MaxPayload, HeaderRoom)
		}
		outs = append(outs, message.Out{Subject: events.SubjectParagraphs, Data: data, MsgID: events.MsgID(events.StageIngest, &ps[j])})
	}
	return outs, nil
}

// clipText shortens s to at most n runes for a message.
func clipText(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
