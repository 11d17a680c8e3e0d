package store

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Entity filters as people type them. A filter value stands for every
// canonical name the index knows it as: itself, when it is one; and, in any
// case, the canonical names of the entities written that way, or named that
// way, in complete articles (entity_alias holds "tiongkok\x1fChina",
// "china\x1fChina", "xi jinping\x1fXi Jinping", …, from the gazetteer's
// canonical names and the article's own linking).

// resolveEntity returns the canonical names filter value v stands for, or
// none when the index knows no entity by it.
func (s *Store) resolveEntity(v string) ([]string, error) {
	var names []string
	known, err := s.hasTerm(fieldEntity, v)
	if err != nil {
		return nil, err
	}
	if known {
		names = append(names, v)
	}
	prefix := strings.ToLower(v) + aliasSep
	dict, err := s.idx.FieldDictPrefix(fieldEntityAlias, []byte(prefix))
	if err != nil {
		return nil, fmt.Errorf("read entity aliases: %w", err)
	}
	defer func() { _ = dict.Close() }()
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("read entity aliases: %w", err)
		}
		if e == nil {
			break
		}
		if name := strings.TrimPrefix(e.Term, prefix); e.Count > 0 && !slices.Contains(names, name) {
			names = append(names, name)
		}
		if len(names) > MaxFilters {
			break
		}
	}
	return names, nil
}

// hasTerm reports whether term is in the dictionary of field, in a document
// that is still there.
func (s *Store) hasTerm(field, term string) (bool, error) {
	dict, err := s.idx.FieldDictPrefix(field, []byte(term))
	if err != nil {
		return false, fmt.Errorf("read %s terms: %w", field, err)
	}
	defer func() { _ = dict.Close() }()
	for {
		e, err := dict.Next()
		if err != nil {
			return false, fmt.Errorf("read %s terms: %w", field, err)
		}
		if e == nil || e.Term > term {
			return false, nil
		}
		if e.Term == term {
			return e.Count > 0, nil
		}
	}
}

// maxHints is how many names a Hint suggests.
const maxHints = 5

// entityHint explains filters that name no known entity, with the known
// canonical names nearest to each: names that contain it, or that it is a
// few letters away from, ignoring case.
func (s *Store) entityHint(unknown []string) (*Hint, error) {
	type near struct {
		name     string
		distance int
		count    uint64
	}
	var nearest []near
	dict, err := s.idx.FieldDict(fieldEntity)
	if err != nil {
		return nil, fmt.Errorf("read entity names: %w", err)
	}
	defer func() { _ = dict.Close() }()
	lower := make([]string, len(unknown))
	for i, u := range unknown {
		lower[i] = strings.ToLower(u)
	}
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("read entity names: %w", err)
		}
		if e == nil {
			break
		}
		if e.Count == 0 {
			continue
		}
		name := strings.ToLower(e.Term)
		best := -1
		for _, u := range lower {
			d := -1
			switch {
			case strings.Contains(name, u) || strings.Contains(u, name) && utf8.RuneCountInString(name) > 3:
				d = 0
			default:
				limit := max(2, utf8.RuneCountInString(u)/3)
				if d = levenshtein(u, name, limit); d > limit {
					d = -1
				}
			}
			if d >= 0 && (best < 0 || d < best) {
				best = d
			}
		}
		if best >= 0 {
			nearest = append(nearest, near{e.Term, best, e.Count})
		}
	}
	slices.SortFunc(nearest, func(a, b near) int {
		return cmp.Or(cmp.Compare(a.distance, b.distance), cmp.Compare(b.count, a.count), cmp.Compare(a.name, b.name))
	})
	h := &Hint{Unknown: unknown}
	for _, n := range nearest[:min(len(nearest), maxHints)] {
		h.DidYouMean = append(h.DidYouMean, n.name)
	}
	quoted := make([]string, len(unknown))
	for i, u := range unknown {
		quoted[i] = fmt.Sprintf("%q", u)
	}
	h.Message = "no entity in the index is known as " + strings.Join(quoted, " or ")
	if len(h.DidYouMean) > 0 {
		h.Message += ": did you mean " + strings.Join(h.DidYouMean, ", ") + "?"
	} else {
		h.Message += "; the entity facet of a search lists the names it knows"
	}
	return h, nil
}

// levenshtein returns the edit distance between a and b, in runes, or a
// number above limit as soon as it is sure to exceed it.
func levenshtein(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
