package ner

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Corpus describes one corpus of the folder that `warta-train train` and `warta-train
// eval` read (laid out like ../shared/eval/ner: LANG/NAME/FILE).
type Corpus struct {
	Lang, Name string
	// Train and Dev are the files of the splits, relative to the corpus
	// folder; "" when the corpus has no such split.
	Train, Dev string
	// Uncased says the text was lower-cased.
	Uncased bool
	// Types maps the corpus's entity types to ours (Types); a type missing
	// from the map is not an entity for us.
	Types map[string]string
}

// Path returns the folder of the corpus under root.
func (c Corpus) Path(root string) string { return filepath.Join(root, c.Lang, c.Name) }

// ScoredTypes returns our types that the corpus annotates, sorted.
func (c Corpus) ScoredTypes() []string {
	var out []string
	for _, t := range Types {
		for _, ours := range c.Types {
			if ours == t {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// Corpora are the corpora the tagger is trained and evaluated on, with the
// mapping of their tag sets to ours (as ../shared/eval/ner/SOURCES.md
// suggests; wnut17's creative works and products become MISC, and so do
// CrossNER's works, awards and products; its scientific and domain types
// (algorithm, protein, musicgenre, …) are not names of ours and are
// dropped, as are nerugm's TIME and QUANTITY).
func Corpora() []Corpus {
	pl := map[string]string{"PER": "PER", "ORG": "ORG", "LOC": "LOC"}
	long := map[string]string{"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}
	// CrossNER's fine types, and those of its Indonesian translation.
	crossNER := map[string]string{
		"person": "PER", "politician": "PER", "writer": "PER", "scientist": "PER", "researcher": "PER", "musicalartist": "PER",
		"organisation": "ORG", "politicalparty": "ORG", "band": "ORG", "university": "ORG",
		"location": "LOC", "country": "LOC",
		"event": "EVT", "election": "EVT", "conference": "EVT",
		"misc": "MISC", "award": "MISC", "book": "MISC", "album": "MISC", "song": "MISC", "poem": "MISC",
		"magazine": "MISC", "academicjournal": "MISC", "product": "MISC",
	}
	return []Corpus{
		{Lang: "en", Name: "btc", Train: "train.txt", Dev: "dev.txt", Types: pl},
		{Lang: "en", Name: "crossner", Train: "train.txt", Dev: "dev.txt", Types: crossNER},
		{Lang: "en", Name: "uner-ewt", Train: "train.txt", Dev: "dev.iob2", Types: pl},
		{Lang: "en", Name: "uner-pud", Train: "pud.txt", Types: pl},
		{Lang: "en", Name: "wikigold", Train: "wikigold.conll.txt",
			Types: map[string]string{"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}},
		{Lang: "en", Name: "wnut17", Train: "train.txt", Dev: "dev.txt",
			Types: map[string]string{"person": "PER", "corporation": "ORG", "group": "ORG", "location": "LOC",
				"creative-work": "MISC", "product": "MISC"}},
		{Lang: "id", Name: "idcrossner", Train: "train.txt", Dev: "dev.txt", Types: crossNER},
		{Lang: "id", Name: "idner-news-2k", Train: "train.txt", Dev: "dev.txt", Types: pl},
		{Lang: "id", Name: "nergrit", Train: "train.txt", Dev: "dev.txt",
			Types: map[string]string{"PERSON": "PER", "ORGANISATION": "ORG", "PLACE": "LOC"}},
		{Lang: "id", Name: "nerp", Train: "train.txt", Dev: "dev.txt", Uncased: true,
			Types: map[string]string{"PPL": "PER", "IND": "ORG", "PLC": "LOC", "EVT": "EVT"}},
		{Lang: "id", Name: "nerugm", Train: "train.txt", Dev: "dev.txt", Types: long},
		{Lang: "id", Name: "nerui", Train: "train.txt", Dev: "dev.txt", Types: long},
	}
}

// ErrNoSplit is returned by ReadSplit when the corpus has no such split on
// disk.
var ErrNoSplit = errors.New("split not present")

// ReadSplit reads a split of c ("train" or "dev") under root.
func ReadSplit(root string, c Corpus, split string) ([]Example, error) {
	file := c.Train
	if split == "dev" {
		file = c.Dev
	}
	if file == "" {
		return nil, ErrNoSplit
	}
	path := filepath.Join(c.Path(root), file)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoSplit)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	exs, err := ReadCoNLL(f, c.Types)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range exs {
		exs[i].Uncased = c.Uncased
	}
	return exs, nil
}

// ReadCoNLL reads sentences in the CoNLL-like formats of the corpora: one
// token per line, a blank line between sentences; fields separated by a tab
// or by spaces; the token first and the tag last ("Putin B-PER", "Putin PROPN
// B-PER") or, after an index, the token and the tag in the second and third
// fields (UniversalNER: "7 TAB tampa TAB B-LOC TAB - TAB stephen"). Lines
// starting with "#" and -DOCSTART- lines are skipped, CRLF line ends
// accepted. Tags are mapped to ours with types; IO tags (no B-) and stray
// I- tags become BIO. A user mention that a corpus splits as "@ user", each
// tagged as a name of its own (BTC's tweets), is the user's name alone: the
// "@" is not an entity.
func ReadCoNLL(r io.Reader, types map[string]string) ([]Example, error) {
	var out []Example
	var cur Example
	flush := func() {
		for i := 0; i+1 < len(cur.Words); i++ {
			if cur.Words[i] == "@" && IsBegin(cur.Labels[i]) && cur.Labels[i+1] == cur.Labels[i] {
				cur.Labels[i] = 0
			}
		}
		if len(cur.Words) > 0 {
			out = append(out, cur)
		}
		cur = Example{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if strings.HasPrefix(line, "#") && !strings.Contains(line, "\t#\t") || strings.HasPrefix(line, "-DOCSTART-") {
			continue
		}
		var fields []string
		if strings.Contains(line, "\t") {
			fields = strings.Split(line, "\t")
		} else {
			fields = strings.Fields(line)
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: want a token and a tag, got %q", n, line)
		}
		word, tag := fields[0], fields[len(fields)-1]
		if len(fields) >= 4 && isIndex(fields[0]) {
			word, tag = fields[1], fields[2]
		}
		prev := 0
		if len(cur.Labels) > 0 {
			prev = cur.Labels[len(cur.Labels)-1]
		}
		cur.Words = append(cur.Words, word)
		cur.Labels = append(cur.Labels, mapTag(tag, types, prev))
	}
	flush()
	return out, sc.Err()
}

func isIndex(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// mapTag maps a corpus tag to our label, given the label before.
func mapTag(tag string, types map[string]string, prev int) int {
	bio, typ, ok := strings.Cut(tag, "-")
	if !ok || (bio != "B" && bio != "I") {
		return 0
	}
	ours, ok := types[typ]
	if !ok {
		return 0
	}
	t := -1
	for k, name := range Types {
		if name == ours {
			t = k
		}
	}
	if t < 0 {
		return 0
	}
	b, in := Begin(t), Inside(t)
	if bio == "I" && prev > 0 && TypeOf(prev) == t {
		return in
	}
	return b
}
