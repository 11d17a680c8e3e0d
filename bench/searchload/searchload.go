// Package searchload loads the index's search API the way a careless or
// hostile client can, and measures what the index process spends on it: its
// peak and settled RSS, its CPU time, and the latency and status of every
// request. It runs the real index binary against an embedded NATS server,
// fills a fresh index through the ENRICHED stream, and then plays the
// scenarios one after the other.
//
// The scenarios are those of the reliability issue the search bounds came
// from: articles of 250 KB that a query matches all through (highlighting), deep pages
// (offset 10000), clients that never read a large /articles/{id} answer, and
// the same searches over NATS (warta.index.search).
package searchload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/load"
	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus/natsd"
	"github.com/warta-news/warta/pkg/events"
)

// Config is one load run.
type Config struct {
	// BinDir holds the index binary.
	BinDir string
	// DataDir is a fresh folder for NATS's storage, the index and its log.
	DataDir string
	// Logs receives the index's log lines (nil: discarded).
	Logs io.Writer
	// Env is added to the index's environment.
	Env []string

	// Big articles have BigBytes of text each, in paragraphs of the
	// longest length there is, each of which holds Word.
	Big, BigBytes int
	// Small paragraphs (ten per article) hold DeepWord, for deep pages.
	Small int
	// LargeArticleBytes is the text of the article SlowReaders ask for, in
	// paragraphs of 2 KB; HugeArticleBytes that of the one HugeReaders ask
	// for, in paragraphs of 750 KB (an answer larger than the kernel's
	// buffers of a connection, up to 4 MB, hold: its writer blocks).
	LargeArticleBytes, HugeArticleBytes int

	// Concurrent lists how many q=Word&size=100 searches run at once, per
	// scenario; 1 runs Repeat of them one after the other instead.
	Concurrent []int
	Repeat     int
	// Deep searches q=DeepWord&size=100&offset=Offset run at once, and as
	// many at the same depth with search_after, where the index has it.
	Deep, Offset int
	// SlowReaders and HugeReaders connections ask for the large and the
	// huge article and read nothing for Hold.
	SlowReaders, HugeReaders int
	Hold                     time.Duration
	// NATS searches run at once over warta.index.search.
	NATS int
	// Settle is the wait after each scenario before the RSS is read again.
	Settle time.Duration
	// Fresh starts the index again (on the same folder) before each
	// scenario, so that each starts from the same RSS rather than from
	// what the one before left.
	Fresh bool
	// MaxRSS stops (SIGKILL) an index that grows past it, to protect the
	// machine; the index is started again for the next scenario.
	MaxRSS int64
}

// The words the corpus is searched for.
const (
	Word     = "kukis"
	DeepWord = "harian"
)

// AnswerWait is the longest a client waits for an answer; one that takes
// longer counts as none.
const AnswerWait = time.Minute

// Scenario is what one scenario measured.
type Scenario struct {
	Name string
	// Codes counts the answers by HTTP status (or micro error code, 200 for
	// an answer); 0 counts requests that got no answer.
	Codes     map[int]int
	Latencies []time.Duration // sorted
	Bytes     int64           // answer bytes read
	CPU       time.Duration   // the index's
	// PeakRSS is the index's peak RSS during the scenario; RSSAfter its RSS
	// Settle after it ended, with every connection closed.
	PeakRSS, RSSAfter int64
	// Killed is set when the index passed Config.MaxRSS and was stopped.
	Killed bool
	// Note says what else the scenario saw.
	Note string
}

// Quantile returns the q-quantile (0..1) of the latencies, nearest rank.
func (s Scenario) Quantile(q float64) time.Duration { return load.Quantile(s.Latencies, q) }

// Result is what a run measured.
type Result struct {
	// Paragraphs is how many paragraphs the index held.
	Paragraphs int
	// StartRSS is the index's RSS once the corpus is in and has settled.
	StartRSS  int64
	Scenarios []Scenario
}

