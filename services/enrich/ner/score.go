package ner

import (
	"fmt"
	"io"
	"slices"
)

// Span is an entity as a run of words [Start, End) of type Type (an index in
// Types).
type Span struct {
	Start, End, Type int
}

// Spans returns the entities of a label sequence the way seqeval (and
// conlleval) reads BIO: an entity starts at B-X, or at I-X after a label of
// another type, and runs over the I-X after it.
func Spans(labels []int) []Span {
	var out []Span
	for i := 0; i < len(labels); {
		l := labels[i]
		if l == 0 {
			i++
			continue
		}
		t := TypeOf(l)
		j := i + 1
		for j < len(labels) && IsInside(labels[j]) && TypeOf(labels[j]) == t {
			j++
		}
		out = append(out, Span{i, j, t})
		i = j
	}
	return out
}

// Score counts entities for precision, recall and F1 with exact matching of
// span and type, per type.
type Score struct {
	TP, Pred, Gold [len(Types)]int
}

// Add counts one sentence. Only the types in scored (indexes in Types) are
// counted, in the gold labels and in the predicted ones alike.
func (s *Score) Add(gold, pred []int, scored []int) {
	gs, ps := Spans(gold), Spans(pred)
	for _, g := range gs {
		if slices.Contains(scored, g.Type) {
			s.Gold[g.Type]++
		}
	}
	for _, p := range ps {
		if !slices.Contains(scored, p.Type) {
			continue
		}
		s.Pred[p.Type]++
		if slices.Contains(gs, p) {
			s.TP[p.Type]++
		}
	}
}

// PRF returns precision, recall and F1 of type t, or overall for t < 0.
func (s *Score) PRF(t int) (p, r, f float64) {
	var tp, pred, gold int
	for k := range Types {
		if t < 0 || k == t {
			tp, pred, gold = tp+s.TP[k], pred+s.Pred[k], gold+s.Gold[k]
		}
	}
	if pred > 0 {
		p = float64(tp) / float64(pred)
	}
	if gold > 0 {
		r = float64(tp) / float64(gold)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// Report writes a table of the scores of the types in scored and overall.
func (s *Score) Report(w io.Writer, scored []int) {
	fmt.Fprintf(w, "  %-8s %9s %9s %9s %7s\n", "type", "precision", "recall", "f1", "support")
	for _, t := range scored {
		p, r, f := s.PRF(t)
		fmt.Fprintf(w, "  %-8s %9.4f %9.4f %9.4f %7d\n", Types[t], p, r, f, s.Gold[t])
	}
	p, r, f := s.PRF(-1)
	total := 0
	for _, g := range s.Gold {
		total += g
	}
	fmt.Fprintf(w, "  %-8s %9.4f %9.4f %9.4f %7d\n", "overall", p, r, f, total)
}
