package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
)

// config is the ingest service's configuration.
type config struct {
	bus.StageConfig
	MaxArticleBytes int
	MaxParagraphs   int
	DefaultLang     string
}

// headerRoom is the part of the server's max_payload kept free for a
// message's headers: the Nats-Msg-Id of an article or a paragraph event is
// well under 200 bytes.
const headerRoom = 4 << 10

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	f := proc.NewFlags("ingest", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags of the service:\n")
		f.PrintDefaults()
	}
	c.Register(f, 2, 16)
	f.IntVar(&c.MaxArticleBytes, "max-article-bytes", 512<<10, "largest article accepted, in bytes (larger ones are dead-lettered)")
	f.Env("max-article-bytes", "MAX_ARTICLE_BYTES")
	f.IntVar(&c.MaxParagraphs, "max-paragraphs", article.DefaultMaxParagraphs, "most paragraphs an article may have (more are dead-lettered)")
	f.Env("max-paragraphs", "MAX_PARAGRAPHS")
	f.StringVar(&c.DefaultLang, "default-lang", "DEFAULT_LANG", "", "language assumed when detection is unsure (empty = und)")
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (did you mean \"ingest publish %s\"?)", f.Arg(0), f.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	if c.DefaultLang != "" {
		lang, err := article.NormalizeLang(c.DefaultLang)
		if err != nil {
			return c, fmt.Errorf("default-lang: %w", err)
		}
		c.DefaultLang = lang
	}
	if c.MaxArticleBytes < 1024 {
		return c, fmt.Errorf("max-article-bytes %d: use at least 1024", c.MaxArticleBytes)
	}
	if c.MaxParagraphs < 1 {
		return c, fmt.Errorf("max-paragraphs %d: use 1 or more", c.MaxParagraphs)
	}
	return c, nil
}

func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if proc.IsHelp(err) {
		return nil
	}
	if err != nil {
		return err
	}
	boot, err := proc.NewBoot("ingest", version, c.Config, getenv, stdout, c.StageConfig.LogFields(), zap.Int("max_article_bytes", c.MaxArticleBytes),
		zap.Int("max_paragraphs", c.MaxParagraphs), zap.String("default_lang", c.DefaultLang))
	if err != nil {
		return err
	}
	defer boot.Close()
	log, ops := boot.Log, boot.Ops
	svc, err := bus.Start(ctx, c.NATS, "ingest", log, events.StreamArticles, events.StreamParagraphs, events.StreamDeadLetter)
	if err != nil {
		return err
	}
	defer svc.Close()
	maxPayload := svc.NC.MaxPayload()
	if int64(c.MaxArticleBytes) > maxPayload {
		log.Warn("max-article-bytes is above the NATS server's max_payload: larger articles cannot be published at all",
			zap.Int("max_article_bytes", c.MaxArticleBytes), zap.Int64("max_payload", maxPayload))
	}
	h := &handler{
		opts:       article.Options{MaxBytes: c.MaxArticleBytes, MaxParagraphs: c.MaxParagraphs, DefaultLang: c.DefaultLang},
		maxPayload: maxPayload,
		log:        log,
	}
	return svc.RunStage(ctx, c.StageConfig, bus.Stage{
		Name: events.StageIngest, Stream: events.StreamArticles, Durable: events.ConsumerIngest,
		Filter: events.SubjectArticlesNew, Handler: h.handle,
		Version: version, Description: "validates, normalises and splits articles into paragraphs", Ops: ops,
	})
}

// handler turns one raw article into its paragraph events.
type handler struct {
	opts article.Options
	// maxPayload is the server's largest message: a paragraph event must
	// fit in it, headers included.
	maxPayload int64
	log        *zap.Logger
}

// handle parses each article of the batch and returns its paragraph events.
// An article that cannot become events (bad input, or a paragraph too large
// for one NATS message) is failed with an events.ErrInvalid error, so it is
// dead-lettered at once and none of its paragraphs are published.
func (h *handler) handle(_ context.Context, b *message.Batch) error {
	for i, m := range b.Msgs {
		a, err := article.Parse(m.Data, h.opts)
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
		h.log.Info("article ingested", zap.String("article_id", a.ID), zap.String("version", a.Version),
			zap.Uint64("article_seq", m.StreamSeq),
			zap.String("title", a.Title), zap.String("lang", a.Lang), zap.String("published_at", a.PublishedAt),
			zap.Int("paragraphs", len(ps)), message.LatencyMS(m.Stored))
	}
	return nil
}

// events encodes the paragraphs of a as messages. A paragraph whose event
// would not fit in a NATS message is an error matching events.ErrTooLarge:
// the server would reject it on every delivery, so it is not worth retrying.
func (h *handler) events(a events.Article, ps []events.Paragraph) ([]message.Out, error) {
	limit := int(h.maxPayload) - headerRoom
	outs := make([]message.Out, 0, len(ps))
	for j := range ps {
		data, err := events.Marshal(&ps[j])
		if err != nil {
			return nil, err
		}
		if h.maxPayload > 0 && len(data) > limit {
			return nil, fmt.Errorf("%w: paragraph %d of %d (index %d, starting %q) of article %s %q is %d bytes "+
				"as an event, and a NATS message can hold %d (the server's max_payload %d, less %d for headers); "+
				"break that paragraph into shorter ones (one per line), or raise max_payload on the NATS server",
				events.ErrTooLarge, j+1, len(ps), j, clipText(ps[j].Text, 40), a.ID, clipText(a.Title, 60), len(data),
				limit, h.maxPayload, headerRoom)
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
