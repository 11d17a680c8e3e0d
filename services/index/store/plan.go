package store

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/warta-news/warta/pkg/events"
)

// Revisions, and what a batch does to an article: the pure part of Apply.
//
// An article's paragraphs carry the revision they were cut from: its place
// in ARTICLES (ArticleSeq) and a hash of its content (Version). A revision
// is complete when all Count paragraphs of it are in. The index keeps one
// revision of each article current, and the rule is: the newest complete
// revision is current, whatever order paragraphs arrive in. So:
//
//   - A paragraph of the current revision is (re)written in place, as its
//     paragraph document.
//   - A paragraph of a revision older than the current one can never become
//     current: it is not written (stale).
//   - A paragraph of a newer revision is written as a pending document,
//     invisible to search, until its revision completes.
//   - Before any revision completed, a paragraph takes its paragraph
//     document at once, searchable, unless a paragraph of a newer revision
//     holds it (then it is pending); one of an older revision there moves to
//     a pending document, so that its revision can still complete should the
//     newer one never do.
//   - When revisions complete, the newest of them that is newer than the
//     current one becomes current: its paragraphs become the paragraph
//     documents, paragraph documents past its count go, and the pending
//     documents of every revision not newer than it go (none of those can
//     ever be current). Pending documents of newer revisions stay: they may
//     still complete and replace it.
//   - A paragraph whose count disagrees with what the index knows of its
//     revision cannot be true: it is rejected.
//
// Revisions of the same ArticleSeq (only events from before revisions were
// stamped, which all have 0) are ordered by Version: arbitrary, but the same
// way every time.

// rev identifies a revision of an article.
type rev struct {
	Seq     uint64
	Version string
}

// after reports whether r is a newer revision than o.
func (r rev) after(o rev) bool {
	if r.Seq != o.Seq {
		return r.Seq > o.Seq
	}
	return r.Version > o.Version
}

func (r rev) String() string { return fmt.Sprintf("%d/%s", r.Seq, r.Version) }

// revCount is a revision and its number of paragraphs.
type revCount struct {
	rev
	Count int
}

// slot is one paragraph of one revision.
type slot struct {
	rev
	Index int
}

// articleState is what the index holds of one article before a batch.
type articleState struct {
	// current is the current, complete revision; nil before any completed.
	current *revCount
	// live maps the index of each paragraph document to its revision.
	live map[int]revCount
	// pending maps each pending document to its revision's count.
	pending map[slot]int
}

func newArticleState() *articleState {
	return &articleState{live: map[int]revCount{}, pending: map[slot]int{}}
}

// arrival is a paragraph of the batch, as the planner sees it.
type arrival struct {
	revCount
	Index int
}

func arrivalOf(p *events.EnrichedParagraph) arrival {
	return arrival{revCount{rev{p.ArticleSeq, p.Version}, p.Count}, p.Index}
}

// source says where the content of a document to write comes from: the
// paragraph at Pos in the batch, or (Pos < 0) a stored document.
type source struct {
	Pos int
	// Pending, with Slot: the pending document of Slot; else the paragraph
	// document at Slot.Index.
	Pending bool
	Slot    slot
}

func arrived(pos int) source { return source{Pos: pos} }

func storedParagraph(r rev, i int) source { return source{Pos: -1, Slot: slot{r, i}} }

func storedPending(s slot) source { return source{Pos: -1, Pending: true, Slot: s} }

// plan is what a batch does to one article.
type plan struct {
	// Put are the paragraph documents to write, by index.
	Put map[int]source
	// Hold are the pending documents to write.
	Hold map[slot]source
	// Delete are the paragraph documents to delete, by index.
	Delete []int
	// Release are the pending documents to delete.
	Release []slot
	// Becomes is the revision that becomes current in this batch, or nil.
	Becomes *revCount
	// Keep, with Becomes, are the indexes of its paragraphs that stay in
	// their paragraph documents, stored earlier: linking may rewrite them.
	Keep []int
	// Current is the current revision after the batch, or nil.
	Current *revCount
	// Stale are the positions of paragraphs of revisions older than the
	// current one: they are not written.
	Stale []int
	// Rejected maps the position of a paragraph that cannot be true to why.
	Rejected map[int]error
}

