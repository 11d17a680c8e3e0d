package ner

import (
	"unicode"
	"unicode/utf8"
)

// Sentence is the input of the model: the words of one sentence, optional
// extra features per word, and whether the text has lost its capitals.
type Sentence struct {
	// Words are the tokens as written.
	Words []string
	// Hints holds, per word, extra feature strings from outside the model
	// (gazetteer membership, the rule tagger's opinion). It may be nil, and
	// so may any of its elements.
	Hints [][]string
	// Uncased says capitals carry no information (text in lower case, as
	// in the nerp corpus): the model then leaves out every feature of case.
	Uncased bool
}

// Feature kinds: the first byte hashed into every feature.
const (
	fBias byte = iota + 1
	fW0
	fWm1
	fWp1
	fWm2
	fWp2
	fWm1W0
	fW0Wp1
	fPre2
	fPre3
	fSuf2
	fSuf3
	fSuf4
	fSh0
	fShm1
	fShp1
	fShTri
	fWm1Sh0
	fSh0Wp1
	fFirstSh
	fUncased
	fFirstUnc
	fHint0
	fHintm1
	fHintp1
	fHintSh
	fLen
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hkind(k byte) uint64 { return (fnvOffset ^ uint64(k)) * fnvPrime }

func hadd[T string | []byte](h uint64, s T) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// hsep separates the parts of a feature made of several strings.
func hsep(h uint64) uint64 { return (h ^ 0xff) * fnvPrime }

// wordInfo is what the features need to know about one word.
type wordInfo struct {
	lower   []byte
	shape   []byte
	upper   bool // starts with an upper-case letter
	letters int
}

// scratch holds the buffers of one featurize call, reused across calls.
type scratch struct {
	buf   []byte
	infos []wordInfo
	feats []uint64
	offs  []int32
	emit  []int32
	vit   vitScratch
}

// featurize computes the features of every word of s into sc.feats, those of
// word i being sc.feats[sc.offs[i]:sc.offs[i+1]].
func featurize(s *Sentence, sc *scratch) {
	n := len(s.Words)
	size := 0
	for _, w := range s.Words {
		size += 2*len(w) + 8
	}
	if cap(sc.buf) < size {
		sc.buf = make([]byte, 0, size)
	}
	buf := sc.buf[:0]
	if cap(sc.infos) < n {
		sc.infos = make([]wordInfo, n)
	}
	infos := sc.infos[:n]
	for i, w := range s.Words {
		inf := &infos[i]
		start := len(buf)
		*inf = wordInfo{}
		first := true
		var last byte
		shStart := -1
		for _, r := range w {
			if first {
				inf.upper = unicode.IsUpper(r)
				first = false
			}
			if unicode.IsLetter(r) {
				inf.letters++
			}
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		}
		lowerEnd := len(buf)
		shStart = len(buf)
		for _, r := range w {
			var c byte
			switch {
			case unicode.IsUpper(r):
				c = 'X'
			case unicode.IsLetter(r):
				c = 'x'
			case unicode.IsDigit(r):
				c = 'd'
			case r < utf8.RuneSelf:
				c = byte(r)
			default:
				c = '*'
			}
			if c != last {
				buf = append(buf, c)
				last = c
			}
		}
		inf.lower = buf[start:lowerEnd:lowerEnd]
		inf.shape = buf[shStart:len(buf):len(buf)]
	}
	// Should buf have grown, the slices taken before still hold their bytes.
	sc.buf = buf

	feats := sc.feats[:0]
	offs := append(sc.offs[:0], 0)
	word := func(i int) []byte {
		switch {
		case i < 0:
			return []byte("<s>")
		case i >= n:
			return []byte("</s>")
		}
		return infos[i].lower
	}
	shape := func(i int) []byte {
		switch {
		case i < 0:
			return []byte("<s>")
		case i >= n:
			return []byte("</s>")
		}
		return infos[i].shape
	}
	hints := func(i int) []string {
		if i < 0 || i >= n || i >= len(s.Hints) {
			return nil
		}
		return s.Hints[i]
	}
	for i := range n {
		inf := &infos[i]
		w0 := inf.lower
		feats = append(feats,
			hkind(fBias),
			hadd(hkind(fW0), w0),
			hadd(hkind(fWm1), word(i-1)),
			hadd(hkind(fWp1), word(i+1)),
			hadd(hkind(fWm2), word(i-2)),
			hadd(hkind(fWp2), word(i+2)),
			hadd(hsep(hadd(hkind(fWm1W0), word(i-1))), w0),
			hadd(hsep(hadd(hkind(fW0Wp1), w0)), word(i+1)),
		)
		if len(w0) > 2 {
			feats = append(feats,
				hadd(hkind(fPre2), prefix(w0, 2)),
				hadd(hkind(fPre3), prefix(w0, 3)),
				hadd(hkind(fSuf2), suffix(w0, 2)),
				hadd(hkind(fSuf3), suffix(w0, 3)),
				hadd(hkind(fSuf4), suffix(w0, 4)),
			)
		}
		l := min(inf.letters, 8)
		feats = append(feats, hadd(hkind(fLen), []byte{byte('0' + l)}))
		if s.Uncased {
			feats = append(feats, hkind(fUncased))
			if i == 0 {
				feats = append(feats, hkind(fFirstUnc))
			}
		} else {
			sh := inf.shape
			feats = append(feats,
				hadd(hkind(fSh0), sh),
				hadd(hkind(fShm1), shape(i-1)),
				hadd(hkind(fShp1), shape(i+1)),
				hadd(hsep(hadd(hsep(hadd(hkind(fShTri), shape(i-1))), sh)), shape(i+1)),
				hadd(hsep(hadd(hkind(fWm1Sh0), word(i-1))), sh),
				hadd(hsep(hadd(hkind(fSh0Wp1), sh)), word(i+1)),
			)
			if i == 0 {
				feats = append(feats, hadd(hkind(fFirstSh), sh))
			}
		}
		for _, h := range hints(i) {
			feats = append(feats, hadd(hkind(fHint0), h))
			if !s.Uncased {
				feats = append(feats, hadd(hsep(hadd(hkind(fHintSh), h)), inf.shape))
			}
		}
		for _, h := range hints(i - 1) {
			feats = append(feats, hadd(hkind(fHintm1), h))
		}
		for _, h := range hints(i + 1) {
			feats = append(feats, hadd(hkind(fHintp1), h))
		}
		offs = append(offs, int32(len(feats)))
	}
	sc.feats, sc.offs = feats, offs
}

// prefix returns the first k runes of w, or nil when w has no more than k.
func prefix(w []byte, k int) []byte {
	i := 0
	for n := 0; n < k; n++ {
		if i >= len(w) {
			return w
		}
		_, sz := utf8.DecodeRune(w[i:])
		i += sz
	}
	return w[:i]
}

// suffix returns the last k runes of w.
func suffix(w []byte, k int) []byte {
	i := len(w)
	for n := 0; n < k && i > 0; n++ {
		_, sz := utf8.DecodeLastRune(w[:i])
		i -= sz
	}
	return w[i:]
}
