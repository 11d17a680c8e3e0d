// Package load runs the whole pipeline on this machine (the deploy/local
// stack: embedded NATS, ingest, enrichers and index as real processes),
// drops a corpus of articles onto articles.new at a fixed rate or as fast as
// it can, and measures what came out: how fast, how late each article
// became searchable, and what each process spent on it.
package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/events"
)

// Config is one run of the pipeline.
type Config struct {
	// BinDir holds the ingest, enrich and index binaries.
	BinDir string
	// DataDir is a fresh folder for this run's NATS storage and index.
	DataDir string
	// Enrichers is how many enrich processes run.
	Enrichers int
	// Rate is how many paragraphs per second to publish (as whole
	// articles); 0 publishes as fast as JetStream takes them.
	Rate float64
	// Timeout bounds the run, from the first publish.
	Timeout time.Duration
	// Env is added to every service's environment.
	Env []string
	// Logs receives the services' log lines (nil: discarded).
	Logs io.Writer
	// ProfileDir, when set, receives CPU profiles of every process
	// (<name>.pprof; nats.pprof is this process: the NATS server and the
	// load generator), taken over the first ProfileFor of the run.
	ProfileDir string
	ProfileFor time.Duration
	// Alongside, when set, is called at the first publish, in a goroutine
	// of its own, with the index's search API URL (http://host:port), to
	// load the index while it indexes; the run ends once it has returned
	// and every article is searchable, so the processes' CPU times cover
	// it. Its error fails the run.
	Alongside func(ctx context.Context, searchURL string) error
	// Prepare, when set, is called once the pipeline is up and before the
	// first publish (its work is not in the run's times and CPU), with a
	// connection to NATS as the admin role and the index's API URL.
	// Finish, when set, is called the same way once every article is
	// searchable, before the pipeline stops. Their errors fail the run.
	Prepare, Finish func(ctx context.Context, nc *nats.Conn, searchURL string) error
}

// Proc is what one service process did during the run.
type Proc struct {
	Name string
	// Stage is the stage it runs: ingest, enrich or index.
	Stage string
	// Processed is how many messages it processed and acked.
	Processed float64
	// CPU is the CPU time it used from the first publish to the last
	// completion.
	CPU time.Duration
	// PeakRSS is its peak resident set size in bytes, since it started;
	// PeakAnon is the peak of its anonymous part (the Go heap, not the
	// pages of mapped files such as the index's segments), sampled every
	// 100 ms during the run.
	PeakRSS, PeakAnon int64
}

// Result is what a run measured.
type Result struct {
	Enrichers int
	// Rate is the publishing rate asked for (0: as fast as possible).
	Rate                 float64
	Articles, Paragraphs int
	// Published is the time from the first publish to the last one.
	Published time.Duration
	// Elapsed is the time from the first publish to the last article
	// becoming searchable.
	Elapsed time.Duration
	// Latencies holds, sorted, each article's time from its publish to its
	// completion event (articles.indexed.<id>), which index sends once the
	// batch holding the article's last paragraph is committed and searchable.
	Latencies []time.Duration
	// Procs holds the services; NATS is the embedded server, whose CPU
	// time includes the load generator's (they share this process).
	Procs []Proc
	NATS  Proc
	// Redelivered counts the redeliveries of each stage's consumer.
	Redelivered map[string]uint64
	// DeadLetters counts the messages in the DEADLETTER stream.
	DeadLetters uint64
	// Checked is how many articles were read back from the search API
	// with all their paragraphs.
	Checked int
	// OthersCPU is the CPU time that processes other than the run's used
	// on this machine during it (from /proc/stat, less the run's own):
	// near 0 on a quiet machine. -1 where it cannot be read.
	OthersCPU time.Duration
}

// Quantile returns the q-quantile (0..1) of the latencies, nearest rank.
func (r Result) Quantile(q float64) time.Duration { return Quantile(r.Latencies, q) }

// Quantile returns the q-quantile (0..1) of sorted durations, nearest
// rank; 0 if there are none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ParagraphsPerSecond is the end-to-end rate: paragraphs searchable per
// second from the first publish to the last completion.
func (r Result) ParagraphsPerSecond() float64 { return float64(r.Paragraphs) / r.Elapsed.Seconds() }

// ArticlesPerSecond is ParagraphsPerSecond for articles.
func (r Result) ArticlesPerSecond() float64 { return float64(r.Articles) / r.Elapsed.Seconds() }

