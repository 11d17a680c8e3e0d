package tag

import (
	"context"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// Stage is the enrich stage's handler: it tags each paragraph event of a
// batch and emits its EnrichedParagraph on events.SubjectEnriched.
type Stage struct {
	Tagger *Tagger
	Log    *zap.Logger
}

// Handle decodes each message of b as a Paragraph and emits it enriched,
// under the enrich stage's message id. A message that is no valid
// paragraph is failed with an error matching events.ErrInvalid, so it is
// dead-lettered at once; the others go on.
func (s *Stage) Handle(_ context.Context, b *message.Batch) error {
	for i, m := range b.Msgs {
		p, err := events.DecodeParagraph(m.Data)
		if err != nil {
			b.Fail(i, err)
			continue
		}
		e := s.Tagger.Enrich(p)
		data, err := events.Marshal(&e)
		if err != nil {
			b.Fail(i, err)
			continue
		}
		b.Emit(i, message.Out{Subject: events.SubjectEnriched, Data: data, MsgID: events.MsgID(events.StageEnrich, &p)})
		if ce := s.Log.Check(zap.DebugLevel, "paragraph enriched"); ce != nil { // skip the fields' cost unless logged
			ce.Write(zap.String("article_id", p.ArticleID), zap.Int("paragraph", p.Index),
				zap.Int("entities", len(e.Entities)), zap.Int("dates", len(e.Dates)), message.LatencyMS(m.Stored))
		}
	}
	return nil
}
