package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// deadLetters reads every dead letter of a stage.
func deadLetters(t *testing.T, ctx context.Context, js jetstream.JetStream, stage string) []events.DeadLetter {
	t.Helper()
	str, err := js.Stream(ctx, events.StreamDeadLetter)
	if err != nil {
		t.Fatal(err)
	}
	var out []events.DeadLetter
	for seq := uint64(1); ; {
		raw, err := str.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(events.DeadLetterSubject(stage)))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var dl events.DeadLetter
		if err := events.Unmarshal(raw.Data, &dl); err != nil {
			t.Fatal(err)
		}
		out = append(out, dl)
		seq = raw.Sequence + 1
	}
}

// TestMaxDeliveriesAdvisory crashes on a message every time (a pull
// consumer that takes it and never acks): JetStream gives up after
// MaxDeliver, and the two processes watching the stage's advisory store
// exactly one dead letter with the original payload and the reason.
func TestMaxDeliveriesAdvisory(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	conf := NATSConfig{URL: srv.ClientURL(), Replicas: 1}
	var svcs []*Service
	var stats []*Stats
	var logs []*observer.ObservedLogs
	for i := range 2 {
		core, observed := observer.New(zap.WarnLevel)
		logs = append(logs, observed)
		log := zap.New(zapcore.NewTee(zaptest.NewLogger(t).Core(), core))
		svc, err := Start(ctx, conf, fmt.Sprintf("watcher-%d", i), log)
		if err != nil {
			t.Fatal(err)
		}
		defer svc.Close()
		st := &Stats{}
		stop, err := svc.watchMaxDeliveries("crashy", events.StreamParagraphs, "crashy", st)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		svcs, stats = append(svcs, svc), append(stats, st)
	}
	js := svcs[0].JS
	cons, err := ensureConsumer(ctx, js, consumerConfig{Stream: events.StreamParagraphs, Durable: "crashy",
		Filter: events.SubjectParagraphs, MaxDeliver: 2, AckWait: time.Second, MaxAckPending: 10})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish(ctx, events.SubjectParagraphs, []byte("poison"), jetstream.WithMsgID("poison-1"))
	if err != nil {
		t.Fatal(err)
	}

	// The "process" takes the message and dies without a word, twice. It
	// keeps pulling: JetStream notices the exhausted message when it next
	// looks for one to deliver.
	var delivered int
	deadline := time.Now().Add(20 * time.Second)
	for len(deadLetters(t, ctx, js, "crashy")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no dead letter 20s after %d deliveries without an ack", delivered)
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for range batch.Messages() {
			delivered++
		}
	}
	if delivered != 2 {
		t.Errorf("delivered %d times, want MaxDeliver = 2", delivered)
	}
	// Both watchers have handled the advisory (the other one's copy, if it
	// were not deduplicated, is stored) once each has also handled an
	// unreadable one sent after it: a subscription's messages are handled
	// one at a time, in order.
	if err := svcs[0].NC.Publish(maxDeliveriesAdvisorySubject(events.StreamParagraphs, "crashy"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	bustest.WaitFor(t, func() bool {
		for _, l := range logs {
			if l.FilterMessage("unreadable max-deliveries advisory").Len() == 0 {
				return false
			}
		}
		return true
	})
	dls := deadLetters(t, ctx, js, "crashy")
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1: %+v", len(dls), dls)
	}
	dl := dls[0]
	want := "delivered 2 times without an ack: the process handling it crashed or timed out each time"
	if dl.Reason != want || string(dl.Payload) != "poison" || dl.Deliveries != 2 || dl.Subject != events.SubjectParagraphs ||
		dl.Stream != events.StreamParagraphs || dl.StreamSeq != ack.Sequence || dl.MsgID != "poison-1" || dl.Stage != "crashy" {
		t.Errorf("dead letter = %+v\nwant reason %q, payload poison, 2 deliveries, seq %d, msg id poison-1", dl, want, ack.Sequence)
	}
	if n := stats[0].DeadLettered.Load() + stats[1].DeadLettered.Load(); n != 1 {
		t.Errorf("the watchers counted %d dead letters, want 1", n)
	}
}

// TestTransientRetries fails one message twice with a transient error, and
// another on every delivery: the first is retried after growing delays and
// then processed; the second is dead-lettered once MaxDeliver is reached,
// saying so.
func TestTransientRetries(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out retry back-offs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	svc, cfg := startTestService(t, ctx, StageConfig{Workers: 2, MaxDeliver: 3})

	var mu sync.Mutex
	seen := map[string][]time.Time{}
	handler := func(ctx context.Context, b *message.Batch) error {
		for i, m := range b.Msgs {
			body := string(m.Data)
			mu.Lock()
			seen[body] = append(seen[body], time.Now())
			n := len(seen[body])
			mu.Unlock()
			if body == "doomed" || (body == "flaky" && n <= 2) {
				b.Fail(i, errors.New("store unavailable"))
				continue
			}
			b.Emit(i, message.Out{Subject: events.SubjectEnriched, Data: m.Data, MsgID: body})
		}
		return nil
	}
	if err := Publish(ctx, svc.JS, []message.Out{{Subject: events.SubjectParagraphs, Data: []byte("flaky")},
		{Subject: events.SubjectParagraphs, Data: []byte("doomed")}}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	stats := &Stats{}
	go func() {
		done <- svc.RunStage(runCtx, cfg, Stage{Name: "retry", Stream: events.StreamParagraphs,
			Durable: "retry", Filter: events.SubjectParagraphs, Handler: handler, Stats: stats})
	}()
	bustest.WaitFor(t, func() bool { return stats.Processed.Load() == 1 && stats.DeadLettered.Load() == 1 })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	for body, n := range map[string]int{"flaky": 3, "doomed": 3} {
		if len(seen[body]) != n {
			t.Fatalf("%s delivered %d times, want %d", body, len(seen[body]), n)
		}
	}
	// backoff: 1s before the second delivery, 2s before the third.
	at := seen["flaky"]
	first, second := at[1].Sub(at[0]), at[2].Sub(at[1])
	t.Logf("flaky redelivered after %v, then %v", first.Round(time.Millisecond), second.Round(time.Millisecond))
	if first < 900*time.Millisecond || second < 1900*time.Millisecond || second < first+800*time.Millisecond {
		t.Errorf("redelivery delays %v then %v: want about 1s then 2s", first, second)
	}
	dls := deadLetters(t, ctx, svc.JS, "retry")
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1 (doomed): %+v", len(dls), dls)
	}
	if want := "gave up after 3 deliveries: store unavailable"; dls[0].Reason != want || string(dls[0].Payload) != "doomed" || dls[0].Deliveries != 3 {
		t.Errorf("dead letter = %+v, want reason %q for doomed after 3 deliveries", dls[0], want)
	}
	enriched := bustest.Stream(t, ctx, svc.JS, events.StreamEnriched)
	if info := bustest.StreamInfo(t, ctx, enriched); info.State.Msgs != 1 {
		t.Errorf("enriched has %d messages, want 1 (flaky, once)", info.State.Msgs)
	}
	if info := bustest.ConsumerInfo(t, ctx, svc.JS, events.StreamParagraphs, "retry"); info.NumAckPending != 0 || info.NumPending != 0 {
		t.Errorf("consumer left %d pending, %d unacked", info.NumPending, info.NumAckPending)
	}
}
