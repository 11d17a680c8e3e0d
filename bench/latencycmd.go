package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/bench/load"
	"github.com/warta-news/warta/bench/queryload"
	"github.com/warta-news/warta/bench/querymix"
	"github.com/warta-news/warta/pkg/bus/proc"
)

const latencyUsage = `Usage: bench search-latency [flags]

Times searches while the index is busy indexing, as readers use it:

 1. builds the corpus of "make bench" (--paragraphs, 100,000 by default);
 2. makes a fixed mix of --queries searches from the corpus's own texts,
    seeded by --seed: a common word, a rare word, two words, a word with an
    entity filter, filters alone (entity, type, lang, from/to), a quoted
    phrase, a negated word (-word), two words joined by OR, Indonesian
    derived forms and English plurals, in equal shares and shuffled order;
 3. unless --peak is given, measures the peak rate as "make bench" does: a
    fresh pipeline (embedded NATS, ingest, --enrichers enrichers, index as
    processes) takes the whole corpus as fast as JetStream accepts it;
 4. on a fresh pipeline again, publishes the corpus at half the peak and,
    from the first publish, sends the searches to GET /search at a steady
    pace (--query-rate; by default spread over the publishing time), each
    without waiting for the ones before it.

It prints the mix, then each kind's latency (p50, p90, p99, max, from
sending to the last byte read), its answers other than 200 and its hits,
and the indexing: paragraphs/s, publish-to-searchable latency, the index
process's CPU and peak RSS. Each run is appended to --jsonl (a "run" line
with the summary, then one "query" line per search), and --baseline prints
it beside the last run of another such file: the before and after of a
change to search. For a fair comparison, give both runs the same --peak
and --query-rate (the report prints them) on an equally quiet machine.

Build the services first (make build); "make bench-search-latency" does both.

Flags:
`

// latencyConfig is "bench search-latency"'s configuration.
type latencyConfig struct {
	runFlags
	Queries, Enrichers     int
	Peak, QueryRate        float64
	JSONL, Baseline, Label string
}

func parseLatencyConfig(args []string, getenv func(string) string, stderr io.Writer) (latencyConfig, error) {
	var c latencyConfig
	f := proc.NewFlags("bench search-latency", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, latencyUsage)
		f.PrintDefaults()
	}
	c.register(f)
	f.IntVar(&c.Queries, "queries", 1000, "searches to send while the corpus is indexed")
	f.Env("queries", "BENCH_QUERIES")
	f.Float64Var(&c.QueryRate, "query-rate", 0, "searches per second (0: the searches spread over the publishing time)")
	f.Env("query-rate", "BENCH_QUERY_RATE")
	f.Float64Var(&c.Peak, "peak", 0, "peak paragraphs/s of the pipeline on this machine; the corpus is published at half of it (0: measure it first)")
	f.Env("peak", "BENCH_PEAK")
	f.IntVar(&c.Enrichers, "enrichers", 1, "enrichers of the pipeline (1 is the fastest on 2 cores: see make bench)")
	f.StringVar(&c.JSONL, "jsonl", "BENCH_JSONL", "", `file the run is appended to as JSON lines ("": search-latency.jsonl in --data-dir)`)
	f.StringVar(&c.Baseline, "baseline", "BENCH_BASELINE", "", "a --jsonl file of an earlier run: its last run is printed beside this one")
	f.StringVar(&c.Label, "label", "BENCH_LABEL", "", `name of the run in --jsonl, such as "before" ("": the index binary's VCS revision, or the start of its SHA-256)`)
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: bench search-latency takes flags only (see bench search-latency --help)", f.Arg(0))
	}
	if err := c.check(); err != nil {
		return c, err
	}
	switch {
	case c.Queries < 1:
		return c, fmt.Errorf("queries %d: use 1 or more", c.Queries)
	case c.QueryRate < 0:
		return c, fmt.Errorf("query-rate %v: use a positive rate, or 0 to spread the searches over the publishing", c.QueryRate)
	case c.Peak < 0:
		return c, fmt.Errorf("peak %v: use a positive rate in paragraphs/s, or 0 to measure it", c.Peak)
	case c.Enrichers < 1 || c.Enrichers > 64:
		return c, fmt.Errorf("enrichers %d: use 1 to 64", c.Enrichers)
	}
	if c.JSONL == "" {
		c.JSONL = filepath.Join(c.DataDir, "search-latency.jsonl")
	}
	return c, nil
}

