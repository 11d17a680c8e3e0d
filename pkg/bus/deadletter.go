package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/deadletter"
)

// maxDeliveriesAdvisorySubject is the subject on which JetStream announces
// that a message of the durable consumer reached its MaxDeliver without
// being acked, and will not be delivered again.
func maxDeliveriesAdvisorySubject(stream, durable string) string {
	return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream + "." + durable
}

// maxDeliveriesAdvisory is the part of JetStream's
// io.nats.jetstream.advisory.v1.max_deliver event that we use.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// noAckReason is the reason of the dead letter of a message that was never
// acked, nor failed, in MaxDeliver deliveries.
const noAckReason = "delivered %d times without an ack: the process handling it crashed or timed out each time"

// watchMaxDeliveries dead-letters the messages of a stage that JetStream
// gave up on without the stage's code ever seeing them fail: a message whose
// process crashes or hangs on every delivery reaches MaxDeliver, JetStream
// stops delivering it and publishes a max-deliveries advisory. On each
// advisory this fetches the original message from its stream by sequence
// and stores its dead letter (reason noAckReason). Every process of the
// stage hears the advisory; the shared dead-letter message id stores it
// once. JetStream only sends the advisory while someone listens, so call this
// before consuming. The returned function stops watching.
//
// The NATS user needs permission to subscribe to
// $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.> and to read the stream
// (JetStream API $JS.API.STREAM.MSG.GET.<stream>).
func (s *Service) watchMaxDeliveries(stage, stream, durable string, stats *Stats) (stop func(), err error) {
	if stats == nil {
		stats = &Stats{}
	}
	subj := maxDeliveriesAdvisorySubject(stream, durable)
	sub, err := s.NC.Subscribe(subj, func(m *nats.Msg) {
		var adv maxDeliveriesAdvisory
		if err := json.Unmarshal(m.Data, &adv); err != nil || adv.StreamSeq == 0 {
			s.Log.Warn("unreadable max-deliveries advisory", zap.String("subject", m.Subject), zap.Error(err))
			return
		}
		s.deadLetterUnacked(stage, stream, adv, stats)
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", subj, err)
	}
	// The subscription is known to the server once the flush returns, so
	// no advisory sent after this call is missed.
	if err := s.NC.FlushTimeout(5 * time.Second); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("subscribe to %s: %w", subj, err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

// deadLetterUnacked stores the dead letter of the message an advisory names,
// trying a few times while NATS is unreachable.
func (s *Service) deadLetterUnacked(stage, stream string, adv maxDeliveriesAdvisory, stats *Stats) {
	reason := fmt.Sprintf(noAckReason, adv.Deliveries)
	log := s.Log.With(zap.String("stage", stage), zap.String("stream", stream),
		zap.Uint64("stream_seq", adv.StreamSeq), zap.Uint64("deliveries", adv.Deliveries))
	var err error
	for attempt := uint64(1); attempt <= 5; attempt++ {
		if attempt > 1 {
			time.Sleep(backoff(attempt - 1))
		}
		var dup bool
		var fields []zap.Field
		dup, fields, err = s.storeUnacked(stage, stream, adv, reason)
		if err == nil {
			if !dup {
				stats.Failed.Add(1)
				stats.DeadLettered.Add(1)
				log.Error("dead letter", append(fields, zap.String("reason", reason))...)
			}
			return
		}
	}
	log.Error("dead letter of a message delivered too often not stored; it stays in its stream",
		zap.String("reason", reason), zap.Error(err))
}

func (s *Service) storeUnacked(stage, stream string, adv maxDeliveriesAdvisory, reason string) (bool, []zap.Field, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := deadletter.Failed{Stream: stream, StreamSeq: adv.StreamSeq, Deliveries: adv.Deliveries}
	str, err := s.JS.Stream(ctx, stream)
	if err != nil {
		return false, nil, fmt.Errorf("stream %s: %w", stream, err)
	}
	raw, err := str.GetMsg(ctx, adv.StreamSeq)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		reason += fmt.Sprintf("; the message is no longer in stream %s, so the payload is lost", stream)
	case err != nil:
		return false, nil, fmt.Errorf("get message %d of %s: %w", adv.StreamSeq, stream, err)
	default:
		f.Subject, f.Data, f.Header = raw.Subject, raw.Data, raw.Header
	}
	dup, err := deadletter.Store(ctx, s.JS, stage, f, reason, s.NC.MaxPayload(), 10*time.Second)
	return dup, msgFields(f.Data), err
}
