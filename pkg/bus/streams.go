package bus

import (
	"context"
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
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("create or update stream %s: %w", s.Name, err)
		}
	}
	return nil
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
// consumer, so they share its messages.
func EnsureConsumer(ctx context.Context, js jetstream.StreamConsumerManager, c ConsumerConfig) (jetstream.Consumer, error) {
	cons, err := js.CreateOrUpdateConsumer(ctx, c.Stream, jetstream.ConsumerConfig{
		Durable:       c.Durable,
		Description:   "warta " + c.Durable + " stage",
		FilterSubject: c.Filter,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    c.MaxDeliver,
		MaxAckPending: c.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("create or update consumer %s on %s: %w", c.Durable, c.Stream, err)
	}
	return cons, nil
}