// Run starts a fresh stack, publishes the articles and waits until every
// one is searchable, then stops the stack and reports.
func Run(ctx context.Context, c Config, articles []corpus.Article) (Result, error) {
	res := Result{Enrichers: c.Enrichers, Rate: c.Rate, Articles: len(articles)}
	for _, a := range articles {
		res.Paragraphs += a.Paragraphs
	}
	logs := c.Logs
	if logs == nil {
		logs = io.Discard
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return res, err
	}
	env := c.Env
	if c.ProfileDir != "" {
		env = append(slices.Clip(env), "PPROF=true")
	}
	s, err := stack.Start(ctx, stack.Config{
		BinDir: c.BinDir, DataDir: c.DataDir, NATSPort: -1, HTTPAddr: "127.0.0.1:0",
		Enrichers: c.Enrichers, Env: env, Output: logs,
	})
	if err != nil {
		return res, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = s.Stop()
		}
	}()
	r, err := newRun(s, c, articles)
	if err != nil {
		return res, err
	}
	defer r.nc.Close()
	if c.Prepare != nil {
		if err := c.Prepare(ctx, r.nc, s.HTTPURL); err != nil {
			return res, fmt.Errorf("prepare the run: %w", err)
		}
	}
	if err := r.publishAndWait(ctx, &res); err != nil {
		return res, err
	}
	if err := r.collect(ctx, &res); err != nil {
		return res, err
	}
	if c.Finish != nil {
		if err := c.Finish(ctx, r.nc, s.HTTPURL); err != nil {
			return res, fmt.Errorf("finish the run: %w", err)
		}
	}
	stopped = true
	if err := s.Stop(); err != nil {
		return res, fmt.Errorf("stop the stack: %w", err)
	}
	return res, nil
}

// run is one run in progress.
type run struct {
	s        *stack.Stack
	c        Config
	articles []corpus.Article
	nc       *nats.Conn
	js       jetstream.JetStream
	names    []string // the service processes
	cpu0     map[string]time.Duration
	self0    time.Duration
	machine0 time.Duration // the machine's busy CPU time, -1 if unknown

	peakAnon map[string]*atomic.Int64 // by process name, and "nats" for this one

	index   map[string]int // article id → position in articles
	sent    []atomic.Int64 // publish time (UnixNano) of each article
	done    []atomic.Int64 // completion time of each article
	ndone   atomic.Int64
	alldone chan struct{}
}

func newRun(s *stack.Stack, c Config, articles []corpus.Article) (*run, error) {
	nc, err := s.Connect(nats.Name("warta-bench"))
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		nc.Close()
		return nil, err
	}
	r := &run{s: s, c: c, articles: articles, nc: nc, js: js,
		index: make(map[string]int, len(articles)), sent: make([]atomic.Int64, len(articles)),
		done: make([]atomic.Int64, len(articles)), alldone: make(chan struct{})}
	r.names = append(r.names, "ingest")
	for i := 1; i <= c.Enrichers; i++ {
		r.names = append(r.names, fmt.Sprintf("enrich-%d", i))
	}
	r.names = append(r.names, "index")
	for i, a := range articles {
		r.index[a.ID] = i
	}
	r.peakAnon = map[string]*atomic.Int64{"nats": {}}
	for _, n := range r.names {
		r.peakAnon[n] = &atomic.Int64{}
	}
	return r, nil
}

// sample reads every process's anonymous RSS every 100 ms and keeps the
// peaks, until the returned function is called.
func (r *run) sample() (stop func()) {
	return Every(100*time.Millisecond, func() {
		for name, peak := range r.peakAnon {
			var u stack.Usage
			var err error
			if name == "nats" {
				u, err = stack.ProcessUsage(os.Getpid())
			} else {
				u, err = r.s.Usage(name)
			}
			if err == nil && u.RSSAnon > peak.Load() {
				peak.Store(u.RSSAnon)
			}
		}
	})
}

