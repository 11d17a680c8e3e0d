// Command lexicon writes the Indonesian word list that the Indonesian
// stemmer checks its candidate stems against (services/index/analysis),
// from the unlabelled corpora of ../shared/corpora: every word (a run of
// letters, lower-cased) that occurs at least --min times, with its count.
//
//	go run ./services/index/analysis/cmd/lexicon --corpus ../shared/corpora --out services/index/analysis/lexicon/id.txt
//
// ("make lexicon" does this.) The same corpora give the same file.
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
	"unicode"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lexicon:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	f := flag.NewFlagSet("lexicon", flag.ContinueOnError)
	f.SetOutput(stderr)
	corpus := f.String("corpus", "", "folder of the unlabelled corpora (its id/*.txt.gz are read)")
	out := f.String("out", "", "file to write")
	minCount := f.Int("min", 2, "fewest occurrences of a word kept")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *corpus == "" || *out == "" {
		f.Usage()
		return fmt.Errorf("give --corpus and --out")
	}
	files, err := filepath.Glob(filepath.Join(*corpus, "id", "*.txt.gz"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no id/*.txt.gz under %s: point --corpus at ../shared/corpora", *corpus)
	}
	slices.Sort(files)
	counts := map[string]int{}
	for _, name := range files {
		if err := count(name, counts); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	words := make([]string, 0, len(counts))
	for w, n := range counts {
		if n >= *minCount {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	var b strings.Builder
	b.WriteString("# Indonesian words with their counts, for the stemmer's choice of stems.\n")
	fmt.Fprintf(&b, "# Derived from %s (see lexicon/README.md); CC BY-SA 4.0, as its sources.\n", sources(files))
	for _, w := range words {
		fmt.Fprintf(&b, "%s %d\n", w, counts[w])
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d words occurring %d times or more (of %d distinct)\n", *out, len(words), *minCount, len(counts))
	return nil
}

func sources(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = "id/" + filepath.Base(f)
	}
	return strings.Join(names, ", ")
}

// count adds the words of a gzipped text file to counts.
func count(name string, counts map[string]int) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		for _, w := range strings.FieldsFunc(strings.ToLower(sc.Text()), func(r rune) bool { return !unicode.IsLetter(r) }) {
			counts[w]++
		}
	}
	return sc.Err()
}
