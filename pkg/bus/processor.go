package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/deadletter"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// processor runs a stage: it pulls messages from a durable consumer, hands
// them to its Handler in batches on a pool of workers, publishes the output,
// and only then acks the input (at-least-once end to end). Failures are
// retried with exponential back-off (NakWithDelay) or dead-lettered.
type processor struct {
	JS       jetstream.Publisher
	Consumer jetstream.Consumer
	Stage    string
	Handler  message.Handler
	// Workers is how many batches are processed at once (default 1).
	Workers int
	// BatchSize is the most messages per batch (default 1).
	BatchSize int
	// FlushInterval is how long a worker that has a first message waits
	// for more to fill its batch. 0 takes only the messages already
	// waiting: the batch grows with the backlog, and a lone message is not
	// held back.
	FlushInterval time.Duration
	// MaxDeliver must match the consumer's: at the last delivery a failing
	// message is dead-lettered rather than retried.
	MaxDeliver int
	// PublishTimeout bounds the wait for JetStream to store the output.
	PublishTimeout time.Duration
	// MaxPayload is the server's largest message, to fit dead letters in.
	MaxPayload int64
	// AckWait is the consumer's: a batch still in hand after a third of it
	// tells the server it is in progress, so slow work is not redelivered
	// to another process while this one is still on it.
	AckWait time.Duration
	// ProcessingTimeout bounds the work on one batch (handler, publishes,
	// dead letters): its context ends then, and the batch stops being kept
	// in progress. 0 means defaultProcessingTimeout.
	ProcessingTimeout time.Duration
	Log               *zap.Logger
	Stats             *Stats
}

