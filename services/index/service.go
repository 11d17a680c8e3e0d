package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/api"
	"github.com/warta-news/warta/services/index/store"
)

// config is the index service's configuration.
type config struct {
	bus.StageConfig
	DataDir       string
	HTTPAddr      string
	BatchSize     int
	FlushInterval time.Duration
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	f := bus.NewFlags("index", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags of the service:\n")
		f.PrintDefaults()
	}
	c.Register(f, 1)
	f.StringVar(&c.DataDir, "data-dir", "INDEX_DIR", "./.data/index", "folder of the on-disk Bleve index")
	f.StringVar(&c.HTTPAddr, "http-addr", "HTTP_ADDR", "127.0.0.1:8080", "address of the HTTP search API")
	f.IntVar(&c.BatchSize, "batch-size", 500, "paragraphs written to the index in one batch")
	f.Env("batch-size", "BATCH_SIZE")
	f.DurationVar(&c.FlushInterval, "flush-interval", 100*time.Millisecond, "longest wait to fill a batch")
	f.Env("flush-interval", "FLUSH_INTERVAL")
	if err := f.Parse(args); err != nil {
		return c, err
	}
	if f.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (did you mean \"index search %s\"?)", f.Arg(0), f.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	switch {
	case c.DataDir == "":
		return c, errors.New("data-dir is empty: set --data-dir or INDEX_DIR")
	case c.BatchSize < 1 || c.BatchSize > 10000:
		return c, fmt.Errorf("batch-size %d: use 1 to 10000", c.BatchSize)
	case c.FlushInterval <= 0:
		return c, fmt.Errorf("flush-interval %v: use a positive duration such as 100ms", c.FlushInterval)
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return c, fmt.Errorf("http-addr %q: use host:port, e.g. 127.0.0.1:8080", c.HTTPAddr)
	}
	return c, nil
}

func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if bus.IsHelp(err) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := bus.NewLogger(c.Log, "index", stdout)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log.Info("starting", append(c.LogFields(), zap.String("data_dir", c.DataDir), zap.String("http_addr", c.HTTPAddr),
		zap.Int("batch_size", c.BatchSize), zap.Duration("flush_interval", c.FlushInterval))...)

	st, err := store.Open(c.DataDir)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close index", zap.Error(err))
		}
	}()
	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another index running? choose another --http-addr)", c.HTTPAddr, err)
	}
	srv := &http.Server{Handler: api.NewHandler(st, log), ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving search", zap.String("url", "http://"+ln.Addr().String()+"/search?q="))

	svc, err := bus.Start(ctx, c.NATS, "index", log)
	if err != nil {
		ln.Close()
		return err
	}
	defer svc.Close()

	h := &handler{store: st, log: log}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		return svc.RunStage(gctx, c.StageConfig, bus.Stage{
			Name: events.StageIndex, Stream: events.StreamEnriched, Durable: events.ConsumerIndex,
			Filter: events.SubjectEnriched, Handler: h.handle, BatchSize: c.BatchSize, FlushInterval: c.FlushInterval,
		})
	})
	err = g.Wait()
	log.Info("stopped")
	return err
}

// handler writes batches of enriched paragraphs and announces complete articles.
type handler struct {
	store *store.Store
	log   *zap.Logger
}

func (h *handler) handle(ctx context.Context, b *bus.Batch) ([]bus.Out, error) {
	ps := make([]events.EnrichedParagraph, 0, len(b.Msgs))
	for i, m := range b.Msgs {
		e, err := events.DecodeEnriched(m.Data())
		if err != nil {
			b.Fail(i, err)
			continue
		}
		ps = append(ps, e)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	done, err := h.store.Apply(ctx, ps)
	if err != nil {
		return nil, fmt.Errorf("write index: %w", err)
	}
	outs := make([]bus.Out, 0, len(done))
	for _, a := range done {
		data, err := events.Marshal(&a)
		if err != nil {
			return nil, err
		}
		outs = append(outs, bus.Out{Subject: events.IndexedSubject(a.ArticleID), Data: data,
			MsgID: "indexed:" + a.ArticleID + ":" + a.Version})
		h.log.Info("article indexed", zap.String("article_id", a.ArticleID), zap.String("version", a.Version),
			zap.String("title", a.Title), zap.Int("paragraphs", a.Paragraphs))
	}
	return outs, nil
}
