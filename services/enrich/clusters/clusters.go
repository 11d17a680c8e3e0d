// Package clusters learns word clusters from unlabelled text and reads them
// back: Brown-style clusters, each word with a bit string whose prefixes
// name ever coarser groups of words that occur in like contexts ("0110"
// may hold many given names, "01101" those of one language). The entity
// model takes prefixes of a word's bit string as features, which carries
// what the unlabelled text knows about words the labelled corpora never
// show.
//
// Train clusters with the exchange algorithm (Kneser and Ney 1993; Martin,
// Liermann and Ney 1998) on the class-bigram likelihood, the objective of
// Brown et al. (1992), and then builds the binary tree over the classes by
// Brown's greedy merging: the two classes whose merge loses the least
// mutual information between adjacent classes go together first. Liang
// (2005) builds the same kind of tree; exchanging words between a fixed
// number of classes first makes it a matter of seconds for a few million
// words. Everything is deterministic: the same text gives the same file.
//
// The file is Liang's "paths" format, one word a line: bit string, TAB,
// word, TAB, count.
package clusters

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warta-news/warta/services/enrich/ner"
)

// Options set what Train learns.
type Options struct {
	// Classes is the number of classes the words are exchanged between,
	// the leaves of the tree (default 512).
	Classes int
	// MinCount leaves out words seen fewer times (default 5).
	MinCount int
	// Iterations is the most passes of the exchange algorithm over the
	// vocabulary (default 15); it stops sooner when fewer than one word in
	// a thousand moves.
	Iterations int
	// Log receives progress lines; nil for none.
	Log io.Writer
}

// Word is a word of the clusters with its bit string and its count in the
// text.
type Word struct {
	Path  string
	Word  string
	Count int
}

// Words reads every file under dir whose name ends in .txt or .txt.gz,
// one sentence or paragraph a line, in the order of their paths, and
// calls fn with the lower-cased tokens of each line (as ner.Tokenize splits
// them). The slice is reused between calls.
func Words(dir string, fn func(words []string)) error {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".txt") || strings.HasSuffix(path, ".txt.gz")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no .txt or .txt.gz files under %s: want unlabelled text, one sentence or paragraph a line", dir)
	}
	var toks []ner.Token
	var words []string
	for _, path := range files {
		if err := readLines(path, func(line string) {
			toks = ner.Tokenize(line, toks[:0])
			words = words[:0]
			for _, tk := range toks {
				words = append(words, strings.ToLower(line[tk.Start:tk.End]))
			}
			fn(words)
		}); err != nil {
			return err
		}
	}
	return nil
}

