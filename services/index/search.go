package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/services/index/store"
)

// runSearch asks a running index's HTTP API and prints the hits for people.
func runSearch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := bus.NewFlags("index search", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: index search [flags] QUERY...\n\n"+
			"Searches a running index and prints the matching paragraphs with their tags.\n"+
			"QUERY may be empty when a filter is given.\n\nFlags:\n")
		f.PrintDefaults()
	}
	var base string
	f.StringVar(&base, "url", "INDEX_URL", "http://127.0.0.1:8080", "base URL of the index's HTTP API")
	entity := f.String("entity", "", "only paragraphs mentioning this canonical entity (comma-separated: all of them)")
	typ := f.String("type", "", "only paragraphs with an entity of this type: PERSON, ORGANIZATION, LOCATION, EVENT, MISC")
	lang := f.String("lang", "", "only paragraphs in this language (id, en, …)")
	from := f.String("from", "", "only articles published on or after this date (2006-01-02)")
	to := f.String("to", "", "only articles published on or before this date (2006-01-02)")
	size := f.Int("size", 10, "hits to show")
	offset := f.Int("offset", 0, "hits to skip, for paging (at most 1000; beyond, use --after)")
	after := f.String("after", "", `page on after the last hit of a page: the cursor it printed as "next page"`)
	asJSON := f.Bool("json", false, "print the API's JSON answer as it is")
	if err := f.Parse(args); err != nil {
		if bus.IsHelp(err) {
			return nil
		}
		return err
	}
	q := url.Values{}
	if text := strings.Join(f.Args(), " "); text != "" {
		q.Set("q", text)
	}
	for k, v := range map[string]string{"entity": *entity, "type": *typ, "lang": *lang, "from": *from, "to": *to} {
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
	printResult(stdout, res, *offset)
	return nil
}

// get fetches url and returns the body of a 200 answer, or the API's error.
func get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w (is the index running? start the pipeline with make run, or set --url)", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("search API answered %s", resp.Status)
	}
	return body, nil
}

func printResult(w io.Writer, res store.Result, offset int) {
	if res.Total == 0 {
		fmt.Fprintln(w, "no paragraphs match")
		return
	}
	if len(res.Hits) == 0 {
		fmt.Fprintf(w, "%d paragraphs match; none after this point\n", res.Total)
		return
	}
	fmt.Fprintf(w, "%d paragraphs match; showing %d–%d\n", res.Total, offset+1, offset+len(res.Hits))
	for i, h := range res.Hits {
		fmt.Fprintf(w, "\n%d. %s  [article %s, paragraph %d, %s, %s]\n", offset+i+1, h.Title, h.ArticleID, h.Index, h.Lang, h.PublishedAt)
		text := h.Text
		if h.Truncated {
			text += fmt.Sprintf(" … [%d bytes in all]", h.TextBytes)
		}
		if len(h.Highlights) > 0 {
			marked := strings.NewReplacer("<mark>", "\x1b[1m", "</mark>", "\x1b[0m").Replace(strings.Join(h.Highlights, " … "))
			text = html.UnescapeString(marked)
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
		fmt.Fprintf(w, "\ntop entities: %s\n", strings.Join(fs, ", "))
	}
	if res.Next != "" {
		fmt.Fprintf(w, "\nnext page: --after %s\n", res.Next)
	}
}
