// Package ner is a named-entity sequence tagger: an averaged structured
// perceptron over rich word features, decoded with Viterbi under the BIO
// constraints. It knows nothing of languages or gazetteers: callers pass
// what they know about each word as hints, which become features.
//
// A Model is trained by Train from labelled sentences, written with
// (*Model).MarshalBinary and read back with Load. Models are small (features
// seen only once are dropped, weights are 16-bit integers) and training is
// deterministic: the same examples give the same bytes.
package ner

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
)

// Types are the entity types the tagger knows, in label order.
var Types = [...]string{"PER", "ORG", "LOC", "EVT", "MISC"}

// NumLabels is the number of labels: O, then B- and I- of every type.
const NumLabels = 1 + 2*len(Types)

// Label returns the name of label l: "O", "B-PER", "I-PER", ….
func Label(l int) string {
	if l == 0 {
		return "O"
	}
	if l%2 == 1 {
		return "B-" + Types[(l-1)/2]
	}
	return "I-" + Types[(l-1)/2]
}

// LabelOf returns the label named s ("B-LOC"), or -1.
func LabelOf(s string) int {
	for l := range NumLabels {
		if Label(l) == s {
			return l
		}
	}
	return -1
}

// IsBegin reports whether label l begins an entity; IsInside whether it
// continues one. TypeOf returns the index in Types of an entity label.
func IsBegin(l int) bool  { return l > 0 && l%2 == 1 }
func IsInside(l int) bool { return l > 0 && l%2 == 0 }
func TypeOf(l int) int    { return (l - 1) / 2 }

// Begin and Inside return the labels B- and I- of type t (an index in Types).
func Begin(t int) int  { return 1 + 2*t }
func Inside(t int) int { return 2 + 2*t }

// allowed reports whether label cur may follow label prev (-1: the start).
func allowed(prev, cur int) bool {
	if !IsInside(cur) {
		return true
	}
	return prev > 0 && TypeOf(prev) == TypeOf(cur)
}

// ErrBadModel is returned by Load for data that is not a model this version
// can read.
var ErrBadModel = errors.New("ner: not a model file")

const magic = "warta-ner 1\n"

// Model is a trained tagger. It is read-only and safe for concurrent use.
type Model struct {
	// Info describes the model: what it was trained on, and how.
	Info    string
	scale   float32
	hashes  []uint64  // the feature of each row of w
	table   featTable // hash → row
	w       []int16   // NumLabels weights per feature
	trans   []int16   // (NumLabels+1) × NumLabels: from label (last row: the start) to label
	trans32 []int32   // trans, widened once for Predict
	pool    sync.Pool
}

// Features returns the number of features the model has weights for.
func (m *Model) Features() int { return len(m.hashes) }

// Predict returns the label of every word of s, appended to dst.
func (m *Model) Predict(s *Sentence, dst []int) []int {
	n := len(s.Words)
	if n == 0 {
		return dst
	}
	sc, _ := m.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	featurize(s, sc)
	const L = NumLabels
	if cap(sc.emit) < n*L {
		sc.emit = make([]int32, n*L)
	}
	emit := sc.emit[:n*L]
	clear(emit)
	for i := range n {
		row := emit[i*L : i*L+L]
		for _, h := range sc.feats[sc.offs[i]:sc.offs[i+1]] {
			k := m.table.get(h)
			if k < 0 {
				continue
			}
			ws := m.w[int(k)*L : int(k)*L+L]
			for l := range row {
				row[l] += int32(ws[l])
			}
		}
	}
	dst = viterbi(emit, m.trans32, n, &sc.vit, dst)
	m.pool.Put(sc)
	return dst
}

// vitScratch holds Viterbi's back-pointers between calls.
type vitScratch struct {
	back []int8
}

// viterbi returns the best sequence of labels under the BIO constraints,
// given emission scores (n × L) and transitions ((L+1) × L, the last row
// from the start).
func viterbi[T int32 | float32](emit, trans []T, n int, vs *vitScratch, dst []int) []int {
	const L = NumLabels
	if cap(vs.back) < n*L {
		vs.back = make([]int8, n*L)
	}
	back := vs.back[:n*L]
	var cur, next [L]T
	var ok, nextOK [L]bool
	var may [L][L]bool // may[p][l]: label l may follow label p
	for p := range L {
		for l := range L {
			may[p][l] = allowed(p, l)
		}
	}
	for l := range L {
		ok[l] = allowed(-1, l)
		cur[l] = emit[l] + trans[L*L+l]
	}
	for i := 1; i < n; i++ {
		for l := range L {
			best, arg, found := T(0), -1, false
			for p := range L {
				if !ok[p] || !may[p][l] {
					continue
				}
				if v := cur[p] + trans[p*L+l]; !found || v > best {
					best, arg, found = v, p, true
				}
			}
			nextOK[l] = found
			next[l] = best + emit[i*L+l]
			back[i*L+l] = int8(arg)
		}
		cur, ok = next, nextOK
	}
	best, arg := T(0), -1
	for l := range L {
		if ok[l] && (arg < 0 || cur[l] > best) {
			best, arg = cur[l], l
		}
	}
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	for i := n - 1; i >= 0; i-- {
		dst[start+i] = arg
		arg = int(back[i*L+arg])
	}
	return dst
}

