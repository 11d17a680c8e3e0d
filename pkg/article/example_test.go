package article_test

import (
	"fmt"

	"github.com/warta-news/warta/pkg/article"
)

// A plain-text article: the first line is the title, the dateline under it
// sets the date and is not a paragraph, and every other line is a paragraph.
func ExampleParse() {
	payload := []byte("Xi welcomes Putin in Beijing\n\n" +
		"Published on 2 September 2025\n" +
		"Chinese President Xi Jinping has welcomed his Russian counterpart Vladimir Putin.\n" +
		"The two leaders met in Beijing on Tuesday ahead of a military parade.\n")

	a, err := article.Parse(payload, article.Options{DefaultLang: "id"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Title)
	fmt.Println(a.PublishedAt, a.Lang, a.ID)
	// Output:
	// Xi welcomes Putin in Beijing
	// 2025-09-02T00:00:00Z en 2d9e5c6c9c1152c2
}

// A JSON article keeps its id; a changed body gets a new Version under it.
func ExampleParse_json() {
	a, _ := article.Parse([]byte(`{"id":"aj-xi-putin","title":"Xi menyambut Putin","body":"<p>Paragraf satu.</p><p>Paragraf dua.</p>","lang":"ID"}`), article.Options{})
	b, _ := article.Parse([]byte(`{"id":"aj-xi-putin","title":"Xi menyambut Putin","body":"Paragraf satu, diperbaiki.","lang":"ID"}`), article.Options{})
	fmt.Printf("%s %s %q\n", a.ID, a.Lang, a.Body)
	fmt.Println(a.ID == b.ID, a.Version == b.Version)
	// Output:
	// aj-xi-putin id "Paragraf satu.\n\nParagraf dua."
	// true false
}

// Errors say what was wrong and what to do, and match the sentinels of
// package events with errors.Is.
func ExampleParse_error() {
	_, err := article.Parse([]byte(`{"v":2,"title":"T","body":"B"}`), article.Options{})
	fmt.Println(err)
	_, err = article.Parse([]byte("Judul\n\nIsi"), article.Options{MaxBytes: 8})
	fmt.Println(err)
	// Output:
	// invalid event: unsupported schema version: got v=2, this build reads v=1; omit "v" or set it to 1
	// invalid event: too large: the article is 10 bytes and the limit is 8 bytes; split the article or raise the limit with --max-article-bytes / MAX_ARTICLE_BYTES
}

func ExampleSplit() {
	a, _ := article.Parse([]byte("Judul\nDiterbitkan pada 2 Sep 2025\nParagraf satu.\nParagraf dua."), article.Options{DefaultLang: "id"})
	for _, p := range article.Split(a) {
		fmt.Println(p.ID == a.ID+fmt.Sprintf("-%d", p.Index), p.Index, p.Count, p.PublishedAt, p.Text)
	}
	// Output:
	// true 0 2 2025-09-02T00:00:00Z Paragraf satu.
	// true 1 2 2025-09-02T00:00:00Z Paragraf dua.
}

func ExampleSplitText() {
	fmt.Printf("%q\n", article.SplitText("Satu.\n\nDua.\r\nTiga.\n  \n"))
	// Output:
	// ["Satu." "Dua." "Tiga."]
}
