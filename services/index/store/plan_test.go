package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/warta-news/warta/pkg/events"
)

// sim is an in-memory article: what each document holds, as the slot of the
// paragraph in it. It carries out plans as Apply does, checking that every
// source names a document that holds what the plan expects.
type sim struct {
	current *revCount
	para    map[int]slot
	counts  map[rev]int
	pend    map[slot]bool
}

func newSim() *sim { return &sim{para: map[int]slot{}, counts: map[rev]int{}, pend: map[slot]bool{}} }

func (m *sim) state() *articleState {
	st := newArticleState()
	if m.current != nil {
		c := *m.current
		st.current = &c
	}
	for i, s := range m.para {
		st.live[i] = revCount{s.rev, m.counts[s.rev]}
	}
	for s := range m.pend {
		st.pending[s] = m.counts[s.rev]
	}
	return st
}

// run plans arr against the sim and carries the plan out.
func (m *sim) run(t *testing.T, arr []arrival) plan {
	t.Helper()
	p := planArticle(m.state(), arr)
	content := func(src source) slot {
		switch {
		case src.Pos >= 0:
			a := arr[src.Pos]
			m.counts[a.rev] = a.Count
			return slot{a.rev, a.Index}
		case src.Pending:
			if !m.pend[src.Slot] {
				t.Fatalf("plan reads pending %v, which is not stored", src.Slot)
			}
			return src.Slot
		}
		if got, ok := m.para[src.Slot.Index]; !ok || got != src.Slot {
			t.Fatalf("plan reads paragraph %d as %v; it holds %v (%v)", src.Slot.Index, src.Slot, got, ok)
		}
		return src.Slot
	}
	// Every read happens before any write, as in one Bleve batch.
	put := map[int]slot{}
	for i, src := range p.Put {
		if put[i] = content(src); put[i].Index != i {
			t.Fatalf("plan puts %v in paragraph %d", put[i], i)
		}
	}
	hold := map[slot]bool{}
	for s, src := range p.Hold {
		if c := content(src); c != s {
			t.Fatalf("plan holds %v as pending %v", c, s)
		}
		hold[s] = true
	}
	for _, i := range p.Keep {
		content(storedParagraph(p.Becomes.rev, i))
	}
	for _, i := range p.Delete {
		delete(m.para, i)
	}
	for _, s := range p.Release {
		delete(m.pend, s)
	}
	maps.Copy(m.para, put)
	maps.Copy(m.pend, hold)
	if p.Becomes != nil {
		c := *p.Becomes
		m.current = &c
	}
	return p
}

// check asserts what must hold after every batch.
func (m *sim) check(t *testing.T, what string) {
	t.Helper()
	if m.current == nil {
		return
	}
	if len(m.para) != m.current.Count {
		t.Fatalf("%s: %d paragraph documents, current %v has %d", what, len(m.para), m.current.rev, m.current.Count)
	}
	for i, s := range m.para {
		if s != (slot{m.current.rev, i}) {
			t.Fatalf("%s: paragraph %d holds %v, not the current revision %v", what, i, s, m.current.rev)
		}
	}
	for s := range m.pend {
		if !s.rev.after(m.current.rev) {
			t.Fatalf("%s: pending %v is not newer than the current %v", what, s, m.current.rev)
		}
	}
}

func arrivals(rc revCount) []arrival {
	out := make([]arrival, rc.Count)
	for i := range out {
		out[i] = arrival{rc, i}
	}
	return out
}

// TestPlanEveryOrder runs every order of the paragraphs of three revisions
// (2, 3 and 1 paragraphs), with every way of cutting each order into
// consecutive batches, from an empty article and from one with an older
// revision complete; and the same with the newest revision's paragraph
// lost, and with a paragraph of the middle one lost too. After every batch
// the paragraph documents are exactly the current revision's and only newer
// revisions are pending; the current revision only moves forward; no
// paragraph of a revision newer than the current one is ever skipped; and at
// the end the newest revision whose paragraphs all came is current, with
// nothing pending but what the lost paragraphs left incomplete.
func TestPlanEveryOrder(t *testing.T) {
	old := revCount{rev{1, "o"}, 4}
	a, b, c := revCount{rev{5, "a"}, 2}, revCount{rev{7, "b"}, 3}, revCount{rev{9, "c"}, 1}
	runs := 0
	for _, tc := range []struct {
		deliver []arrival
		want    revCount
		pending int // left at the end
	}{
		{slices.Concat(arrivals(a), arrivals(b), arrivals(c)), c, 0},
		{slices.Concat(arrivals(a), arrivals(b)), b, 0},
		{slices.Concat(arrivals(a), arrivals(b)[:2]), a, 2},
	} {
		for _, start := range []bool{false, true} {
			for _, order := range permute(tc.deliver) {
				for cuts := range 1 << (len(order) - 1) {
					runs++
					m := newSim()
					if start {
						m.run(t, arrivals(old))
					}
					from := 0
					for i := 1; i <= len(order); i++ {
						if i < len(order) && cuts&(1<<(i-1)) == 0 {
							continue
						}
						batch := order[from:i]
						from = i
						before := m.current
						p := m.run(t, batch)
						what := fmt.Sprintf("start %v, order %v, cuts %b, batch ending %d", start, order, cuts, i)
						m.check(t, what)
						if before != nil && m.current != nil && before.rev.after(m.current.rev) {
							t.Fatalf("%s: current went back from %v to %v", what, before.rev, m.current.rev)
						}
						for _, pos := range p.Stale {
							if batch[pos].rev.after(before.rev) {
								t.Fatalf("%s: skipped %v, newer than the current %v", what, batch[pos], before.rev)
							}
						}
						if len(p.Rejected) > 0 {
							t.Fatalf("%s: rejected %v", what, p.Rejected)
						}
					}
					if m.current == nil || m.current.rev != tc.want.rev || len(m.pend) != tc.pending {
						t.Fatalf("start %v, order %v, cuts %b: current %v with %d pending, want %v and %d",
							start, order, cuts, m.current, len(m.pend), tc.want.rev, tc.pending)
					}
				}
			}
		}
	}
	t.Logf("%d runs", runs)
}

