package stack_test

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// The fault tests run the real binaries, publish a few hundred articles,
// inject one fault while they flow, and check that the pipeline recovers by
// itself with every paragraph of every article indexed exactly once, nothing
// left unacked and no dead letter. AckWait is 2s so that what a dead process
// held is redelivered quickly.

// faultAckWait is the services' ACK_WAIT in the fault tests.
const faultAckWait = 2 * time.Second

// faultRig is a running stack with a NATS client of the test's own.
type faultRig struct {
	t    *testing.T
	ctx  context.Context
	s    *stack.Stack
	logs *bustest.LogBuffer
	js   jetstream.JetStream
}

// requireFaultsBuild fails the test unless the index in binDir is built with
// -tags faults: any other ignores INDEX_WRITE_DELAY and INDEX_ALERT_DELAY,
// and the test would not test what it says.
func requireFaultsBuild(t *testing.T) {
	t.Helper()
	out, _ := exec.Command(filepath.Join(binDir, "index"), "--help").CombinedOutput() // --help exits 0 or 2: the output is what counts
	if !strings.Contains(string(out), "INDEX_WRITE_DELAY") {
		t.Fatalf("%s was built without -tags faults, so it ignores INDEX_WRITE_DELAY and INDEX_ALERT_DELAY: "+
			"run the fault tests as make test does (WARTA_BIN_DIR=bin/faults after make build-faults), or without WARTA_BIN_DIR", filepath.Join(binDir, "index"))
	}
}

// startFaultStack starts the stack described by c (BinDir, DataDir, ports,
// output and the common environment filled in) with env added to every
// service's environment.
func startFaultStack(t *testing.T, c stack.Config, env ...string) *faultRig {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the whole pipeline as processes and breaks it")
	}
	for _, e := range env {
		if strings.HasPrefix(e, "INDEX_WRITE_DELAY=") || strings.HasPrefix(e, "INDEX_ALERT_DELAY=") {
			requireFaultsBuild(t)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	logs := &bustest.LogBuffer{}
	c.BinDir, c.DataDir, c.NATSPort, c.HTTPAddr, c.Output = binDir, t.TempDir(), -1, "127.0.0.1:0", logs
	c.Env = append([]string{"SUMMARY_INTERVAL=0", "ACK_WAIT=" + faultAckWait.String()}, env...)
	s, err := stack.Start(ctx, c)
	if err != nil {
		t.Fatalf("start stack: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() { checkLogs(t, logs) })
	t.Cleanup(func() { _ = s.Stop() }) // after a failure; a second Stop is harmless
	// The test's client reconnects forever, like the services, so it rides
	// out NATS restarts and lost nodes.
	nc, err := s.Connect(nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	r := &faultRig{t: t, ctx: ctx, s: s, logs: logs, js: js}
	return r
}

// poll calls cond every interval until it holds or timeout passes, and
// reports whether it held.
func poll(timeout, interval time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(interval) {
		if cond() {
			return true
		}
	}
	return false
}

// streamMsgs returns how many messages the stream holds (0 if it cannot tell).
func (r *faultRig) streamMsgs(name string) int {
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Second)
	defer cancel()
	st, err := r.js.Stream(ctx, name)
	if err != nil {
		return 0
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0
	}
	return int(info.State.Msgs)
}

// waitStream waits until the stream holds at least n messages: the point
// mid-stream where a test injects its fault.
func (r *faultRig) waitStream(name string, n int) {
	r.t.Helper()
	if !poll(30*time.Second, 2*time.Millisecond, func() bool { return r.streamMsgs(name) >= n }) {
		r.t.Fatalf("%s never held %d messages (it holds %d)", name, n, r.streamMsgs(name))
	}
}

// consumerInfo returns the durable's info, or nil if it cannot be had now.
func (r *faultRig) consumerInfo(stream, durable string) *jetstream.ConsumerInfo {
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Second)
	defer cancel()
	c, err := r.js.Consumer(ctx, stream, durable)
	if err != nil {
		return nil
	}
	info, err := c.Info(ctx)
	if err != nil {
		return nil
	}
	return info
}

// waitIndexed waits until /stats shows n articles and returns how long it
// took from since.
func (r *faultRig) waitIndexed(n int, since time.Time) time.Duration {
	r.t.Helper()
	st := waitArticles(r.s, n, 90*time.Second)
	if st.Articles < n {
		r.t.Fatalf("index holds %d articles after 90s, want %d", st.Articles, n)
	}
	return time.Since(since)
}

// checkExactlyOnce checks that the index holds exactly articles articles and
// paragraphs paragraphs, that ENRICHED holds one message per paragraph, that
// the three stages' consumers have nothing pending or unacked, and that no
// message was dead-lettered.
func (r *faultRig) checkExactlyOnce(articles, paragraphs int) {
	r.t.Helper()
	st, err := readStats(r.s)
	if err != nil {
		r.t.Fatal(err)
	}
	if st.Articles != articles || st.Paragraphs != paragraphs {
		r.t.Errorf("index holds %d articles and %d paragraphs, want %d and %d", st.Articles, st.Paragraphs, articles, paragraphs)
	}
	if n := r.streamMsgs(events.StreamEnriched); n != paragraphs {
		r.t.Errorf("ENRICHED holds %d messages, want %d (one per paragraph)", n, paragraphs)
	}
	for _, c := range []struct{ stream, durable string }{
		{events.StreamArticles, events.ConsumerIngest}, {events.StreamParagraphs, events.ConsumerEnrich}, {events.StreamEnriched, events.ConsumerIndex},
	} {
		var info *jetstream.ConsumerInfo
		// The last acks may trail the index's last write by a moment.
		settled := poll(10*time.Second, 50*time.Millisecond, func() bool {
			info = r.consumerInfo(c.stream, c.durable)
			return info != nil && info.NumPending == 0 && info.NumAckPending == 0
		})
		switch {
		case info == nil:
			r.t.Errorf("consumer %s: no info", c.durable)
		case !settled:
			r.t.Errorf("consumer %s: %d pending, %d unacked", c.durable, info.NumPending, info.NumAckPending)
		}
	}
	if n := r.streamMsgs(events.StreamDeadLetter); n != 0 {
		r.t.Errorf("DEADLETTER holds %d messages, want none", n)
	}
}

// stop stops the stack with SIGTERM to every service, which must exit 0.
func (r *faultRig) stop() {
	r.t.Helper()
	if err := r.s.Stop(); err != nil {
		r.t.Errorf("stop: %v", err)
	}
}

// summary is one "final summary" log line of a service process.
type summary struct {
	Proc        string
	Processed   int `json:"processed"`
	Failed      int `json:"failed"`
	Redelivered int `json:"redelivered"`
	DeadLetter  int `json:"dead_lettered"`
}

// summaries returns the final summaries logged so far, in order; a process
// restarted once has two, a killed one none.
func (r *faultRig) summaries() []summary {
	var out []summary
	sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		name, line, ok := strings.Cut(sc.Text(), "| ")
		if !ok || !strings.Contains(line, `"final summary"`) {
			continue
		}
		s := summary{Proc: strings.TrimSpace(name)}
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			r.t.Errorf("final summary of %s: %v: %s", s.Proc, err, line)
			continue
		}
		out = append(out, s)
	}
	return out
}