// Run processes messages until ctx ends, then finishes the batches in hand
// and returns.
//
// Each worker fetches a batch only when it is free to process it, so every
// message the process holds is in a batch being processed, which keepAlive
// covers: none waits in a prefetch buffer while its AckWait runs out,
// however slow the handler is, and a stopping process holds nothing it has
// not processed.
//
// Run returns an error when the consumer is gone (deleted by an operator,
// say): the process then exits, and its restart creates the consumer again.
func (p *processor) Run(ctx context.Context) error {
	p.defaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, p.Workers)
	for range p.Workers {
		wg.Go(func() {
			if err := p.work(ctx); err != nil {
				errs <- err
				cancel()
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// idleWait is how long a free worker's fetch waits for a first message.
// A stopping worker lets its fetch run out (a message the server sends to a
// fetch nobody reads is only redelivered after AckWait), so this also bounds
// how long an idle worker takes to stop.
const idleWait = 500 * time.Millisecond

// work fetches batches and processes them until ctx ends. Fetch errors are
// retried with growing pauses (up to 5 s), except a consumer that no longer
// exists, which ends the work with an error.
func (p *processor) work(ctx context.Context) error {
	// Work carries on after ctx ends, so the batch in hand is finished.
	work := context.WithoutCancel(ctx)
	failures := 0
	for ctx.Err() == nil {
		batch, err := p.fetch(1, idleWait)
		if err == nil && len(batch) == 1 && p.BatchSize > 1 {
			var more []jetstream.Msg
			more, err = p.fetch(p.BatchSize-1, p.FlushInterval)
			batch = append(batch, more...)
		}
		if len(batch) > 0 {
			p.process(work, batch)
		}
		if err == nil {
			failures = 0
			continue
		}
		if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
			return fmt.Errorf("%s: consumer is gone (%w); restart the service to create it again", p.Stage, err)
		}
		failures++
		pause := min(100*time.Millisecond<<min(failures-1, 6), 5*time.Second)
		p.Log.Warn("pull consumer", zap.String("stage", p.Stage), zap.Int("failures", failures),
			zap.Duration("retry_in", pause), zap.Error(err))
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
	return nil
}

// fetch pulls up to n messages, waiting up to wait for them (0: only those
// waiting now), and returns every message it received, even when the fetch
// ends in an error.
func (p *processor) fetch(n int, wait time.Duration) ([]jetstream.Msg, error) {
	var b jetstream.MessageBatch
	var err error
	if wait > 0 {
		b, err = p.Consumer.Fetch(n, jetstream.FetchMaxWait(wait))
	} else {
		b, err = p.Consumer.FetchNoWait(n)
	}
	if err != nil {
		return nil, err
	}
	msgs := make([]jetstream.Msg, 0, n)
	for m := range b.Messages() {
		msgs = append(msgs, m)
	}
	return msgs, b.Error()
}

func (p *processor) defaults() {
	p.Workers = max(p.Workers, 1)
	p.BatchSize = max(p.BatchSize, 1)
	p.FlushInterval = max(p.FlushInterval, 0)
	if p.MaxDeliver <= 0 {
		p.MaxDeliver = 5
	}
	if p.PublishTimeout <= 0 {
		p.PublishTimeout = 10 * time.Second
	}
	if p.ProcessingTimeout <= 0 {
		p.ProcessingTimeout = defaultProcessingTimeout
	}
	if p.Stats == nil {
		p.Stats = &Stats{}
	}
}

func (p *processor) process(ctx context.Context, msgs []jetstream.Msg) {
	start := time.Now()
	p.Stats.InFlight.Add(int64(len(msgs)))
	defer p.Stats.InFlight.Add(-int64(len(msgs)))
	b := message.NewBatch(views(msgs)...)
	for _, m := range b.Msgs {
		if m.Delivered > 1 {
			p.Stats.Redelivered.Add(1)
		}
	}
	// The deadline and InProgress cover the handler, the publishes and the
	// dead letters of failed messages, which may take as long.
	ctx, cancel := context.WithTimeout(ctx, p.ProcessingTimeout)
	defer cancel()
	stopProgress := p.keepAlive(ctx, msgs)
	defer stopProgress()
	err := p.Handler(ctx, b)
	if err == nil {
		publishBatch(ctx, p.JS, b, p.PublishTimeout)
	}
	// A batch past its deadline still records its failures.
	failCtx := context.WithoutCancel(ctx)
	for i, m := range msgs {
		e := b.Err(i)
		if e == nil {
			e = err
		}
		if e != nil {
			p.fail(failCtx, m, e)
			continue
		}
		if err := m.Ack(); err != nil {
			p.Log.Warn("ack", zap.String("stage", p.Stage), zap.Error(err))
		}
		p.Stats.Processed.Add(1)
	}
	p.Stats.observe(time.Since(start))
}

// defaultProcessingTimeout is how long a batch may take unless a stage sets
// its own (processor.ProcessingTimeout).
const defaultProcessingTimeout = 5 * time.Minute

// keepAlive sends InProgress for msgs every AckWait/3 until the returned
// function is called or ctx, which carries the processing deadline, ends:
// a batch being worked on is never redelivered to another process however
// long it takes, and one past its deadline is left to redelivery (and, at
// MaxDeliver, to the dead-letter stream).
func (p *processor) keepAlive(ctx context.Context, msgs []jetstream.Msg) (stop func()) {
	if p.AckWait <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(p.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				p.Log.Warn("batch past its processing timeout; no longer holding it, JetStream will redeliver what is not acked",
					zap.String("stage", p.Stage), zap.Int("messages", len(msgs)),
					zap.Duration("processing_timeout", p.ProcessingTimeout))
				return
			case <-t.C:
				for _, m := range msgs {
					_ = m.InProgress()
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// publishBatch publishes what each message of b emitted, asynchronously,
// and waits up to timeout until JetStream has stored it. A message whose
// output cannot be published is failed (the others are not): permanently
// when no retry could succeed (see publishError).
func publishBatch(ctx context.Context, js jetstream.Publisher, b *message.Batch, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var n int
	for i := range b.Msgs {
		if b.Err(i) == nil {
			n += len(b.Outs(i))
		}
	}
	outs := make([]message.Out, 0, n)
	owners := make([]int, 0, n)
	for i := range b.Msgs {
		if b.Err(i) != nil {
			continue
		}
		for _, o := range b.Outs(i) {
			outs = append(outs, o)
			owners = append(owners, i)
		}
	}
	publishOuts(ctx, js, outs, timeout, func(k int, err error) {
		if i := owners[k]; b.Err(i) == nil {
			b.Fail(i, err)
		}
	})
}

// views turns JetStream messages into what a handler sees of them.
func views(msgs []jetstream.Msg) []message.Msg {
	vs := make([]message.Msg, len(msgs))
	for i, m := range msgs {
		vs[i].Data = m.Data()
		if md, err := m.Metadata(); err == nil {
			vs[i].Stored, vs[i].Delivered, vs[i].StreamSeq = md.Timestamp, md.NumDelivered, md.Sequence.Stream
		}
	}
	return vs
}

// Publish publishes outs asynchronously with their message ids and waits,
// up to timeout, until JetStream has acknowledged every one. It returns the
// first error.
func Publish(ctx context.Context, js jetstream.Publisher, outs []message.Out, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var first error
	publishOuts(ctx, js, outs, timeout, func(_ int, err error) {
		if first == nil {
			first = err
		}
	})
	return first
}

// publishOuts publishes outs, a window at a time, and calls failed with the
// index in outs and the error of each that JetStream did not store before
// ctx ended. timeout is ctx's, for the message.
func publishOuts(ctx context.Context, js jetstream.Publisher, outs []message.Out, timeout time.Duration, failed func(k int, err error)) {
	// A window of publishes at a time: an article of thousands of paragraphs
	// must not overrun the connection's PublishAsyncMaxPending, which it
	// shares with every other worker of the process.
	type pending struct {
		k int
		f jetstream.PubAckFuture
	}
	window := make([]pending, 0, min(len(outs), publishWindow))
	await := func() {
		for _, pd := range window {
			select {
			case <-pd.f.Ok():
			case err := <-pd.f.Err():
				failed(pd.k, publishError(outs[pd.k], err))
			case <-ctx.Done():
				failed(pd.k, fmt.Errorf("publish %s: no ack from JetStream within %v: %w", outs[pd.k].Subject, timeout, ctx.Err()))
			}
		}
		window = window[:0]
	}
	for k, o := range outs {
		msg := nats.NewMsg(o.Subject)
		msg.Data = o.Data
		if o.MsgID != "" {
			msg.Header.Set(jetstream.MsgIDHeader, o.MsgID)
		}
		f, err := js.PublishMsgAsync(msg)
		if err != nil {
			failed(k, publishError(o, err))
			continue
		}
		if window = append(window, pending{k, f}); len(window) == publishWindow {
			await()
		}
	}
	await()
}

// publishError describes the failure to publish o. Failures that no retry
// can mend are permanent (matching events.ErrInvalid), so the message that
// produced o is dead-lettered at once instead of being retried for minutes:
// an invalid subject (an article id that is no subject token), and a message
// larger than the server or the stream takes.
func publishError(o message.Out, err error) error {
	var jsErr jetstream.JetStreamError
	switch {
	case errors.Is(err, nats.ErrBadSubject):
		return fmt.Errorf("%w: publish %s: %q is not a valid NATS subject (%v)", events.ErrInvalid, o.Subject, o.Subject, err)
	case errors.Is(err, nats.ErrMaxPayload),
		errors.As(err, &jsErr) && jsErr.APIError() != nil && jsErr.APIError().ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum:
		return fmt.Errorf("%w: publish %s: the event is %d bytes, more than the NATS server takes (%v)", events.ErrTooLarge, o.Subject, len(o.Data), err)
	}
	return fmt.Errorf("publish %s: %w", o.Subject, err)
}

// publishWindow bounds the publishes one call has awaiting their ack.
const publishWindow = 256

// fail retries a failed message later or, when the error is permanent or
// retries are exhausted, moves it to the dead-letter stream.
func (p *processor) fail(ctx context.Context, m jetstream.Msg, cause error) {
	p.Stats.Failed.Add(1)
	var deliveries uint64 = 1
	var seq uint64
	if md, err := m.Metadata(); err == nil {
		deliveries, seq = md.NumDelivered, md.Sequence.Stream
	}
	permanent := errors.Is(cause, events.ErrInvalid)
	log := p.Log.With(append(msgFields(m.Data()), zap.String("stage", p.Stage), zap.Uint64("stream_seq", seq),
		zap.Uint64("deliveries", deliveries))...)
	if !permanent && deliveries < uint64(p.MaxDeliver) {
		delay := backoff(deliveries)
		log.Warn("processing failed; will retry", zap.Duration("retry_in", delay), zap.Error(cause))
		_ = m.NakWithDelay(delay)
		return
	}
	reason := cause.Error()
	if !permanent {
		reason = fmt.Sprintf("gave up after %d deliveries: %s", deliveries, reason)
	}
	if err := deadLetter(ctx, p.JS, p.Stage, m, reason, p.MaxPayload, p.PublishTimeout); err != nil {
		log.Error("dead letter not stored; will retry", zap.Error(err))
		_ = m.NakWithDelay(backoff(deliveries))
		return
	}
	p.Stats.DeadLettered.Add(1)
	log.Error("dead letter", zap.String("reason", reason))
	_ = m.TermWithReason(truncate(reason, 200))
}

// deadLetter stores m in the dead-letter stream with the stage and reason
// (see deadletter.Store).
func deadLetter(ctx context.Context, js jetstream.Publisher, stage string, m jetstream.Msg, reason string, maxPayload int64, timeout time.Duration) error {
	f := deadletter.Failed{Subject: m.Subject(), Data: m.Data(), Header: m.Headers(), Deliveries: 1}
	if md, err := m.Metadata(); err == nil {
		f.Deliveries, f.Stream, f.StreamSeq = md.NumDelivered, md.Stream, md.Sequence.Stream
	}
	_, err := deadletter.Store(ctx, js, stage, f, reason, maxPayload, timeout)
	return err
}

// msgFields names the article (and paragraph) a failed message is about, when
// its payload is an event that says so: the log line then leads to it.
func msgFields(data []byte) []zap.Field {
	var ref struct {
		ID        string `json:"id"`
		ArticleID string `json:"article_id"`
		Index     *int   `json:"index"`
	}
	if json.Unmarshal(data, &ref) != nil {
		return nil
	}
	switch {
	case ref.ArticleID != "" && ref.Index != nil:
		return []zap.Field{zap.String("article_id", ref.ArticleID), zap.Int("paragraph", *ref.Index)}
	case ref.ArticleID != "":
		return []zap.Field{zap.String("article_id", ref.ArticleID)}
	case ref.ID != "":
		return []zap.Field{zap.String("article_id", ref.ID)}
	}
	return nil
}

// backoff is the delay before the n-th redelivery: 1s, 2s, 4s, … up to 1 min.
func backoff(deliveries uint64) time.Duration {
	deliveries = max(deliveries, 1)
	d := time.Second << min(deliveries-1, 6)
	return min(d, time.Minute)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
