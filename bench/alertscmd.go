package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/bench/load"
	"github.com/warta-news/warta/bench/querymix"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
)

const alertsUsage = `Usage: bench alerts [flags]

Measures what standing searches cost the index:

 1. builds the corpus of "make bench" (--paragraphs);
 2. makes standing searches from the corpus's own texts, as "bench
    search-latency" makes searches (querymix: rare words, two words, a word
    with an entity, phrases, negations, OR, word forms; not a common word
    or filters alone), three of them joined into each standing search: the
    corpus recombines a few dozen texts, so that one search matches a
    tenth of its articles, where a desk's standing search (a name and a
    topic) matches few;
 3. unless --peak is given, measures the pipeline's peak rate without
    standing searches, as "make bench" does;
 4. for each count of --counts, --runs times (the counts taking turns, so
    a noisy moment spreads over them), starts a fresh pipeline, puts that
    many standing searches into the bucket, waits until the index has
    loaded them, and publishes the corpus at half the peak.

It prints, per count, the medians over the runs: the paragraphs indexed per
second end to end, the index process's CPU per article and what the
standing searches add to it (the slowdown an index that is the bottleneck
would see), the evaluation time per article the index reports, the alerts
stored in ALERTS and per second, and the publish-to-searchable latency.

Build the services first (make build); "make bench-alerts" does both.

Flags:
`

// alertsConfig is "bench alerts"'s configuration.
type alertsConfig struct {
	runFlags
	Counts    []int
	Runs      int
	Enrichers int
	Peak      float64
	// ProfileDir receives CPU profiles of the first run of each count.
	ProfileDir string
	// Quiet adds to every standing search a word no article has: they
	// are tried as usual and never alert, which leaves the cost of the
	// searches without that of the alerts.
	Quiet bool
}

func parseAlertsConfig(args []string, getenv func(string) string, stderr io.Writer) (alertsConfig, error) {
	var c alertsConfig
	f := proc.NewFlags("bench alerts", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, alertsUsage)
		f.PrintDefaults()
	}
	c.register(f)
	counts := "0,100,1000,10000"
	f.StringVar(&counts, "counts", "BENCH_ALERT_COUNTS", counts, "standing search counts to measure, comma-separated")
	f.IntVar(&c.Runs, "runs", 3, "runs of each count: the report gives their medians")
	f.Env("runs", "BENCH_RUNS")
	f.IntVar(&c.Enrichers, "enrichers", 1, "enrichers of the pipeline")
	f.Float64Var(&c.Peak, "peak", 0, "peak paragraphs/s of the pipeline on this machine; the corpus is published at half of it (0: measure it first)")
	f.Env("peak", "BENCH_PEAK")
	f.StringVar(&c.ProfileDir, "profile-dir", "BENCH_PROFILE_DIR", "", "write CPU profiles of every process of the first run of each count into this folder (<count>/<process>.pprof)")
	f.BoolVar(&c.Quiet, "quiet", false, "add to every standing search a short word no article has: the searches are tried and never alert (the cost of the searches without that of alerts)")
	f.Env("quiet", "BENCH_QUIET")
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: bench alerts takes flags only (see bench alerts --help)", f.Arg(0))
	}
	if err := c.check(); err != nil {
		return c, err
	}
	for _, s := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 100_000 {
			return c, fmt.Errorf("counts %q: use counts from 0 to 100000, comma-separated, such as 0,100,1000,10000", counts)
		}
		c.Counts = append(c.Counts, n)
	}
	switch {
	case c.Runs < 1:
		return c, fmt.Errorf("runs %d: use 1 or more", c.Runs)
	case c.Enrichers < 1 || c.Enrichers > 64:
		return c, fmt.Errorf("enrichers %d: use 1 to 64", c.Enrichers)
	case c.Peak < 0:
		return c, fmt.Errorf("peak %v: use a positive rate in paragraphs/s, or 0 to measure it", c.Peak)
	}
	return c, nil
}

// alertsRun is what one run with a count of standing searches measured.
type alertsRun struct {
	Paragraphs float64 // per second, end to end
	CPUPerArt  time.Duration
	EvalPerArt time.Duration // the index's warta_alert_evaluation_seconds, per evaluated article
	Alerts     float64
	AlertsPerS float64
	PerArticle float64 // alerts per article
	P50, P99   time.Duration
}

