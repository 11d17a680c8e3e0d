package clusters

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
)

// The two word ids that are not words of the vocabulary: each stays alone
// in its class, and both are contexts for the others.
const (
	boundary = 0 // the start and end of a line
	unknown  = 1 // every word rarer than MinCount
	specials = 2
)

// graph holds the bigram counts of the text: for every word, the words that
// follow it and those that precede it, with their counts.
type graph struct {
	words            int
	succOff, predOff []int32
	succ, pred       []int32 // word ids
	succN, predN     []int32 // counts
	left, right      []int64 // per word: bigrams where it is first, second
	total            int64
	f                []float64 // f[n] = n ln n, for every count that can occur
}

func newGraph(words int, bigrams map[uint64]int32) *graph {
	keys := make([]uint64, 0, len(bigrams))
	for k := range bigrams {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	g := &graph{words: words, left: make([]int64, words), right: make([]int64, words)}
	g.succOff = make([]int32, words+1)
	g.predOff = make([]int32, words+1)
	for _, k := range keys {
		a, b, n := int(k>>32), int(uint32(k)), bigrams[k]
		g.succOff[a+1]++
		g.predOff[b+1]++
		g.left[a] += int64(n)
		g.right[b] += int64(n)
		g.total += int64(n)
	}
	for i := range words {
		g.succOff[i+1] += g.succOff[i]
		g.predOff[i+1] += g.predOff[i]
	}
	g.succ, g.succN = make([]int32, len(keys)), make([]int32, len(keys))
	g.pred, g.predN = make([]int32, len(keys)), make([]int32, len(keys))
	sfill := slices.Clone(g.succOff[:words])
	pfill := slices.Clone(g.predOff[:words])
	for _, k := range keys {
		a, b, n := int32(k>>32), int32(uint32(k)), bigrams[k]
		g.succ[sfill[a]], g.succN[sfill[a]] = b, n
		sfill[a]++
		g.pred[pfill[b]], g.predN[pfill[b]] = a, n
		pfill[b]++
	}
	g.f = make([]float64, g.total+1)
	for n := 1; n < len(g.f); n++ {
		g.f[n] = float64(n) * math.Log(float64(n))
	}
	return g
}

// state is the class-bigram counts of an assignment of words to classes.
type state struct {
	g       *graph
	c       int
	class   []int32
	n, nt   []int64 // n[a*c+b]: bigrams of class a then class b; nt is its transpose
	nl, nr  []int64 // per class: bigrams where it is first, second
	workers int
}

// exchange assigns the words of g to c classes, moving one word at a time
// to the class that most raises the class-bigram likelihood, until few
// words move or after iterations passes. It returns the class of every
// word id.
func exchange(g *graph, c, iterations int, log io.Writer) []int32 {
	s := &state{g: g, c: c, class: make([]int32, g.words), n: make([]int64, c*c), nt: make([]int64, c*c),
		nl: make([]int64, c), nr: make([]int64, c), workers: runtime.GOMAXPROCS(0)}
	// The specials keep classes 0 and 1; the words, most frequent first,
	// are dealt out over the others.
	s.class[boundary], s.class[unknown] = boundary, unknown
	for w := specials; w < g.words; w++ {
		s.class[w] = int32(specials + (w-specials)%(c-specials))
	}
	for w := range g.words {
		a := int(s.class[w])
		for k := g.succOff[w]; k < g.succOff[w+1]; k++ {
			b := int(s.class[g.succ[k]])
			s.n[a*c+b] += int64(g.succN[k])
			s.nt[b*c+a] += int64(g.succN[k])
		}
		s.nl[a] += g.left[w]
		s.nr[a] += g.right[w]
	}
	sc := &moveScratch{sv: make([]int64, c), pv: make([]int64, c)}
	for it := range iterations {
		moved := 0
		for w := specials; w < g.words; w++ {
			if s.move(w, sc) {
				moved++
			}
		}
		if log != nil {
			fmt.Fprintf(log, "exchange pass %d: %d of %d words moved, log-likelihood %.6g\n", it+1, moved, g.words-specials, s.objective())
		}
		if moved*1000 < g.words {
			break
		}
	}
	return s.class
}

// objective is the class-bigram log-likelihood, up to a constant.
func (s *state) objective() float64 {
	f := func(n int64) float64 { return s.g.f[n] }
	o := 0.0
	for _, n := range s.n {
		o += f(n)
	}
	for a := range s.c {
		o -= f(s.nl[a]) + f(s.nr[a])
	}
	return o
}

// moveScratch holds a word's counts of bigrams with each class.
type moveScratch struct {
	sv, pv     []int64 // by class: bigrams word→class, class→word (the word's own bigrams with itself left out)
	sc, pc     []int32 // classes with a count in sv, pv
	self       int64
	nlw, nrw   int64
	bestScores [][2]float64
}

// move takes word w out of its class and puts it in the best class. It
// reports whether that is another class.
func (s *state) move(w int, m *moveScratch) bool {
	g, c := s.g, s.c
	a := int(s.class[w])
	m.sc, m.pc, m.self = m.sc[:0], m.pc[:0], 0
	for k := g.succOff[w]; k < g.succOff[w+1]; k++ {
		x := g.succ[k]
		if int(x) == w {
			m.self = int64(g.succN[k])
			continue
		}
		b := s.class[x]
		if m.sv[b] == 0 {
			m.sc = append(m.sc, b)
		}
		m.sv[b] += int64(g.succN[k])
	}
	for k := g.predOff[w]; k < g.predOff[w+1]; k++ {
		x := g.pred[k]
		if int(x) == w {
			continue
		}
		b := s.class[x]
		if m.pv[b] == 0 {
			m.pc = append(m.pc, b)
		}
		m.pv[b] += int64(g.predN[k])
	}
	m.nlw, m.nrw = g.left[w], g.right[w]
	s.shift(w, a, -1, m)

	best, bestGain := a, s.gain(a, m)
	work := (len(m.sc) + len(m.pc) + 4) * c
	if work < 1<<16 || s.workers < 2 {
		for b := specials; b < c; b++ {
			if v := s.gain(b, m); v > bestGain {
				best, bestGain = b, v
			}
		}
	} else {
		// A frequent word: its classes are shared out between workers,
		// each keeping the first best of its range; taken in the order of
		// the ranges, they give what the loop above gives.
		k := s.workers
		if cap(m.bestScores) < k {
			m.bestScores = make([][2]float64, k)
		}
		res := m.bestScores[:k]
		var wg sync.WaitGroup
		per := (c - specials + k - 1) / k
		for i := range k {
			from, to := specials+i*per, min(c, specials+(i+1)*per)
			wg.Add(1)
			go func() {
				defer wg.Done()
				bb, bv := -1, math.Inf(-1)
				for b := from; b < to; b++ {
					if v := s.gain(b, m); v > bv {
						bb, bv = b, v
					}
				}
				res[i] = [2]float64{float64(bb), bv}
			}()
		}
		wg.Wait()
		for _, r := range res {
			if r[0] >= 0 && r[1] > bestGain {
				best, bestGain = int(r[0]), r[1]
			}
		}
	}
	s.shift(w, best, 1, m)
	s.class[w] = int32(best)
	for _, b := range m.sc {
		m.sv[b] = 0
	}
	for _, b := range m.pc {
		m.pv[b] = 0
	}
	return best != a
}

// shift adds (sign 1) or removes (sign -1) the counts of word w, held in m,
// to or from class a.
func (s *state) shift(w, a int, sign int64, m *moveScratch) {
	c := s.c
	for _, b := range m.sc {
		v := sign * m.sv[b]
		s.n[a*c+int(b)] += v
		s.nt[int(b)*c+a] += v
	}
	for _, b := range m.pc {
		v := sign * m.pv[b]
		s.n[int(b)*c+a] += v
		s.nt[a*c+int(b)] += v
	}
	s.n[a*c+a] += sign * m.self
	s.nt[a*c+a] += sign * m.self
	s.nl[a] += sign * m.nlw
	s.nr[a] += sign * m.nrw
}

// gain returns the change of the objective if the word held in m, taken out
// of every class, joined class b.
func (s *state) gain(b int, m *moveScratch) float64 {
	f, c := s.g.f, s.c
	row, col := s.n[b*c:b*c+c], s.nt[b*c:b*c+c]
	d := 0.0
	for _, x := range m.sc {
		if int(x) != b {
			n := row[x]
			d += f[n+m.sv[x]] - f[n]
		}
	}
	for _, x := range m.pc {
		if int(x) != b {
			n := col[x]
			d += f[n+m.pv[x]] - f[n]
		}
	}
	n := row[b]
	d += f[n+m.sv[b]+m.pv[b]+m.self] - f[n]
	d -= f[s.nl[b]+m.nlw] - f[s.nl[b]]
	d -= f[s.nr[b]+m.nrw] - f[s.nr[b]]
	return d
}
