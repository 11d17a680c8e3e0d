package main

import (
	"context"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/tag"
)

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (bus.StageConfig, error) {
	var c bus.StageConfig
	f := proc.NewFlags("enrich", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags of the service:\n")
		f.PrintDefaults()
	}
	c.Register(f, 4, 32)
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (did you mean \"enrich tag %s\"?)", f.Arg(0), f.Arg(0))
	}
	return c, c.Validate()
}

func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if proc.IsHelp(err) {
		return nil
	}
	if err != nil {
		return err
	}
	tagger := tag.New()
	return bus.Main{
		Name: "enrich", Version: version, Config: c,
		Fields:  []zap.Field{zap.String("tagger_id", tagger.Name("id")), zap.String("tagger_en", tagger.Name("en"))},
		Streams: []string{events.StreamParagraphs, events.StreamEnriched, events.StreamDeadLetter},
		Stage: func(_ *bus.Service, log *zap.Logger) (bus.Stage, error) {
			h := &tag.Stage{Tagger: tagger, Log: log}
			return bus.Stage{
				Name: events.StageEnrich, Stream: events.StreamParagraphs, Durable: events.ConsumerEnrich,
				Filter: events.SubjectParagraphs, Handler: h.Handle,
				Description: "tags paragraphs with named entities and normalised dates",
			}, nil
		},
	}.Run(ctx, getenv, stdout)
}
