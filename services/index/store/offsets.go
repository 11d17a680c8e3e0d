package store

import (
	"slices"

	"github.com/warta-news/warta/pkg/events"
)

// Offsets are the start and end of a span of a text in the units a client
// cuts strings in: bytes of UTF-8 (Go, Rust; events' Start and End), code
// points (Python, "runes") and UTF-16 code units (JavaScript, Java).
type Offsets struct {
	StartRune  int `json:"start_rune"`
	EndRune    int `json:"end_rune"`
	StartUTF16 int `json:"start_utf16"`
	EndUTF16   int `json:"end_utf16"`
}

// EntitySpan is an entity of a paragraph with its offsets in every unit.
type EntitySpan struct {
	events.Entity
	Offsets
}

// DateSpan is a date of a paragraph with its offsets in every unit.
type DateSpan struct {
	events.Date
	Offsets
}

// spans gives the entities and dates of text their offsets in every unit,
// in one pass over the text.
func spans(text string, ents []events.Entity, dates []events.Date) ([]EntitySpan, []DateSpan) {
	var at []int
	for _, e := range ents {
		at = append(at, e.Start, e.End)
	}
	for _, d := range dates {
		at = append(at, d.Start, d.End)
	}
	slices.Sort(at)
	at = slices.Compact(at)
	type pos struct{ runes, utf16 int }
	conv := make(map[int]pos, len(at))
	runes, units, k := 0, 0, 0
	for i, r := range text {
		for k < len(at) && at[k] <= i {
			conv[at[k]] = pos{runes, units}
			k++
		}
		runes++
		units++
		if r >= 0x10000 {
			units++
		}
	}
	for ; k < len(at); k++ {
		conv[at[k]] = pos{runes, units}
	}
	span := func(start, end int) Offsets {
		s, e := conv[start], conv[end]
		return Offsets{StartRune: s.runes, EndRune: e.runes, StartUTF16: s.utf16, EndUTF16: e.utf16}
	}
	es := make([]EntitySpan, len(ents))
	for i, e := range ents {
		es[i] = EntitySpan{e, span(e.Start, e.End)}
	}
	ds := make([]DateSpan, len(dates))
	for i, d := range dates {
		ds[i] = DateSpan{d, span(d.Start, d.End)}
	}
	return es, ds
}
