package dates

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/dates/dateparser"
)

// BenchmarkCompareDateparser measures the grammar against go-dateparser on
// the Indonesian and English test sentences and the reference article: dates
// right (exact span, value and mod; and, leniently, an overlapping span with
// the right value), missed and false, and paragraphs per second. It prints a
// table (and reports the same figures as benchmark metrics):
//
//	go test -run '^$' -bench CompareDateparser ./dates/
func BenchmarkCompareDateparser(b *testing.B) {
	type item struct {
		lang, text string
		want       []string
	}
	var table, sample []item
	for _, c := range findCases {
		table = append(table, item{c.lang, c.in, c.want})
	}
	for _, c := range sampleSentenceCases {
		table = append(table, item{"id", c.in, c.want})
	}
	lines := sampleLines(b)
	// The reference article's gold dates are listed for the whole text; each
	// line gets those whose text it holds, in order.
	rest := append([]string(nil), sampleDates...)
	for _, l := range lines {
		var want []string
		for i := 0; i < len(rest); {
			txt := rest[i][:strings.LastIndex(rest[i], "=")]
			if strings.Contains(l, txt) && strings.Count(l, txt) > countPrefix(want, txt) {
				want = append(want, rest[i])
				rest = append(rest[:i], rest[i+1:]...)
				continue
			}
			i++
		}
		sample = append(sample, item{"id", l, want})
	}
	if len(rest) != 0 {
		b.Fatalf("gold dates not placed on a line: %q", rest)
	}

	systems := []struct {
		name string
		find func(text, lang string, ref time.Time) []events.Date
	}{
		{"grammar (Find)", Find},
		{"go-dateparser search", dateparser.Search},
		{"go-dateparser + wrapper rules", func(text, lang string, ref time.Time) []events.Date {
			return dateparser.Find(text, primaryLang(lang), ref, nil)
		}},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "%-30s %-16s %5s %8s %8s %6s %6s %12s\n", "system", "set", "gold", "exact", "lenient", "missed", "false", "paragraphs/s")
	for _, sys := range systems {
		for _, set := range []struct {
			name  string
			items []item
		}{{"id+en table", table}, {"reference article", sample}} {
			gold, exact, lenient, preds := 0, 0, 0, 0
			for _, it := range set.items {
				ds := sys.find(it.text, it.lang, published)
				g := got(ds)
				gold += len(it.want)
				preds += len(ds)
				exact += countCommon(g, it.want)
				lenient += countLenient(it.text, ds, it.want)
			}
			var rate float64
			b.Run(sys.name+"/"+set.name, func(b *testing.B) {
				n := 0
				for b.Loop() {
					for _, it := range set.items {
						sys.find(it.text, it.lang, published)
						n++
					}
				}
				rate = float64(n) / b.Elapsed().Seconds()
				b.ReportMetric(rate, "paragraphs/s")
				b.ReportMetric(float64(exact), "exact")
				b.ReportMetric(float64(gold-lenient), "missed")
				b.ReportMetric(float64(preds-lenient), "false")
			})
			fmt.Fprintf(&report, "%-30s %-16s %5d %8d %8d %6d %6d %12.0f\n", sys.name, set.name, gold, exact, lenient, gold-lenient, preds-lenient, rate)
		}
	}
	fmt.Print(report.String())
}

func countPrefix(list []string, txt string) int {
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s, txt+"=") {
			n++
		}
	}
	return n
}

// countCommon counts the items a and b share, as multisets.
func countCommon(a, b []string) int {
	left := append([]string(nil), b...)
	n := 0
	for _, x := range a {
		for i, y := range left {
			if x == y {
				n++
				left = append(left[:i], left[i+1:]...)
				break
			}
		}
	}
	return n
}

// countLenient counts the gold dates ("text=value[/mod]") that a found date
// overlaps with the same value, mod aside.
func countLenient(text string, ds []events.Date, want []string) int {
	used := make([]bool, len(ds))
	n := 0
	from := 0
	for _, w := range want {
		eq := strings.LastIndex(w, "=")
		txt, val := w[:eq], w[eq+1:]
		val, _, _ = strings.Cut(val, "/")
		i := strings.Index(text[from:], txt)
		if i < 0 {
			i = strings.Index(text, txt)
		} else {
			i += from
		}
		if i < 0 {
			continue
		}
		start, end := i, i+len(txt)
		from = end
		for k, d := range ds {
			if !used[k] && d.Start < end && start < d.End && d.Value == val {
				used[k] = true
				n++
				break
			}
		}
	}
	return n
}
