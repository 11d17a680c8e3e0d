package main

import (
	"context"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/events"
)

// config is the ingest service's configuration.
type config struct {
	bus.StageConfig
	MaxArticleBytes int
	DefaultLang     string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	f := bus.NewFlags("ingest", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags of the service:\n")
		f.PrintDefaults()
	}
	c.Register(f, 4)
	f.IntVar(&c.MaxArticleBytes, "max-article-bytes", 512<<10, "largest article accepted, in bytes (larger ones are dead-lettered)")
	f.Env("max-article-bytes", "MAX_ARTICLE_BYTES")
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
	return c, nil
}

func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if bus.IsHelp(err) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := bus.NewLogger(c.Log, "ingest", stdout)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log.Info("starting", append(c.LogFields(), zap.Int("max_article_bytes", c.MaxArticleBytes),
		zap.String("default_lang", c.DefaultLang))...)

	svc, err := bus.Start(ctx, c.NATS, "ingest", log)
	if err != nil {
		return err
	}
	defer svc.Close()
	h := &handler{opts: article.Options{MaxBytes: c.MaxArticleBytes, DefaultLang: c.DefaultLang}, log: log}
	err = svc.RunStage(ctx, c.StageConfig, bus.Stage{
		Name: events.StageIngest, Stream: events.StreamArticles, Durable: events.ConsumerIngest,
		Filter: events.SubjectArticlesNew, Handler: h.handle,
	})
	log.Info("stopped")
	return err
}

// handler turns one raw article into its paragraph events.
type handler struct {
	opts article.Options
	log  *zap.Logger
}

func (h *handler) handle(_ context.Context, b *bus.Batch) ([]bus.Out, error) {
	var outs []bus.Out
	for i, m := range b.Msgs {
		a, err := article.Parse(m.Data(), h.opts)
		if err != nil {
			b.Fail(i, err)
			continue
		}
		ps := article.Split(a)
		for j := range ps {
			data, err := events.Marshal(&ps[j])
			if err != nil {
				return nil, err
			}
			outs = append(outs, bus.Out{Subject: events.SubjectParagraphs, Data: data, MsgID: events.MsgID(events.StageIngest, &ps[j])})
		}
		h.log.Info("article ingested", zap.String("article_id", a.ID), zap.String("version", a.Version),
			zap.String("title", a.Title), zap.String("lang", a.Lang), zap.String("published_at", a.PublishedAt),
			zap.Int("paragraphs", len(ps)))
	}
	return outs, nil
}