// readLines calls fn with every line of the file at path, gunzipped if its
// name ends in .gz.
func readLines(path string, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Train learns clusters from the sentences that read passes to its
// argument, lower-cased (such as Words does; read is called twice and must
// pass the same sentences each time), and returns the words of the
// vocabulary with their bit strings, sorted by bit string, then by count
// (most frequent first) and word.
func Train(read func(fn func(words []string)) error, opts Options) ([]Word, error) {
	if opts.Classes <= 0 {
		opts.Classes = 512
	}
	if opts.MinCount <= 0 {
		opts.MinCount = 5
	}
	if opts.Iterations <= 0 {
		opts.Iterations = 15
	}
	counts := map[string]int{}
	if err := read(func(words []string) {
		for _, w := range words {
			counts[w]++
		}
	}); err != nil {
		return nil, err
	}
	vocab := make([]string, 0, len(counts))
	for w, n := range counts {
		if n >= opts.MinCount {
			vocab = append(vocab, w)
		}
	}
	slices.SortFunc(vocab, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	if len(vocab) < opts.Classes {
		return nil, fmt.Errorf("%d words seen %d times or more: too little text for %d classes",
			len(vocab), opts.MinCount, opts.Classes)
	}
	// Ids 0 and 1 are the sentence boundary and every rarer word; the
	// vocabulary follows.
	ids := make(map[string]int32, len(vocab))
	for i, w := range vocab {
		ids[w] = int32(i + specials)
	}
	bigrams := map[uint64]int32{}
	if err := read(func(words []string) {
		prev := int32(boundary)
		for _, w := range words {
			id, ok := ids[w]
			if !ok {
				id = unknown
			}
			bigrams[uint64(prev)<<32|uint64(id)]++
			prev = id
		}
		bigrams[uint64(prev)<<32|boundary]++
	}); err != nil {
		return nil, err
	}
	g := newGraph(len(vocab)+specials, bigrams)
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "%d words seen %d times or more (of %d), %d bigram tokens, %d distinct\n",
			len(vocab), opts.MinCount, len(counts), g.total, len(bigrams))
	}
	class := exchange(g, opts.Classes, opts.Iterations, opts.Log)
	paths := tree(g, class, opts.Classes)
	out := make([]Word, len(vocab))
	for i, w := range vocab {
		out[i] = Word{Path: paths[class[i+specials]], Word: w, Count: counts[w]}
	}
	slices.SortStableFunc(out, func(a, b Word) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// Write writes words in the paths format: bit string, TAB, word, TAB,
// count, one word a line.
func Write(w io.Writer, words []Word) error {
	bw := bufio.NewWriter(w)
	for _, x := range words {
		bw.WriteString(x.Path)
		bw.WriteByte('\t')
		bw.WriteString(x.Word)
		bw.WriteByte('\t')
		bw.WriteString(strconv.Itoa(x.Count))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ErrFormat is returned by Read for a line that is not "bits TAB word TAB
// count".
var ErrFormat = errors.New("clusters: not a paths file")

// Read reads a file written by Write, calling fn with every word and its
// bit string.
func Read(data string, fn func(word, path string)) error {
	n := 0
	for line := range strings.Lines(data) {
		n++
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			continue
		}
		path, rest, ok := strings.Cut(line, "\t")
		word, _, ok2 := strings.Cut(rest, "\t")
		if !ok || !ok2 || word == "" || strings.IndexFunc(path, func(r rune) bool { return r != '0' && r != '1' }) >= 0 {
			return fmt.Errorf("%w: line %d: %q", ErrFormat, n, line)
		}
		fn(word, path)
	}
	return nil
}

// LowerHash returns the 64-bit FNV-1a hash of the lower-cased UTF-8 form
// of s, without allocating: what lookups of a word as written compare with
// the lower-cased words of the file.
func LowerHash(s string) uint64 {
	h := uint64(14695981039346656037)
	var buf [4]byte
	for _, r := range s {
		if r < 0x80 {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			h ^= uint64(r)
			h *= 1099511628211
			continue
		}
		n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
		for _, b := range buf[:n] {
			h ^= uint64(b)
			h *= 1099511628211
		}
	}
	return h
}

// Table maps words to the hints the model reads for their clusters. It is
// read-only and safe for concurrent use.
type Table struct {
	byHash map[uint64]int32 // LowerHash of the word → index in hints
	hints  [][]string
}

// Load reads a paths file (see Write) into a Table. It returns an error
// matching ErrFormat for anything else.
func Load(data string) (*Table, error) {
	t := &Table{byHash: make(map[uint64]int32, strings.Count(data, "\n"))}
	byPath := map[string]int32{}
	err := Read(data, func(word, path string) {
		k, ok := byPath[path]
		if !ok {
			k = int32(len(t.hints))
			byPath[path] = k
			var hs []string
			for _, n := range PrefixLengths() {
				hs = append(hs, fmt.Sprintf("c%d:%s", n, path[:min(n, len(path))]))
			}
			t.hints = append(t.hints, hs)
		}
		t.byHash[LowerHash(word)] = k
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Hints returns the hints of word, as written (case is ignored): a prefix
// of its bit string for every length of PrefixLengths, such as "c4:0110".
// It returns nil for a word the clusters do not have, and for a nil Table.
func (t *Table) Hints(word string) []string {
	if t == nil {
		return nil
	}
	k, ok := t.byHash[LowerHash(word)]
	if !ok {
		return nil
	}
	return t.hints[k]
}

// Len returns the number of words of the table.
func (t *Table) Len() int { return len(t.byHash) }

// PrefixLengths returns the lengths of the bit-string prefixes that are
// features of the model, as Ratinov and Roth (2009) chose them.
func PrefixLengths() []int { return []int{4, 6, 10, 20} }
