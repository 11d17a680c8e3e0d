package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
)

// TestStage runs a stage against a real server: good messages produce output
// and are acked, invalid ones are dead-lettered at once, and a transient
// failure is retried until it succeeds.
func TestStage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, cfg := startTestService(t, ctx, StageConfig{Workers: 4, BatchSize: 5, MaxDeliver: 5})

	var flaky atomic.Int32
	handler := func(ctx context.Context, b *message.Batch) error {
		for i, m := range b.Msgs {
			body := string(m.Data)
			switch {
			case strings.HasPrefix(body, "bad"):
				b.Fail(i, fmt.Errorf("%w: %s is bad", events.ErrInvalid, body))
			case body == "flaky" && flaky.Add(1) == 1:
				b.Fail(i, errors.New("store unavailable"))
			default:
				b.Emit(i, message.Out{Subject: events.SubjectEnriched, Data: m.Data, MsgID: body})
			}
		}
		return nil
	}
	var sent []message.Out
	for i := range 20 {
		sent = append(sent, message.Out{Subject: events.SubjectParagraphs, Data: fmt.Appendf(nil, "ok-%d", i)})
	}
	sent = append(sent, message.Out{Subject: events.SubjectParagraphs, Data: []byte("bad-1")},
		message.Out{Subject: events.SubjectParagraphs, Data: []byte("flaky")})
	if err := Publish(ctx, svc.JS, sent, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	stats := runStage(t, ctx, svc, cfg, handler, func(st *Stats) bool {
		return st.Processed.Load() == 21 && st.DeadLettered.Load() == 1
	})

	enriched := bustest.Stream(t, ctx, svc.JS, events.StreamEnriched)
	if info := bustest.StreamInfo(t, ctx, enriched); info.State.Msgs != 21 {
		t.Errorf("enriched stream has %d messages, want 21 (20 ok + flaky once)", info.State.Msgs)
	}
	dls := bustest.Stream(t, ctx, svc.JS, events.StreamDeadLetter)
	raw, err := dls.GetLastMsgForSubject(ctx, events.DeadLetterSubject("test"))
	if err != nil {
		t.Fatal(err)
	}
	var dl events.DeadLetter
	if err := events.Unmarshal(raw.Data, &dl); err != nil {
		t.Fatal(err)
	}
	if string(dl.Payload) != "bad-1" || dl.Stage != "test" || !strings.Contains(dl.Reason, "bad-1 is bad") || dl.Deliveries != 1 {
		t.Errorf("dead letter = %+v", dl)
	}
	if stats.Redelivered.Load() != 1 {
		t.Errorf("redelivered = %d, want 1", stats.Redelivered.Load())
	}
	if info := bustest.ConsumerInfo(t, ctx, svc.JS, events.StreamParagraphs, "test"); info.NumAckPending != 0 || info.NumPending != 0 {
		t.Errorf("consumer left %d pending, %d unacked", info.NumPending, info.NumAckPending)
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		want time.Duration
	}{{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second}, {7, time.Minute}, {70, time.Minute}} {
		if got := backoff(tc.n); got != tc.want {
			t.Errorf("backoff(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestFlagsEnvFallback(t *testing.T) {
	env := map[string]string{"NATS_URL": "nats://env:4222", "WORKERS": "7", "MAX_DELIVER": "x"}
	var c StageConfig
	f := proc.NewFlags("t", func(k string) string { return env[k] }, &strings.Builder{})
	c.Register(f, 1, 1)
	err := f.Parse([]string{"--workers", "3"})
	if err == nil || !strings.Contains(err.Error(), "MAX_DELIVER") {
		t.Fatalf("bad env value not reported by name: %v", err)
	}
	delete(env, "MAX_DELIVER")
	f = proc.NewFlags("t", func(k string) string { return env[k] }, &strings.Builder{})
	c.Register(f, 1, 1)
	if err := f.Parse([]string{"--workers", "3"}); err != nil {
		t.Fatal(err)
	}
	if c.NATS.URL != "nats://env:4222" || c.Workers != 3 {
		t.Errorf("url %q workers %d: want env URL and flag workers", c.NATS.URL, c.Workers)
	}
	if got := proc.MaskURL("nats://u:secret@h:4222,nats://tok@h2"); got != "nats://u:***@h:4222,nats://***@h2" {
		t.Errorf("MaskURL = %q", got)
	}
}

// TestConsumerDeleted: a stage whose consumer is deleted under it stops with
// an error saying so, instead of warning forever while reporting ready.
func TestConsumerDeleted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, cfg := startTestService(t, ctx, StageConfig{Workers: 2, MaxDeliver: 5})
	done := make(chan error, 1)
	go func() {
		done <- svc.RunStage(ctx, cfg, Stage{Name: "test", Stream: events.StreamParagraphs, Durable: "test",
			Filter: events.SubjectParagraphs, Handler: func(context.Context, *message.Batch) error { return nil }})
	}()
	bustest.WaitFor(t, func() bool { _, err := svc.JS.Consumer(ctx, events.StreamParagraphs, "test"); return err == nil })
	// The workers are fetching: the consumer has their pull requests.
	bustest.WaitFor(t, func() bool {
		c, err := svc.JS.Consumer(ctx, events.StreamParagraphs, "test")
		if err != nil {
			return false
		}
		info, err := c.Info(ctx)
		return err == nil && info.NumWaiting > 0
	})
	if err := svc.JS.DeleteConsumer(ctx, events.StreamParagraphs, "test"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "consumer is gone") {
			t.Errorf("RunStage = %v, want an error saying the consumer is gone", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("RunStage still running 15s after its consumer was deleted")
	}
}

// startTestService starts a NATS server for the test and connects a service
// to it. cfg gives the workers and MaxDeliver; the server URL, an AckWait of
// 5 s and MaxAckPending 100 are filled in. The service closes with the test.
func startTestService(t *testing.T, ctx context.Context, cfg StageConfig) (*Service, StageConfig) {
	t.Helper()
	srv := bustest.Server(t)
	cfg.NATS = NATSConfig{URL: srv.ClientURL(), Replicas: 1}
	cfg.AckWait, cfg.MaxAckPending = 5*time.Second, 100
	svc, err := Start(ctx, cfg.NATS, "test", zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc, cfg
}

// TestSlowBatchKeptInProgress: a batch whose handler works for longer than
// MaxDeliver × AckWait is kept in progress until it is done, so it is
// processed once, not redelivered to another worker while still in hand.
func TestSlowBatchKeptInProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out several ack waits")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	svc, cfg := startTestService(t, ctx, StageConfig{Workers: 2, BatchSize: 5, MaxDeliver: 2})
	cfg.AckWait = time.Second
	var calls atomic.Int32
	handler := func(ctx context.Context, b *message.Batch) error {
		calls.Add(int32(len(b.Msgs)))
		// Slow work: twice the consumer's MaxDeliver × AckWait.
		select {
		case <-time.After(2 * time.Duration(cfg.MaxDeliver) * cfg.AckWait):
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	}
	publishN(t, ctx, svc, 4)
	stats := runStage(t, ctx, svc, cfg, handler, func(st *Stats) bool { return st.Processed.Load() == 4 })
	if n, r := calls.Load(), stats.Redelivered.Load(); n != 4 || r != 0 {
		t.Errorf("handled %d times with %d redeliveries, want 4 and 0", n, r)
	}
}

// TestProcessingTimeout: a batch past its processing timeout has its
// context ended and is retried; the retry succeeds.
func TestProcessingTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out processing timeouts")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	svc, cfg := startTestService(t, ctx, StageConfig{Workers: 1, MaxDeliver: 5})
	cfg.AckWait, cfg.ProcessingTimeout = time.Second, 1500*time.Millisecond
	var calls atomic.Int32
	var firstErr atomic.Value
	handler := func(ctx context.Context, b *message.Batch) error {
		if calls.Add(1) > 1 {
			return nil
		}
		<-ctx.Done() // hung until the deadline
		firstErr.Store(ctx.Err())
		return ctx.Err()
	}
	publishN(t, ctx, svc, 1)
	stats := runStage(t, ctx, svc, cfg, handler, func(st *Stats) bool { return st.Processed.Load() == 1 })
	if err, _ := firstErr.Load().(error); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("first handling ended with %v, want its deadline", err)
	}
	if calls.Load() != 2 || stats.Failed.Load() != 1 || stats.DeadLettered.Load() != 0 {
		t.Errorf("calls %d, failed %d, dead-lettered %d: want 2, 1, 0", calls.Load(), stats.Failed.Load(), stats.DeadLettered.Load())
	}
}

// publishN publishes n paragraphs-subject messages "m-0" … for a test stage.
func publishN(t *testing.T, ctx context.Context, svc *Service, n int) {
	t.Helper()
	var outs []message.Out
	for i := range n {
		outs = append(outs, message.Out{Subject: events.SubjectParagraphs, Data: fmt.Appendf(nil, "m-%d", i)})
	}
	if err := Publish(ctx, svc.JS, outs, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestOutputFailureFailsItsMessageOnly: in one batch, a message whose output
// has an invalid subject and one whose output is larger than the server
// takes are dead-lettered at once; the others' outputs are stored and they
// are acked, with nothing redelivered.
func TestOutputFailureFailsItsMessageOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, cfg := startTestService(t, ctx, StageConfig{Workers: 1, BatchSize: 20, MaxDeliver: 5})
	huge := make([]byte, svc.NC.MaxPayload()+1)
	handler := func(_ context.Context, b *message.Batch) error {
		for i, m := range b.Msgs {
			switch body := string(m.Data); body {
			case "m-3":
				b.Emit(i, message.Out{Subject: events.IndexedSubject("has space"), Data: m.Data})
			case "m-7":
				b.Emit(i, message.Out{Subject: events.SubjectEnriched, Data: huge})
			default:
				b.Emit(i, message.Out{Subject: events.SubjectEnriched, Data: m.Data, MsgID: body})
			}
		}
		return nil
	}
	publishN(t, ctx, svc, 10)
	stats := runStage(t, ctx, svc, cfg, handler, func(st *Stats) bool {
		return st.Processed.Load() == 8 && st.DeadLettered.Load() == 2
	})
	if r := stats.Redelivered.Load(); r != 0 {
		t.Errorf("%d redeliveries, want 0", r)
	}
	enriched, err := svc.JS.Stream(ctx, events.StreamEnriched)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := enriched.Info(ctx); err != nil || info.State.Msgs != 8 {
		t.Errorf("enriched stream: %v, %v; want 8 messages", info, err)
	}
	reasons := map[string]string{}
	for _, dl := range bustest.DeadLetters(t, ctx, svc.JS) {
		if dl.Deliveries != 1 {
			t.Errorf("dead letter of %s after %d deliveries, want 1", dl.Payload, dl.Deliveries)
		}
		reasons[string(dl.Payload)] = dl.Reason
	}
	if !strings.Contains(reasons["m-3"], "not a valid NATS subject") || !strings.Contains(reasons["m-7"], "too large") {
		t.Errorf("dead-letter reasons = %q", reasons)
	}
}

// runStage runs a test stage with handler until done holds of its stats,
// then stops it and returns the stats.
func runStage(t *testing.T, ctx context.Context, svc *Service, cfg StageConfig, handler message.Handler, done func(*Stats) bool) *Stats {
	t.Helper()
	stats := &Stats{}
	runCtx, stop := context.WithCancel(ctx)
	ended := make(chan error, 1)
	go func() {
		ended <- svc.RunStage(runCtx, cfg, Stage{Name: "test", Stream: events.StreamParagraphs,
			Durable: "test", Filter: events.SubjectParagraphs, Handler: handler, Stats: stats})
	}()
	bustest.WaitFor(t, func() bool { return done(stats) })
	stop()
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	return stats
}