// permute returns every order of as.
func permute(as []arrival) [][]arrival {
	if len(as) <= 1 {
		return [][]arrival{slices.Clone(as)}
	}
	var out [][]arrival
	for i := range as {
		rest := slices.Concat(as[:i:i], as[i+1:])
		for _, p := range permute(rest) {
			out = append(out, append([]arrival{as[i]}, p...))
		}
	}
	return out
}

// TestPlanCases spells out what one batch does in the cases the rules name.
func TestPlanCases(t *testing.T) {
	a, b, c := revCount{rev{1, "a"}, 2}, revCount{rev{2, "b"}, 2}, revCount{rev{3, "c"}, 1}
	at := func(rc revCount, i int) arrival { return arrival{rc, i} }
	for _, tc := range []struct {
		name    string
		before  [][]arrival // batches run first
		batch   []arrival
		want    string // Becomes/Current, then the plan's writes
		stale   []int
		reject  []int
		pending int // pending documents after
	}{
		{name: "first paragraph of a first revision is searchable at once",
			batch: []arrival{at(a, 0)}, want: "becomes <nil> current <nil> put [0] hold 0 delete [] release 0 keep []"},
		{name: "a revision completes",
			before: [][]arrival{{at(a, 0)}}, batch: []arrival{at(a, 1)},
			want: "becomes 1/a current 1/a put [1] hold 0 delete [] release 0 keep [0]"},
		{name: "redelivery of the current revision is rewritten in place",
			before: [][]arrival{arrivals(a)}, batch: []arrival{at(a, 1)},
			want: "becomes <nil> current 1/a put [1] hold 0 delete [] release 0 keep []"},
		{name: "a newer revision waits in pending documents",
			before: [][]arrival{arrivals(a)}, batch: []arrival{at(b, 0)},
			want: "becomes <nil> current 1/a put [] hold 1 delete [] release 0 keep []", pending: 1},
		{name: "a shorter newer revision replaces the current one and its extra paragraph goes",
			before: [][]arrival{arrivals(a)}, batch: []arrival{at(c, 0)},
			want: "becomes 3/c current 3/c put [0] hold 0 delete [1] release 0 keep []"},
		{name: "an older revision's paragraph is stale",
			before: [][]arrival{arrivals(b)}, batch: []arrival{at(a, 0), at(a, 1)},
			want: "becomes <nil> current 2/b put [] hold 0 delete [] release 0 keep []", stale: []int{0, 1}},
		{name: "an older paragraph in a slot moves to pending before any completion",
			before: [][]arrival{{at(a, 0)}}, batch: []arrival{at(b, 0)},
			want: "becomes <nil> current <nil> put [0] hold 1 delete [] release 0 keep []", pending: 1},
		{name: "completing a newer revision drops an older one's pending paragraphs",
			before: [][]arrival{{at(a, 0)}, {at(b, 0)}}, batch: []arrival{at(b, 1)},
			want: "becomes 2/b current 2/b put [1] hold 0 delete [] release 1 keep [0]"},
		{name: "a count that disagrees with the revision's is rejected",
			before: [][]arrival{{at(a, 0)}}, batch: []arrival{{revCount{a.rev, 3}, 2}},
			want: "becomes <nil> current <nil> put [] hold 0 delete [] release 0 keep []", reject: []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newSim()
			for _, b := range tc.before {
				m.run(t, b)
			}
			p := m.run(t, tc.batch)
			m.check(t, tc.name)
			if got := describe(p); got != tc.want {
				t.Errorf("plan = %s\n want %s", got, tc.want)
			}
			if !slices.Equal(p.Stale, tc.stale) {
				t.Errorf("stale = %v, want %v", p.Stale, tc.stale)
			}
			rejected := slices.Sorted(maps.Keys(p.Rejected))
			if !slices.Equal(rejected, tc.reject) {
				t.Errorf("rejected = %v, want %v", rejected, tc.reject)
			}
			for _, err := range p.Rejected {
				if !errors.Is(err, events.ErrInvalid) {
					t.Errorf("rejection %v does not match events.ErrInvalid", err)
				}
			}
			if len(m.pend) != tc.pending {
				t.Errorf("%d pending documents after, want %d", len(m.pend), tc.pending)
			}
		})
	}
}

func describe(p plan) string {
	name := func(rc *revCount) string {
		if rc == nil {
			return "<nil>"
		}
		return rc.rev.String()
	}
	return fmt.Sprintf("becomes %s current %s put %v hold %d delete %v release %d keep %v",
		name(p.Becomes), name(p.Current), slices.Sorted(maps.Keys(p.Put)), len(p.Hold), p.Delete, len(p.Release), p.Keep)
}
