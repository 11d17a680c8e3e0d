package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warta-news/warta/bench/querymix"
)

// binDir holds the service binaries: WARTA_BIN_DIR (make test builds them
// there), or a fresh build.
func binDir(t *testing.T) string {
	if dir := os.Getenv("WARTA_BIN_DIR"); dir != "" {
		return dir
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+"/", "../services/ingest", "../services/enrich", "../services/index")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build services: %v\n%s", err, out)
	}
	return dir
}

// TestBenchSmoke runs the whole benchmark on a small corpus: the parts on
// their own, one and two enrichers at full speed and a run at half load,
// with real processes, and checks that the report shows every run with
// every article searchable.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the bench against a real stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errs strings.Builder
	args := []string{"--bin-dir", binDir(t), "--samples", "../samples", "--data-dir", t.TempDir(),
		"--paragraphs", "1500", "--limit-paragraphs", "400", "--enrichers", "1,2", "--timeout", "2m"}
	if err := run(ctx, args, func(string) string { return "" }, &out, &errs); err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, out.String(), errs.String())
	}
	report := out.String()
	t.Log("\n" + report)
	for _, want := range []string{"split (ingest)", "tag (enrich)", "index: store.Apply", "index: plain Bleve batches",
		"one JetStream hop", "index store / plain Bleve", "Limit for the pipeline", "The enrich stage alone",
		"scale-out vs 1 enricher"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The end-to-end rows: enrichers, load, paragraphs/s, …, checked.
	row := regexp.MustCompile(`(?m)^\s+(\d)\s+(max|\d+/s)\s+(\d+)\s+\d+\s+\d+%.*\s(\d+)\s*$`)
	rows := row.FindAllStringSubmatch(report, -1)
	if len(rows) != 3 {
		t.Fatalf("%d end-to-end rows, want 3 (1 and 2 enrichers at max, one at half load)", len(rows))
	}
	for _, r := range rows {
		if rate, _ := strconv.Atoi(r[3]); rate <= 0 {
			t.Errorf("row %q: no paragraphs/s", r[0])
		}
		if checked, _ := strconv.Atoi(r[4]); checked == 0 {
			t.Errorf("row %q: no article read back", r[0])
		}
	}
	if rows[2][2] == "max" {
		t.Errorf("third row %q is not the half-load run", rows[2][0])
	}
	// The enrich stage alone: enrichers, paragraphs/s, ratio to the first.
	drains := regexp.MustCompile(`(?m)^\s+(\d)\s+(\d+)\s+\d+\.\d\dx\s`).FindAllStringSubmatch(report, -1)
	if len(drains) != 2 {
		t.Fatalf("%d rows for the enrich stage alone, want 2", len(drains))
	}
	for _, r := range drains {
		if rate, _ := strconv.Atoi(r[2]); rate <= 0 {
			t.Errorf("enrich stage row %q: no paragraphs/s", r[0])
		}
	}
}

