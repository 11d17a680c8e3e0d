package clusters

// tree builds a binary tree over the c classes of class (the class of every
// word id of g) by Brown's greedy merging, and returns the bit string of
// every class: the path from the root, 0 for the first-merged side.
func tree(g *graph, class []int32, c int) []string {
	t := &merger{f: g.f, c: c, n: make([]int64, c*c), nl: make([]int64, c), nr: make([]int64, c),
		loss: make([]float64, c*c), node: make([]int, c), active: make([]bool, c)}
	for w := range g.words {
		a := int(class[w])
		for k := g.succOff[w]; k < g.succOff[w+1]; k++ {
			t.n[a*c+int(class[g.succ[k]])] += int64(g.succN[k])
		}
		t.nl[a] += g.left[w]
		t.nr[a] += g.right[w]
	}
	for a := range c {
		t.node[a] = a
		t.active[a] = t.nl[a]+t.nr[a] > 0
	}
	for i := range c {
		for j := i + 1; j < c; j++ {
			if t.active[i] && t.active[j] {
				t.loss[i*c+j] = t.full(i, j)
			}
		}
	}
	var children [][2]int // of node c+k
	for {
		bi, bj := -1, -1
		for i := range c {
			if !t.active[i] {
				continue
			}
			for j := i + 1; j < c; j++ {
				if t.active[j] && (bi < 0 || t.loss[i*c+j] < t.loss[bi*c+bj]) {
					bi, bj = i, j
				}
			}
		}
		if bi < 0 {
			break
		}
		t.merge(bi, bj)
		children = append(children, [2]int{t.node[bi], t.node[bj]})
		t.node[bi] = c + len(children) - 1
	}
	paths := make([]string, c)
	var walk func(node int, path string)
	walk = func(node int, path string) {
		if node < c {
			paths[node] = path
			return
		}
		ch := children[node-c]
		walk(ch[0], path+"0")
		walk(ch[1], path+"1")
	}
	if len(children) > 0 {
		walk(c+len(children)-1, "")
	}
	for a := range paths {
		if paths[a] == "" {
			// A class alone in the tree still needs a bit string.
			paths[a] = "0"
		}
	}
	return paths
}

// merger holds the class-bigram counts while classes merge, and the loss
// of mutual information that merging each pair would cost.
type merger struct {
	f      []float64
	c      int
	n      []int64 // n[a*c+b]: bigrams of class a then class b
	nl, nr []int64
	loss   []float64 // loss[i*c+j], i < j
	node   []int     // the tree node a class slot stands for
	active []bool
}

// side is what class k's bigrams with i and j contribute to the loss of
// merging i and j.
func (t *merger) side(i, j, k int) float64 {
	f, c, n := t.f, t.c, t.n
	a, b := n[i*c+k], n[j*c+k]
	x, y := n[k*c+i], n[k*c+j]
	return f[a] + f[b] - f[a+b] + f[x] + f[y] - f[x+y]
}

// full computes the loss of merging classes i and j.
func (t *merger) full(i, j int) float64 {
	f, c, n := t.f, t.c, t.n
	l := 0.0
	for k := range c {
		if t.active[k] && k != i && k != j {
			l += t.side(i, j, k)
		}
	}
	ii, ij, ji, jj := n[i*c+i], n[i*c+j], n[j*c+i], n[j*c+j]
	l += f[ii] + f[ij] + f[ji] + f[jj] - f[ii+ij+ji+jj]
	l += f[t.nl[i]+t.nl[j]] - f[t.nl[i]] - f[t.nl[j]]
	l += f[t.nr[i]+t.nr[j]] - f[t.nr[i]] - f[t.nr[j]]
	return l
}

// merge merges class b into class a (a < b), updating the losses of the
// other pairs by the terms that change (Brown et al. 1992).
func (t *merger) merge(a, b int) {
	c := t.c
	pairs := func(fn func(i, j int)) {
		for i := range c {
			if !t.active[i] || i == a || i == b {
				continue
			}
			for j := i + 1; j < c; j++ {
				if t.active[j] && j != a && j != b {
					fn(i, j)
				}
			}
		}
	}
	pairs(func(i, j int) { t.loss[i*c+j] -= t.side(i, j, a) + t.side(i, j, b) })
	for k := range c {
		t.n[a*c+k] += t.n[b*c+k]
	}
	for k := range c {
		t.n[k*c+a] += t.n[k*c+b]
	}
	for k := range c {
		t.n[b*c+k], t.n[k*c+b] = 0, 0
	}
	t.nl[a] += t.nl[b]
	t.nr[a] += t.nr[b]
	t.nl[b], t.nr[b] = 0, 0
	t.active[b] = false
	pairs(func(i, j int) { t.loss[i*c+j] += t.side(i, j, a) })
	for j := range c {
		if t.active[j] && j != a {
			i, k := min(a, j), max(a, j)
			t.loss[i*c+k] = t.full(i, k)
		}
	}
}
