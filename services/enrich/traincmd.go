package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/services/enrich/entities"
	"github.com/warta-news/warta/services/enrich/ner"
	"github.com/warta-news/warta/services/enrich/trainer"
)

// runTrain trains the entity models: "enrich train --corpus DIR --out DIR".
func runTrain(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := bus.NewFlags("enrich train", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: enrich train --corpus DIR [--out DIR | --lang L --out FILE]\n\n"+
			"Trains the entity tagger's model of each language on the train splits of the corpora\n"+
			"under DIR (laid out like ../shared/eval/ner: LANG/NAME/train.txt) and writes\n"+
			"OUT/LANG.model. The same corpora give the same bytes.\n\nFlags:\n")
		f.PrintDefaults()
	}
	corpus := f.String("corpus", "", "folder of the corpora (required)")
	out := f.String("out", "", "output folder, or file with --lang (required)")
	lang := f.String("lang", "", "train only this language ("+strings.Join(trainer.Languages, ", ")+")")
	exclude := f.String("exclude", "", "comma-separated corpora to leave out (\"id/nerp\"), for measurements")
	verbose := f.Bool("v", false, "print progress")
	if err := f.Parse(args); err != nil {
		if bus.IsHelp(err) {
			return nil
		}
		return err
	}
	if *corpus == "" || *out == "" || f.NArg() > 0 {
		f.Usage()
		return errors.New("enrich train needs --corpus and --out, and no arguments")
	}
	langs := trainer.Languages
	if *lang != "" {
		langs = []string{*lang}
	}
	opts := trainer.Options{}
	if *exclude != "" {
		opts.Exclude = strings.Split(*exclude, ",")
	}
	if *verbose {
		opts.Log = stderr
	}
	for _, l := range langs {
		m, err := trainer.Train(*corpus, l, opts)
		if err != nil {
			return err
		}
		data, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		path := *out
		if *lang == "" {
			if err := os.MkdirAll(*out, 0o755); err != nil {
				return err
			}
			path = filepath.Join(*out, l+".model")
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d features, %d bytes\n  %s\n", path, m.Features(), len(data), m.Info)
	}
	return nil
}

// runEval evaluates the tagger: "enrich eval --corpus DIR".
func runEval(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := bus.NewFlags("enrich eval", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: enrich eval --corpus DIR [--models DIR] [--rules | --model-only] [--errors NAME]\n\n"+
			"Prints per-type and overall precision, recall and F1 (exact span and type, as seqeval\n"+
			"counts them) of the entity tagger on every development split under DIR, and the time\n"+
			"per token.\n\nFlags:\n")
		f.PrintDefaults()
	}
	corpus := f.String("corpus", "", "folder of the corpora (required)")
	models := f.String("models", "", "evaluate the models in this folder (LANG.model) instead of the embedded ones")
	rules := f.Bool("rules", false, "evaluate the rules and gazetteers alone (the baseline)")
	modelOnly := f.Bool("model-only", false, "evaluate the models' spans and types alone, without the gazetteer's corrections")
	errs := f.String("errors", "", "print the missed and wrong entities of this corpus (\"nergrit\")")
	if err := f.Parse(args); err != nil {
		if bus.IsHelp(err) {
			return nil
		}
		return err
	}
	if *corpus == "" || f.NArg() > 0 {
		f.Usage()
		return errors.New("enrich eval needs --corpus, and no arguments")
	}
	t := entities.New()
	if *models != "" {
		for _, l := range trainer.Languages {
			data, err := os.ReadFile(filepath.Join(*models, l+".model"))
			if err != nil {
				return err
			}
			m, err := ner.Load(data)
			if err != nil {
				return err
			}
			t = t.WithModel(l, m)
		}
	}
	tag := t.Tag
	switch {
	case *rules && *modelOnly:
		return errors.New("enrich eval: --rules and --model-only exclude each other")
	case *rules:
		tag = t.TagRules
	case *modelOnly:
		tag = t.TagModel
	}
	for _, l := range trainer.Languages {
		fmt.Fprintf(stdout, "tagger for %s: %s\n", l, t.Name(l))
	}
	fmt.Fprintln(stdout)
	var errOut io.Writer
	if *errs != "" {
		errOut = stdout
	}
	results, err := trainer.Evaluate(*corpus, tag, *errs, errOut)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no development split under %s", *corpus)
	}
	trainer.Report(stdout, results)
	return nil
}