// Every calls f now and then every interval, in a goroutine of its own,
// until the returned function is called; stop returns once f has returned
// for the last time.
func Every(interval time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			f()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// publishAndWait publishes every article, at the configured rate, and waits
// for every completion event.
func (r *run) publishAndWait(ctx context.Context, res *Result) error {
	sub, err := r.nc.Subscribe(events.SubjectIndexedPrefix+">", r.completed)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe() //nolint:errcheck // the connection closes anyway
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return err
	}
	if err := r.nc.Flush(); err != nil {
		return err
	}
	r.cpu0 = map[string]time.Duration{}
	for _, n := range r.names {
		u, err := r.s.Usage(n)
		if err != nil {
			return err
		}
		r.cpu0[n] = u.CPU
	}
	r.self0 = stack.SelfCPU()
	r.machine0 = machineBusy()
	stopProfiles := r.profile()
	defer stopProfiles()
	stopSampling := r.sample()
	defer stopSampling()
	start := time.Now()
	ctx, cancel := context.WithDeadline(ctx, start.Add(r.c.Timeout))
	defer cancel()
	alongside := make(chan error, 1)
	if r.c.Alongside != nil {
		go func() { alongside <- r.c.Alongside(ctx, r.s.HTTPURL) }()
	} else {
		alongside <- nil
	}

	// Acks are awaited by a second goroutine, so the publisher keeps up to
	// the channel's capacity (plus the connection's async limit) in flight.
	futures := make(chan jetstream.PubAckFuture, 2048)
	ackErr := make(chan error, 1)
	go func() {
		var err error
		for f := range futures {
			if err != nil {
				continue
			}
			select {
			case <-f.Ok():
			case e := <-f.Err():
				err = fmt.Errorf("publish %s: %w", f.Msg().Header.Get(jetstream.MsgIDHeader), e)
			case <-ctx.Done():
				err = fmt.Errorf("publish: no ack: %w", ctx.Err())
			}
		}
		ackErr <- err
	}()
	sentParas := 0
	var pubErr error
	for i, a := range r.articles {
		if r.c.Rate > 0 {
			due := start.Add(time.Duration(float64(sentParas) / r.c.Rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
				}
			}
		}
		if pubErr = ctx.Err(); pubErr != nil {
			break
		}
		msg := nats.NewMsg(events.SubjectArticlesNew)
		msg.Data = a.Data
		// Each article is published once in a run: one nonce does for all.
		msg.Header.Set(jetstream.MsgIDHeader, events.ArticleMsgID(a.ID, a.Version, "bench"))
		r.sent[i].Store(time.Now().UnixNano())
		f, err := r.js.PublishMsgAsync(msg, jetstream.WithStallWait(r.c.Timeout))
		if err != nil {
			pubErr = fmt.Errorf("publish article %s: %w", a.ID, err)
			break
		}
		futures <- f
		sentParas += a.Paragraphs
	}
	close(futures)
	if err := errors.Join(pubErr, <-ackErr); err != nil {
		return err
	}
	res.Published = time.Since(start)

	select {
	case <-r.alldone:
	case <-ctx.Done():
		return fmt.Errorf("%d of %d articles searchable after %v: %w (services' logs: %s)",
			r.ndone.Load(), len(r.articles), r.c.Timeout, ctx.Err(), r.c.DataDir)
	case p := <-r.s.Exited():
		return fmt.Errorf("%s exited during the run: %v", p.Name, p.Err)
	}
	select {
	case err := <-alongside:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return fmt.Errorf("every article searchable, but the load alongside still running after %v: %w", r.c.Timeout, ctx.Err())
	}
	end := int64(0)
	res.Latencies = make([]time.Duration, len(r.articles))
	for i := range r.articles {
		d := r.done[i].Load()
		end = max(end, d)
		res.Latencies[i] = time.Duration(d - r.sent[i].Load())
	}
	slices.Sort(res.Latencies)
	res.Elapsed = time.Unix(0, end).Sub(start)
	return nil
}

// completed records an article's first completion event.
func (r *run) completed(m *nats.Msg) {
	now := time.Now().UnixNano()
	i, ok := r.index[strings.TrimPrefix(m.Subject, events.SubjectIndexedPrefix)]
	if !ok || !r.done[i].CompareAndSwap(0, now) {
		return
	}
	if r.ndone.Add(1) == int64(len(r.articles)) {
		close(r.alldone)
	}
}

