package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warta-news/warta/bench/load"
	"github.com/warta-news/warta/bench/searchload"
	"github.com/warta-news/warta/pkg/bus/proc"
)

const searchUsage = `Usage: bench search [flags]

Loads the index's search API as a careless or hostile client can and prints
what the index process spent: its peak RSS and its RSS after each scenario
(once it has settled), its CPU time, and each request's status and latency.

It starts an embedded NATS server and the real index binary on a fresh
folder, fills the index through the ENRICHED stream with --big articles that
each have one paragraph of --big-bytes holding the word "kukis", --small short
paragraphs holding "harian", one article of --large-article-bytes and one of
--huge-article-bytes, then plays, one after the other:

  q=kukis&size=100 by one client, then --concurrent clients at once;
  --deep clients asking size=100&offset=--offset at once, then as many asking
    for the same page with search_after (where the index has it);
  --slow-readers connections asking for the large article, and
    --huge-readers asking for one larger than the kernel buffers for a
    connection, reading nothing for --hold;
  --nats clients searching q=kukis&size=100 over NATS (warta.index.search).

With --fresh (the default) the index is started again before each scenario,
so that each starts from the same RSS. An index that grows past --max-rss-mib
is stopped (to spare the machine) and started again for the next scenario.
Build the index first (make build).

Flags:
`

// runSearchLoad is "bench search".
func runSearchLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := proc.NewFlags("bench search", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, searchUsage)
		f.PrintDefaults()
	}
	self, _ := os.Executable()
	var c searchload.Config
	var dataDir, concurrent string
	var maxRSS int64
	var keep bool
	f.StringVar(&c.BinDir, "bin-dir", "WARTA_BIN_DIR", filepath.Dir(self), "folder with the index binary")
	f.StringVar(&dataDir, "data-dir", "BENCH_DATA_DIR", "./.data/bench", "folder for the run's NATS storage, index and index.log")
	f.IntVar(&c.Big, "big", 40, "articles with one big paragraph")
	f.IntVar(&c.BigBytes, "big-bytes", 250_000, "bytes of text of each big article, in paragraphs of 16 KiB")
	f.IntVar(&c.Small, "small", 12_000, "short paragraphs, for deep pages")
	f.IntVar(&c.LargeArticleBytes, "large-article-bytes", 800_000, "text of the article the --slow-readers ask for")
	f.IntVar(&c.HugeArticleBytes, "huge-article-bytes", 6_000_000, "text of the article the --huge-readers ask for: more than the kernel buffers for a connection")
	f.StringVar(&concurrent, "concurrent", "BENCH_SEARCH_CONCURRENT", "1,10,50", "searches at once, comma-separated (1: one after the other)")
	f.IntVar(&c.Repeat, "repeat", 5, "searches one after the other")
	f.IntVar(&c.Deep, "deep", 150, "deep-page searches at once (0: skip)")
	f.IntVar(&c.Offset, "offset", 10_000, "depth of the deep pages")
	f.IntVar(&c.SlowReaders, "slow-readers", 200, "connections that ask for the large article and never read (0: skip)")
	f.IntVar(&c.HugeReaders, "huge-readers", 50, "connections that ask for the huge article and never read (0: skip)")
	f.DurationVar(&c.Hold, "hold", 15*time.Second, "how long the slow readers read nothing")
	f.IntVar(&c.NATS, "nats", 50, "searches at once over NATS (0: skip)")
	f.DurationVar(&c.Settle, "settle", 5*time.Second, "wait after each scenario before the RSS is read again")
	f.Int64Var(&maxRSS, "max-rss-mib", 6144, "stop an index whose RSS passes this, to spare the machine")
	f.BoolVar(&c.Fresh, "fresh", true, "start the index again before each scenario, so each starts from the same RSS")
	f.BoolVar(&keep, "keep", false, "keep the run's folder")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: bench search takes flags only (see bench search --help)", f.Arg(0))
	}
	for _, s := range strings.Split(concurrent, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 10_000 {
			return fmt.Errorf("concurrent %q: use counts from 1 to 10000, comma-separated, such as 1,10,50", concurrent)
		}
		c.Concurrent = append(c.Concurrent, n)
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"big", c.Big}, {"big-bytes", c.BigBytes}, {"small", c.Small}, {"large-article-bytes", c.LargeArticleBytes},
		{"huge-article-bytes", c.HugeArticleBytes}, {"repeat", c.Repeat}, {"deep", c.Deep}, {"offset", c.Offset},
		{"slow-readers", c.SlowReaders}, {"huge-readers", c.HugeReaders}, {"nats", c.NATS}} {
		if v.n < 0 {
			return fmt.Errorf("%s %d: use 0 or more", v.name, v.n)
		}
	}
	if c.Hold < 0 || c.Settle < 0 || maxRSS < 0 {
		return fmt.Errorf("hold %v, settle %v, max-rss-mib %d: use values of 0 or more", c.Hold, c.Settle, maxRSS)
	}
	c.MaxRSS = maxRSS << 20
	if _, err := os.Stat(filepath.Join(c.BinDir, "index")); err != nil {
		return fmt.Errorf("no index binary in %s: build it first (make build) or set --bin-dir", c.BinDir)
	}
	dir, err := load.TempDir(dataDir, "search")
	if err != nil {
		return err
	}
	logs, err := os.Create(filepath.Join(dir, "index.log"))
	if err != nil {
		return err
	}
	defer logs.Close()
	c.DataDir, c.Logs = dir, logs
	fmt.Fprintf(stderr, "bench search: filling the index and playing the scenarios (folder %s)\n", dir)
	res, err := searchload.Run(ctx, c)
	if err != nil {
		return fmt.Errorf("%w (its folder is kept: %s)", err, dir)
	}
	printSearchLoad(stdout, c, res)
	if !keep {
		_ = load.Remove(dir)
	}
	return nil
}