// TestFlags rejects bad values by name.
func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--enrichers", "1,x"}, "enrichers"},
		{[]string{"--enrichers", "0"}, "enrichers"},
		{[]string{"--paragraphs", "0"}, "paragraphs"},
		{[]string{"--seed", "-1"}, "seed"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		_, err := parseConfig(tc.args, func(string) string { return "" }, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

// TestBenchSearchSmoke runs "bench search" on a small index with every
// scenario, against the real index binary, and checks that the report has
// a row per scenario with answers and an RSS.
func TestBenchSearchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the search bench against a real stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errs strings.Builder
	args := []string{"search", "--bin-dir", binDir(t), "--data-dir", t.TempDir(), "--big", "3", "--big-bytes", "20000",
		"--small", "250", "--large-article-bytes", "60000", "--concurrent", "1,4", "--repeat", "2", "--deep", "4",
		"--offset", "120", "--slow-readers", "4", "--huge-readers", "2", "--huge-article-bytes", "900000", "--hold", "100ms",
		"--nats", "3", "--settle", "10ms"}
	if err := run(ctx, args, func(string) string { return "" }, &out, &errs); err != nil {
		t.Fatalf("bench search: %v\n%s\n%s", err, out.String(), errs.String())
	}
	report := out.String()
	t.Log("\n" + report)
	for _, want := range []string{"q=kukis&size=100, 2 one after the other", "4 × q=kukis&size=100 at once",
		"4 × size=100&offset=120 at once", "4 × size=100&search_after (hit 120) at once",
		"4 clients not reading /articles/{id}", "2 clients not reading /articles/{id}", "3 × q=kukis&size=100 at once over NATS"} {
		row := ""
		for _, l := range strings.Split(report, "\n") {
			if strings.HasPrefix(l, want) && row == "" {
				row = l
			}
		}
		if !strings.Contains(row, "200×") || !strings.Contains(row, "MiB") {
			t.Errorf("no row %q with answers and an RSS in the report", want)
		}
	}
	for _, bad := range [][]string{{"search", "--concurrent", "0"}, {"search", "--deep", "-1"}, {"search", "x"}} {
		if err := run(ctx, bad, func(string) string { return "" }, &out, &errs); err == nil {
			t.Errorf("bench %v: no error", bad)
		}
	}
}

// TestBenchSearchLatencySmoke runs "bench search-latency" on a small corpus
// with a few dozen searches, measuring the peak first, against the real
// processes, and checks that the report has the mix and a latency row for
// every kind with every answer a 200, and that the run went to --jsonl
// whole, where --baseline reads it back.
func TestBenchSearchLatencySmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the search-latency bench against a real stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errs strings.Builder
	jsonl := filepath.Join(t.TempDir(), "runs.jsonl")
	const queries = 40
	args := []string{"search-latency", "--bin-dir", binDir(t), "--samples", "../samples", "--data-dir", t.TempDir(),
		"--paragraphs", "2000", "--queries", strconv.Itoa(queries), "--timeout", "2m", "--jsonl", jsonl, "--label", "smoke"}
	if err := run(ctx, args, func(string) string { return "" }, &out, &errs); err != nil {
		t.Fatalf("bench search-latency: %v\n%s\n%s", err, out.String(), errs.String())
	}
	report := out.String()
	t.Log("\n" + report)
	for _, want := range []string{"The searches (seed 1): 40", "Peak, measured as make bench does", "Half load: the corpus published at",
		"Search latency, from sending to the last byte read", "Indexing meanwhile", "The same load again: bench search-latency"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	perKind := queries / len(querymix.Kinds)
	for _, k := range querymix.Kinds {
		// The mix: kind, count, examples.
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(string(k)) + ` +` + strconv.Itoa(perKind) + ` +\S`).MatchString(report) {
			t.Errorf("the mix has no row for %s with %d searches", k, perKind)
		}
	}
	// The latency rows: kind, searches, non-200, no hits, median hits, p50 …
	rows := regexp.MustCompile(`(?m)^\s+(all|[a-z+-]+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+[\d.]+m?s\s`).FindAllStringSubmatch(report, -1)
	if len(rows) != 1+len(querymix.Kinds) {
		t.Fatalf("%d latency rows, want %d (all, then each kind)", len(rows), 1+len(querymix.Kinds))
	}
	for i, r := range rows {
		want := perKind
		if i == 0 {
			want = queries
		}
		if r[1] != "all" && r[1] != string(querymix.Kinds[i-1]) {
			t.Errorf("row %d is %q, want %s", i, r[1], querymix.Kinds[i-1])
		}
		if n, _ := strconv.Atoi(r[2]); n != want {
			t.Errorf("%s: %d searches, want %d", r[1], n, want)
		}
		if r[3] != "0" {
			t.Errorf("%s: %s answers other than 200", r[1], r[3])
		}
	}
	// The indexing row: paragraphs/s, searchable p50, p99, redelivered, index CPU …
	idx := regexp.MustCompile(`(?m)^\s+(\d+)\s+\d+ms\s+\d+ms\s+\d+\s+[\d.]+s\s+[\d.]+\s+(\d+)\s+\d+\s*$`).FindStringSubmatch(report)
	if idx == nil || idx[1] == "0" || idx[2] == "0" {
		t.Errorf("no indexing row with paragraphs/s and the index's peak RSS: %q", idx)
	}

	data, err := os.ReadFile(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `"record":"query"`); n != queries {
		t.Errorf("%s has %d query lines, want %d", jsonl, n, queries)
	}
	last, err := lastRun(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	if last.Label != "smoke" || last.All.N != queries || last.All.Non200 != 0 || len(last.Kinds) != len(querymix.Kinds) ||
		last.Indexing.ParagraphsPerSecond <= 0 || !last.PeakMeasured {
		t.Errorf("the run read back from %s: %+v", jsonl, *last)
	}
	if len(last.queries) != queries {
		t.Errorf("%d searches read back from %s, want %d", len(last.queries), jsonl, queries)
	}
	var side strings.Builder
	printBaseline(&side, jsonl, *last, *last)
	if !regexp.MustCompile(`(?m)^\s+all\s+[\d.]+m?s\s+[\d.]+m?s\s`).MatchString(side.String()) ||
		strings.Contains(side.String(), "not the same") {
		t.Errorf("the run beside itself:\n%s", side.String())
	}
	other := *last
	other.queries = append([]string{"q=other"}, last.queries[1:]...)
	side.Reset()
	printBaseline(&side, jsonl, *last, other)
	if !strings.Contains(side.String(), "not the same searches: 1 of 40 differ") {
		t.Errorf("a run beside one with another first search:\n%s", side.String())
	}
}

// TestLatencyFlags rejects bad values of bench search-latency by name.
func TestLatencyFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--queries", "0"}, "queries"},
		{[]string{"--query-rate", "-1"}, "query-rate"},
		{[]string{"--peak", "-5"}, "peak"},
		{[]string{"--enrichers", "0"}, "enrichers"},
		{[]string{"--paragraphs", "0"}, "paragraphs"},
		{[]string{"--seed", "x"}, "seed"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		_, err := parseLatencyConfig(tc.args, func(string) string { return "" }, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
	if _, err := lastRun(filepath.Join(t.TempDir(), "none.jsonl")); err == nil {
		t.Error("a missing baseline: no error")
	}
}