// Run starts NATS and the index, fills the index, plays every scenario and
// stops both.
func Run(ctx context.Context, c Config) (Result, error) {
	var res Result
	if c.Logs == nil {
		c.Logs = io.Discard
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return res, err
	}
	ns, err := natsd.Start(natsd.Config{Port: -1, StoreDir: filepath.Join(c.DataDir, "nats")})
	if err != nil {
		return res, err
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	r := &runner{c: c, ns: ns}
	if err := r.start(ctx); err != nil {
		return res, err
	}
	defer r.stop()
	nc, err := nats.Connect(ns.ClientURL(), nats.Name("warta-searchload"))
	if err != nil {
		return res, err
	}
	defer nc.Close()
	r.nc = nc
	if res.Paragraphs, err = r.fill(ctx); err != nil {
		return res, err
	}
	time.Sleep(c.Settle)
	if u, err := stack.ProcessUsage(r.pid()); err == nil {
		res.StartRSS = u.RSS
	}
	var scenarios []scenario
	add := func(name string, play func(context.Context, *Scenario) error) {
		scenarios = append(scenarios, scenario{name, play})
	}
	for _, n := range c.Concurrent {
		if n == 1 {
			add(fmt.Sprintf("q=%s&size=100, %d one after the other", Word, c.Repeat), func(ctx context.Context, s *Scenario) error {
				for range c.Repeat {
					r.burst(ctx, s, 1, r.searchURL(Word, "size=100"))
				}
				return nil
			})
			continue
		}
		add(fmt.Sprintf("%d × q=%s&size=100 at once", n, Word), func(ctx context.Context, s *Scenario) error {
			r.burst(ctx, s, n, r.searchURL(Word, "size=100"))
			return nil
		})
	}
	if c.Deep > 0 {
		add(fmt.Sprintf("%d × size=100&offset=%d at once", c.Deep, c.Offset), func(ctx context.Context, s *Scenario) error {
			r.burst(ctx, s, c.Deep, r.searchURL(DeepWord, fmt.Sprintf("size=100&offset=%d", c.Offset)))
			return nil
		})
		add(fmt.Sprintf("%d × size=100&search_after (hit %d) at once", c.Deep, c.Offset), func(ctx context.Context, s *Scenario) error {
			cursor, err := r.walk(ctx, c.Offset)
			if err != nil {
				return err
			}
			if cursor == "" {
				s.Note = "no search_after in this build"
				return nil
			}
			r.burst(ctx, s, c.Deep, r.searchURL(DeepWord, "size=100&search_after="+url.QueryEscape(cursor)))
			return nil
		})
	}
	for _, a := range r.slow {
		add(fmt.Sprintf("%d clients not reading /articles/{id} (%s)", a.readers, size(a.bytes)), func(ctx context.Context, s *Scenario) error {
			return r.slowReaders(ctx, s, a)
		})
	}
	if c.NATS > 0 {
		add(fmt.Sprintf("%d × q=%s&size=100 at once over NATS", c.NATS, Word), func(ctx context.Context, s *Scenario) error {
			return r.natsBurst(ctx, s, c.NATS)
		})
	}
	for _, sc := range scenarios {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		s, err := r.play(ctx, sc.name, sc.play)
		if err != nil {
			return res, fmt.Errorf("%s: %w", sc.name, err)
		}
		res.Scenarios = append(res.Scenarios, s)
	}
	return res, nil
}

// scenario is one scenario to play.
type scenario struct {
	name string
	play func(context.Context, *Scenario) error
}

// runner is a run in progress.
type runner struct {
	c    Config
	ns   *server.Server
	nc   *nats.Conn
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	base string // http://host:port
	// killed is set when the sampler stopped the index for its RSS.
	killed atomic.Bool
	// slow are the articles that clients ask for and do not read.
	slow []slowArticle
}

// slowArticle is an article that readers clients ask for and do not read;
// bytes is the size of its answer.
type slowArticle struct {
	id             string
	readers, bytes int
}

// size formats an answer's size.
func size(b int) string {
	if b >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(b)/1e6)
	}
	return fmt.Sprintf("%d KB", b/1000)
}

func (r *runner) pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cmd.Process.Pid
}

