package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/tag"
)

// runTag tags one article offline, exactly as the pipeline would: ingest's
// parsing and splitting, then enrich's tagging, printed as JSON lines.
func runTag(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	f := proc.NewFlags("enrich tag", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: enrich tag [--lang L] [--published DATE] [FILE]\n\n"+
			"Reads one article (plain text or JSON; standard input without FILE) and prints its\n"+
			"enriched paragraph events as JSON lines, exactly as they would go on the bus.\n\nFlags:\n")
		f.PrintDefaults()
	}
	lang := f.String("lang", "", "language of the article (default: as given in JSON, else detected)")
	published := f.String("published", "", "publication date, RFC 3339 or 2006-01-02 (default: as in the article)")
	maxBytes := f.Int("max-article-bytes", 512<<10, "largest article accepted, in bytes")
	if err := f.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	var data []byte
	var err error
	switch f.NArg() {
	case 0:
		data, err = io.ReadAll(stdin)
	case 1:
		data, err = os.ReadFile(f.Arg(0))
	default:
		return errors.New("enrich tag reads one article: give at most one FILE")
	}
	if err != nil {
		return err
	}
	a, err := article.Parse(data, article.Options{MaxBytes: *maxBytes, DefaultLang: *lang})
	if err != nil {
		return err
	}
	if *lang != "" {
		a.Lang = *lang
	}
	if *published != "" {
		// As ingest puts it on the bus: RFC 3339, a date at midnight UTC.
		t, err := events.NormalizeTime(*published)
		if err != nil {
			return fmt.Errorf("--published: %w", err)
		}
		a.PublishedAt = t
	}
	t := tag.New()
	w := bufio.NewWriter(stdout)
	for _, p := range article.Split(a) {
		e := t.Enrich(p)
		line, err := events.Marshal(&e)
		if err != nil {
			return err
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	return w.Flush()
}
