// Package bus is the pipeline's NATS plumbing: the connection, the streams
// and key-value buckets, the stage's processor (batches, retries, dead
// letters), its NATS micro service and its summary lines. Process set-up
// (flags, logging, the ops endpoint) is package proc.
package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/proc"
)

// NATSConfig says how to reach and authenticate to NATS. At most one of
// Creds, NKeyFile, Token and User/Password is normally set.
type NATSConfig struct {
	URL      string
	Creds    string
	NKeyFile string
	User     string
	Password string
	Token    string
	TLSCA    string
	TLSCert  string
	TLSKey   string
	// Replicas is the replication factor of the streams a service creates:
	// 1 on one machine, 3 on a three-node cluster.
	Replicas int
	// StreamMaxAge bounds how long the streams keep messages.
	StreamMaxAge time.Duration
}

// Register adds the NATS flags, each with its NATS_* variable.
func (c *NATSConfig) Register(f *proc.Flags) {
	f.StringVar(&c.URL, "nats-url", "NATS_URL", nats.DefaultURL, "NATS server URL(s), comma-separated")
	f.StringVar(&c.Creds, "nats-creds", "NATS_CREDS", "", "NATS credentials file (JWT + NKey seed)")
	f.StringVar(&c.NKeyFile, "nats-nkey", "NATS_NKEY", "", "NATS NKey seed file")
	f.StringVar(&c.User, "nats-user", "NATS_USER", "", "NATS user name")
	f.StringVar(&c.Password, "nats-password", "NATS_PASSWORD", "", "NATS password")
	f.StringVar(&c.Token, "nats-token", "NATS_TOKEN", "", "NATS authentication token")
	f.StringVar(&c.TLSCA, "nats-tls-ca", "NATS_TLS_CA", "", "CA certificate file to verify the NATS server")
	f.StringVar(&c.TLSCert, "nats-tls-cert", "NATS_TLS_CERT", "", "client certificate file for NATS TLS")
	f.StringVar(&c.TLSKey, "nats-tls-key", "NATS_TLS_KEY", "", "client key file for NATS TLS")
	f.IntVar(&c.Replicas, "stream-replicas", 1, "replicas of the streams this service creates (3 on a cluster)")
	f.Env("stream-replicas", "STREAM_REPLICAS")
	f.DurationVar(&c.StreamMaxAge, "stream-max-age", 7*24*time.Hour, "how long streams keep messages, 0 = forever (dead letters are kept until replayed)")
	f.Env("stream-max-age", "STREAM_MAX_AGE")
}

// Validate checks the settings that can be checked before connecting.
func (c *NATSConfig) Validate() error {
	switch {
	case c.URL == "":
		return errors.New("nats-url is empty: set --nats-url or NATS_URL, e.g. nats://127.0.0.1:4222")
	case c.Replicas < 1 || c.Replicas > 5:
		return fmt.Errorf("stream-replicas %d: use 1 to 5 (3 on a three-node cluster)", c.Replicas)
	case c.StreamMaxAge < 0:
		return fmt.Errorf("stream-max-age %v: use 0 (forever) or a positive duration", c.StreamMaxAge)
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("nats-tls-cert and nats-tls-key go together: set both or neither")
	}
	return nil
}

// LogFields describes the configuration for the start-up log line, secrets masked.
func (c *NATSConfig) LogFields() []zap.Field {
	return []zap.Field{
		zap.String("nats_url", proc.MaskURL(c.URL)),
		zap.String("nats_creds", c.Creds),
		zap.String("nats_nkey", c.NKeyFile),
		zap.String("nats_user", c.User),
		zap.String("nats_password", proc.Mask(c.Password)),
		zap.String("nats_token", proc.Mask(c.Token)),
		zap.Bool("nats_tls", c.TLSCA != "" || c.TLSCert != ""),
		zap.Int("stream_replicas", c.Replicas),
		zap.Duration("stream_max_age", c.StreamMaxAge),
	}
}

func (c *NATSConfig) options(name string, log *zap.Logger) ([]nats.Option, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err == nil || nc.IsClosed() || nc.IsDraining() {
				return // our own close
			}
			log.Warn("nats disconnected; reconnecting", zap.Error(err))
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", zap.String("server", nc.ConnectedUrlRedacted()))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			log.Warn("nats async error", zap.String("subject", subj), zap.Error(err))
		}),
	}
	if c.Creds != "" {
		opts = append(opts, nats.UserCredentials(c.Creds))
	}
	if c.NKeyFile != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("nats nkey %s: %w", c.NKeyFile, err)
		}
		opts = append(opts, o)
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.Token != "" {
		opts = append(opts, nats.Token(c.Token))
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	if c.TLSCert != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	// Applying the options reads the TLS files: a missing or unreadable one
	// is reported now rather than as a failed connection.
	scratch := nats.GetDefaultOptions()
	for _, o := range opts {
		if err := o(&scratch); err != nil {
			return nil, fmt.Errorf("%w %s", err, tlsHint)
		}
	}
	return opts, nil
}

const tlsHint = "(check the NATS TLS settings: --nats-tls-ca, --nats-tls-cert, --nats-tls-key)"

// Connect connects to NATS, retrying with back-off until it succeeds or ctx
// ends, so services may start before the server. Once connected, the
// connection reconnects by itself forever. An authentication or TLS error
// (rejected credentials, an untrusted or rejected certificate, TLS on one
// side only, an unreadable certificate file) is returned at once: retrying
// would not fix it.
func Connect(ctx context.Context, c NATSConfig, name string, log *zap.Logger) (*nats.Conn, jetstream.JetStream, error) {
	opts, err := c.options(name, log)
	if err != nil {
		return nil, nil, err
	}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		nc, err := nats.Connect(c.URL, opts...)
		if err == nil {
			js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024))
			if err != nil {
				nc.Close()
				return nil, nil, fmt.Errorf("jetstream: %w", err)
			}
			log.Info("nats connected", zap.String("server", nc.ConnectedUrlRedacted()))
			return nc, js, nil
		}
		if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) ||
			errors.Is(err, nats.ErrAuthRevoked) {
			return nil, nil, fmt.Errorf("connect to %s: %w (check the NATS credentials settings)", proc.MaskURL(c.URL), err)
		}
		// A certificate the other side rejects, or TLS on one side only,
		// stays so however often we retry.
		if errors.Is(err, nats.ErrTLS) || errors.Is(err, nats.ErrSecureConnRequired) ||
			errors.Is(err, nats.ErrSecureConnWanted) || tlsAlert(err) {
			return nil, nil, fmt.Errorf("connect to %s: %w %s", proc.MaskURL(c.URL), err, tlsHint)
		}
		if attempt == 1 || attempt%10 == 0 {
			log.Warn("nats not reachable yet; retrying", zap.String("nats_url", proc.MaskURL(c.URL)),
				zap.Int("attempt", attempt), zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("connect to %s: %w (last error: %v)", proc.MaskURL(c.URL), ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

// tlsAlert reports whether err is a TLS alert from the server, such as
// "certificate required" or "bad certificate": crypto/tls returns those as
// a net.OpError with Op "remote error" and no exported type.
func tlsAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}