// totals adds up the final summaries of the processes whose names start
// with prefix.
func totals(ss []summary, prefix string) summary {
	t := summary{Proc: prefix}
	for _, s := range ss {
		if strings.HasPrefix(s.Proc, prefix) {
			t.Processed += s.Processed
			t.Failed += s.Failed
			t.Redelivered += s.Redelivered
			t.DeadLetter += s.DeadLetter
		}
	}
	return t
}

// logSummaries prints each stage's totals and returns the redeliveries of
// all stages together.
func (r *faultRig) logSummaries() int {
	r.t.Helper()
	ss := r.summaries()
	redelivered := 0
	for _, stage := range []string{"ingest", "enrich", "index"} {
		s := totals(ss, stage)
		r.t.Logf("%-6s final summaries: processed %d, failed %d, redelivered %d, dead-lettered %d",
			stage, s.Processed, s.Failed, s.Redelivered, s.DeadLetter)
		redelivered += s.Redelivered
	}
	return redelivered
}

// killBusy sends SIGKILL to the named service at a moment it is processing
// messages (its warta_in_flight gauge above 0), so the kill lands mid-work
// and leaves unacked messages behind, and returns when it was killed.
func (r *faultRig) killBusy(name string) time.Time {
	r.t.Helper()
	url, err := r.s.MetricsURL(name)
	if err != nil {
		r.t.Fatal(err)
	}
	if !poll(30*time.Second, time.Millisecond, func() bool { return inFlight(url) > 0 }) {
		r.t.Fatalf("%s never had a message in flight", name)
	}
	at := time.Now()
	if err := r.s.Kill(name); err != nil {
		r.t.Fatal(err)
	}
	return at
}

