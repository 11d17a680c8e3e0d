// Command bench measures the pipeline's throughput, latency and scale-out on
// this machine, against the limits of its parts. See "bench --help" and the
// README's "Throughput and scale-out" section.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/bench/limits"
	"github.com/warta-news/warta/bench/load"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
)

const usage = `Usage: bench [flags]

Measures the pipeline on this machine and prints a report:

 1. builds a corpus of articles from the texts in samples/ and samples/bench/
    (Indonesian, English and other languages; lengths from 1 to 60 paragraphs);
 2. measures each part on its own on that corpus, in this process: splitting,
    tagging, indexing (the project's store, and plain Bleve batches of the same
    documents as the baseline) and one JetStream hop;
 3. for each enricher count, starts a fresh pipeline (embedded NATS, ingest,
    the enrichers and index as real processes, as "make run" does), publishes
    the whole corpus as fast as JetStream takes it, and waits until every
    article is searchable: end-to-end rates, publish-to-searchable latency per
    article (from its articles.indexed.<id> event), each process's CPU and
    peak RSS, redeliveries and dead letters;
 4. runs once more at half the best peak rate, where latency is meaningful
    (at full speed it is mostly queueing).

Build the services first (make build); "make bench" does both.

"bench search" loads the index's search API instead: see "bench search --help"
("make bench-search"). "bench search-latency" times 1,000 mixed searches
while the corpus is indexed at half load: see "bench search-latency --help"
("make bench-search-latency"). "bench alerts" measures what 0 to 10,000
standing searches cost the index at half load: see "bench alerts --help"
("make bench-alerts").

Flags:
`

type config struct {
	runFlags
	LimitParagraphs int
	Enrichers       []int
	HalfLoad        bool
	BatchSize       int
	ProfileDir      string
	ProfileFor      time.Duration
	DrainCores      int
}

// runFlags are the flags that bench and bench search-latency share: where
// the binaries, the texts and the runs are, the corpus, and a run's bounds.
type runFlags struct {
	BinDir, Samples, DataDir string
	Paragraphs               int
	Seed                     uint64
	Timeout                  time.Duration
	Keep                     bool
	seed                     string
}

func (r *runFlags) register(f *proc.Flags) {
	self, _ := os.Executable()
	f.StringVar(&r.BinDir, "bin-dir", "WARTA_BIN_DIR", filepath.Dir(self), "folder with the ingest, enrich and index binaries")
	f.StringVar(&r.Samples, "samples", "BENCH_SAMPLES", "samples", "folder of the texts the corpus is drawn from (and its bench/ subfolder)")
	f.StringVar(&r.DataDir, "data-dir", "BENCH_DATA_DIR", "./.data/bench", "folder for each run's NATS storage, index and services' logs")
	f.IntVar(&r.Paragraphs, "paragraphs", 100_000, "paragraphs in the corpus (whole articles, so a few more)")
	f.Env("paragraphs", "BENCH_PARAGRAPHS")
	f.DurationVar(&r.Timeout, "timeout", 15*time.Minute, "longest a run may take")
	f.Env("timeout", "BENCH_TIMEOUT")
	f.StringVar(&r.seed, "seed", "BENCH_SEED", "1", "seed of the corpus (and of the searches of search-latency): the same seed makes the same articles")
	f.BoolVar(&r.Keep, "keep", false, "keep each run's folder (NATS storage, index, services.log) after it ends")
	f.Env("keep", "BENCH_KEEP")
}

// check reads the seed and checks the values, once the flags are parsed.
func (r *runFlags) check() error {
	var err error
	if r.Seed, err = strconv.ParseUint(r.seed, 10, 64); err != nil {
		return fmt.Errorf("seed %q: use a whole number", r.seed)
	}
	switch {
	case r.Paragraphs < 1:
		return fmt.Errorf("paragraphs %d: use 1 or more", r.Paragraphs)
	case r.Timeout <= 0:
		return fmt.Errorf("timeout %v: use a positive duration", r.Timeout)
	}
	return nil
}

