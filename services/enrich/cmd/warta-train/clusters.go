package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/services/enrich/clusters"
	"github.com/warta-news/warta/services/enrich/ner"
)

// runClusters learns word clusters: "warta-train clusters --corpus DIR --out FILE".
func runClusters(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := proc.NewFlags("warta-train clusters", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: warta-train clusters --corpus DIR [--ner DIR] --out FILE\n\n"+
			"Learns Brown-style word clusters from the unlabelled text under --corpus (every .txt or\n"+
			".txt.gz file, one sentence or paragraph a line, such as ../shared/corpora) and, with\n"+
			"--ner, the sentences of the train splits of the labelled corpora there (laid out like\n"+
			"../shared/eval/ner), and writes them to FILE, one word a line: bit string, TAB, word,\n"+
			"TAB, count (the shipped one is services/enrich/entities/clusters/clusters.txt). The\n"+
			"same text gives the same bytes.\n\nFlags:\n")
		f.PrintDefaults()
	}
	corpus := f.String("corpus", "", "folder of the unlabelled text (required)")
	out := f.String("out", "", "clusters file to write (required)")
	nerDir := f.String("ner", "", "folder of the labelled corpora whose train splits' sentences are read too")
	classes := f.Int("classes", 0, "number of classes, the leaves of the tree (0: the shipped file's)")
	minCount := f.Int("min-count", 0, "leave out words seen fewer times (0: the shipped file's)")
	verbose := f.Bool("v", false, "print progress")
	if err := f.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if *corpus == "" || *out == "" || f.NArg() > 0 {
		f.Usage()
		return errors.New("warta-train clusters needs --corpus and --out, and no arguments")
	}
	opts := clusters.Options{Classes: *classes, MinCount: *minCount}
	if *verbose {
		opts.Log = stderr
	}
	read := func(fn func([]string)) error {
		if err := clusters.Words(*corpus, fn); err != nil {
			return err
		}
		if *nerDir == "" {
			return nil
		}
		return trainSentences(*nerDir, fn)
	}
	words, err := clusters.Train(read, opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := clusters.Write(&buf, words); err != nil {
		return err
	}
	if err := writeFile(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d words, %d bytes\n", *out, len(words), buf.Len())
	return nil
}

// trainSentences calls fn with the lower-cased words of every sentence of
// the train splits of the corpora under dir, in the order of ner.Corpora.
func trainSentences(dir string, fn func([]string)) error {
	var words []string
	for _, c := range ner.Corpora() {
		exs, err := ner.ReadSplit(dir, c, "train")
		if errors.Is(err, ner.ErrNoSplit) {
			continue
		}
		if err != nil {
			return err
		}
		for _, ex := range exs {
			words = words[:0]
			for _, w := range ex.Words {
				words = append(words, strings.ToLower(w))
			}
			fn(words)
		}
	}
	return nil
}
