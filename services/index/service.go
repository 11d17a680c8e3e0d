package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/alerts"
	"github.com/warta-news/warta/services/index/api"
	"github.com/warta-news/warta/services/index/indexer"
	"github.com/warta-news/warta/services/index/store"
)

// config is the index service's configuration.
type config struct {
	bus.StageConfig
	DataDir       string
	HTTPAddr      string
	FlushInterval time.Duration
	// Consumer is the durable consumer on ENRICHED. A new name replays the
	// stream from its start: how an index is rebuilt in a fresh data dir.
	Consumer string
	// MaxParagraphs is ingest's limit: a paragraph whose article claims
	// more is not one ingest wrote, and is rejected.
	MaxParagraphs int
	// Limits bound the API's requests, over HTTP and NATS.
	Limits api.Limits
	// Alerts evaluates the standing searches against every article that
	// completes; off for a rebuild, which would alert again on old articles.
	Alerts bool
	// Faults are the fault tests' settings: empty but in a build with
	// -tags faults (faults.go).
	Faults faults
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	f := proc.NewFlags("index", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags of the service:\n")
		f.PrintDefaults()
	}
	c.Register(f, 1, 1000)
	f.StringVar(&c.DataDir, "data-dir", "INDEX_DIR", "./.data/index", "folder of the on-disk Bleve index")
	f.StringVar(&c.HTTPAddr, "http-addr", "HTTP_ADDR", "127.0.0.1:8080", "address of the HTTP search API")
	f.DurationVar(&c.FlushInterval, "flush-interval", 100*time.Millisecond, "longest wait to fill a batch")
	f.Env("flush-interval", "FLUSH_INTERVAL")
	f.IntVar(&c.MaxParagraphs, "max-paragraphs", store.DefaultMaxParagraphs,
		"most paragraphs an article may have, as ingest's setting: a paragraph claiming more is dead-lettered")
	f.Env("max-paragraphs", "MAX_PARAGRAPHS")
	f.StringVar(&c.Consumer, "consumer", "INDEX_CONSUMER", events.ConsumerIndex,
		"durable consumer on ENRICHED; a new name with a fresh --data-dir rebuilds the index from the stream")
	f.IntVar(&c.Limits.Concurrent, "max-requests", api.DefaultConcurrent,
		"search, article and stats requests answered at once, over HTTP and NATS together (1-1024); "+
			fmt.Sprintf("%d more per slot wait up to a quarter of --request-timeout, others get 503 with Retry-After", api.QueuePerSlot))
	f.Env("max-requests", "MAX_REQUESTS")
	f.DurationVar(&c.Limits.Timeout, "request-timeout", api.RequestTimeout,
		"deadline of a request, from its arrival to the last byte of its answer (a client that reads slowly is cut off then)")
	f.Env("request-timeout", "REQUEST_TIMEOUT")
	f.BoolVar(&c.Alerts, "alerts", true,
		"evaluate the standing searches (PUT /alerts/{name}) against every article that completes and publish alerts.<name>; "+
			"use false for a rebuild (--consumer index-rebuild), which would alert again on old articles past ALERTS' 24h duplicate window")
	f.Env("alerts", "ALERTS")
	c.Faults.register(f)
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (did you mean \"wartactl search %s\"?)", f.Arg(0), f.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	switch {
	case c.DataDir == "":
		return c, errors.New("data-dir is empty: set --data-dir or INDEX_DIR")
	case c.Consumer == "" || strings.ContainsAny(c.Consumer, ".*> \t\r\n/\\"):
		return c, fmt.Errorf("consumer %q: use a name of letters, digits, - and _, such as index or index-rebuild", c.Consumer)
	case c.FlushInterval <= 0:
		return c, fmt.Errorf("flush-interval %v: use a positive duration such as 100ms", c.FlushInterval)
	case c.MaxParagraphs < 1:
		return c, fmt.Errorf("max-paragraphs %d: use 1 or more (ingest's MAX_PARAGRAPHS)", c.MaxParagraphs)
	case c.Limits.Concurrent < 1 || c.Limits.Concurrent > 1024:
		return c, fmt.Errorf("max-requests %d: use 1 to 1024, about twice the cores the index has", c.Limits.Concurrent)
	case c.Limits.Timeout < 100*time.Millisecond || c.Limits.Timeout > 10*time.Minute:
		return c, fmt.Errorf("request-timeout %v: use a duration from 100ms to 10m, such as 10s", c.Limits.Timeout)
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return c, fmt.Errorf("http-addr %q: use host:port, e.g. 127.0.0.1:8080", c.HTTPAddr)
	}
	return c, c.Faults.check()
}

func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if proc.IsHelp(err) {
		return nil
	}
	if err != nil {
		return err
	}
	// Bleve's analysis and in-memory segments make much garbage, and the
	// index's pages of mapped segment files add to its RSS: Go's default
	// collector target keeps the whole under 200 MB over a 100k-paragraph
	// run ("make bench": 196 MB peak, 85 MB of it heap; at 200, 222 and 126,
	// for 7% more throughput end to end).
	c.GCPercent = 100
	// No soft memory limit: the index's heap grows with its merges, and a
	// collector racing to stay under a fixed one would slow them; GOGC 100
	// keeps it small enough.
	c.MemoryLimit = -1
	boot, err := proc.NewBoot("index", version, c.Config, getenv, stdout, c.StageConfig.LogFields(), zap.String("data_dir", c.DataDir),
		zap.String("http_addr", c.HTTPAddr), zap.Duration("flush_interval", c.FlushInterval),
		zap.String("consumer", c.Consumer), zap.Int("max_paragraphs", c.MaxParagraphs),
		zap.Int("max_requests", c.Limits.Concurrent), zap.Duration("request_timeout", c.Limits.Timeout), zap.Bool("alerts", c.Alerts))
	if err != nil {
		return err
	}
	defer boot.Close()
	log, ops := boot.Log, boot.Ops

	st, err := store.Open(c.DataDir, store.WithMaxParagraphs(c.MaxParagraphs))
	if err != nil {
		return err
	}
	if m := st.Migrated(); m != nil {
		log.Info("index built with an earlier mapping rebuilt from its own documents: nothing replayed, nothing lost",
			zap.String("data_dir", c.DataDir), zap.String("from_mapping", m.From), zap.String("to_mapping", m.To),
			zap.Int("articles", m.Articles), zap.Int("paragraphs", m.Paragraphs), zap.Int("pending", m.Pending),
			zap.Duration("took", m.Took))
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close index", zap.Error(err))
		}
	}()
	im, err := indexer.NewMetrics(ops.Registry)
	if err != nil {
		return err
	}
	searchMetrics, err := api.NewMetrics(ops.Registry)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another index running? choose another --http-addr)", c.HTTPAddr, err)
	}
	// One limiter for HTTP and NATS: together they answer at most
	// --max-requests at once. Searches over NATS run in goroutines of their
	// own: the index closes (deferred above) once they are done.
	lim := api.NewLimiter(c.Limits)
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Limits.Timeout)
		defer cancel()
		if err := lim.Close(ctx); err != nil {
			log.Warn("requests still running at exit", zap.Error(err))
		}
	}()
	reg := alerts.NewRegistry(st, log)
	am, err := alerts.NewMetrics(ops.Registry, reg.Len)
	if err != nil {
		return err
	}
	standing := alerts.NewHandler(reg, log)
	srv := api.Server(api.NewHandler(st, log, api.WithMetrics(searchMetrics), api.WithLimiter(lim),
		api.WithRoute("/alerts", standing), api.WithRoute("/alerts/{name}", standing),
		api.WithRoute("GET /metrics", ops.MetricsHandler()), api.WithRoute("GET /readyz", ops.ReadyHandler()),
		api.WithRoute("/debug/pprof/", ops.ProfilingHandler())))
	log.Info("serving search", zap.String("url", "http://"+ln.Addr().String()+"/search?q="))
	// The API (and so /healthz and /readyz) answers while NATS is still
	// being reached.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	shutdownHTTP := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}

	svc, err := bus.Start(gctx, c.NATS, "index", log, events.StreamEnriched, events.StreamIndexed, events.StreamDeadLetter, events.StreamAlerts)
	if err != nil {
		shutdownHTTP()
		return errors.Join(err, g.Wait())
	}
	defer svc.Close()
	// The standing searches: every one in the bucket is loaded before the
	// index consumes, so none misses an article.
	kv, err := bus.EnsureKV(gctx, svc.JS, c.NATS, events.BucketStandingSearches, "warta: the index's standing searches (PUT /alerts/{name})")
	if err != nil {
		shutdownHTTP()
		return errors.Join(err, g.Wait())
	}
	standing.SetBucket(kv)
	loaded := make(chan struct{})
	g.Go(func() error { return alerts.Watch(gctx, kv, reg, log, func() { close(loaded) }) })
	select {
	case <-loaded:
	case <-gctx.Done():
		shutdownHTTP()
		return errors.Join(gctx.Err(), g.Wait())
	}

	h := &indexer.Handler{Store: st, Log: log, Metrics: im}
	c.Faults.wire(h, log)
	if c.Alerts {
		h.Alerter = &alerts.Alerter{Engine: &alerts.Engine{Registry: reg, Articles: st, Log: log}, Reader: st,
			JS: svc.JS, Metrics: am, Log: log, Timeout: 10 * time.Second}
	}
	g.Go(func() error {
		purgeStalePending(gctx, svc, st, log)
		return nil
	})
	g.Go(func() error {
		defer shutdownHTTP()
		return svc.RunStage(gctx, c.StageConfig, bus.Stage{
			Name: events.StageIndex, Stream: events.StreamEnriched, Durable: c.Consumer,
			Filter: events.SubjectEnriched, Handler: h.Handle, FlushInterval: c.FlushInterval,
			Stats:   &bus.Stats{Summary: am.SummaryFields},
			Version: version, Description: "indexes enriched paragraphs in Bleve and serves search", Ops: ops,
			Endpoints: []bus.Endpoint{{Name: "search", Subject: events.SubjectSearch, Handler: api.SearchHandler(svc.NC, st, lim, searchMetrics, log)}},
		})
	})
	return g.Wait()
}

// purgeInterval is how often the index looks for stale pending documents.
const purgeInterval = time.Hour

// purgeStalePending deletes, at start and every purgeInterval until ctx
// ends, the pending documents older than ENRICHED keeps messages: their
// revisions can no longer receive their missing paragraphs.
func purgeStalePending(ctx context.Context, svc *bus.Service, st *store.Store, log *zap.Logger) {
	for {
		s, err := svc.JS.Stream(ctx, events.StreamEnriched)
		if err == nil {
			if maxAge := s.CachedInfo().Config.MaxAge; maxAge > 0 {
				n, err := st.PurgePending(ctx, time.Now().Add(-maxAge))
				switch {
				case err != nil && ctx.Err() == nil:
					log.Warn("purge stale pending documents", zap.Error(err))
				case n > 0:
					log.Info("stale pending documents purged", zap.Int("documents", n), zap.Duration("older_than", maxAge))
				}
			}
		} else if ctx.Err() == nil {
			log.Warn("read stream settings to purge stale pending documents", zap.String("stream", events.StreamEnriched), zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(purgeInterval):
		}
	}
}