// start runs the index binary on the data folder, with its API on a port
// the kernel picks, and waits until it is ready.
func (r *runner) start(ctx context.Context) error {
	cmd := exec.Command(filepath.Join(r.c.BinDir, "index"))
	cmd.Env = append(append(os.Environ(), "NATS_URL="+r.ns.ClientURL(), "INDEX_DIR="+filepath.Join(r.c.DataDir, "index"),
		"HTTP_ADDR=127.0.0.1:0", "LOG_FORMAT=json", "SUMMARY_INTERVAL=0"), r.c.Env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w (build it first: make build)", cmd.Path, err)
	}
	done := make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := sc.Bytes()
			fmt.Fprintf(r.c.Logs, "index | %s\n", line)
			var l struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal(line, &l) == nil && l.Msg == "serving search" {
				if u, err := url.Parse(l.URL); err == nil {
					select {
					case addr <- u.Scheme + "://" + u.Host:
					default:
					}
				}
			}
		}
		_ = cmd.Wait()
	}()
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.mu.Unlock()
	select {
	case r.base = <-addr:
	case <-done:
		return fmt.Errorf("index exited at start: %v (see its log)", cmd.ProcessState)
	case <-time.After(60 * time.Second):
		return errors.New("index did not serve its API within 60s")
	case <-ctx.Done():
		return ctx.Err()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(r.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("index at %s not ready within 60s", r.base)
		}
		select {
		case <-done:
			return errors.New("index exited during start-up (see its log)")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends the index with SIGTERM (SIGKILL after 30 s).
func (r *runner) stop() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// fill publishes the corpus on ENRICHED and waits until /stats counts it.
func (r *runner) fill(ctx context.Context) (int, error) {
	js, err := jetstream.New(r.nc, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var ps []events.EnrichedParagraph
	article := func(id string, texts []string) {
		for i, t := range texts {
			ps = append(ps, events.EnrichedParagraph{
				Paragraph: events.Paragraph{V: events.Version, ID: events.ParagraphID(id, i), ArticleID: id, Version: "v1",
					Index: i, Count: len(texts), Title: "Berita " + id, Lang: "id", PublishedAt: "2025-09-02", Text: t},
				Entities: []events.Entity{}, Dates: []events.Date{},
			})
		}
	}
	// No paragraph is longer than events.MaxParagraphBytes (ingest cuts
	// them, and the index refuses longer ones): a big article's text is
	// cut into paragraphs that long, each with Word in it.
	const longest = events.MaxParagraphBytes - 64
	for i := range r.c.Big {
		texts := []string{"Paragraf pembuka yang pendek."}
		for n := 0; n < r.c.BigBytes; n += longest {
			texts = append(texts, prose(rng, min(longest, r.c.BigBytes-n), Word, 2))
		}
		article(fmt.Sprintf("big-%03d", i), texts)
	}
	for i := range (r.c.Small + 9) / 10 {
		texts := make([]string, 10)
		for j := range texts {
			texts[j] = prose(rng, 200, DeepWord, 1)
		}
		article(fmt.Sprintf("small-%05d", i), texts)
	}
	for _, a := range []struct {
		id                 string
		readers, bytes, by int
	}{{"large-000", r.c.SlowReaders, r.c.LargeArticleBytes, 2000}, {"huge-000", r.c.HugeReaders, r.c.HugeArticleBytes, longest}} {
		if a.readers == 0 || a.bytes == 0 {
			continue
		}
		var texts []string
		for n := 0; n < a.bytes; n += a.by {
			texts = append(texts, prose(rng, min(a.by, a.bytes-n), "", 0))
		}
		article(a.id, texts)
		r.slow = append(r.slow, slowArticle{id: a.id, readers: a.readers})
	}
	futures := make([]jetstream.PubAckFuture, 0, len(ps))
	for i := range ps {
		data, err := events.Marshal(&ps[i])
		if err != nil {
			return 0, err
		}
		msg := nats.NewMsg(events.SubjectEnriched)
		msg.Data = data
		msg.Header.Set(jetstream.MsgIDHeader, events.MsgID(events.StageEnrich, &ps[i].Paragraph))
		f, err := js.PublishMsgAsync(msg)
		if err != nil {
			return 0, fmt.Errorf("publish %s: %w", ps[i].ID, err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return 0, fmt.Errorf("publish: %w", err)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var st struct {
			Paragraphs int `json:"paragraphs"`
		}
		if err := getJSON(ctx, r.base+"/stats", &st); err == nil && st.Paragraphs >= len(ps) {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the index holds fewer than %d paragraphs after 10 minutes", len(ps))
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	for i, a := range r.slow {
		resp, err := http.Get(r.base + "/articles/" + a.id)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET /articles/%s: %s, %v", a.id, resp.Status, err)
		}
		r.slow[i].bytes = int(n)
	}
	return len(ps), nil
}

// vocabulary is what prose is made of.
var vocabulary = strings.Fields(`yang dan di itu dengan untuk tidak ini dari dalam akan pada juga saya ke
karena tersebut bisa ada mereka lebih kata tahun sudah atau saat oleh menjadi orang hari kami telah
pemerintah presiden kota warga rumah jalan pasar harga minyak beras banjir hujan sekolah guru murid
polisi hakim sidang partai menteri rakyat desa pulau laut kapal pesawat kereta stasiun bandara the of
and to in is that for it as was with be by on not he this are or his from at which but have an they`)

// prose returns about n bytes of words, with word occurring times, spread
// over it.
func prose(rng *rand.Rand, n int, word string, times int) string {
	var b strings.Builder
	b.Grow(n + 16)
	next := 0
	for b.Len() < n {
		if times > 0 && b.Len() >= next {
			b.WriteString(word)
			times--
			next += n / max(times+1, 1)
		} else {
			b.WriteString(vocabulary[rng.IntN(len(vocabulary))])
		}
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}

func (r *runner) searchURL(word, params string) string {
	// Paragraph hits, as the scenarios were first measured with.
	return r.base + "/search?group=paragraph&q=" + url.QueryEscape(word) + "&" + params
}

// play runs one scenario while sampling the index's RSS, then waits Settle
// and reads its RSS again. An index that died or was stopped is started
// again on the same folder.
func (r *runner) play(ctx context.Context, name string, f func(context.Context, *Scenario) error) (Scenario, error) {
	s := Scenario{Name: name, Codes: map[int]int{}}
	if r.c.Fresh {
		r.stop()
		if err := r.start(ctx); err != nil {
			return s, fmt.Errorf("restart the index: %w", err)
		}
		select {
		case <-time.After(r.c.Settle):
		case <-ctx.Done():
			return s, ctx.Err()
		}
	}
	pid := r.pid()
	// Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	u0, err := stack.ProcessUsage(pid)
	if err != nil {
		return s, err
	}
	r.killed.Store(false)
	var peak atomic.Int64
	stopSampling := r.sample(pid, &peak)
	err = f(ctx, &s)
	stopSampling()
	u1, uerr := stack.ProcessUsage(pid)
	if uerr == nil {
		s.CPU = u1.CPU - u0.CPU
		peak.Store(max(peak.Load(), u1.PeakRSS))
	}
	s.PeakRSS = peak.Load()
	slices.Sort(s.Latencies)
	if err != nil {
		return s, err
	}
	if r.killed.Load() {
		s.Killed = true
		<-r.done
		if err := r.start(ctx); err != nil {
			return s, fmt.Errorf("restart the index: %w", err)
		}
		return s, nil
	}
	select {
	case <-r.done:
		return s, errors.New("the index exited during the scenario (see its log)")
	case <-time.After(r.c.Settle):
	}
	if u, err := stack.ProcessUsage(pid); err == nil {
		s.RSSAfter = u.RSS
	}
	return s, nil
}

// sample reads the index's RSS every 10 ms, keeps the peak, and kills the
// index if it passes MaxRSS.
func (r *runner) sample(pid int, peak *atomic.Int64) (stop func()) {
	return load.Every(10*time.Millisecond, func() {
		if u, err := stack.ProcessUsage(pid); err == nil {
			peak.Store(max(peak.Load(), u.RSS, u.PeakRSS))
			if r.c.MaxRSS > 0 && u.RSS > r.c.MaxRSS && !r.killed.Load() {
				r.killed.Store(true)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
}

// burst sends n GETs of u at the same moment, each on its own connection,
// and records every answer.
func (r *runner) burst(ctx context.Context, s *Scenario, n int, u string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}, Timeout: AnswerWait}
	defer client.CloseIdleConnections()
	at(s, n, func() (int, int64) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, 0
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil {
			return 0, n
		}
		return resp.StatusCode, n
	})
}

// at runs n requests at the same moment and records each one's status
// code, bytes and latency in s.
func at(s *Scenario, n int, request func() (code int, bytes int64)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			code, bytes := request()
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			s.Codes[code]++
			s.Latencies = append(s.Latencies, d)
			s.Bytes += bytes
		})
	}
	close(start)
	wg.Wait()
}

// walk pages through q=DeepWord with search_after until depth hits are
// behind it, and returns the cursor there; "" if the index answers no
// cursor (a build without search_after).
func (r *runner) walk(ctx context.Context, depth int) (string, error) {
	cursor := ""
	for seen := 0; seen < depth; {
		u := r.searchURL(DeepWord, "size=100")
		if cursor != "" {
			u += "&search_after=" + url.QueryEscape(cursor)
		}
		var page struct {
			Hits []json.RawMessage `json:"hits"`
			Next string            `json:"next"`
		}
		if err := getJSON(ctx, u, &page); err != nil {
			return "", err
		}
		if page.Next == "" {
			return "", nil
		}
		seen += len(page.Hits)
		cursor = page.Next
	}
	return cursor, nil
}

// slowReaders opens a.readers connections that each ask for article a
// and read nothing for Hold.
func (r *runner) slowReaders(ctx context.Context, s *Scenario, a slowArticle) error {
	host := strings.TrimPrefix(r.base, "http://")
	req := "GET /articles/" + a.id + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range a.readers {
		c, err := net.Dial("tcp", host)
		if err != nil {
			return err
		}
		if tc, ok := c.(*net.TCPConn); ok {
			// A small receive window, as a client on a slow link has.
			_ = tc.SetReadBuffer(4 << 10)
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, req); err != nil {
			return err
		}
	}
	select {
	case <-time.After(r.c.Hold):
	case <-ctx.Done():
		return ctx.Err()
	}
	if u, err := stack.ProcessUsage(r.pid()); err == nil {
		s.Note = fmt.Sprintf("RSS %s after %v of not reading", MiB(u.RSS), r.c.Hold)
	}
	// Now read: a complete answer is 200; one the index gave up on is cut.
	// A large receive buffer first: through a closed 4 KiB window, the
	// kernel trickles even an answer it holds whole.
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, c := range conns {
		wg.Go(func() {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(4 << 20)
			}
			_ = c.SetReadDeadline(time.Now().Add(AnswerWait))
			br := bufio.NewReader(c)
			code := 0
			var n int64
			if resp, err := http.ReadResponse(br, nil); err == nil {
				var err error
				n, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil {
					code = resp.StatusCode
				}
			}
			mu.Lock()
			s.Codes[code]++
			s.Bytes += n
			mu.Unlock()
		})
	}
	wg.Wait()
	return nil
}

// natsBurst sends n search requests on warta.index.search at once.
func (r *runner) natsBurst(ctx context.Context, s *Scenario, n int) error {
	body := []byte(`{"q":"` + Word + `","size":100}`)
	at(s, n, func() (int, int64) {
		ctx, cancel := context.WithTimeout(ctx, AnswerWait)
		defer cancel()
		m, err := r.nc.RequestWithContext(ctx, events.SubjectSearch, body)
		if err != nil {
			return 0, 0
		}
		if c := m.Header.Get("Nats-Service-Error-Code"); c != "" {
			code, _ := strconv.Atoi(c)
			return code, int64(len(m.Data))
		}
		return 200, int64(len(m.Data))
	})
	return nil
}

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.200s", u, resp.Status, body)
	}
	return json.Unmarshal(body, v)
}

// MiB formats bytes as mebibytes.
func MiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