// latencyRun is what one "bench search-latency" measured.
type latencyRun struct {
	Record   string    `json:"record"` // "run"
	Time     time.Time `json:"time"`
	Label    string    `json:"label"`
	Revision string    `json:"index_revision"`
	LoadAvg  string    `json:"load_avg"`
	CPUs     int       `json:"cpus"`
	Seed     uint64    `json:"seed"`
	// Articles and Paragraphs are the corpus's.
	Articles   int `json:"articles"`
	Paragraphs int `json:"paragraphs"`
	Enrichers  int `json:"enrichers"`
	// Peak is the full-speed rate, PeakMeasured whether this run measured it.
	Peak         float64 `json:"peak"`
	PeakMeasured bool    `json:"peak_measured"`
	Rate         float64 `json:"rate"`
	QueryRate    float64 `json:"query_rate"`
	// DuringIndexing counts the searches sent before the last article
	// became searchable.
	DuringIndexing int               `json:"sent_during_indexing"`
	All            queryload.Stats   `json:"all"`
	Kinds          []queryload.Stats `json:"kinds"`
	Indexing       indexing          `json:"indexing"`
	// queries are the searches, in order (the "query" lines of --jsonl).
	queries []string
}

// indexing is what the pipeline did during the searches.
type indexing struct {
	// ParagraphsPerSecond is end to end, first publish to last searchable.
	ParagraphsPerSecond float64 `json:"paragraphs_per_s"`
	// Searchable* are the articles' publish-to-searchable quantiles.
	SearchableP50 float64 `json:"searchable_p50_ms"`
	SearchableP99 float64 `json:"searchable_p99_ms"`
	// IndexCPU is the index process's CPU time, in seconds, from the
	// first publish to the end of the searches; IndexCores that over the
	// run's time.
	IndexCPU     float64 `json:"index_cpu_s"`
	IndexCores   float64 `json:"index_cores"`
	IndexPeakRSS float64 `json:"index_peak_rss_mib"`
	IndexAnon    float64 `json:"index_peak_anon_mib"`
	Redelivered  uint64  `json:"redelivered"`
	// OthersCPU is the CPU time, in seconds, that other processes of the
	// machine used during the run (-1: unknown): a disturbed run shows here.
	OthersCPU float64 `json:"others_cpu_s"`
}

// latencyQuery is one search in --jsonl.
type latencyQuery struct {
	Record string        `json:"record"` // "query"
	Run    time.Time     `json:"run"`
	I      int           `json:"i"`
	Kind   querymix.Kind `json:"kind"`
	Query  string        `json:"query"`
	Status int           `json:"status"`
	MS     float64       `json:"ms"`
	Total  uint64        `json:"total"`
	TookMS float64       `json:"took_ms"`
	SentS  float64       `json:"sent_s"`
	Err    string        `json:"error,omitempty"`
}

