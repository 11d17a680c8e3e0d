package ner

import (
	"bytes"
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"Putin's visit to the U.S. cost $2,300.50.", []string{"Putin", "'s", "visit", "to", "the", "U.S.", "cost", "$", "2,300.50", "."}},
		{"Michael O'Brien, Jean-Pierre (SCO)", []string{"Michael", "O'Brien", ",", "Jean-Pierre", "(", "SCO", ")"}},
		{"  \u00a0“Xi”\n", []string{"“", "Xi", "”"}},
	} {
		var got []string
		for _, tk := range Tokenize(tt.text, nil) {
			got = append(got, tt.text[tk.Start:tk.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestSpans checks entity counting against what seqeval does with BIO,
// including an I- without a B- and a change of type.
func TestSpans(t *testing.T) {
	l := LabelOf
	labels := []int{l("B-PER"), l("I-PER"), l("O"), l("I-LOC"), l("I-LOC"), l("B-ORG"), l("I-LOC")}
	want := []Span{{0, 2, 0}, {3, 5, 2}, {5, 6, 1}, {6, 7, 2}}
	if got := Spans(labels); !slices.Equal(got, want) {
		t.Errorf("Spans = %v, want %v", got, want)
	}
	var s Score
	gold := []int{l("B-PER"), l("I-PER"), l("O"), l("B-LOC")}
	pred := []int{l("B-PER"), l("O"), l("O"), l("B-LOC")}
	s.Add(gold, pred, []int{0, 2})
	if p, r, f := s.PRF(-1); p != 0.5 || r != 0.5 || f != 0.5 {
		t.Errorf("PRF = %v %v %v, want 0.5 each: a span cut short is wrong", p, r, f)
	}
}

// TestTrain trains a tiny model twice: the bytes are equal, and the model
// learns its examples and survives MarshalBinary and Load.
func TestTrain(t *testing.T) {
	l := LabelOf
	var exs []Example
	for range 5 {
		exs = append(exs,
			Example{Sentence{Words: []string{"Presiden", "Joko", "Widodo", "tiba", "di", "Jakarta", "."}},
				[]int{0, l("B-PER"), l("I-PER"), 0, 0, l("B-LOC"), 0}},
			Example{Sentence{Words: []string{"Menteri", "Sri", "Mulyani", "ke", "Bandung"}},
				[]int{0, l("B-PER"), l("I-PER"), 0, l("B-LOC")}},
		)
	}
	var models [][]byte
	var trained *Model
	for range 2 {
		m, err := Train(exs, TrainOptions{Iterations: 10, Seed: 1, MinCount: 1, Info: "test"})
		if err != nil {
			t.Fatal(err)
		}
		data, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, data)
		trained = m
	}
	if !bytes.Equal(models[0], models[1]) {
		t.Fatal("two trainings on the same examples differ")
	}
	m, err := Load(models[0])
	if err != nil {
		t.Fatal(err)
	}
	if again, err := m.MarshalBinary(); err != nil || !bytes.Equal(again, models[0]) {
		t.Errorf("a loaded model marshals to other bytes (%v)", err)
	}
	if m.Info != "test" {
		t.Errorf("Info = %q", m.Info)
	}
	for _, ex := range exs[:2] {
		got := m.Predict(&ex.Sentence, nil)
		if before := trained.Predict(&ex.Sentence, nil); !slices.Equal(got, before) {
			t.Errorf("Predict(%q) = %v after Load, %v before", ex.Words, got, before)
		}
		// The names are learnt; on so few examples, a word next to them
		// may go either way.
		for i, want := range ex.Labels {
			if want != 0 && got[i] != want {
				t.Errorf("Predict(%q) = %v, want %v", ex.Words, got, ex.Labels)
				break
			}
		}
	}
	if _, err := Load([]byte("not a model")); err == nil {
		t.Error("Load accepted garbage")
	}
}