// collect reads what each process spent, the consumers' redeliveries and
// the dead letters, and reads a sample of articles back from the search API.
func (r *run) collect(ctx context.Context, res *Result) error {
	// The CPU time is read at once: the processes are idle from here on.
	machine := machineBusy()
	for _, n := range r.names {
		u, err := r.s.Usage(n)
		if err != nil {
			return err
		}
		stage, _, _ := strings.Cut(n, "-")
		url, err := r.s.MetricsURL(n)
		if err != nil {
			return err
		}
		processed, err := Metric(url, "warta_processed_total")
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		res.Procs = append(res.Procs, Proc{Name: n, Stage: stage, Processed: processed, CPU: u.CPU - r.cpu0[n],
			PeakRSS: u.PeakRSS, PeakAnon: max(u.RSSAnon, r.peakAnon[n].Load())})
	}
	res.NATS = Proc{Name: "nats", Stage: "nats", CPU: stack.SelfCPU() - r.self0}
	res.OthersCPU = -1
	if machine >= 0 && r.machine0 >= 0 {
		res.OthersCPU = machine - r.machine0 - res.NATS.CPU
		for _, p := range res.Procs {
			res.OthersCPU -= p.CPU
		}
		// The clocks tick at 10 ms, each process's apart: a few ticks
		// below zero are rounding.
		res.OthersCPU = max(res.OthersCPU, 0)
	}
	if u, err := stack.ProcessUsage(os.Getpid()); err == nil {
		res.NATS.PeakRSS, res.NATS.PeakAnon = u.PeakRSS, max(u.RSSAnon, r.peakAnon["nats"].Load())
	}
	res.Redelivered = map[string]uint64{}
	for _, c := range []struct{ stream, durable string }{
		{events.StreamArticles, events.ConsumerIngest},
		{events.StreamParagraphs, events.ConsumerEnrich},
		{events.StreamEnriched, events.ConsumerIndex},
	} {
		info, err := r.js.Consumer(ctx, c.stream, c.durable)
		if err != nil {
			return err
		}
		ci, err := info.Info(ctx)
		if err != nil {
			return err
		}
		res.Redelivered[c.durable] = uint64(ci.NumRedelivered)
		if ci.NumPending > 0 || ci.NumAckPending > 0 {
			return fmt.Errorf("consumer %s still has %d pending and %d unacked after the run", c.durable, ci.NumPending, ci.NumAckPending)
		}
	}
	dl, err := r.js.Stream(ctx, events.StreamDeadLetter)
	if err != nil {
		return err
	}
	info, err := dl.Info(ctx)
	if err != nil {
		return err
	}
	res.DeadLetters = info.State.Msgs
	return r.check(res)
}

// check reads up to 20 articles, spread over the corpus, from the search
// API and compares their paragraph counts with the corpus.
func (r *run) check(res *Result) error {
	step := max(len(r.articles)/20, 1)
	client := http.Client{Timeout: 10 * time.Second}
	for i := 0; i < len(r.articles); i += step {
		a := r.articles[i]
		resp, err := client.Get(r.s.HTTPURL + "/articles/" + a.ID)
		if err != nil {
			return err
		}
		var v struct {
			Complete   bool              `json:"complete"`
			Paragraphs []json.RawMessage `json:"paragraphs"`
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("GET /articles/%s: %w", a.ID, err)
		}
		if !v.Complete || len(v.Paragraphs) != a.Paragraphs {
			return fmt.Errorf("GET /articles/%s: complete %v with %d paragraphs, want %d", a.ID, v.Complete, len(v.Paragraphs), a.Paragraphs)
		}
		res.Checked++
	}
	return nil
}

// machineBusy is the CPU time this machine's processors have spent busy
// (everything but idle and waiting for I/O) since it booted, from
// /proc/stat; -1 where there is none.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return -1
	}
	var busy int64
	// user nice system idle iowait irq softirq steal: all but idle and iowait.
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return -1
		}
		busy += n
	}
	// USER_HZ is 100 on every Linux architecture Go supports.
	return time.Duration(busy) * 10 * time.Millisecond
}

// Metric reads one unlabelled-or-single-series value from a /metrics page
// at url: the first sample named name.
func Metric(url, name string) (float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) || strings.HasPrefix(line, "#") {
			continue
		}
		rest := line[len(name):]
		if rest != "" && rest[0] != ' ' && rest[0] != '{' {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		return strconv.ParseFloat(f[len(f)-1], 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s at %s", name, url)
}

// TempDir makes a fresh folder for a run under parent.
func TempDir(parent, name string) (string, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(parent, name+"-")
}

// Remove deletes a run's folder; it is a convenience for callers.
func Remove(dir string) error { return os.RemoveAll(filepath.Clean(dir)) }
