package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/warta-news/warta/services/index/store"
)

// searchParams are the parameters of a search: the query parameters of GET
// /search and the fields of a SearchRequest alike.
var searchParams = []string{"q", "entity", "type", "lang", "from", "to", "mentioned_from", "mentioned_to",
	"group", "sort", "size", "offset", "search_after", "facets"}

// counts are the search parameters that count something from 1 up. The
// store reads 0 as "the default", so a 0 the user gave is refused here,
// where it can still be told from one left out.
var counts = []struct {
	name    string
	def, hi int
	of      func(*store.Query) *int
}{
	{"size", store.DefaultSize, store.MaxSize, func(q *store.Query) *int { return &q.Size }},
	{"facets", store.DefaultFacets, store.MaxFacets, func(q *store.Query) *int { return &q.Facets }},
}

// checkNames returns an error naming every name that is not one of known,
// the parameters that what takes, or nil: a parameter that is ignored
// would answer another question than the user asked.
func checkNames(what string, names, known []string) error {
	var unknown []string
	for _, name := range names {
		if !slices.Contains(known, name) {
			unknown = append(unknown, strconv.Quote(name))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	takes := "no parameters"
	if len(known) > 0 {
		takes = strings.Join(known, ", ")
	}
	noun := "parameter"
	if len(unknown) > 1 {
		noun = "parameters"
	}
	return fmt.Errorf("unknown %s %s: %s takes %s", noun, strings.Join(unknown, ", "), what, takes)
}

// checkCounts refuses a size or facets of 0 that given says the user gave.
func checkCounts(q store.Query, given func(name string) bool) error {
	for _, c := range counts {
		if *c.of(&q) == 0 && given(c.name) {
			return fmt.Errorf("%s 0 is out of range: use 1 to %d, or leave %s out for %d", c.name, c.hi, c.name, c.def)
		}
	}
	return nil
}
