package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// KVManager is the part of jetstream.JetStream that EnsureKV uses.
type KVManager interface {
	KeyValue(ctx context.Context, bucket string) (jetstream.KeyValue, error)
	CreateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error)
}

// EnsureKV returns the key-value bucket, creating it (file storage, c's
// replicas, like the streams) when it does not exist. Two processes creating
// it at once is not an error; transient errors of a forming cluster are
// retried as in EnsureStreams.
func EnsureKV(ctx context.Context, js KVManager, c NATSConfig, bucket, description string) (jetstream.KeyValue, error) {
	var kv jetstream.KeyValue
	err := retryTransient(ctx, func(ctx context.Context) error {
		var err error
		kv, err = js.KeyValue(ctx, bucket)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
				Bucket: bucket, Description: description, Storage: jetstream.FileStorage, Replicas: c.Replicas,
			})
			if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				kv, err = js.KeyValue(ctx, bucket)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %s: %w", bucket, err)
	}
	return kv, nil
}
