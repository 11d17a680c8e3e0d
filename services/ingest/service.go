package main

import (
	"context"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/ingest/split"
)

// config is the ingest service's configuration.
type config struct {
	bus.StageConfig
	MaxArticleBytes int
	MaxParagraphs   int
	DefaultLang     string
}

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
		return c, fmt.Errorf("unexpected argument %q (did you mean \"wartactl publish %s\"?)", f.Arg(0), f.Arg(0))
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
	return bus.Main{
		Name: "ingest", Version: version, Config: c.StageConfig,
		Fields: []zap.Field{zap.Int("max_article_bytes", c.MaxArticleBytes),
			zap.Int("max_paragraphs", c.MaxParagraphs), zap.String("default_lang", c.DefaultLang)},
		Streams: []string{events.StreamArticles, events.StreamParagraphs, events.StreamDeadLetter},
		Stage: func(svc *bus.Service, log *zap.Logger) (bus.Stage, error) {
			maxPayload := svc.NC.MaxPayload()
			if int64(c.MaxArticleBytes) > maxPayload {
				log.Warn("max-article-bytes is above the NATS server's max_payload: larger articles cannot be published at all",
					zap.Int("max_article_bytes", c.MaxArticleBytes), zap.Int64("max_payload", maxPayload))
			}
			h := &split.Stage{
				Options:    article.Options{MaxBytes: c.MaxArticleBytes, MaxParagraphs: c.MaxParagraphs, DefaultLang: c.DefaultLang},
				MaxPayload: maxPayload,
				Log:        log,
			}
			return bus.Stage{
				Name: events.StageIngest, Stream: events.StreamArticles, Durable: events.ConsumerIngest,
				Filter: events.SubjectArticlesNew, Handler: h.Handle,
				Description: "validates, normalises and splits articles into paragraphs",
			}, nil
		},
	}.Run(ctx, getenv, stdout)
}
