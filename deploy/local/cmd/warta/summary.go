package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
)

// articleView is the part of the index's GET /articles/{id} answer the
// summary shows.
type articleView struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Lang       string `json:"lang"`
	Published  string `json:"published_at"`
	Paragraphs []struct {
		Entities []events.Entity `json:"entities"`
		Dates    []events.Date   `json:"dates"`
	} `json:"paragraphs"`
}

// articleID reads the id from the client's "indexed <id> …" line.
func articleID(out []byte) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && (f[0] == "indexed" || f[0] == "published") {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("no article id in %q", out)
}

// printSummary shows what the index holds for the article: its entities by
// type, most mentioned first, and its dates.
func printSummary(ctx context.Context, w io.Writer, base, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/articles/"+url.PathEscape(id), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /articles/%s: %s", id, resp.Status)
	}
	var a articleView
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return fmt.Errorf("read article: %w", err)
	}
	counts := map[events.EntityType]map[string]int{}
	var dates []string
	for _, p := range a.Paragraphs {
		for _, e := range p.Entities {
			if counts[e.Type] == nil {
				counts[e.Type] = map[string]int{}
			}
			counts[e.Type][e.Canonical]++
		}
		for _, d := range p.Dates {
			v := d.Value
			if d.Mod != "" {
				v += " (" + d.Mod + ")"
			}
			dates = append(dates, fmt.Sprintf("%q → %s", d.Text, v))
		}
	}
	paragraphs := fmt.Sprintf("%d paragraphs", len(a.Paragraphs))
	if len(a.Paragraphs) == 1 {
		paragraphs = "1 paragraph"
	}
	fmt.Fprintf(w, "warta: article %s %q (%s, published %s): %s indexed\n", a.ID, a.Title, a.Lang, a.Published, paragraphs)
	for _, t := range events.EntityTypes {
		if len(counts[t]) == 0 {
			continue
		}
		names := make([]string, 0, len(counts[t]))
		for n := range counts[t] {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			ci, cj := counts[t][names[i]], counts[t][names[j]]
			return ci > cj || ci == cj && names[i] < names[j]
		})
		for i, n := range names {
			names[i] = fmt.Sprintf("%s ×%d", n, counts[t][n])
		}
		fmt.Fprintf(w, "       %-13s %s\n", t, strings.Join(names, ", "))
	}
	if len(dates) > 0 {
		fmt.Fprintf(w, "       %-13s %s\n", "DATES", strings.Join(dates, ", "))
	}
	return nil
}