func printSearchLoad(w io.Writer, c searchload.Config, res searchload.Result) {
	fmt.Fprintf(w, "warta bench search, %s, %s/%s, %d CPUs, %s, index from %s\n", time.Now().UTC().Format(time.RFC3339),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), c.BinDir)
	fmt.Fprintf(w, "index: %d paragraphs (%d of %d bytes holding %q); RSS %s once filled\n",
		res.Paragraphs, c.Big, c.BigBytes, searchload.Word, searchload.MiB(res.StartRSS))
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(t, "scenario\tanswers\tp50\tp95\tmax\tMB read\tindex CPU\tpeak RSS\tRSS after\t")
	for _, s := range res.Scenarios {
		peak := searchload.MiB(s.PeakRSS)
		if s.Killed {
			peak = "> " + searchload.MiB(c.MaxRSS) + ", stopped"
		}
		after := searchload.MiB(s.RSSAfter)
		if s.Killed {
			after = "-"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%.1f\t%.1fs\t%s\t%s\t\n", s.Name, codes(s.Codes), latency(s, 0.5),
			latency(s, 0.95), latency(s, 1), float64(s.Bytes)/1e6, s.CPU.Seconds(), peak, after)
	}
	t.Flush()
	for _, s := range res.Scenarios {
		if s.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", s.Name, s.Note)
		}
	}
	fmt.Fprintf(w, "(answers: count by HTTP status, or micro error code, 200 for an answer; 0 = a cut answer or none within %v.\n", searchload.AnswerWait)
	fmt.Fprintf(w, " Latency from sending to the last byte read; RSS after = %v after the scenario, its connections closed.", c.Settle)
	if c.Fresh {
		fmt.Fprint(w, " The index was started afresh before each scenario.")
	}
	fmt.Fprintln(w, ")")
}

// codes formats status counts as "200×45 503×5".
func codes(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", k, m[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// latency formats a quantile of the scenario's latencies; "-" when it
// timed none.
func latency(s searchload.Scenario, q float64) string {
	if len(s.Latencies) == 0 {
		return "-"
	}
	return ms(s.Quantile(q))
}
