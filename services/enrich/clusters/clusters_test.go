package clusters

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeText writes a small unlabelled corpus into dir: sentences in which
// given names, cities and verbs each fill their own slot, so that words of
// one kind share their contexts.
func writeText(t *testing.T, dir string) {
	t.Helper()
	names := []string{"ali", "budi", "citra", "dewi", "eko", "fajar"}
	cities := []string{"jakarta", "bandung", "medan", "surabaya", "makassar", "padang"}
	verbs := []string{"tiba", "pergi", "pulang", "datang"}
	var plain, zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	for i := range 400 {
		line := fmt.Sprintf("kemarin %s %s ke %s dengan kereta .\n", names[i%len(names)], verbs[i/7%len(verbs)], cities[i/3%len(cities)])
		if i%2 == 0 {
			plain.WriteString(line)
		} else {
			zw.Write([]byte(strings.ToUpper(line[:1]) + line[1:]))
		}
	}
	zw.Close()
	if err := os.MkdirAll(filepath.Join(dir, "id"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "id", "a.txt"), plain.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "id", "b.txt.gz"), zipped.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "id", "LICENSE"), []byte("not read"), 0o644)
}

// TestTrain learns clusters twice from the same text: the bytes are equal,
// words of one kind share a long prefix that words of another kind do not,
// and the file reads back into a Table.
func TestTrain(t *testing.T) {
	dir := t.TempDir()
	writeText(t, dir)
	var files [2][]byte
	var words []Word
	for k := range files {
		var err error
		words, err = Train(func(fn func([]string)) error { return Words(dir, fn) }, Options{Classes: 6, MinCount: 3})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, words); err != nil {
			t.Fatal(err)
		}
		files[k] = buf.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("two trainings on the same text differ")
	}
	path := map[string]string{}
	for _, w := range words {
		path[w.Word] = w.Path
	}
	if path["Kemarin"] != "" || path["kemarin"] == "" {
		t.Errorf("words are not lower-cased: %v", path)
	}
	common := func(a, b string) int {
		n := 0
		for n < len(path[a]) && n < len(path[b]) && path[a][n] == path[b][n] {
			n++
		}
		return n
	}
	for _, tt := range [][3]string{{"ali", "budi", "jakarta"}, {"jakarta", "medan", "tiba"}, {"medan", "padang", "dewi"}} {
		if common(tt[0], tt[1]) <= common(tt[0], tt[2]) {
			t.Errorf("%s %s, %s %s, %s %s: the first two should share more of their bit strings",
				tt[0], path[tt[0]], tt[1], path[tt[1]], tt[2], path[tt[2]])
		}
	}
	tbl, err := Load(string(files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Len() != len(words) {
		t.Errorf("Load: %d words, want %d", tbl.Len(), len(words))
	}
	hs := tbl.Hints("Jakarta")
	if len(hs) != len(PrefixLengths()) || !strings.HasPrefix(hs[0], "c4:") || !strings.HasSuffix(hs[len(hs)-1], path["jakarta"]) {
		t.Errorf("Hints(Jakarta) = %q, want prefixes of %s", hs, path["jakarta"])
	}
	if tbl.Hints("Yogyakarta") != nil || (*Table)(nil).Hints("jakarta") != nil {
		t.Error("Hints of an unknown word, or of a nil table, should be nil")
	}
}

// TestTrainErrors checks what a user who points the command at the wrong
// folder is told.
func TestTrainErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Train(func(fn func([]string)) error { return Words(empty, fn) }, Options{}); err == nil || !strings.Contains(err.Error(), "no .txt or .txt.gz files") {
		t.Errorf("empty folder: %v", err)
	}
	dir := t.TempDir()
	writeText(t, dir)
	if _, err := Train(func(fn func([]string)) error { return Words(dir, fn) }, Options{Classes: 500}); err == nil || !strings.Contains(err.Error(), "too little text") {
		t.Errorf("too many classes: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, data := range []string{"0110\tjakarta\n0x1\tmedan\t3\n", "jakarta\n", "01\t\t3\n"} {
		if _, err := Load(data); !errors.Is(err, ErrFormat) {
			t.Errorf("Load(%q) = %v, want ErrFormat", data, err)
		}
	}
}

func TestLowerHash(t *testing.T) {
	for _, w := range []string{"Jakarta", "ÉTAT", "İstanbul", "putin", "Straße", ""} {
		if got, want := LowerHash(w), LowerHash(strings.ToLower(w)); got != want {
			t.Errorf("LowerHash(%q) = %x, want LowerHash(%q) = %x", w, got, strings.ToLower(w), want)
		}
	}
	if LowerHash("jakarta") == LowerHash("medan") {
		t.Error("two words, one hash")
	}
}
