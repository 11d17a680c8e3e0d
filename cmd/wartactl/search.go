package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/services/index/store"
)

// runSearch asks a running index's HTTP API and prints the hits for people.
func runSearch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := proc.NewFlags("wartactl search", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: wartactl search [flags] QUERY...\n\n"+
			"Searches a running index and prints the matching articles (or paragraphs, with\n"+
			"--group paragraph) with their best paragraphs. Flags may come anywhere; QUERY may\n"+
			"be empty when a filter is given. QUERY is what a search box takes: words (any\n"+
			"form of them), \"a phrase\", -excluded, and OR: wartactl search Putin -Biden --lang id\n\nFlags:\n")
		f.PrintDefaults()
	}
	var base string
	f.StringVar(&base, "url", "INDEX_URL", "http://127.0.0.1:8080", "base URL of the index's HTTP API")
	filters := matchFlags(f)
	sort := f.String("sort", "", "relevance (the default with a query) or published (newest first)")
	group := f.String("group", "", "article (one hit per article, the default) or paragraph")
	size := f.Int("size", 10, "hits to show")
	offset := f.Int("offset", 0, "hits to skip, for paging (at most 1000; beyond, use --after)")
	after := f.String("after", "", `page on after the last hit of a page: the cursor it printed as "next page"`)
	asJSON := f.Bool("json", false, "print the API's JSON answer as it is")
	words, err := parseInterspersed(f, args)
	if err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	q := url.Values{}
	if text := strings.Join(words, " "); text != "" {
		q.Set("q", text)
	}
	params := filters()
	params["sort"], params["group"] = *sort, *group
	for k, v := range params {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("size", strconv.Itoa(*size))
	if *offset != 0 {
		q.Set("offset", strconv.Itoa(*offset))
	}
	if *after != "" {
		q.Set("search_after", *after)
	}

	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	body, err := get(ctx, strings.TrimRight(base, "/")+"/search?"+q.Encode())
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := stdout.Write(append(body, '\n'))
		return err
	}
	var res store.Result
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("read search answer: %w", err)
	}
	p := printer{w: stdout, bold: colour(stdout, getenv)}
	p.result(res, *offset)
	return nil
}

// matchFlags adds to f the flags of what a search matches, which "wartactl
// search" and "wartactl alerts add" share; the function it returns gives
// their values by the API's names (entity, type, lang, from, to,
// mentioned_from, mentioned_to).
func matchFlags(f *proc.Flags) func() map[string]string {
	entity := f.String("entity", "", "only articles mentioning this entity, as written or its canonical name (comma-separated: all of them)")
	typ := f.String("type", "", "only articles with an entity of this type: PERSON, ORGANIZATION, LOCATION, EVENT, MISC")
	lang := f.String("lang", "", "only articles in this language (id, en, …)")
	from := f.String("from", "", "only articles published on or after this date (2006-01-02)")
	to := f.String("to", "", "only articles published on or before this date (2006-01-02)")
	mentionedFrom := f.String("mentioned-from", "", "only articles that mention a date on or after this one (2006-01-02)")
	mentionedTo := f.String("mentioned-to", "", "only articles that mention a date on or before this one (2006-01-02)")
	return func() map[string]string {
		return map[string]string{"entity": *entity, "type": *typ, "lang": *lang, "from": *from, "to": *to,
			"mentioned_from": *mentionedFrom, "mentioned_to": *mentionedTo}
	}
}

// parseInterspersed parses args with f, flags anywhere among the words of
// the query: a word that starts with "-" but names no flag ("-Trump") is a
// word of the query, and everything after "--" is too.
func parseInterspersed(f *proc.Flags, args []string) ([]string, error) {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		name := strings.TrimLeft(a, "-")
		if name == a || name == "" {
			words = append(words, a)
			continue
		}
		name, _, hasValue := strings.Cut(name, "=")
		fl := f.Lookup(name)
		if fl == nil && name != "h" && name != "help" {
			words = append(words, a)
			continue
		}
		flags = append(flags, a)
		if hasValue || fl == nil { // -help, or -flag=value
			continue
		}
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := f.Parse(flags); err != nil {
		return nil, err
	}
	return words, nil
}