// corpus checks that the services' binaries are in BinDir, and builds the
// corpus: the texts it is drawn from, and its articles.
func (r *runFlags) corpus() ([]corpus.Source, []corpus.Article, error) {
	for _, bin := range []string{"ingest", "enrich", "index"} {
		if _, err := os.Stat(filepath.Join(r.BinDir, bin)); err != nil {
			return nil, nil, fmt.Errorf("no %s binary in %s: build them first (make build) or set --bin-dir", bin, r.BinDir)
		}
	}
	srcs, err := corpus.Load(r.Samples, filepath.Join(r.Samples, "bench"))
	if err != nil {
		return nil, nil, err
	}
	articles, err := corpus.Generate(srcs, corpus.Options{Paragraphs: r.Paragraphs, Seed: r.Seed, Prefix: "bench"})
	return srcs, articles, err
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	f := proc.NewFlags("bench", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage)
		f.PrintDefaults()
	}
	c.register(f)
	f.IntVar(&c.LimitParagraphs, "limit-paragraphs", 20_000, "paragraphs of the corpus used to measure the parts on their own (0: skip)")
	f.Env("limit-paragraphs", "BENCH_LIMIT_PARAGRAPHS")
	enrichers := "1,2,4"
	f.StringVar(&enrichers, "enrichers", "BENCH_ENRICHERS", enrichers, "enricher counts to run, comma-separated")
	f.IntVar(&c.DrainCores, "drain-cores", 1, "cores (GOMAXPROCS) of each enricher when the enrich stage is measured alone, for scale-out (0: skip that measurement)")
	f.Env("drain-cores", "BENCH_DRAIN_CORES")
	f.BoolVar(&c.HalfLoad, "half-load", true, "also run at half the best peak rate, for latency")
	f.Env("half-load", "BENCH_HALF_LOAD")
	f.IntVar(&c.BatchSize, "batch-size", 500, "index batch size for the standalone index rates (the index service's own default, BATCH_SIZE, is 1000)")
	f.Env("batch-size", "BENCH_BATCH_SIZE")
	f.StringVar(&c.ProfileDir, "profile-dir", "BENCH_PROFILE_DIR", "", "write CPU profiles of every process, taken during each run at full speed, into this folder (<enrichers>e/<process>.pprof)")
	f.DurationVar(&c.ProfileFor, "profile-for", 10*time.Second, "length of each CPU profile")
	f.Env("profile-for", "BENCH_PROFILE_FOR")
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: bench takes flags only (see --help)", f.Arg(0))
	}
	for _, s := range strings.Split(enrichers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 64 {
			return c, fmt.Errorf("enrichers %q: use counts from 1 to 64, comma-separated, such as 1,2,4", enrichers)
		}
		c.Enrichers = append(c.Enrichers, n)
	}
	if err := c.check(); err != nil {
		return c, err
	}
	switch {
	case c.DrainCores < 0:
		return c, fmt.Errorf("drain-cores %d: use 0 (skip) or more", c.DrainCores)
	case c.LimitParagraphs < 0:
		return c, fmt.Errorf("limit-paragraphs %d: use 0 (skip) or more", c.LimitParagraphs)
	case c.BatchSize < 1:
		return c, fmt.Errorf("batch-size %d: use 1 or more", c.BatchSize)
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "search" || args[0] == "search-latency" || args[0] == "alerts") {
		sub := runSearchLoad
		switch args[0] {
		case "search-latency":
			sub = runSearchLatency
		case "alerts":
			sub = runAlertsBench
		}
		err := sub(ctx, args[1:], getenv, stdout, stderr)
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	c, err := parseConfig(args, getenv, stderr)
	if proc.IsHelp(err) {
		return nil
	}
	if err != nil {
		return err
	}
	srcs, articles, err := c.corpus()
	if err != nil {
		return err
	}
	rep := &report{w: stdout}
	rep.header(c, len(srcs), corpus.Summary(articles))

	if c.LimitParagraphs > 0 {
		fmt.Fprintf(stderr, "bench: measuring the parts on their own (%d paragraphs)\n", c.LimitParagraphs)
		lim, err := measureLimits(c, articles)
		if err != nil {
			return fmt.Errorf("limits: %w", err)
		}
		rep.limits(lim)
	}

	if c.DrainCores > 0 {
		var drains []load.DrainResult
		payloads, err := paragraphEvents(articles)
		if err != nil {
			return err
		}
		for _, n := range c.Enrichers {
			fmt.Fprintf(stderr, "bench: the enrich stage alone, %d enricher(s) of %d core(s) each\n", n, c.DrainCores)
			res, err := drainOnce(ctx, c, n, payloads)
			if err != nil {
				return err
			}
			drains = append(drains, res)
		}
		rep.drains(drains)
	}

	var results []load.Result
	best := 0.0
	for _, n := range c.Enrichers {
		fmt.Fprintf(stderr, "bench: %d enricher(s), %d articles as fast as possible\n", n, len(articles))
		res, err := runOnce(ctx, c, n, 0, articles, nil)
		if err != nil {
			return err
		}
		results = append(results, res)
		best = max(best, res.ParagraphsPerSecond())
	}
	if c.HalfLoad && len(results) > 0 {
		n := results[0].Enrichers
		for _, r := range results {
			if r.ParagraphsPerSecond() == best {
				n = r.Enrichers
			}
		}
		rate := best / 2
		fmt.Fprintf(stderr, "bench: %d enricher(s) at %.0f paragraphs/s (half of the best peak)\n", n, rate)
		res, err := runOnce(ctx, c, n, rate, articles, nil)
		if err != nil {
			return err
		}
		results = append(results, res)
	}
	rep.runs(results)
	return nil
}