// standingSearches makes n standing searches from the texts. Each joins
// the words and filters of three searches of the mix (all of them required):
// the corpus recombines a few dozen texts into its articles, so one search
// of the mix matches a tenth of them, while a desk's standing search (a
// name and a topic) matches few; three together match one article in a
// few hundred, and the anchors still find each search among the
// candidates of the articles that have one of its words.
func standingSearches(srcs []corpus.Source, n int, seed uint64) ([]events.StandingSearch, error) {
	if n == 0 {
		return nil, nil
	}
	// Two kinds of ten are left out: ask for enough of the others.

	qs, err := querymix.Build(srcs, querymix.Options{N: joined*n*10/8 + 40, Seed: seed})
	if err != nil {
		return nil, err
	}
	var usable []url.Values
	for _, q := range qs {
		if q.Kind != querymix.Common && q.Kind != querymix.Filters && q.Params.Get("q") != "" {
			usable = append(usable, q.Params)
		}
	}
	if len(usable) < joined*n {
		return nil, fmt.Errorf("made %d searches of the %d that %d standing searches take", len(usable), joined*n, n)
	}
	out := make([]events.StandingSearch, n)
	for i := range out {
		s := events.StandingSearch{V: events.Version, Created: time.Now().UTC()}
		var qs []string
		for _, p := range usable[joined*i : joined*(i+1)] {
			qs = append(qs, p.Get("q"))
			s.Entity = append(s.Entity, p["entity"]...)
		}
		s.Q = strings.Join(qs, " ")
		out[i] = s
	}
	return out, nil
}

// joined is how many searches of the mix make one standing search.
const joined = 3

// runAlertsBench is "bench alerts".
func runAlertsBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseAlertsConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	srcs, articles, err := c.corpus()
	if err != nil {
		return err
	}
	most := slices.Max(c.Counts)
	fmt.Fprintf(stderr, "bench alerts: making %d standing searches from the texts\n", most)
	searches, err := standingSearches(srcs, most, c.Seed)
	if err != nil {
		return err
	}
	if c.Quiet {
		// Two letters: never one of the criteria a search is filed under
		// (its longest words are), so a search is tried on the articles
		// that have those, and fails on this one.
		for i := range searches {
			searches[i].Q += " qx"
		}
	}
	w := stdout
	fmt.Fprintf(w, "warta bench alerts, %s, %s/%s, %d CPUs, %s, load average %s at the start\n",
		time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), loadAvg())
	fmt.Fprintf(w, "corpus (seed %d, %d texts): %s\n", c.Seed, len(srcs), corpus.Summary(articles))
	if c.Quiet {
		fmt.Fprintln(w, "--quiet: every standing search also asks for the word qx, which no article has: none alerts")
	}
	fmt.Fprintf(w, "standing searches: three searches of the querymix kinds (not common words, not filters alone) joined, e.g. %s\n", exampleSearches(searches, 4))

	bc := config{runFlags: c.runFlags}
	peak := c.Peak
	if peak == 0 {
		fmt.Fprintf(stderr, "bench alerts: %d enricher(s), the corpus as fast as possible, for the peak\n", c.Enrichers)
		res, err := runOnce(ctx, bc, c.Enrichers, 0, articles, nil)
		if err != nil {
			return err
		}
		peak = res.ParagraphsPerSecond()
		fmt.Fprintf(w, "peak, measured as make bench does (%d enricher(s), no standing searches): %.0f paragraphs/s\n", c.Enrichers, peak)
	}
	rate := peak / 2
	fmt.Fprintf(w, "half load: the corpus published at %.0f paragraphs/s; %d run(s) of each count, medians\n", rate, c.Runs)

	runs := map[int][]alertsRun{}
	for k := range c.Runs {
		for _, n := range c.Counts {
			fmt.Fprintf(stderr, "bench alerts: run %d of %d, %d standing searches at %.0f paragraphs/s\n", k+1, c.Runs, n, rate)
			profile := ""
			if c.ProfileDir != "" && k == 0 {
				profile = filepath.Join(c.ProfileDir, strconv.Itoa(n))
			}
			r, err := alertsOnce(ctx, c, articles, searches[:n], rate, profile)
			if err != nil {
				return err
			}
			runs[n] = append(runs[n], r)
		}
	}
	printAlerts(w, c, runs)
	return nil
}