// inFlight reads the warta_in_flight gauge from a service's /metrics.
func inFlight(url string) float64 {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(l, "warta_in_flight"); ok {
			f := strings.Fields(rest)
			if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
				return v
			}
		}
	}
	return 0
}

// TestFaultEnricherKilled kills one of three enrichers with SIGKILL while
// they work through a backlog: the other two carry on, and what the dead one
// held unacked is redelivered to them after AckWait.
func TestFaultEnricherKilled(t *testing.T) {
	r := startFaultStack(t, stack.Config{Enrichers: 3})
	const articles = 300
	start := time.Now()
	paragraphs := publishArticles(t, r.ctx, r.js, 0, articles)
	r.waitStream(events.StreamEnriched, paragraphs/5)

	enriched := r.streamMsgs(events.StreamEnriched)
	killedAt := r.killBusy("enrich-1")
	recovery := r.waitIndexed(articles, killedAt)
	t.Logf("killed enrich-1 with %d of %d paragraphs enriched; all %d articles indexed %v later (%v in all)",
		enriched, paragraphs, articles, recovery.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	r.checkExactlyOnce(articles, paragraphs)
	r.stop()

	r.logSummaries()
	ss := r.summaries()
	survivors := totals(ss, "enrich-2")
	s3 := totals(ss, "enrich-3")
	survivors.Processed += s3.Processed
	survivors.Redelivered += s3.Redelivered
	t.Logf("enrich-2 and enrich-3 processed %d paragraphs, %d of them redeliveries of what enrich-1 held", survivors.Processed, survivors.Redelivered)
	if survivors.Redelivered == 0 {
		t.Error("no paragraph was redelivered to the surviving enrichers: enrich-1 held nothing when it was killed")
	}
	if survivors.Processed >= paragraphs {
		t.Errorf("the survivors processed %d paragraphs, all %d: enrich-1 did no work before it was killed", survivors.Processed, paragraphs)
	}
}

// TestFaultIndexKilled kills the index with SIGKILL in the middle of its
// batches and starts it again on the same data folder: Bleve opens cleanly,
// the unacked batch is redelivered, and no document is lost or doubled.
func TestFaultIndexKilled(t *testing.T) {
	// A short write delay keeps each batch in hand for a while: the index
	// otherwise keeps up with the enrichers and holds a batch only for
	// milliseconds, and the kill could land between batches.
	r := startFaultStack(t, stack.Config{Enrichers: 2}, "BATCH_SIZE=100", "INDEX_WRITE_DELAY=50ms")
	const articles = 300
	paragraphs := publishArticles(t, r.ctx, r.js, 0, articles)
	var before indexStats
	if !poll(30*time.Second, 2*time.Millisecond, func() bool {
		st, err := readStats(r.s)
		before = st
		return err == nil && st.Articles >= articles/5
	}) {
		t.Fatalf("the index never reached %d articles (it has %d)", articles/5, before.Articles)
	}

	killedAt := r.killBusy("index")
	// Whatever was written when it died, by the stats read just before.
	at := before
	if err := r.s.Restart("index"); err != nil {
		t.Fatal(err)
	}
	recovery := r.waitIndexed(articles, killedAt)
	t.Logf("killed index at ≥%d articles (%d paragraphs) of %d; restarted on the same data folder, all indexed %v later",
		at.Articles, at.Paragraphs, articles, recovery.Round(time.Millisecond))
	r.checkExactlyOnce(articles, paragraphs)
	r.stop()

	r.logSummaries()
	idx := totals(r.summaries(), "index")
	if idx.Redelivered == 0 {
		t.Error("the restarted index got no redelivery: the killed one held nothing unacked")
	}
	if n := strings.Count(r.logs.String(), `"msg":"starting"`); n < 5 {
		t.Errorf("%d services logged their start, want 5 (4 + the restarted index)", n)
	}
}

// TestFaultNATSRestarted restarts the NATS server (same port, same storage)
// while articles flow: the services reconnect and resume by themselves, and
// articles published after the restart go through too.
func TestFaultNATSRestarted(t *testing.T) {
	r := startFaultStack(t, stack.Config{Enrichers: 2})
	const half = 150
	paragraphs := publishArticles(t, r.ctx, r.js, 0, half)
	r.waitStream(events.StreamEnriched, paragraphs/4)

	enriched := r.streamMsgs(events.StreamEnriched)
	restartAt := time.Now()
	if err := r.s.RestartNATS(r.ctx); err != nil {
		t.Fatal(err)
	}
	down := time.Since(restartAt)
	paragraphs += publishArticles(t, r.ctx, r.js, half, half)
	recovery := r.waitIndexed(2*half, restartAt)
	t.Logf("restarted NATS (%v) with %d paragraphs enriched; all %d articles indexed %v after the restart began",
		down.Round(time.Millisecond), enriched, 2*half, recovery.Round(time.Millisecond))
	r.checkExactlyOnce(2*half, paragraphs)
	r.stop()

	r.logSummaries()
	reconnected := map[string]bool{}
	for _, l := range strings.Split(r.logs.String(), "\n") {
		if name, line, ok := strings.Cut(l, "| "); ok && strings.Contains(line, `"nats reconnected"`) {
			reconnected[strings.TrimSpace(name)] = true
		}
	}
	for _, name := range []string{"ingest", "enrich-1", "enrich-2", "index"} {
		if !reconnected[name] {
			t.Errorf("%s did not log that it reconnected", name)
		}
	}
}

// TestFaultNATSNodeLost runs a three-node NATS cluster with R3 streams and
// shuts down the node that leads the PARAGRAPHS stream while articles flow:
// the pipeline keeps going on the other two.
func TestFaultNATSNodeLost(t *testing.T) {
	r := startFaultStack(t, stack.Config{Enrichers: 2, ClusterSize: 3})
	const half = 150
	paragraphs := publishArticles(t, r.ctx, r.js, 0, half)
	r.waitStream(events.StreamEnriched, paragraphs/4)

	victim := 0
	for i, ns := range r.s.Servers {
		if ns.JetStreamIsStreamLeader("$G", events.StreamParagraphs) {
			victim = i
		}
	}
	enriched := r.streamMsgs(events.StreamEnriched)
	lostAt := time.Now()
	if err := r.s.KillNATS(victim); err != nil {
		t.Fatal(err)
	}
	paragraphs += publishArticles(t, r.ctx, r.js, half, half)
	recovery := r.waitIndexed(2*half, lostAt)
	t.Logf("shut down NATS node %d (PARAGRAPHS leader) with %d paragraphs enriched; all %d articles indexed %v later",
		victim, enriched, 2*half, recovery.Round(time.Millisecond))
	r.checkExactlyOnce(2*half, paragraphs)
	r.stop()
	r.logSummaries()
}

// TestFaultSlowIndex slows every index write down past AckWait: the other
// services stay small (the backlog waits in JetStream, not in memory),
// MaxAckPending bounds what the index holds, InProgress keeps long batches
// from being redelivered, and no message waits unprocessed in a prefetch
// buffer until its AckWait runs out.
func TestFaultSlowIndex(t *testing.T) {
	const maxAckPending, batchSize = 300, 200
	// Each batch takes longer than AckWait to write.
	r := startFaultStack(t, stack.Config{Enrichers: 2}, "ACK_WAIT=1s", "INDEX_WRITE_DELAY=1500ms",
		"BATCH_SIZE="+strconv.Itoa(batchSize), "MAX_ACK_PENDING="+strconv.Itoa(maxAckPending))
	const articles = 300
	start := time.Now()
	paragraphs := publishArticles(t, r.ctx, r.js, 0, articles)

	peakAckPending := 0
	done := poll(90*time.Second, 20*time.Millisecond, func() bool {
		if info := r.consumerInfo(events.StreamEnriched, events.ConsumerIndex); info != nil {
			peakAckPending = max(peakAckPending, info.NumAckPending)
		}
		st, err := readStats(r.s)
		return err == nil && st.Articles >= articles
	})
	if !done {
		t.Fatalf("not all %d articles indexed within 90s", articles)
	}
	t.Logf("%d articles, %d paragraphs through a slow index in %v; peak unacked on the index consumer %d (batch size %d, MaxAckPending %d)",
		articles, paragraphs, time.Since(start).Round(time.Millisecond), peakAckPending, batchSize, maxAckPending)
	// The index (one worker) holds one batch at a time and nothing more.
	if peakAckPending > batchSize {
		t.Errorf("%d messages unacked on the index consumer at once, more than one batch of %d", peakAckPending, batchSize)
	}
	r.checkExactlyOnce(articles, paragraphs)

	const boundMiB = 200
	for _, name := range []string{"ingest", "enrich-1", "enrich-2", "index"} {
		u, err := r.s.Usage(name)
		if err != nil {
			t.Fatal(err)
		}
		rss := float64(u.PeakRSS) / (1 << 20)
		t.Logf("%s peak RSS %.1f MiB", name, rss)
		if rss > boundMiB {
			t.Errorf("%s peak RSS %.1f MiB, over %d MiB", name, rss, boundMiB)
		}
	}
	r.stop()
	if n := r.logSummaries(); n > 0 {
		t.Errorf("%d redeliveries with a slow index: in-hand messages were not kept alive", n)
	}
}

// TestFaultSIGTERM sends SIGTERM to ingest, an enricher and the index in
// turn while each is busy: each finishes and acks what it holds, exits 0,
// and once started again the pipeline completes with nothing redelivered.
func TestFaultSIGTERM(t *testing.T) {
	// A short write delay keeps each batch in hand for a while: the index
	// otherwise keeps up with the enrichers and holds a batch only for
	// milliseconds, and the kill could land between batches.
	r := startFaultStack(t, stack.Config{Enrichers: 2}, "BATCH_SIZE=100", "INDEX_WRITE_DELAY=50ms")
	const perRound = 100
	articles, paragraphs := 0, 0
	for _, name := range []string{"ingest", "enrich-1", "index"} {
		before := paragraphs
		round := publishArticles(t, r.ctx, r.js, articles, perRound)
		paragraphs += round
		articles += perRound
		// Each service is stopped once it is a quarter into the round.
		switch name {
		case "ingest":
			r.waitStream(events.StreamParagraphs, before+round/4)
		case "enrich-1":
			r.waitStream(events.StreamEnriched, before+round/4)
		case "index":
			if !poll(30*time.Second, 2*time.Millisecond, func() bool {
				st, err := readStats(r.s)
				return err == nil && st.Paragraphs >= before+round/4
			}) {
				t.Fatal("the index did not get going on the last round")
			}
		}
		sent := time.Now()
		if err := r.s.Signal(name, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := r.s.Wait(name); err != nil {
			t.Errorf("%s after SIGTERM: %v (want exit 0)", name, err)
		}
		t.Logf("%s exited 0 %v after SIGTERM", name, time.Since(sent).Round(time.Millisecond))
		if err := r.s.Restart(name); err != nil {
			t.Fatal(err)
		}
	}
	recovery := r.waitIndexed(articles, time.Now())
	t.Logf("all %d articles indexed %v after the last restart", articles, recovery.Round(time.Millisecond))
	r.checkExactlyOnce(articles, paragraphs)
	r.stop()
	if n := r.logSummaries(); n > 0 {
		t.Errorf("%d redeliveries: a service stopped with SIGTERM left messages unacked", n)
	}
}

// TestFaultEverythingKilled kills every service with SIGKILL again and
// again, in turn, at random moments (seeded), restarting each at once, while
// articles flow: in the end every paragraph is indexed exactly once,
// nothing is left unacked, nothing is dead-lettered. WARTA_CHAOS_ARTICLES
// sets the number of articles (300; the adversarial run was 2,000) and
// WARTA_CHAOS_SEED the seed.
func TestFaultEverythingKilled(t *testing.T) {
	articles, seed := 300, uint64(1)
	if v := os.Getenv("WARTA_CHAOS_ARTICLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("WARTA_CHAOS_ARTICLES=%q: want a count of articles", v)
		}
		articles = n
	}
	if v := os.Getenv("WARTA_CHAOS_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("WARTA_CHAOS_SEED=%q: want a whole number", v)
		}
	}
	r := startFaultStack(t, stack.Config{Enrichers: 3}, "BATCH_SIZE=100")
	start := time.Now()
	paragraphs := publishArticles(t, r.ctx, r.js, 0, articles)
	rng := rand.New(rand.NewPCG(seed, 0))
	victims := []string{"ingest", "enrich-1", "index", "enrich-2", "enrich-3"}
	kills := 0
	// Every service is killed at least three times, and killing goes on
	// until every article is in (at most twenty times each).
	for round := 0; round < 20*len(victims); round++ {
		// Between 50 and 500 ms of work between kills.
		time.Sleep(time.Duration(50+rng.IntN(450)) * time.Millisecond)
		if st, err := readStats(r.s); err == nil && st.Articles >= articles && round >= 3*len(victims) {
			break
		}
		name := victims[round%len(victims)]
		if err := r.s.Kill(name); err != nil {
			t.Fatal(err)
		}
		if err := r.s.Restart(name); err != nil {
			t.Fatal(err)
		}
		kills++
	}
	recovery := r.waitIndexed(articles, start)
	t.Logf("%d articles (%d paragraphs) indexed in %v through %d SIGKILLs (each service %d or %d times), seed %d",
		articles, paragraphs, recovery.Round(time.Millisecond), kills, kills/len(victims), (kills+len(victims)-1)/len(victims), seed)
	r.checkExactlyOnce(articles, paragraphs)
	r.stop()
	r.logSummaries()
}