// inRunDir calls f with a fresh folder under --data-dir and a services.log
// in it. The folder is removed afterwards, unless f failed or --keep: the
// error names it.
func inRunDir(c config, name string, f func(dir string, logs io.Writer) error) error {
	dir, err := load.TempDir(c.DataDir, name)
	if err != nil {
		return err
	}
	logs, err := os.Create(filepath.Join(dir, "services.log"))
	if err != nil {
		return err
	}
	err = f(dir, logs)
	logs.Close()
	if err != nil {
		return fmt.Errorf("%w (its folder is kept: %s)", err, dir)
	}
	if !c.Keep {
		_ = load.Remove(dir)
	}
	return nil
}

// runOnce runs the pipeline once in a fresh folder; alongside, if not nil,
// runs beside it (see load.Config.Alongside).
func runOnce(ctx context.Context, c config, enrichers int, rate float64, articles []corpus.Article,
	alongside func(context.Context, string) error) (load.Result, error) {
	profiles := ""
	if c.ProfileDir != "" && rate == 0 {
		profiles = filepath.Join(c.ProfileDir, fmt.Sprintf("%de", enrichers))
	}
	var res load.Result
	err := inRunDir(c, fmt.Sprintf("run-%de", enrichers), func(dir string, logs io.Writer) error {
		var err error
		res, err = load.Run(ctx, load.Config{
			ProfileDir: profiles, ProfileFor: c.ProfileFor,
			BinDir: c.BinDir, DataDir: dir, Enrichers: enrichers, Rate: rate, Timeout: c.Timeout, Logs: logs,
			// Summaries every 10 s show progress in services.log; the level
			// is the services' default, so the run pays for the same logging
			// as production.
			Env:       []string{"LOG_FORMAT=json", "SUMMARY_INTERVAL=10s"},
			Alongside: alongside,
		}, articles)
		if err != nil {
			return fmt.Errorf("run with %d enricher(s): %w", enrichers, err)
		}
		return nil
	})
	return res, err
}

// drainOnce measures the enrich stage alone in a fresh folder.
func drainOnce(ctx context.Context, c config, enrichers int, payloads [][]byte) (load.DrainResult, error) {
	var res load.DrainResult
	err := inRunDir(c, fmt.Sprintf("drain-%de", enrichers), func(dir string, logs io.Writer) error {
		var err error
		res, err = load.Drain(ctx, load.DrainConfig{BinDir: c.BinDir, DataDir: dir, Enrichers: enrichers,
			Cores: c.DrainCores, Timeout: c.Timeout, Logs: logs}, payloads)
		if err != nil {
			return fmt.Errorf("enrich stage alone with %d enricher(s): %w", enrichers, err)
		}
		return nil
	})
	return res, err
}

// paragraphEvents splits every article as ingest does and returns the
// paragraph events.
func paragraphEvents(articles []corpus.Article) ([][]byte, error) {
	_, ps, err := limits.Split(articles)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(ps))
	for i := range ps {
		if out[i], err = events.Marshal(&ps[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// measured holds the standalone rates of the parts.
type measured struct {
	split, tag, apply, raw, hop limits.Rate
	batch                       int
}

func measureLimits(c config, articles []corpus.Article) (measured, error) {
	m := measured{batch: c.BatchSize}
	// The first articles up to LimitParagraphs: the same mix as the runs.
	k, n := 0, 0
	for k < len(articles) && n < c.LimitParagraphs {
		n += articles[k].Paragraphs
		k++
	}
	var ps []events.Paragraph
	var err error
	if m.split, ps, err = limits.Split(articles[:k]); err != nil {
		return m, err
	}
	var eps []events.EnrichedParagraph
	if m.tag, eps, err = limits.Tag(ps); err != nil {
		return m, err
	}
	dir, err := load.TempDir(c.DataDir, "limits")
	if err != nil {
		return m, err
	}
	defer load.Remove(dir) //nolint:errcheck // best effort
	if m.apply, m.raw, err = limits.Index(dir, eps, c.BatchSize); err != nil {
		return m, err
	}
	payloads := make([][]byte, len(eps))
	for i := range eps {
		if payloads[i], err = events.Marshal(&eps[i]); err != nil {
			return m, err
		}
	}
	if m.hop, err = limits.Hop(filepath.Join(dir, "nats"), payloads, 256); err != nil {
		return m, err
	}
	return m, nil
}