// MarshalBinary returns the model as bytes: gzip-compressed, features sorted
// by hash, so that the same model always gives the same bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(magic)
	putString(&raw, m.Info)
	putUvarint(&raw, uint64(NumLabels))
	for l := range NumLabels {
		putString(&raw, Label(l))
	}
	_ = binary.Write(&raw, binary.LittleEndian, math.Float32bits(m.scale))
	for _, v := range m.trans {
		putVarint(&raw, int64(v))
	}
	rows := make([]int, len(m.hashes))
	for k := range rows {
		rows[k] = k
	}
	slices.SortFunc(rows, func(a, b int) int { return cmp.Compare(m.hashes[a], m.hashes[b]) })
	putUvarint(&raw, uint64(len(rows)))
	var prev uint64
	for _, k := range rows {
		h := m.hashes[k]
		putUvarint(&raw, h-prev)
		prev = h
		for _, v := range m.w[k*NumLabels : k*NumLabels+NumLabels] {
			putVarint(&raw, int64(v))
		}
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Load reads a model written by MarshalBinary. It returns ErrBadModel for
// anything else.
func Load(data []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	r := &reader{b: raw}
	if string(r.bytes(len(magic))) != magic {
		return nil, fmt.Errorf("%w: bad magic", ErrBadModel)
	}
	m := &Model{Info: r.string()}
	if n := r.uvarint(); n != uint64(NumLabels) {
		return nil, fmt.Errorf("%w: %d labels, want %d", ErrBadModel, n, NumLabels)
	}
	for l := range NumLabels {
		if s := r.string(); s != Label(l) {
			return nil, fmt.Errorf("%w: label %d is %q, want %q", ErrBadModel, l, s, Label(l))
		}
	}
	m.scale = math.Float32frombits(binary.LittleEndian.Uint32(r.bytes(4)))
	m.trans = make([]int16, (NumLabels+1)*NumLabels)
	for i := range m.trans {
		m.trans[i] = int16(r.varint())
	}
	nf := r.uvarint()
	if r.err != nil || nf > uint64(len(raw)) {
		return nil, fmt.Errorf("%w: truncated", ErrBadModel)
	}
	if nf >= 1<<rowBits {
		return nil, fmt.Errorf("%w: %d features, more than %d", ErrBadModel, nf, 1<<rowBits-1)
	}
	m.hashes = make([]uint64, nf)
	m.w = make([]int16, int(nf)*NumLabels)
	var h uint64
	for k := range int(nf) {
		h += r.uvarint()
		m.hashes[k] = h
		for l := range NumLabels {
			m.w[k*NumLabels+l] = int16(r.varint())
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: truncated", ErrBadModel)
	}
	m.trans32 = make([]int32, len(m.trans))
	for i, v := range m.trans {
		m.trans32[i] = int32(v)
	}
	m.table = newFeatTable(m.hashes)
	return m, nil
}

// featTable maps feature hashes to their rows of weights for Predict's
// lookups: open addressing with linear probing in one array of 8-byte
// slots, at most half full, so that most lookups, found or not, read one
// cache line (the Go map took twice the time on this model's 350,000
// features). A slot holds the top 40 bits of the hash and the row plus one
// in the low 24 bits (0: empty); two features whose hashes agree in the
// home slot and those 40 bits are as rare as a collision of the hashes.
type featTable struct {
	slots []uint64
	shift uint
}

const rowBits = 24

// newFeatTable returns the table of hashes, the feature of each row.
func newFeatTable(hashes []uint64) featTable {
	bits := uint(1)
	for 1<<bits < 2*len(hashes) {
		bits++
	}
	t := featTable{slots: make([]uint64, 1<<bits), shift: 64 - bits}
	mask := uint64(len(t.slots) - 1)
	for k, h := range hashes {
		i := t.home(h)
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = h>>rowBits<<rowBits | uint64(k+1)
	}
	return t
}

// home is the first slot to look at for h: its top bits after a multiply,
// which mixes the hash's bits.
func (t *featTable) home(h uint64) uint64 { return (h * 0x9E3779B97F4A7C15) >> t.shift }

// get returns the row of h, or -1.
func (t *featTable) get(h uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	top := h >> rowBits
	for i := t.home(h); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if s>>rowBits == top {
			return int32(s&(1<<rowBits-1)) - 1
		}
	}
}

func putUvarint(b *bytes.Buffer, v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
func putVarint(b *bytes.Buffer, v int64)   { b.Write(binary.AppendVarint(nil, v)) }
func putString(b *bytes.Buffer, s string) {
	putUvarint(b, uint64(len(s)))
	b.WriteString(s)
}

// reader decodes a model, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = io.ErrUnexpectedEOF
		return ""
	}
	return string(r.bytes(int(n)))
}