// alertsOnce runs the pipeline at rate with the standing searches ss.
func alertsOnce(ctx context.Context, c alertsConfig, articles []corpus.Article, ss []events.StandingSearch, rate float64, profile string) (alertsRun, error) {
	var out alertsRun
	var evals, evalSum float64
	var res load.Result
	err := inRunDir(config{runFlags: c.runFlags}, fmt.Sprintf("alerts-%d", len(ss)), func(dir string, logs io.Writer) error {
		var err error
		res, err = load.Run(ctx, load.Config{
			BinDir: c.BinDir, DataDir: dir, Enrichers: c.Enrichers, Rate: rate, Timeout: c.Timeout, Logs: logs,
			Env: []string{"LOG_FORMAT=json", "SUMMARY_INTERVAL=10s"}, ProfileDir: profile, ProfileFor: 10 * time.Second,
			Prepare: func(ctx context.Context, nc *nats.Conn, api string) error {
				return putSearches(ctx, nc, api, ss)
			},
			Finish: func(ctx context.Context, nc *nats.Conn, api string) error {
				js, err := jetstream.New(nc)
				if err != nil {
					return err
				}
				if s, err := js.Stream(ctx, events.StreamAlerts); err == nil {
					out.Alerts = float64(s.CachedInfo().State.Msgs)
				}
				evals, _ = load.Metric(api+"/metrics", "warta_alert_evaluation_seconds_count")
				evalSum, _ = load.Metric(api+"/metrics", "warta_alert_evaluation_seconds_sum")
				return nil
			},
		}, articles)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("run with %d standing searches: %w", len(ss), err)
	}
	out.Paragraphs = res.ParagraphsPerSecond()
	for _, p := range res.Procs {
		if p.Name == "index" {
			out.CPUPerArt = p.CPU / time.Duration(res.Articles)
		}
	}
	if evals > 0 {
		out.EvalPerArt = time.Duration(evalSum / evals * float64(time.Second))
	}
	out.AlertsPerS = out.Alerts / res.Elapsed.Seconds()
	out.PerArticle = out.Alerts / float64(res.Articles)
	out.P50, out.P99 = res.Quantile(.5), res.Quantile(.99)
	return out, nil
}

// putSearches puts ss into the bucket of standing searches and waits until
// the index at api has loaded them all.
func putSearches(ctx context.Context, nc *nats.Conn, api string, ss []events.StandingSearch) error {
	if len(ss) == 0 {
		return nil
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	kv, err := js.KeyValue(ctx, events.BucketStandingSearches)
	if err != nil {
		return fmt.Errorf("bucket %s (the index creates it): %w", events.BucketStandingSearches, err)
	}
	for i, s := range ss {
		data, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if _, err := kv.Put(ctx, fmt.Sprintf("s%05d", i), data); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := load.Metric(api+"/metrics", "warta_standing_searches")
		if err == nil && int(n) == len(ss) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the index loaded %v standing searches of %d in 2 minutes (%v)", n, len(ss), err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func exampleSearches(ss []events.StandingSearch, n int) string {
	var parts []string
	for _, s := range ss[:min(n, len(ss))] {
		v := url.Values{}
		for k, x := range map[string]string{"q": s.Q, "lang": s.Lang, "from": s.From, "to": s.To} {
			if x != "" {
				v.Set(k, x)
			}
		}
		for _, e := range s.Entity {
			v.Add("entity", e)
		}
		for _, t := range s.Type {
			v.Add("type", t)
		}
		q, _ := url.QueryUnescape(v.Encode())
		parts = append(parts, q)
	}
	return strings.Join(parts, "  ·  ")
}

// medianOf returns the median of f over runs.
func medianOf[T int64 | float64 | time.Duration](runs []alertsRun, f func(alertsRun) T) T {
	vs := make([]T, len(runs))
	for i, r := range runs {
		vs[i] = f(r)
	}
	slices.Sort(vs)
	return vs[len(vs)/2]
}

func printAlerts(w io.Writer, c alertsConfig, runs map[int][]alertsRun) {
	fmt.Fprintln(w, "\nStanding searches at half load (medians; index CPU: the index process's CPU time per article, first publish to last searchable):")
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(t, "searches\tparagraphs/s\tindex CPU/article\tadded CPU/article\tadded\tevaluation/article\talerts\talerts/article\talerts/s\tsearchable p50\tp99\t")
	base := time.Duration(0)
	if rs := runs[0]; len(rs) > 0 {
		base = medianOf(rs, func(r alertsRun) time.Duration { return r.CPUPerArt })
	}
	for _, n := range c.Counts {
		rs := runs[n]
		cpu := medianOf(rs, func(r alertsRun) time.Duration { return r.CPUPerArt })
		added, pct := "-", "-"
		if base > 0 {
			added = msFine(cpu - base)
			pct = fmt.Sprintf("%+.1f%%", 100*float64(cpu-base)/float64(base))
		}
		fmt.Fprintf(t, "%d\t%.0f\t%s\t%s\t%s\t%s\t%.0f\t%.2f\t%.1f\t%s\t%s\t\n", n,
			medianOf(rs, func(r alertsRun) float64 { return r.Paragraphs }), msFine(cpu), added, pct,
			msFine(medianOf(rs, func(r alertsRun) time.Duration { return r.EvalPerArt })),
			medianOf(rs, func(r alertsRun) float64 { return r.Alerts }), medianOf(rs, func(r alertsRun) float64 { return r.PerArticle }),
			medianOf(rs, func(r alertsRun) float64 { return r.AlertsPerS }),
			ms(medianOf(rs, func(r alertsRun) time.Duration { return r.P50 })), ms(medianOf(rs, func(r alertsRun) time.Duration { return r.P99 })))
	}
	t.Flush()
	fmt.Fprintln(w, "\nadded: the index CPU per article beyond that of no standing searches: the slowdown of an index that is the")
	fmt.Fprintln(w, "bottleneck (at half load the rate is the one published). evaluation/article: what the index reports (reading")
	fmt.Fprintln(w, "the article back, analysing it, matching the anchored searches, highlighting the matches), without publishing.")
	fmt.Fprintln(w, "Most of what is added is per alert (highlighting its paragraphs, encoding, publishing), not per search: the")
	fmt.Fprintln(w, "corpus recombines a few dozen texts, so its articles match far more standing searches than a news stream would.")
}
