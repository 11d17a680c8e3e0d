package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/bus/proc"
)

// StageConfig holds the settings every consuming service shares.
type StageConfig struct {
	NATS NATSConfig
	// Config is the process's log, ops endpoint and GC settings.
	proc.Config
	// Workers is how many batches a process handles at once.
	Workers int
	// BatchSize is the most messages a worker takes at once: fewer round
	// trips to NATS per message when there is a backlog.
	BatchSize int
	// MaxDeliver is how often a message is tried before it is dead-lettered.
	MaxDeliver int
	// AckWait is how long JetStream waits for an ack before redelivering.
	AckWait time.Duration
	// ProcessingTimeout bounds the work on one batch; until then a batch
	// being worked on is kept from redelivery however long it takes.
	ProcessingTimeout time.Duration
	// MaxAckPending bounds unacked messages across all processes of the stage.
	MaxAckPending int
	// SummaryInterval is how often the stage is looked at for a summary
	// line: one is logged when something changed since the last, or once a
	// minute when idle (0 = only at exit).
	SummaryInterval time.Duration
}

// Register adds the shared flags with their variables; workers and batch
// are the stage's default worker count and batch size.
func (c *StageConfig) Register(f *proc.Flags, workers, batch int) {
	c.NATS.Register(f)
	c.Config.Register(f)
	f.IntVar(&c.Workers, "workers", workers, "batches processed concurrently by this process")
	f.Env("workers", "WORKERS")
	f.IntVar(&c.BatchSize, "batch-size", batch, "most messages a worker takes at once")
	f.Env("batch-size", "BATCH_SIZE")
	f.IntVar(&c.MaxDeliver, "max-deliver", 5, "deliveries of a failing message before it is dead-lettered")
	f.Env("max-deliver", "MAX_DELIVER")
	f.DurationVar(&c.AckWait, "ack-wait", 30*time.Second, "time JetStream waits for an ack before redelivering")
	f.Env("ack-wait", "ACK_WAIT")
	f.DurationVar(&c.ProcessingTimeout, "processing-timeout", defaultProcessingTimeout,
		"longest time a batch may take; until then a batch being worked on is not redelivered, however long it takes")
	f.Env("processing-timeout", "PROCESSING_TIMEOUT")
	f.IntVar(&c.MaxAckPending, "max-ack-pending", 1000, "unacked messages allowed across all processes of this stage")
	f.Env("max-ack-pending", "MAX_ACK_PENDING")
	f.DurationVar(&c.SummaryInterval, "summary-interval", 30*time.Second, "how often to look for a summary line, logged when something changed or once a minute when idle (0 = only at exit)")
	f.Env("summary-interval", "SUMMARY_INTERVAL")
}

// Validate checks the settings, naming the bad one and what to use instead.
func (c *StageConfig) Validate() error {
	if err := c.NATS.Validate(); err != nil {
		return err
	}
	switch {
	case c.Workers < 1 || c.Workers > 1024:
		return fmt.Errorf("workers %d: use 1 to 1024", c.Workers)
	case c.BatchSize < 1 || c.BatchSize > 10000:
		return fmt.Errorf("batch-size %d: use 1 to 10000", c.BatchSize)
	case c.MaxDeliver < 1:
		return fmt.Errorf("max-deliver %d: use 1 or more", c.MaxDeliver)
	case c.AckWait < time.Second:
		return fmt.Errorf("ack-wait %v: use 1s or more", c.AckWait)
	case c.ProcessingTimeout < time.Second:
		return fmt.Errorf("processing-timeout %v: use 1s or more", c.ProcessingTimeout)
	case c.MaxAckPending < 1:
		return fmt.Errorf("max-ack-pending %d: use 1 or more", c.MaxAckPending)
	case c.SummaryInterval < 0:
		return fmt.Errorf("summary-interval %v: use 0 (only at exit) or a positive duration", c.SummaryInterval)
	}
	return c.Config.Validate()
}

// LogFields describes the configuration for the start-up log line, secrets masked.
func (c *StageConfig) LogFields() []zap.Field {
	return append(append(c.NATS.LogFields(),
		zap.Int("workers", c.Workers),
		zap.Int("batch_size", c.BatchSize),
		zap.Int("max_deliver", c.MaxDeliver),
		zap.Duration("ack_wait", c.AckWait),
		zap.Duration("processing_timeout", c.ProcessingTimeout),
		zap.Int("max_ack_pending", c.MaxAckPending),
		zap.Duration("summary_interval", c.SummaryInterval),
	), c.Config.LogFields()...)
}

// Service is a process connected to NATS with the pipeline's streams in place.
type Service struct {
	NC  *nats.Conn
	JS  jetstream.JetStream
	Log *zap.Logger

	consuming atomic.Bool
}

