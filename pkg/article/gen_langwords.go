//go:build ignore

// gen_langwords writes langwords.txt, how often each common word occurs in
// English and in Indonesian text, for DetectLang to weigh the words of a
// text that has no function word of either language:
//
//	make langwords TEXT=../shared/corpora CORPORA=../shared/eval/ner
//
// It reads the unlabelled text under -corpus, laid out like ../shared/corpora
// (en/*.txt.gz, id/*.txt.gz), and the words of the train splits of the
// labelled corpora under -ner, laid out like ../shared/eval/ner
// (en/NAME/train.txt, …: the first field of each line), which add the web
// text and tweets that the unlabelled English newswire lacks.
// Words are read as DetectLang reads them: runs of ASCII letters, joined by
// hyphens, lower-cased; a word with other letters is skipped. The file keeps
// the words seen at least 3 times in a language, the most frequent
// maxPerLang of each, and starts with the number of words read in each.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warta-news/warta/pkg/article"
)

const maxPerLang = 20000

func main() {
	dir := flag.String("corpus", "", "folder of the unlabelled text (en/ and id/)")
	nerDir := flag.String("ner", "", "folder of the labelled corpora, whose train splits are read too")
	out := flag.String("out", "langwords.txt", "file to write")
	flag.Parse()
	if err := run(*dir, *nerDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen_langwords:", err)
		os.Exit(1)
	}
}

func run(dir, nerDir, out string) error {
	langs := []string{"en", "id"}
	counts := map[string]*[2]int{}
	var totals [2]int
	for k, lang := range langs {
		files, err := filepath.Glob(filepath.Join(dir, lang, "*.txt.gz"))
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return fmt.Errorf("no %s/*.txt.gz under %q", lang, dir)
		}
		if nerDir != "" {
			train, err := filepath.Glob(filepath.Join(nerDir, lang, "*", "train.txt"))
			if err != nil {
				return err
			}
			files = append(files, train...)
		}
		for _, path := range files {
			if err := count(path, func(w string) {
				c := counts[w]
				if c == nil {
					c = &[2]int{}
					counts[w] = c
				}
				c[k]++
				totals[k]++
			}); err != nil {
				return err
			}
		}
	}
	keep := map[string]bool{}
	for k := range langs {
		var ws []string
		for w, c := range counts {
			if c[k] >= 3 {
				ws = append(ws, w)
			}
		}
		slices.SortFunc(ws, func(a, b string) int {
			if d := counts[b][k] - counts[a][k]; d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		for _, w := range ws[:min(len(ws), maxPerLang)] {
			keep[w] = true
		}
	}
	words := make([]string, 0, len(keep))
	for w := range keep {
		words = append(words, w)
	}
	slices.Sort(words)
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by gen_langwords.go from ../shared/corpora and the train splits of ../shared/eval/ner: see langwords.md.\n")
	fmt.Fprintf(&b, "# word\ten\tid\n=total\t%d\t%d\n", totals[0], totals[1])
	for _, w := range words {
		fmt.Fprintf(&b, "%s\t%d\t%d\n", w, counts[w][0], counts[w][1])
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

// count calls fn with every word of the text at path, as DetectLang reads
// words (article.LangWords): gzipped text, or a CoNLL file (.txt) whose words
// are the first field of its lines.
func count(path string, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	conll := !strings.HasSuffix(path, ".gz")
	if !conll {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		text := sc.Text()
		if conll {
			if strings.HasPrefix(text, "#") || strings.HasPrefix(text, "-DOCSTART-") {
				continue
			}
			text, _, _ = strings.Cut(strings.ReplaceAll(text, "\t", " "), " ")
		}
		article.LangWords(text, func(w string) { fn(strings.Clone(w)) })
	}
	return sc.Err()
}