// planArticle works out what the paragraphs arr (in batch order) do to an
// article whose stored state is st, following the rules above. It does not
// modify st.
func planArticle(st *articleState, arr []arrival) plan {
	p := plan{Put: map[int]source{}, Hold: map[slot]source{}, Rejected: map[int]error{}}
	counts := map[rev]int{}
	if st.current != nil {
		counts[st.current.rev] = st.current.Count
	}
	type held struct {
		rc  revCount
		src source
	}
	live := make(map[int]held, len(st.live))
	for i, rc := range st.live {
		counts[rc.rev] = rc.Count
		live[i] = held{rc, storedParagraph(rc.rev, i)}
	}
	pending := make(map[slot]source, len(st.pending))
	for s, n := range st.pending {
		counts[s.rev] = n
		pending[s] = storedPending(s)
	}

	cur := st.current
	for pos, a := range arr {
		if n, ok := counts[a.rev]; ok && n != a.Count {
			p.Rejected[pos] = fmt.Errorf("%w: paragraph %d of revision %s says the article has %d paragraphs, "+
				"another paragraph of that revision said %d", events.ErrInvalid, a.Index, a.rev, a.Count, n)
			continue
		}
		counts[a.rev] = a.Count
		switch {
		case cur != nil && a.rev == cur.rev:
			live[a.Index] = held{a.revCount, arrived(pos)}
		case cur != nil && !a.rev.after(cur.rev):
			p.Stale = append(p.Stale, pos)
		case cur != nil:
			pending[slot{a.rev, a.Index}] = arrived(pos)
		default:
			l, taken := live[a.Index]
			switch {
			case !taken || l.rc.rev == a.rev:
				live[a.Index] = held{a.revCount, arrived(pos)}
			case a.rev.after(l.rc.rev):
				pending[slot{l.rc.rev, a.Index}] = l.src
				live[a.Index] = held{a.revCount, arrived(pos)}
			default:
				pending[slot{a.rev, a.Index}] = arrived(pos)
			}
		}
	}

	// The newest complete revision newer than the current one wins.
	var winner *revCount
	for r, n := range counts {
		if cur != nil && !r.after(cur.rev) || winner != nil && !r.after(winner.rev) {
			continue
		}
		complete := true
		for i := range n {
			if l, ok := live[i]; ok && l.rc.rev == r {
				continue
			}
			if _, ok := pending[slot{r, i}]; !ok {
				complete = false
				break
			}
		}
		if complete {
			winner = &revCount{r, n}
		}
	}
	floor := cur // pending documents of revisions not newer than this go
	if winner != nil {
		next := make(map[int]held, winner.Count)
		for i := range winner.Count {
			if l, ok := live[i]; ok && l.rc.rev == winner.rev {
				next[i] = l
				continue
			}
			s := slot{winner.rev, i}
			next[i] = held{*winner, pending[s]}
			delete(pending, s)
		}
		for i, l := range live {
			if n, ok := next[i]; ok && n.rc.rev == l.rc.rev {
				continue
			}
			if l.rc.rev.after(winner.rev) {
				pending[slot{l.rc.rev, i}] = l.src
			}
		}
		live, floor = next, winner
		p.Becomes = winner
	}
	if floor != nil {
		for s := range pending {
			if !s.rev.after(floor.rev) {
				delete(pending, s)
			}
		}
	}
	p.Current = floor

	// What changes, against what is stored.
	for i, l := range live {
		unchanged := !(l.src.Pos >= 0 || l.src.Pending) && l.src.Slot.Index == i
		switch {
		case !unchanged:
			p.Put[i] = l.src
		case p.Becomes != nil:
			p.Keep = append(p.Keep, i)
		}
	}
	for i := range st.live {
		if _, ok := live[i]; !ok {
			p.Delete = append(p.Delete, i)
		}
	}
	for s, src := range pending {
		if src != storedPending(s) {
			p.Hold[s] = src
		}
	}
	for s := range st.pending {
		if _, ok := pending[s]; !ok {
			p.Release = append(p.Release, s)
		}
	}
	slices.Sort(p.Keep)
	slices.Sort(p.Delete)
	slices.SortFunc(p.Release, func(a, b slot) int {
		return cmp.Or(cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Index, b.Index))
	})
	return p
}
