package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// DrainConfig is a measurement of the enrich stage alone: the PARAGRAPHS
// stream is filled first, then the enrichers start and work through it,
// with neither ingest nor index running.
type DrainConfig struct {
	BinDir, DataDir string
	Enrichers       int
	// Cores is each enricher's GOMAXPROCS, as in a container with that many
	// CPUs (0: all of the machine's).
	Cores   int
	Timeout time.Duration
	Logs    io.Writer
}

// DrainResult is what a drain measured.
type DrainResult struct {
	Enrichers, Cores, Paragraphs int
	// Elapsed runs from the first enriched paragraph to the last.
	Elapsed time.Duration
	// CPU is the enrichers' CPU time in all, from start to end.
	CPU         time.Duration
	Redelivered uint64
}

// ParagraphsPerSecond is the stage's rate.
func (r DrainResult) ParagraphsPerSecond() float64 {
	return float64(r.Paragraphs) / r.Elapsed.Seconds()
}

// Drain fills PARAGRAPHS with payloads (paragraph events), starts the
// enrichers and waits until ENRICHED holds one event for each.
func Drain(ctx context.Context, c DrainConfig, payloads [][]byte) (DrainResult, error) {
	res := DrainResult{Enrichers: c.Enrichers, Cores: c.Cores, Paragraphs: len(payloads)}
	logs := c.Logs
	if logs == nil {
		logs = io.Discard
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	s, err := stack.Start(ctx, stack.Config{BinDir: c.BinDir, DataDir: c.DataDir, NATSPort: -1, OnlyEnrichers: true, Output: logs})
	if err != nil {
		return res, err
	}
	defer s.Stop() //nolint:errcheck // the measurement is taken; a failed stop is in the logs
	nc, err := s.Connect(nats.Name("warta-bench"))
	if err != nil {
		return res, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return res, err
	}
	if err := bus.EnsureStreams(ctx, js, bus.NATSConfig{Replicas: 1}, zap.NewNop()); err != nil {
		return res, err
	}
	outs := make([]message.Out, len(payloads))
	for i, data := range payloads {
		// The message id ingest gives the paragraph.
		p, err := events.DecodeParagraph(data)
		if err != nil {
			return res, fmt.Errorf("paragraph %d: %w", i, err)
		}
		outs[i] = message.Out{Subject: events.SubjectParagraphs, Data: data, MsgID: events.MsgID(events.StageIngest, &p)}
	}
	if err := bus.Publish(ctx, js, outs, c.Timeout); err != nil {
		return res, err
	}

	// The clock starts at the first enriched paragraph, so the enrichers'
	// start-up (loading the models) is not counted.
	var first atomic.Int64
	sub, err := nc.Subscribe(events.SubjectEnriched, func(*nats.Msg) {
		first.CompareAndSwap(0, time.Now().UnixNano())
	})
	if err != nil {
		return res, err
	}
	defer sub.Unsubscribe() //nolint:errcheck // the connection closes anyway
	if err := nc.Flush(); err != nil {
		return res, err
	}
	env := []string{}
	if c.Cores > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(c.Cores))
	}
	names := make([]string, c.Enrichers)
	for i := range names {
		names[i] = fmt.Sprintf("enrich-%d", i+1)
		if err := s.Spawn(names[i], "enrich", env...); err != nil {
			return res, err
		}
	}
	enriched, err := js.Stream(ctx, events.StreamEnriched)
	if err != nil {
		return res, err
	}
	for {
		info, err := enriched.Info(ctx)
		if err != nil {
			return res, fmt.Errorf("after %d of %d paragraphs: %w", msgs(info), len(payloads), err)
		}
		if int(info.State.Msgs) >= len(payloads) {
			break
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("%d of %d paragraphs enriched: %w", info.State.Msgs, len(payloads), ctx.Err())
		case p := <-s.Exited():
			return res, fmt.Errorf("%s exited during the drain: %v", p.Name, p.Err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	res.Elapsed = time.Since(time.Unix(0, first.Load()))
	for _, n := range names {
		u, err := s.Usage(n)
		if err != nil {
			return res, err
		}
		res.CPU += u.CPU
	}
	cons, err := js.Consumer(ctx, events.StreamParagraphs, events.ConsumerEnrich)
	if err != nil {
		return res, err
	}
	ci, err := cons.Info(ctx)
	if err != nil {
		return res, err
	}
	res.Redelivered = uint64(ci.NumRedelivered)
	return res, nil
}

func msgs(info *jetstream.StreamInfo) uint64 {
	if info == nil {
		return 0
	}
	return info.State.Msgs
}
