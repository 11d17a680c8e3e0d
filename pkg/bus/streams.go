package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/events"
)

// StreamConfig returns the configuration of stream spec (see
// events.StreamSpec): file storage, limits retention (the oldest messages
// go first), c's replicas and age unless the spec keeps its messages
// forever, and the spec's duplicate window and per-subject limit.
func StreamConfig(spec events.StreamSpec, c NATSConfig) jetstream.StreamConfig {
	cfg := jetstream.StreamConfig{
		Name:              spec.Name,
		Subjects:          spec.Subjects,
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Replicas:          c.Replicas,
		MaxAge:            c.StreamMaxAge,
		Duplicates:        events.DuplicateWindow,
		Discard:           jetstream.DiscardOld,
		MaxMsgsPerSubject: spec.MaxMsgsPerSubject,
	}
	if spec.KeepForever {
		cfg.MaxAge = 0
	}
	if spec.Duplicates > 0 {
		// The server refuses a duplicate window longer than the age.
		cfg.Duplicates = spec.Duplicates
		if cfg.MaxAge > 0 {
			cfg.Duplicates = min(cfg.Duplicates, cfg.MaxAge)
		}
	}
	return cfg
}

// EnsureStreams creates the named streams of the pipeline (every stream of
// events.Streams when names is empty) that do not exist yet. A stream that
// exists is left as it is: every process of every stage calls this at start,
// and rewriting a shared stream's configuration each time would let one
// process started with other --stream-* settings silently change it for all
// (and raced, inside the server, with the consumers being created). Where an
// existing stream differs from what c asks for, a warning says how, and how
// to apply the change on purpose.
//
// On a cluster, the server may not answer, or may find no peers to place a
// replicated stream on, while the cluster is still forming: such errors are
// retried with back-off for up to ensureRetryWindow (or until ctx ends).
func EnsureStreams(ctx context.Context, js jetstream.StreamManager, c NATSConfig, log *zap.Logger, names ...string) error {
	for _, spec := range events.Streams {
		if len(names) > 0 && !slices.Contains(names, spec.Name) {
			continue
		}
		want := StreamConfig(spec, c)
		var have *jetstream.StreamInfo
		err := retryTransient(ctx, func(ctx context.Context) error {
			info, err := ensureStream(ctx, js, want)
			have = info
			return err
		})
		if err != nil {
			return fmt.Errorf("create stream %s: %w", spec.Name, err)
		}
		if diff := streamDrift(have.Config, want); len(diff) > 0 {
			log.Warn("stream differs from this service's settings; leaving it as it is",
				zap.String("stream", spec.Name), zap.Strings("differences", diff),
				zap.String("to_change_it", "nats stream edit "+spec.Name+" (or delete it to have it created anew)"))
		}
	}
	return nil
}

// ensureStream returns the stream's info, creating it with cfg if it does
// not exist. Two processes creating it at once is not an error.
func ensureStream(ctx context.Context, js jetstream.StreamManager, cfg jetstream.StreamConfig) (*jetstream.StreamInfo, error) {
	s, err := js.Stream(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, cfg.Name)
		}
	}
	if err != nil {
		return nil, err
	}
	return s.CachedInfo(), nil
}

// streamDrift lists how have differs from want in the settings the pipeline
// sets, as "setting: have → want".
func streamDrift(have, want jetstream.StreamConfig) []string {
	var out []string
	add := func(name string, h, w any) {
		if fmt.Sprint(h) != fmt.Sprint(w) {
			out = append(out, fmt.Sprintf("%s: %v (wanted %v)", name, h, w))
		}
	}
	add("subjects", have.Subjects, want.Subjects)
	add("storage", have.Storage, want.Storage)
	add("retention", have.Retention, want.Retention)
	add("replicas", have.Replicas, want.Replicas)
	add("max_age", have.MaxAge, want.MaxAge)
	add("duplicate_window", have.Duplicates, want.Duplicates)
	add("discard", have.Discard, want.Discard)
	add("max_msgs_per_subject", max(have.MaxMsgsPerSubject, 0), max(want.MaxMsgsPerSubject, 0))
	return out
}

// ensureRetryWindow bounds how long EnsureStreams and ensureConsumer retry
// a transient error.
const ensureRetryWindow = 30 * time.Second

// retryTransient calls f, with a few seconds for each try, until it succeeds,
// fails for good, ctx ends or ensureRetryWindow has passed.
func retryTransient(ctx context.Context, f func(context.Context) error) error {
	deadline := time.Now().Add(ensureRetryWindow)
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

// consumerConfig tunes a stage's durable pull consumer.
type consumerConfig struct {
	Stream, Durable, Filter string
	// MaxDeliver is how often a message is tried before it is dead-lettered.
	MaxDeliver int
	// AckWait is how long the server waits for an ack before redelivering.
	AckWait time.Duration
	// MaxAckPending bounds the messages handed out and not yet acked, across
	// every process bound to the consumer.
	MaxAckPending int
}

// ensureConsumer creates the durable pull consumer or updates it. Every
// process of a stage calls it with the same settings and binds to the same
// consumer, so they share its messages. Transient errors of a cluster are
// retried as in EnsureStreams.
func ensureConsumer(ctx context.Context, js jetstream.StreamConsumerManager, c consumerConfig) (jetstream.Consumer, error) {
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
