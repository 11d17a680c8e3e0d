package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/services/enrich/clusters"
)

// runClusters learns word clusters: "enrich clusters --corpus DIR --out FILE".
func runClusters(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := bus.NewFlags("enrich clusters", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: enrich clusters --corpus DIR --out FILE\n\n"+
			"Learns Brown-style word clusters from the unlabelled text under DIR (every .txt or\n"+
			".txt.gz file, one sentence or paragraph a line, such as ../shared/corpora) and writes\n"+
			"them to FILE, one word a line: bit string, TAB, word, TAB, count (the shipped one is\n"+
			"services/enrich/entities/clusters/clusters.txt). The same text gives the same bytes.\n\nFlags:\n")
		f.PrintDefaults()
	}
	corpus := f.String("corpus", "", "folder of the unlabelled text (required)")
	out := f.String("out", "", "clusters file to write (required)")
	classes := f.Int("classes", 0, "number of classes, the leaves of the tree (0: the shipped file's)")
	minCount := f.Int("min-count", 0, "leave out words seen fewer times (0: the shipped file's)")
	verbose := f.Bool("v", false, "print progress")
	if err := f.Parse(args); err != nil {
		if bus.IsHelp(err) {
			return nil
		}
		return err
	}
	if *corpus == "" || *out == "" || f.NArg() > 0 {
		f.Usage()
		return errors.New("enrich clusters needs --corpus and --out, and no arguments")
	}
	opts := clusters.Options{Classes: *classes, MinCount: *minCount}
	if *verbose {
		opts.Log = stderr
	}
	words, err := clusters.Train(*corpus, opts)
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
