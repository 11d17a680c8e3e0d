package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/warta-news/warta/pkg/events"
)

// DuplicateWindow is how long JetStream remembers Nats-Msg-Id values to drop
// duplicate publishes, such as the republish that follows a redelivery.
const DuplicateWindow = 10 * time.Minute

// EnsureStreams creates every stream of the pipeline, or updates it to the
// wanted configuration. It is idempotent, so every service calls it at start.
// On a cluster, the server may not answer, or may find no peers to place a
// replicated stream on, while the cluster is still forming or while several
// services create the same stream at once: such errors are retried with
// back-off for up to EnsureRetryWindow (or until ctx ends).
func EnsureStreams(ctx context.Context, js jetstream.StreamManager, c NATSConfig) error {
	for _, s := range events.Streams {
		cfg := jetstream.StreamConfig{
			Name:       s.Name,
			Subjects:   s.Subjects,
			Storage:    jetstream.FileStorage,
			Retention:  jetstream.LimitsPolicy,
			Replicas:   c.Replicas,
			MaxAge:     c.StreamMaxAge,
			Duplicates: DuplicateWindow,
			Discard:    jetstream.DiscardOld,
		}
		if s.Name == events.StreamIndexed {
			// One completion per article is all that --wait needs.
			cfg.MaxMsgsPerSubject = 1
		}
		if s.Name == events.StreamDeadLetter {
			// Dead letters wait for a person: they do not expire, they are
			// removed when replayed ("ingest deadletters replay").
			cfg.MaxAge = 0
		}
		err := retryTransient(ctx, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateStream(ctx, cfg)
			return err
		})
		if err != nil {
			return fmt.Errorf("create or update stream %s: %w", s.Name, err)
		}
	}
	return nil
}

// EnsureRetryWindow bounds how long EnsureStreams and EnsureConsumer retry
// a transient error.
const EnsureRetryWindow = 30 * time.Second

// retryTransient calls f, with a few seconds for each try, until it succeeds,
// fails for good, ctx ends or EnsureRetryWindow has passed.
func retryTransient(ctx context.Context, f func(context.Context) error) error {
	deadline := time.Now().Add(EnsureRetryWindow)
	wait := 250 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := f(actx)
		cancel()
		if err == nil || !transientAPIError(err) || ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 2*time.Second)
	}
}

// transientAPIError reports whether a JetStream API call failed in a way
// that a forming or recovering cluster causes: no answer in time, the
// cluster unavailable (10008) or no online peers to place replicas on (10005).
func transientAPIError(err error) bool {
	var jsErr jetstream.JetStreamError
	if errors.As(err, &jsErr) && jsErr.APIError() != nil {
		code := jsErr.APIError().ErrorCode
		return code == 10005 || code == 10008
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// ConsumerConfig tunes a stage's durable pull consumer.
type ConsumerConfig struct {
	Stream, Durable, Filter string
	// MaxDeliver is how often a message is tried before it is dead-lettered.
	MaxDeliver int
	// AckWait is how long the server waits for an ack before redelivering.
	AckWait time.Duration
	// MaxAckPending bounds the messages handed out and not yet acked, across
	// every process bound to the consumer.
	MaxAckPending int
}

// EnsureConsumer creates the durable pull consumer or updates it. Every
// process of a stage calls it with the same settings and binds to the same
// consumer, so they share its messages. Transient errors of a cluster are
// retried as in EnsureStreams.
func EnsureConsumer(ctx context.Context, js jetstream.StreamConsumerManager, c ConsumerConfig) (jetstream.Consumer, error) {
	cfg := jetstream.ConsumerConfig{
		Durable:       c.Durable,
		Description:   "warta " + c.Durable + " stage",
		FilterSubject: c.Filter,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    c.MaxDeliver,
		MaxAckPending: c.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	var cons jetstream.Consumer
	err := retryTransient(ctx, func(ctx context.Context) error {
		var err error
		cons, err = js.CreateOrUpdateConsumer(ctx, c.Stream, cfg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create or update consumer %s on %s: %w", c.Durable, c.Stream, err)
	}
	return cons, nil
}