// colour reports whether to mark the highlighted words in bold: only for
// a terminal, and only when NO_COLOR is not set (no-color.org).
func colour(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// get fetches url and returns the body of a 2xx answer, or the API's error.
func get(ctx context.Context, u string) ([]byte, error) { return call(ctx, http.MethodGet, u, nil) }

// call sends a request with a JSON body (none if nil) to the index's API
// and returns the body of a 2xx answer; else the API's error message.
func call(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w (is the index running? start the pipeline with make run, or set --url)", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(answer, &e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("the index's API answered %s", resp.Status)
	}
	return answer, nil
}

// printer writes search results for people.
type printer struct {
	w    io.Writer
	bold bool
}

// marked turns highlights into text: the marked words in bold on a
// terminal, else between asterisks.
func (p printer) marked(frags []string) string {
	on, off := "*", "*"
	if p.bold {
		on, off = "\x1b[1m", "\x1b[0m"
	}
	return html.UnescapeString(strings.NewReplacer("<mark>", on, "</mark>", off).Replace(strings.Join(frags, " … ")))
}

func (p printer) result(res store.Result, offset int) {
	w := p.w
	what, verb := "articles", "match"
	if res.Group == store.GroupParagraph {
		what = "paragraphs"
	}
	if res.Total == 1 {
		what, verb = strings.TrimSuffix(what, "s"), "matches"
	}
	if res.Hint != nil {
		fmt.Fprintln(w, res.Hint.Message)
		return
	}
	switch {
	case res.Total == 0:
		fmt.Fprintf(w, "no %s match\n", what)
		return
	case res.NumHits() == 0:
		fmt.Fprintf(w, "%d %s %s; none after this point\n", res.Total, what, verb)
		return
	}
	more := ""
	if res.Capped {
		more = " (at least: a word matched too much to count it all)"
	}
	fmt.Fprintf(w, "%d %s %s%s; showing %d–%d\n", res.Total, what, verb, more, offset+1, offset+res.NumHits())
	for i, h := range res.Articles {
		fmt.Fprintf(w, "\n%d. %s  [%s]\n", offset+i+1, h.Title, joinSet(h.ArticleID, h.Lang, shortTime(h.PublishedAt)))
		for _, m := range h.Paragraphs {
			fmt.Fprintf(w, "   ¶%d %s\n", m.Index, p.marked(m.Highlights))
		}
		var names []string
		for _, e := range h.Entities {
			names = append(names, fmt.Sprintf("%s (%s ×%d)", e.Name, e.Type, e.Mentions))
		}
		if len(names) > 0 {
			fmt.Fprintf(w, "   names: %s\n", strings.Join(names, ", "))
		}
	}
	for i, h := range res.Paragraphs {
		fmt.Fprintf(w, "\n%d. %s  [%s]\n", offset+i+1, h.Title, joinSet(fmt.Sprintf("%s ¶%d", h.ArticleID, h.Index), h.Lang, shortTime(h.PublishedAt)))
		text := h.Text
		if h.Truncated {
			text += fmt.Sprintf(" … [%d bytes in all]", h.TextBytes)
		}
		if len(h.Highlights) > 0 {
			text = p.marked(h.Highlights)
		}
		fmt.Fprintf(w, "   %s\n", text)
		var tags []string
		for _, e := range h.Entities {
			tags = append(tags, fmt.Sprintf("%s (%s)", e.Canonical, e.Type))
		}
		for _, d := range h.Dates {
			tags = append(tags, fmt.Sprintf("%q=%s", d.Text, d.Value))
		}
		if len(tags) > 0 {
			fmt.Fprintf(w, "   tags: %s\n", strings.Join(tags, ", "))
		}
	}
	if top := res.Facets[store.FacetEntity]; len(top) > 0 {
		var fs []string
		for _, f := range top {
			fs = append(fs, fmt.Sprintf("%s (%d)", f.Term, f.Count))
		}
		fmt.Fprintf(w, "\ntop entities (%s): %s\n", what, strings.Join(fs, ", "))
	}
	if res.Next != "" {
		fmt.Fprintf(w, "\nnext page: --after %s\n", res.Next)
	}
}

// joinSet joins the non-empty of parts with ", ": a hit without a
// publication date shows none, not an empty place.
func joinSet(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), ", ")
}

// shortTime shows a publication time that is a date alone (midnight UTC,
// as ingest makes a date) as the date.
func shortTime(t string) string { return strings.TrimSuffix(t, "T00:00:00Z") }
