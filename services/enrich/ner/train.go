package ner

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// Example is a sentence with its gold labels, one per word.
type Example struct {
	Sentence
	Labels []int
}

// TrainOptions set how Train trains.
type TrainOptions struct {
	// Info is stored in the model (Model.Info).
	Info string
	// Iterations over the examples (default 10).
	Iterations int
	// Seed of the shuffles between iterations.
	Seed uint64
	// MinCount drops features seen fewer times in the examples (default 2).
	MinCount int
	// Log, if not nil, receives a line per iteration.
	Log io.Writer
}

// Train trains a model on examples with the averaged structured perceptron.
// The result depends only on the examples, their order and opts: the same
// input gives the same model, byte for byte.
func Train(examples []Example, opts TrainOptions) (*Model, error) {
	if opts.Iterations <= 0 {
		opts.Iterations = 10
	}
	if opts.MinCount <= 0 {
		opts.MinCount = 2
	}
	const L = NumLabels
	for i, ex := range examples {
		if len(ex.Labels) != len(ex.Words) {
			return nil, fmt.Errorf("example %d: %d labels for %d words", i, len(ex.Labels), len(ex.Words))
		}
		for j, l := range ex.Labels {
			if l < 0 || l >= L || !allowed(prevLabel(ex.Labels, j), l) {
				return nil, fmt.Errorf("example %d: bad label %d at word %d", i, l, j)
			}
		}
	}

	// Count features, then number those seen often enough in order of
	// first appearance.
	sc := &scratch{}
	counts := make(map[uint64]int32)
	for i := range examples {
		featurize(&examples[i].Sentence, sc)
		for _, h := range sc.feats {
			counts[h]++
		}
	}
	index := make(map[uint64]int32)
	type compiled struct {
		feats []int32
		offs  []int32
	}
	comp := make([]compiled, len(examples))
	for i := range examples {
		featurize(&examples[i].Sentence, sc)
		c := compiled{offs: make([]int32, 1, len(sc.offs))}
		for w := 0; w+1 < len(sc.offs); w++ {
			for _, h := range sc.feats[sc.offs[w]:sc.offs[w+1]] {
				if counts[h] < int32(opts.MinCount) {
					continue
				}
				k, ok := index[h]
				if !ok {
					k = int32(len(index))
					index[h] = k
				}
				c.feats = append(c.feats, k)
			}
			c.offs = append(c.offs, int32(len(c.feats)))
		}
		comp[i] = c
	}
	counts = nil

	nf := len(index)
	w := make([]float32, nf*L)
	u := make([]float64, nf*L) // Σ c·Δw, for averaging
	tw := make([]float32, (L+1)*L)
	tu := make([]float64, (L+1)*L)
	var vs vitScratch
	var emit []float32
	var pred []int
	c := 1.0
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	for it := range opts.Iterations {
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(it)))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		errs, words := 0, 0
		for _, ei := range order {
			ex, cp := &examples[ei], &comp[ei]
			n := len(ex.Labels)
			if n == 0 {
				continue
			}
			if cap(emit) < n*L {
				emit = make([]float32, n*L)
			}
			emit = emit[:n*L]
			clear(emit)
			for i := range n {
				row := emit[i*L : i*L+L]
				for _, k := range cp.feats[cp.offs[i]:cp.offs[i+1]] {
					ws := w[int(k)*L : int(k)*L+L]
					for l := range row {
						row[l] += ws[l]
					}
				}
			}
			pred = viterbi(emit, tw, n, &vs, pred[:0])
			words += n
			for i := range n {
				g, p := ex.Labels[i], pred[i]
				if g != p {
					errs++
					for _, k := range cp.feats[cp.offs[i]:cp.offs[i+1]] {
						w[int(k)*L+g]++
						u[int(k)*L+g] += c
						w[int(k)*L+p]--
						u[int(k)*L+p] -= c
					}
				}
				gp, pp := transRow(ex.Labels, i), transRow(pred, i)
				if gp != pp || g != p {
					tw[gp*L+g]++
					tu[gp*L+g] += c
					tw[pp*L+p]--
					tu[pp*L+p] -= c
				}
			}
			c++
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "iteration %d: %d features, %.2f%% of words wrong\n", it+1, nf, 100*float64(errs)/float64(max(words, 1)))
		}
	}

	// Average, quantise to 16 bits, and drop the features left without
	// weight.
	avg := func(w float32, u float64) float64 { return float64(w) - u/c }
	maxAbs := 0.0
	for i := range w {
		maxAbs = max(maxAbs, math.Abs(avg(w[i], u[i])))
	}
	for i := range tw {
		maxAbs = max(maxAbs, math.Abs(avg(tw[i], tu[i])))
	}
	if maxAbs == 0 {
		maxAbs = 1
	}
	scale := maxAbs / 32000
	q := func(w float32, u float64) int16 { return int16(math.Round(avg(w, u) / scale)) }
	m := &Model{Info: opts.Info, scale: float32(scale)}
	m.trans = make([]int16, len(tw))
	m.trans32 = make([]int32, len(tw))
	for i := range tw {
		m.trans[i] = q(tw[i], tu[i])
		m.trans32[i] = int32(m.trans[i])
	}
	// Walk the features in index order, which is deterministic.
	hashes := make([]uint64, nf)
	for h, k := range index {
		hashes[k] = h
	}
	for k, h := range hashes {
		var row [L]int16
		zero := true
		for l := range L {
			row[l] = q(w[k*L+l], u[k*L+l])
			zero = zero && row[l] == 0
		}
		if zero {
			continue
		}
		m.hashes = append(m.hashes, h)
		m.w = append(m.w, row[:]...)
	}
	if len(m.hashes) >= 1<<rowBits {
		return nil, fmt.Errorf("%d features with weights: more than a model holds (%d); raise MinCount", len(m.hashes), 1<<rowBits-1)
	}
	m.table = newFeatTable(m.hashes)
	return m, nil
}

func prevLabel(labels []int, i int) int {
	if i == 0 {
		return -1
	}
	return labels[i-1]
}

// transRow is the row of the transition matrix for the label before word
// i: that label, or NumLabels at the start.
func transRow(labels []int, i int) int {
	if i == 0 {
		return NumLabels
	}
	return labels[i-1]
}
