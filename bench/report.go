package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warta-news/warta/bench/limits"
	"github.com/warta-news/warta/bench/load"
)

// report prints the benchmark's tables as they become known.
type report struct {
	w io.Writer
	// limit is the rate the parts allow, paragraphs/s (0: not measured).
	limit float64
}

func (r *report) header(c config, sources int, summary string) {
	fmt.Fprintf(r.w, "warta bench, %s, %s/%s, %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(r.w, "corpus (seed %d, %d texts): %s\n", c.Seed, sources, summary)
}

func (r *report) table() *tabwriter.Writer {
	return tabwriter.NewWriter(r.w, 0, 0, 2, ' ', tabwriter.AlignRight)
}

func (r *report) limits(m measured) {
	fmt.Fprintf(r.w, "\nThe parts on their own (one goroutine each, in this process, on the first %d paragraphs):\n", m.split.Items)
	t := r.table()
	fmt.Fprintln(t, "part\tparagraphs/s\tper CPU-second\tCPU µs/paragraph\t")
	row := func(x limits.Rate) {
		fmt.Fprintf(t, "%s\t%.0f\t%.0f\t%.1f\t\n", x.Part, x.PerSecond(), x.PerCPUSecond(), 1e6/x.PerCPUSecond())
	}
	for _, x := range []limits.Rate{m.split, m.tag, m.apply, m.raw, m.hop} {
		row(x)
	}
	t.Flush()
	ratio := m.apply.PerSecond() / m.raw.PerSecond()
	fmt.Fprintf(r.w, "index store / plain Bleve (batches of %d, same mapping and documents): %.2f (target >= 0.85)\n", m.batch, ratio)
	// A paragraph costs its share of splitting, its tagging, its indexing,
	// and two hops (ingest → enrich → index); the article's own hops
	// (articles.new → ingest, the completion event) are a few per article.
	cost := 1/m.split.PerCPUSecond() + 1/m.tag.PerCPUSecond() + 1/m.apply.PerCPUSecond() + 2/m.hop.PerCPUSecond()
	budget := float64(runtime.NumCPU()) / cost
	writer := m.apply.PerSecond()
	r.limit = min(budget, writer)
	fmt.Fprintf(r.w, "CPU per paragraph, split + tag + index + 2 hops: %.0f µs, so %d CPUs carry at most %.0f paragraphs/s;\n",
		cost*1e6, runtime.NumCPU(), budget)
	fmt.Fprintf(r.w, "the one index writer takes at most %.0f paragraphs/s. Limit for the pipeline: %.0f paragraphs/s.\n", writer, r.limit)
}

func (r *report) drains(ds []load.DrainResult) {
	if len(ds) == 0 {
		return
	}
	fmt.Fprintf(r.w, "\nThe enrich stage alone, for scale-out: PARAGRAPHS filled with the corpus's %d paragraphs, then the enrichers\n", ds[0].Paragraphs)
	fmt.Fprintf(r.w, "start, each held to %d core(s) (GOMAXPROCS, as a container with that many CPUs); no ingest, no index:\n", ds[0].Cores)
	t := r.table()
	fmt.Fprintln(t, "enrichers\tparagraphs/s\tvs first\tcores used\tparagraphs per CPU-s\tredelivered\t")
	for _, d := range ds {
		fmt.Fprintf(t, "%d\t%.0f\t%.2fx\t%.2f\t%.0f\t%d\t\n", d.Enrichers, d.ParagraphsPerSecond(),
			d.ParagraphsPerSecond()/ds[0].ParagraphsPerSecond(), d.CPU.Seconds()/d.Elapsed.Seconds(),
			float64(d.Paragraphs)/d.CPU.Seconds(), d.Redelivered)
	}
	t.Flush()
	fmt.Fprintf(r.w, "(cores used counts the enrichers only; NATS, in this process, takes its share of the %d CPUs too.)\n", runtime.NumCPU())
}

func (r *report) runs(rs []load.Result) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(r.w, "\nEnd to end: a fresh pipeline per run (embedded NATS, ingest, enrichers, index as processes), %d articles, %d paragraphs each run:\n",
		rs[0].Articles, rs[0].Paragraphs)
	t := r.table()
	fmt.Fprintln(t, "enrichers\tload\tparagraphs/s\tarticles/s\tof limit\tp50\tp95\tp99\tredelivered\tdead letters\tchecked\t")
	for _, x := range rs {
		loadCol := "max"
		if x.Rate > 0 {
			loadCol = fmt.Sprintf("%.0f/s", x.Rate)
		}
		of := "-"
		if r.limit > 0 {
			of = fmt.Sprintf("%.0f%%", 100*x.ParagraphsPerSecond()/r.limit)
		}
		var red uint64
		for _, v := range x.Redelivered {
			red += v
		}
		fmt.Fprintf(t, "%d\t%s\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t\n", x.Enrichers, loadCol, x.ParagraphsPerSecond(),
			x.ArticlesPerSecond(), of, ms(x.Quantile(.5)), ms(x.Quantile(.95)), ms(x.Quantile(.99)), red, x.DeadLetters, x.Checked)
	}
	t.Flush()
	fmt.Fprintln(r.w, "latency: each article's publish to its articles.indexed event (all its paragraphs searchable);")
	fmt.Fprintln(r.w, "checked: articles read back whole from GET /articles/{id}.")

	fmt.Fprintln(r.w, "\nPer process (cores = CPU time / run time; nats is the embedded server and shares its process with the load generator;")
	fmt.Fprintln(r.w, "peak RSS counts mapped files too, such as the index's segments, which the kernel drops under pressure; peak anon is the heap's part):")
	t = r.table()
	fmt.Fprintln(t, "enrichers\tload\tprocess\tprocessed\tmsgs/s\tcores\tmsgs per CPU-s\tpeak RSS MiB\tpeak anon MiB\t")
	for _, x := range rs {
		loadCol := "max"
		if x.Rate > 0 {
			loadCol = fmt.Sprintf("%.0f/s", x.Rate)
		}
		for _, p := range append(x.Procs, x.NATS) {
			secs := x.Elapsed.Seconds()
			processed, perCPU := "-", "-"
			if p.Stage != "nats" {
				processed = fmt.Sprintf("%.0f", p.Processed)
				perCPU = fmt.Sprintf("%.0f", p.Processed/max(p.CPU.Seconds(), 1e-9))
			}
			fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\t%.2f\t%s\t%.0f\t%.0f\t\n", x.Enrichers, loadCol, p.Name, processed,
				rate(p, secs), p.CPU.Seconds()/secs, perCPU, float64(p.PeakRSS)/(1<<20), float64(p.PeakAnon)/(1<<20))
		}
	}
	t.Flush()
	if len(rs) >= 2 {
		var parts []string
		for _, x := range rs[1:] {
			if x.Rate == 0 {
				parts = append(parts, fmt.Sprintf("%d enrichers %.2fx", x.Enrichers, x.ParagraphsPerSecond()/rs[0].ParagraphsPerSecond()))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(r.w, "\nscale-out vs %d enricher(s): %s\n", rs[0].Enrichers, strings.Join(parts, ", "))
		}
	}
}

func rate(p load.Proc, secs float64) string {
	if p.Stage == "nats" {
		return "-"
	}
	return fmt.Sprintf("%.0f", p.Processed/secs)
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}