// Ready reports why the service is not ready to do its work, or nil: it
// must be connected to NATS and consuming its stage's messages.
func (s *Service) Ready() error {
	if st := s.NC.Status(); st != nats.CONNECTED {
		return fmt.Errorf("nats connection is %s", strings.ToLower(st.String()))
	}
	if !s.consuming.Load() {
		return errors.New("not consuming")
	}
	return nil
}

// Start connects to NATS (waiting for it while ctx lasts) and creates the
// streams the service reads and writes, named in streams, where they do not
// exist yet (see EnsureStreams).
func Start(ctx context.Context, c NATSConfig, name string, log *zap.Logger, streams ...string) (*Service, error) {
	nc, js, err := Connect(ctx, c, name, log)
	if err != nil {
		return nil, err
	}
	if err := EnsureStreams(ctx, js, c, log, streams...); err != nil {
		nc.Close()
		return nil, err
	}
	return &Service{NC: nc, JS: js, Log: log}, nil
}

// Stage describes one consuming stage for RunStage.
type Stage struct {
	Name, Stream, Durable, Filter string
	Handler                       message.Handler
	// FlushInterval is how long a worker waits to fill its batch once it
	// has a first message; 0 takes only what is waiting (see processor).
	FlushInterval time.Duration
	Stats         *Stats
	// Version and Description describe the stage's NATS micro service.
	Version, Description string
	// Endpoints are request-reply endpoints added to the micro service.
	Endpoints []Endpoint
	// Ops, if set, gets the stage's metrics and readiness.
	Ops Ops
}

// RunStage binds to the stage's durable consumer and processes its messages
// until ctx ends; then it finishes the messages in hand, logs a final
// summary and returns. Messages JetStream stops delivering after MaxDeliver
// deliveries without an ack are dead-lettered (see watchMaxDeliveries).
//
// While it runs, the stage is a NATS micro service (see addMicro) and, with
// st.Ops, reports its metrics and readiness there.
func (s *Service) RunStage(ctx context.Context, c StageConfig, st Stage) error {
	cons, err := ensureConsumer(ctx, s.JS, consumerConfig{
		Stream: st.Stream, Durable: st.Durable, Filter: st.Filter,
		MaxDeliver: c.MaxDeliver, AckWait: c.AckWait,
		MaxAckPending: max(c.MaxAckPending, c.Workers*max(c.BatchSize, 1)),
	})
	if err != nil {
		return err
	}
	if st.Stats == nil {
		st.Stats = &Stats{}
	}
	st.Stats.setConsumer(cons)
	stopWatch, err := s.watchMaxDeliveries(st.Name, st.Stream, st.Durable, st.Stats)
	if err != nil {
		return err
	}
	defer stopWatch()
	if st.Ops != nil {
		if err := st.Ops.Register(newStatsCollector(st.Name, st.Stats)); err != nil {
			return fmt.Errorf("register metrics of stage %s: %w", st.Name, err)
		}
		st.Ops.SetReady(s.Ready)
		defer st.Ops.SetStopped()
	}
	msvc, err := addMicro(s.NC, st, st.Stats)
	if err != nil {
		return err
	}
	defer func() {
		if err := msvc.Stop(); err != nil {
			s.Log.Warn("stop micro service", zap.String("stage", st.Name), zap.Error(err))
		}
	}()
	p := &processor{
		JS: s.JS, Consumer: cons, Stage: st.Name, Handler: st.Handler,
		Workers: c.Workers, BatchSize: c.BatchSize, FlushInterval: st.FlushInterval,
		MaxDeliver: c.MaxDeliver, Log: s.Log, Stats: st.Stats, MaxPayload: s.NC.MaxPayload(), AckWait: c.AckWait,
		ProcessingTimeout: c.ProcessingTimeout,
	}
	sumCtx, stopSummary := context.WithCancel(context.WithoutCancel(ctx))
	summaryDone := make(chan struct{})
	go func() {
		defer close(summaryDone)
		summarize(sumCtx, s.Log, st.Stats, cons, c.SummaryInterval)
	}()
	s.Log.Info("consuming", zap.String("stage", st.Name), zap.String("stream", st.Stream),
		zap.String("consumer", st.Durable), zap.Int("workers", p.Workers), zap.Int("batch_size", p.BatchSize))
	s.consuming.Store(true)
	err = p.Run(ctx)
	s.consuming.Store(false)
	stopSummary()
	<-summaryDone
	return err
}

// Close drains the connection: pending publishes and acks are flushed
// before it closes.
func (s *Service) Close() {
	closed := make(chan struct{})
	s.NC.SetClosedHandler(func(*nats.Conn) { close(closed) })
	if err := s.NC.Drain(); err != nil {
		s.NC.Close()
		return
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		s.NC.Close()
	}
}
