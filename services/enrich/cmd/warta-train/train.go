package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/services/enrich/clusters"
	"github.com/warta-news/warta/services/enrich/entities"
	"github.com/warta-news/warta/services/enrich/ner"
	"github.com/warta-news/warta/services/enrich/trainer"
)

// runTrain trains the entity model: "warta-train train --corpus DIR --out FILE".
func runTrain(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := proc.NewFlags("warta-train train", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: warta-train train --corpus DIR --out FILE\n\n"+
			"Trains the entity tagger's model on the train splits of the corpora under DIR (laid\n"+
			"out like ../shared/eval/ner: LANG/NAME/train.txt, LANG one of "+strings.Join(entities.ModelLanguages(), ", ")+"): one model\n"+
			"for all those languages, with the word clusters of entities/clusters/clusters.txt as\n"+
			"features. Writes it to FILE (the shipped one is services/enrich/entities/model/ner.model).\n"+
			"The same corpora give the same bytes.\n\nFlags:\n")
		f.PrintDefaults()
	}
	corpus := f.String("corpus", "", "folder of the corpora (required)")
	out := f.String("out", "", "model file to write (required)")
	exclude := f.String("exclude", "", "comma-separated corpora to leave out (\"id/nerp\"), for measurements")
	weight := f.String("weight", "", "comma-separated corpora with the times each is trained on (\"id/nergrit=2\"), for measurements")
	noReplace := f.Bool("no-replace", false, "leave out the copies of sentences with replaced mentions, for measurements")
	seed := f.Uint64("seed", 0, "seed of the shuffles and replacements instead of the shipped model's, for measurements (0: the shipped one)")
	clustersFile := f.String("clusters", "", "word clusters to train with instead of the shipped ones, for measurements")
	noClusters := f.Bool("no-clusters", false, "train without word clusters, for measurements")
	verbose := f.Bool("v", false, "print progress")
	if err := f.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if *corpus == "" || *out == "" || f.NArg() > 0 {
		f.Usage()
		return errors.New("warta-train train needs --corpus and --out, and no arguments")
	}
	opts := trainer.Options{NoReplace: *noReplace, Seed: *seed, NoClusters: *noClusters}
	if *clustersFile != "" {
		cl, err := loadClusters(*clustersFile)
		if err != nil {
			return err
		}
		opts.Clusters = cl
	}
	if *exclude != "" {
		opts.Exclude = strings.Split(*exclude, ",")
	}
	if *weight != "" {
		opts.Weights = map[string]int{}
		for _, kv := range strings.Split(*weight, ",") {
			name, v, ok := strings.Cut(kv, "=")
			n, err := strconv.Atoi(v)
			if !ok || err != nil || n < 1 {
				return fmt.Errorf("--weight %q: want LANG/NAME=N, comma-separated (\"id/nergrit=2\")", kv)
			}
			opts.Weights[name] = n
		}
	}
	if *verbose {
		opts.Log = stderr
	}
	m, err := trainer.Train(*corpus, opts)
	if err != nil {
		return err
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := writeFile(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d features, %d bytes\n  %s\n", *out, m.Features(), len(data), m.Info)
	return nil
}

// runEval evaluates the tagger: "warta-train eval --corpus DIR".
func runEval(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := proc.NewFlags("warta-train eval", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: warta-train eval --corpus DIR [--model FILE] [--rules | --model-only] [--errors NAME]\n\n"+
			"Prints per-type and overall precision, recall and F1 (exact span and type, as seqeval\n"+
			"counts them) of the entity tagger on every development split under DIR, and the time\n"+
			"per token; then how often ingest's language detection, given one sentence of a split\n"+
			"alone, names the split's language.\n\nFlags:\n")
		f.PrintDefaults()
	}
	corpus := f.String("corpus", "", "folder of the corpora (required)")
	model := f.String("model", "", "evaluate this model file instead of the embedded one")
	rules := f.Bool("rules", false, "evaluate the rules and gazetteers alone (the baseline)")
	modelOnly := f.Bool("model-only", false, "evaluate the model's spans and types alone, without the gazetteer's corrections")
	errs := f.String("errors", "", "print the missed and wrong entities of this corpus (\"nergrit\")")
	clustersFile := f.String("clusters", "", "word clusters the --model was trained with, if not the shipped ones")
	if err := f.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if *corpus == "" || f.NArg() > 0 {
		f.Usage()
		return errors.New("warta-train eval needs --corpus, and no arguments")
	}
	t := entities.New()
	if *model != "" {
		data, err := os.ReadFile(*model)
		if err != nil {
			return err
		}
		m, err := ner.Load(data)
		if err != nil {
			return fmt.Errorf("%s: %w", *model, err)
		}
		t = t.WithModel(m)
	}
	if *clustersFile != "" {
		cl, err := loadClusters(*clustersFile)
		if err != nil {
			return err
		}
		t = t.WithClusters(cl)
	}
	tag := t.Tag
	switch {
	case *rules && *modelOnly:
		return errors.New("warta-train eval: --rules and --model-only exclude each other")
	case *rules:
		tag = t.TagRules
	case *modelOnly:
		tag = t.TagModel
	}
	for _, l := range entities.ModelLanguages() {
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
	langs, err := trainer.DetectLanguages(*corpus, func(text string) string { return article.DetectLang(text, "") })
	if err != nil {
		return err
	}
	trainer.ReportLanguages(stdout, langs)
	return nil
}

// loadClusters reads a clusters file written by "warta-train clusters".
func loadClusters(path string) (*clusters.Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cl, err := clusters.Load(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cl, nil
}

// writeFile writes data to path, making its folder if need be.
func writeFile(path string, data []byte) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, data, 0o644)
}
