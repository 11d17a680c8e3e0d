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
// input gives the same model, byte for byte. It fails on an example whose
// labels do not fit its words, and when more features keep a weight than a
// model holds.
func Train(examples []Example, opts TrainOptions) (*Model, error) {
	if opts.Iterations <= 0 {
		opts.Iterations = 10
	}
	if opts.MinCount <= 0 {
		opts.MinCount = 2
	}
	if err := checkLabels(examples); err != nil {
		return nil, err
	}
	feats := compileFeatures(examples, opts.MinCount)
	p := newPerceptron(len(feats.index))
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	for it := range opts.Iterations {
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(it)))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		errs, words := 0, 0
		for _, ei := range order {
			e, n := p.learn(&examples[ei], &feats.examples[ei])
			errs, words = errs+e, words+n
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "iteration %d: %d features, %.2f%% of words wrong\n", it+1, len(feats.index), 100*float64(errs)/float64(max(words, 1)))
		}
	}
	return p.model(opts.Info, feats.index)
}

// checkLabels returns an error for the first example with other than one
// label per word, or with a label out of range or out of sequence.
func checkLabels(examples []Example) error {
	for i, ex := range examples {
		if len(ex.Labels) != len(ex.Words) {
			return fmt.Errorf("example %d: %d labels for %d words", i, len(ex.Labels), len(ex.Words))
		}
		for j, l := range ex.Labels {
			if l < 0 || l >= NumLabels || !allowed(prevLabel(ex.Labels, j), l) {
				return fmt.Errorf("example %d: bad label %d at word %d", i, l, j)
			}
		}
	}
	return nil
}

// features are the features of the training examples as rows of the
// weights: only those seen often enough, numbered in order of first
// appearance.
type features struct {
	index    map[uint64]int32 // a feature's hash → its row
	examples []compiled       // per example
}

// compiled are the feature rows of an example's words: word i's are
// feats[offs[i]:offs[i+1]].
type compiled struct {
	feats []int32
	offs  []int32
}

// compileFeatures counts the features of examples, then numbers those seen
// minCount times or more in order of first appearance.
func compileFeatures(examples []Example, minCount int) features {
	sc := &scratch{}
	counts := make(map[uint64]int32)
	for i := range examples {
		featurize(&examples[i].Sentence, sc)
		for _, h := range sc.feats {
			counts[h]++
		}
	}
	fs := features{index: make(map[uint64]int32), examples: make([]compiled, len(examples))}
	for i := range examples {
		featurize(&examples[i].Sentence, sc)
		c := compiled{offs: make([]int32, 1, len(sc.offs))}
		for w := 0; w+1 < len(sc.offs); w++ {
			for _, h := range sc.feats[sc.offs[w]:sc.offs[w+1]] {
				if counts[h] < int32(minCount) {
					continue
				}
				k, ok := fs.index[h]
				if !ok {
					k = int32(len(fs.index))
					fs.index[h] = k
				}
				c.feats = append(c.feats, k)
			}
			c.offs = append(c.offs, int32(len(c.feats)))
		}
		fs.examples[i] = c
	}
	return fs
}

// perceptron is the state of the training: the weights, and their sums
// over the updates for averaging.
type perceptron struct {
	w  []float32 // the weight of feature row k for label l at k*NumLabels+l
	u  []float64 // Σ c·Δw, for averaging
	tw []float32 // transitions: the label before (NumLabels at the start) × the label
	tu []float64
	c  float64 // the number of the update, from 1

	vs   vitScratch
	emit []float32
	pred []int
}

func newPerceptron(nf int) *perceptron {
	const L = NumLabels
	return &perceptron{
		w:  make([]float32, nf*L),
		u:  make([]float64, nf*L),
		tw: make([]float32, (L+1)*L),
		tu: make([]float64, (L+1)*L),
		c:  1,
	}
}

// learn tags ex with the weights, moves them towards its gold labels where
// the tags are wrong, and returns how many words were wrong of how many.
func (p *perceptron) learn(ex *Example, cp *compiled) (errs, words int) {
	const L = NumLabels
	n := len(ex.Labels)
	if n == 0 {
		return 0, 0
	}
	if cap(p.emit) < n*L {
		p.emit = make([]float32, n*L)
	}
	p.emit = p.emit[:n*L]
	clear(p.emit)
	for i := range n {
		row := p.emit[i*L : i*L+L]
		for _, k := range cp.feats[cp.offs[i]:cp.offs[i+1]] {
			ws := p.w[int(k)*L : int(k)*L+L]
			for l := range row {
				row[l] += ws[l]
			}
		}
	}
	p.pred = viterbi(p.emit, p.tw, n, &p.vs, p.pred[:0])
	c := p.c
	for i := range n {
		g, pr := ex.Labels[i], p.pred[i]
		if g != pr {
			errs++
			for _, k := range cp.feats[cp.offs[i]:cp.offs[i+1]] {
				p.w[int(k)*L+g]++
				p.u[int(k)*L+g] += c
				p.w[int(k)*L+pr]--
				p.u[int(k)*L+pr] -= c
			}
		}
		gp, pp := transRow(ex.Labels, i), transRow(p.pred, i)
		if gp != pp || g != pr {
			p.tw[gp*L+g]++
			p.tu[gp*L+g] += c
			p.tw[pp*L+pr]--
			p.tu[pp*L+pr] -= c
		}
	}
	p.c++
	return errs, n
}

// model averages the weights, quantises them to 16 bits and drops the
// features left without weight. index numbers the rows of the weights.
func (p *perceptron) model(info string, index map[uint64]int32) (*Model, error) {
	const L = NumLabels
	c := p.c
	avg := func(w float32, u float64) float64 { return float64(w) - u/c }
	maxAbs := 0.0
	for i := range p.w {
		maxAbs = max(maxAbs, math.Abs(avg(p.w[i], p.u[i])))
	}
	for i := range p.tw {
		maxAbs = max(maxAbs, math.Abs(avg(p.tw[i], p.tu[i])))
	}
	if maxAbs == 0 {
		maxAbs = 1
	}
	scale := maxAbs / 32000
	q := func(w float32, u float64) int16 { return int16(math.Round(avg(w, u) / scale)) }
	m := &Model{Info: info, scale: float32(scale)}
	m.trans = make([]int16, len(p.tw))
	m.trans32 = make([]int32, len(p.tw))
	for i := range p.tw {
		m.trans[i] = q(p.tw[i], p.tu[i])
		m.trans32[i] = int32(m.trans[i])
	}
	// Walk the features in index order, which is deterministic.
	hashes := make([]uint64, len(index))
	for h, k := range index {
		hashes[k] = h
	}
	for k, h := range hashes {
		var row [L]int16
		zero := true
		for l := range L {
			row[l] = q(p.w[k*L+l], p.u[k*L+l])
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
