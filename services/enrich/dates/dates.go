// Package dates finds the date expressions of a paragraph of news text that
// can be placed on a calendar and normalises them to TIMEX3-like values.
//
// It reads Indonesian and English with a hand-written tokenizer and a small
// grammar, no regular expressions: explicit dates ("2 Sep 2025", "Selasa,
// 2 September 2025 pukul 10.30 WIB", "September 2, 2025", "02/09/2025",
// "2025-09-02"), months ("September 2025"), years with a cue ("pada tahun
// 2024", "in 2024"), decades ("1930-an", "the 1930s"), fuzzy parts ("awal
// 2022", "late 2022", "mid-September"), weekdays ("pada hari Selasa", "last
// Monday") and relative expressions ("kemarin", "tahun lalu", "two weeks
// ago"), the last two resolved against the publication time.
//
// Values:
//
//	2025-09-02        a day
//	2025-09-02T10:30  a day with the clock time written next to it (local time as written; the zone word is in the span, not in the value)
//	2025-09           a month
//	2025              a year
//	193X              a decade
//	2025-W35          an ISO week ("minggu lalu", "last week")
//	2025-W35-WE       a weekend ("akhir pekan lalu", "last weekend")
//
// with Mod "START", "MID" or "END" for fuzzy parts and "APPROX" after
// "sekitar"/"about".
//
// Spans: a span starts at the date itself ("2 Sep 2025" in "pada 2 Sep
// 2025", "awal 2022" in "pada awal 2022", "1930 -an" in "pada 1930 -an").
// A preposition right before it joins the span only where it is part of the
// cue that makes the expression a date: "pada" before a unit noun ("pada hari
// Selasa", "Pada tahun 2024", "pada tanggal 2 September 2025"), before a
// weekday ("pada Selasa") or before a bare year or month ("pada 2024", "pada
// Mei"); English "on" before a weekday ("on Monday") and "in" before a bare
// year or month ("in 2024", "in May").
//
// Not dates: counts and durations ("80 tahun", "20 kesepakatan", "ke-80"),
// times of an event ("sehari sebelum parade", "the day before the parade"),
// vague periods ("beberapa tahun terakhir", "several years ago", "in recent
// years"), habits ("setiap Senin", "every Monday"), weekday ranges
// ("Senin-Jumat"), bare numbers and clock times without a date.
package dates

import (
	"strings"
	"time"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/dates/dateparser"
)

// Find returns the date expressions of text, sorted by Start and never
// overlapping (where two readings compete the longest wins), with
// Text == text[Start:End] in bytes.
//
// lang is a BCP 47 tag; "id" and "en" (and their regional forms, "id-ID",
// "en-GB") are read fully by the grammar. Any other language that
// go-dateparser knows ("fr", "de", "es", "ms", …) is read by go-dateparser
// within the rules of package dateparser, when ref is set; for the rest, and without
// ref, only ISO dates ("2025-09-02") are found.
//
// ref is the article's publication time. Weekdays and relative expressions
// are resolved against its calendar date in its own location: a weekday is
// the most recent such day on or before ref ("pada hari Selasa" in an article
// of Tuesday 2 September 2025 is 2025-09-02), "Selasa lalu"/"last Tuesday" the
// most recent strictly before it, "Selasa depan"/"next Tuesday" the first
// strictly after it; a day and month without a year ("17 Agustus") take the
// year that puts them closest to ref. When ref is zero only dates that need no
// reference are returned.
//
// The result is never nil, so it encodes as [] in JSON.
func Find(text, lang string, ref time.Time) []events.Date {
	p := parser{text: text}
	other := ""
	switch primary := primaryLang(lang); primary {
	case "id", "in":
		p.lex, p.id = lexID, true
	case "en":
		p.lex, p.en = lexEN, true
	default:
		if dateparser.Knows(primary) {
			other = primary
		}
	}
	if !ref.IsZero() {
		y, m, d := ref.Date()
		p.ref = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		p.hasRef = true
	}
	p.tokenize()

	out := []events.Date{}
	free := 0 // first token not yet in a span
	for i := 0; i < len(p.toks); {
		m := p.matchAt(i)
		if m.to == 0 {
			i++
			continue
		}
		from := m.from
		if k := from - 1; m.absorb != 0 && k >= free {
			if w := p.word(k); w != nil && w.absorb&m.absorb != 0 {
				from = k
			}
		}
		if m.mod == "" {
			if w := p.word(from - 1); w != nil && w.approx && from-1 >= free {
				m.mod = "APPROX"
			}
		}
		start, end := p.toks[from].start, p.toks[m.to-1].end
		out = append(out, events.Date{Text: text[start:end], Value: m.value, Start: start, End: end, Mod: m.mod})
		i, free = m.to, m.to
	}
	if other != "" && p.hasRef {
		out = dateparser.Find(text, other, p.ref, out)
	}
	return out
}

// primaryLang returns the lower-case primary subtag of a BCP 47 tag.
func primaryLang(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