// runSearchLatency is "bench search-latency".
func runSearchLatency(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseLatencyConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	for _, bin := range []string{"ingest", "enrich", "index"} {
		if _, err := os.Stat(filepath.Join(c.BinDir, bin)); err != nil {
			return fmt.Errorf("no %s binary in %s: build them first (make build) or set --bin-dir", bin, c.BinDir)
		}
	}
	var baseline *latencyRun
	if c.Baseline != "" {
		if baseline, err = lastRun(c.Baseline); err != nil {
			return err
		}
	}
	run := latencyRun{Record: "run", Time: time.Now().UTC().Truncate(time.Second), Label: c.Label,
		Revision: revision(filepath.Join(c.BinDir, "index")), LoadAvg: loadAvg(), CPUs: runtime.NumCPU(),
		Seed: c.Seed, Enrichers: c.Enrichers}
	if run.Label == "" {
		run.Label = run.Revision
	}
	srcs, err := corpus.Load(c.Samples, filepath.Join(c.Samples, "bench"))
	if err != nil {
		return err
	}
	articles, err := corpus.Generate(srcs, corpus.Options{Paragraphs: c.Paragraphs, Seed: c.Seed, Prefix: "bench"})
	if err != nil {
		return err
	}
	run.Articles = len(articles)
	for _, a := range articles {
		run.Paragraphs += a.Paragraphs
	}
	fmt.Fprintf(stderr, "bench search-latency: making %d searches from the texts\n", c.Queries)
	qs, err := querymix.Build(srcs, querymix.Options{N: c.Queries, Seed: c.Seed})
	if err != nil {
		return err
	}
	w := stdout
	fmt.Fprintf(w, "warta bench search-latency, %s, %s/%s, %d CPUs, %s, load average %s at the start\n",
		run.Time.Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, run.CPUs, runtime.Version(), run.LoadAvg)
	fmt.Fprintf(w, "index: %s (revision %s)\n", filepath.Join(c.BinDir, "index"), run.Revision)
	fmt.Fprintf(w, "corpus (seed %d, %d texts): %s\n", c.Seed, len(srcs), corpus.Summary(articles))
	printMix(w, c, qs)

	bc := config{runFlags: c.runFlags}
	run.Peak = c.Peak
	if run.Peak == 0 {
		fmt.Fprintf(stderr, "bench search-latency: %d enricher(s), %d articles as fast as possible, for the peak\n", c.Enrichers, len(articles))
		res, err := runOnce(ctx, bc, c.Enrichers, 0, articles, nil)
		if err != nil {
			return err
		}
		run.Peak, run.PeakMeasured = res.ParagraphsPerSecond(), true
		fmt.Fprintf(w, "\nPeak, measured as make bench does: %d enricher(s), the corpus as fast as JetStream takes it: %.0f paragraphs/s end to end (%s).\n",
			c.Enrichers, run.Peak, ms(res.Elapsed))
	}
	run.Rate = run.Peak / 2
	run.QueryRate = c.QueryRate
	if run.QueryRate == 0 {
		publishing := float64(run.Paragraphs) / run.Rate
		run.QueryRate = float64(len(qs)) / publishing
	}

	fmt.Fprintf(stderr, "bench search-latency: %d enricher(s) at %.0f paragraphs/s, %d searches at %.1f/s\n",
		c.Enrichers, run.Rate, len(qs), run.QueryRate)
	var answers []queryload.Answer
	var searching time.Duration
	res, err := runOnce(ctx, bc, c.Enrichers, run.Rate, articles, func(ctx context.Context, url string) error {
		t0 := time.Now()
		answers = queryload.Fire(ctx, queryload.Config{URL: url, Rate: run.QueryRate, Wait: time.Minute}, qs)
		searching = time.Since(t0)
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	run.All, run.Kinds = queryload.Summarize(qs, answers)
	for _, q := range qs {
		run.queries = append(run.queries, q.String())
	}
	for _, a := range answers {
		if a.Sent < res.Elapsed {
			run.DuringIndexing++
		}
	}
	span := max(res.Elapsed, searching)
	run.Indexing = indexing{ParagraphsPerSecond: res.ParagraphsPerSecond(),
		SearchableP50: queryload.Millis(res.Quantile(.5)), SearchableP99: queryload.Millis(res.Quantile(.99)),
		OthersCPU: res.OthersCPU.Seconds()}
	for _, p := range res.Procs {
		if p.Name == "index" {
			run.Indexing.IndexCPU = p.CPU.Seconds()
			run.Indexing.IndexCores = p.CPU.Seconds() / span.Seconds()
			run.Indexing.IndexPeakRSS = float64(p.PeakRSS) / (1 << 20)
			run.Indexing.IndexAnon = float64(p.PeakAnon) / (1 << 20)
		}
	}
	for _, n := range res.Redelivered {
		run.Indexing.Redelivered += n
	}
	printLatency(w, c, run, res, searching)
	if baseline != nil {
		printBaseline(w, c.Baseline, *baseline, run)
	}
	if err := appendJSONL(c.JSONL, run, qs, answers); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n(appended to %s)\n", c.JSONL)
	return nil
}

// printMix prints how many searches of each kind the mix has, with a few
// of each.
func printMix(w io.Writer, c latencyConfig, qs []querymix.Query) {
	fmt.Fprintf(w, "\nThe searches (seed %d): %d, the kinds in equal shares and shuffled order; three of each:\n", c.Seed, len(qs))
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(t, "kind\tsearches\tfor example")
	examples := querymix.Examples(qs, 3)
	counts := map[querymix.Kind]int{}
	for _, q := range qs {
		counts[q.Kind]++
	}
	for _, k := range querymix.Kinds {
		var ex []string
		for _, q := range examples[k] {
			s := q.String()
			if q.Note != "" {
				s += " (" + q.Note + ")"
			}
			ex = append(ex, s)
		}
		fmt.Fprintf(t, "%s\t%d\t%s\n", k, counts[k], strings.Join(ex, "  ·  "))
	}
	t.Flush()
}

func printLatency(w io.Writer, c latencyConfig, run latencyRun, res load.Result, searching time.Duration) {
	span := max(res.Elapsed, searching)
	fmt.Fprintf(w, "\nHalf load: the corpus published at %.0f paragraphs/s (half of %.0f) by %d enricher(s); %d searches sent at %.1f/s\n",
		run.Rate, run.Peak, run.Enrichers, run.All.N, run.QueryRate)
	fmt.Fprintf(w, "from the first publish, over %s; %d of them before the last article was searchable (at %s).\n",
		ms(searching), run.DuringIndexing, ms(res.Elapsed))
	fmt.Fprintln(w, "\nSearch latency, from sending to the last byte read (index took: the time the index reports, in ms):")
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(t, "kind\tsearches\tnon-200\tno hits\tmedian hits\tp50\tp90\tp99\tmax\ttook p50\ttook p99\t")
	for _, s := range append([]queryload.Stats{run.All}, run.Kinds...) {
		kind := string(s.Kind)
		if kind == "" {
			kind = "all"
		}
		fmt.Fprintf(t, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t\n", kind, s.N, s.Non200, s.NoHits, s.MedianTotal,
			msFine(s.P50), msFine(s.P90), msFine(s.P99), msFine(s.Max), queryload.Millis(s.TookP50), queryload.Millis(s.TookP99))
	}
	t.Flush()
	in := run.Indexing
	fmt.Fprintln(w, "\nIndexing meanwhile (compare paragraphs/s with the rate published: an index that falls behind shows here and in the latency):")
	t = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(t, "paragraphs/s\tsearchable p50\tp99\tredelivered\tindex CPU\tindex cores\tindex peak RSS MiB\tpeak anon MiB\t")
	fmt.Fprintf(t, "%.0f\t%s\t%s\t%d\t%.1fs\t%.2f\t%.0f\t%.0f\t\n", in.ParagraphsPerSecond, ms(res.Quantile(.5)), ms(res.Quantile(.99)),
		in.Redelivered, in.IndexCPU, in.IndexCores, in.IndexPeakRSS, in.IndexAnon)
	t.Flush()
	fmt.Fprintln(w, "(searchable: each article's publish to its articles.indexed event; index CPU: from the first publish to the end of")
	fmt.Fprintln(w, " the searches, indexing and searching together; peak RSS counts the index's mapped segment files too.)")
	if res.OthersCPU >= 0 {
		fmt.Fprintf(w, "Other processes on this machine used %.1f CPU-seconds during the run (%.2f cores on average)%s.\n",
			res.OthersCPU.Seconds(), res.OthersCPU.Seconds()/span.Seconds(), disturbed(res.OthersCPU, span))
	}
	fmt.Fprintf(w, "\nThe same load again: bench search-latency --paragraphs %d --seed %d --queries %d --peak %.0f --query-rate %.1f\n",
		c.Paragraphs, c.Seed, run.All.N, run.Peak, run.QueryRate)
}

// disturbed warns when other processes took more than a tenth of a core
// on average: enough to move the latencies.
func disturbed(others, span time.Duration) string {
	if others.Seconds() > 0.1*span.Seconds() {
		return ": the figures are disturbed, run again on a quieter machine"
	}
	return ""
}

// printBaseline prints this run beside the baseline's.
func printBaseline(w io.Writer, file string, b, now latencyRun) {
	fmt.Fprintf(w, "\nBeside %q of %s (%s), index revision %s, load average %s:\n", b.Label, b.Time.Format(time.RFC3339), file, b.Revision, b.LoadAvg)
	if b.Seed != now.Seed || b.Paragraphs != now.Paragraphs || b.All.N != now.All.N {
		fmt.Fprintf(w, "(not the same runs: seed %d/%d, paragraphs %d/%d, searches %d/%d)\n",
			b.Seed, now.Seed, b.Paragraphs, now.Paragraphs, b.All.N, now.All.N)
	}
	if differ := mixDiffers(b.queries, now.queries); differ > 0 && len(b.queries) == len(now.queries) {
		fmt.Fprintf(w, "(not the same searches: %d of %d differ; the texts or the tagger have changed since)\n", differ, len(now.queries))
	}
	if b.Rate != now.Rate || b.QueryRate != now.QueryRate {
		fmt.Fprintf(w, "(not the same load: %.0f/%.0f paragraphs/s, %.1f/%.1f searches/s; give --peak and --query-rate)\n",
			b.Rate, now.Rate, b.QueryRate, now.QueryRate)
	}
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(t, "kind\tp50 before\tnow\tp99 before\tnow\tmax before\tnow\tnon-200 before\tnow\tmedian hits before\tnow\t")
	before := map[querymix.Kind]queryload.Stats{"": b.All}
	for _, s := range b.Kinds {
		before[s.Kind] = s
	}
	for _, s := range append([]queryload.Stats{now.All}, now.Kinds...) {
		o, ok := before[s.Kind]
		if !ok {
			continue
		}
		kind := string(s.Kind)
		if kind == "" {
			kind = "all"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", kind, msFine(o.P50), msFine(s.P50), msFine(o.P99), msFine(s.P99),
			msFine(o.Max), msFine(s.Max), o.Non200, s.Non200, o.MedianTotal, s.MedianTotal)
	}
	t.Flush()
	fmt.Fprintf(w, "indexing: %.0f → %.0f paragraphs/s, index %.1f → %.1f CPU s, peak RSS %.0f → %.0f MiB; other processes %.1f → %.1f CPU s",
		b.Indexing.ParagraphsPerSecond, now.Indexing.ParagraphsPerSecond, b.Indexing.IndexCPU, now.Indexing.IndexCPU,
		b.Indexing.IndexPeakRSS, now.Indexing.IndexPeakRSS, b.Indexing.OthersCPU, now.Indexing.OthersCPU)
	if b.PeakMeasured && now.PeakMeasured {
		fmt.Fprintf(w, "; peak %.0f → %.0f paragraphs/s (%+.0f%%)", b.Peak, now.Peak, 100*(now.Peak/b.Peak-1))
	}
	fmt.Fprintln(w)
}

// mixDiffers counts the searches of b and now that differ, position by
// position.
func mixDiffers(b, now []string) int {
	n := max(len(b), len(now)) - min(len(b), len(now))
	for i := range min(len(b), len(now)) {
		if b[i] != now[i] {
			n++
		}
	}
	return n
}

// appendJSONL appends the run and then each search to file.
func appendJSONL(file string, run latencyRun, qs []querymix.Query, as []queryload.Answer) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // the queries' "&" as it is
	err = enc.Encode(run)
	for _, a := range as {
		if err != nil {
			break
		}
		err = enc.Encode(latencyQuery{Record: "query", Run: run.Time, I: a.Query, Kind: qs[a.Query].Kind,
			Query: qs[a.Query].String(), Status: a.Status, MS: queryload.Millis(a.Latency), Total: a.Total,
			TookMS: queryload.Millis(a.Took), SentS: a.Sent.Seconds(), Err: a.Err})
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}

// lastRun reads the last run of a --jsonl file, and its searches.
func lastRun(file string) (*latencyRun, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer f.Close()
	var last *latencyRun
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"record":"query"`) {
			var q latencyQuery
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				return nil, fmt.Errorf("baseline %s: %w", file, err)
			}
			if last != nil && q.Run.Equal(last.Time) {
				last.queries = append(last.queries, q.Query)
			}
			continue
		}
		var r latencyRun
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("baseline %s: %w", file, err)
		}
		last = &r
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", file, err)
	}
	if last == nil {
		return nil, fmt.Errorf("baseline %s: no run in it: give a file that bench search-latency wrote (--jsonl)", file)
	}
	return last, nil
}

// revision is the VCS revision a binary was built from, with "+changes"
// when its tree had uncommitted changes; where the build did not record it
// (-buildvcs=false), the start of the binary's SHA-256, which tells two
// builds apart all the same.
func revision(bin string) string {
	rev, dirty := "", false
	if info, err := buildinfo.ReadFile(bin); err == nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value[:min(len(s.Value), 12)]
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev != "" && dirty {
		return rev + "+changes"
	}
	if rev != "" {
		return rev
	}
	f, err := os.Open(bin)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)[:6])
}

// loadAvg is the 1, 5 and 15-minute load average (Linux), or "unknown".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// msFine formats a latency to a tenth of a millisecond below 10 ms.
func msFine(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1fms", queryload.Millis(d))
	}
	return ms(d)
}
