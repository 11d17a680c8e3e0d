package bus

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
)

// TestEnsureStreamsLeavesExisting: a service started with other stream
// settings creates what is missing but does not rewrite a shared stream;
// it warns, naming the difference.
func TestEnsureStreamsLeavesExisting(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := bustest.Server(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	first := NATSConfig{Replicas: 1, StreamMaxAge: 7 * 24 * time.Hour}
	if err := EnsureStreams(ctx, js, first, zap.NewNop(), events.StreamArticles); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(ctx, events.StreamParagraphs); err == nil {
		t.Fatalf("stream %s created though not asked for", events.StreamParagraphs)
	}

	core, logs := observer.New(zap.WarnLevel)
	other := NATSConfig{Replicas: 1, StreamMaxAge: time.Hour}
	if err := EnsureStreams(ctx, js, other, zap.New(core), events.StreamArticles, events.StreamParagraphs); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]time.Duration{events.StreamArticles: first.StreamMaxAge, events.StreamParagraphs: time.Hour} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.CachedInfo().Config.MaxAge; got != want {
			t.Errorf("%s max age = %v, want %v", name, got, want)
		}
	}
	warned := logs.FilterMessageSnippet("stream differs").All()
	if len(warned) != 1 || warned[0].ContextMap()["stream"] != events.StreamArticles ||
		!strings.Contains(strings.Join(toStrings(warned[0].ContextMap()["differences"]), ";"), "max_age: 168h0m0s (wanted 1h0m0s)") {
		t.Errorf("warnings = %+v, want one about %s's max_age", warned, events.StreamArticles)
	}
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i], _ = x.(string)
		}
		return out
	}
	return nil
}

// TestStoppedEarly: a shutdown signal while a service starts (waiting for
// NATS, or creating its streams) is a stop as asked, not a failure; any
// other start-up error stays one.
func TestStoppedEarly(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Start(ctx, NATSConfig{URL: srv.ClientURL(), Replicas: 1}, "test", zap.NewNop(), events.StreamArticles)
	if err == nil {
		t.Fatal("Start with its context ended: no error")
	}
	if !proc.StoppedEarly(ctx, err) {
		t.Errorf("StoppedEarly(%v) = false, want true", err)
	}
	live, stop := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer stop()
	_, err = Start(live, NATSConfig{URL: "nats://127.0.0.1:1", Replicas: 1}, "test", zap.NewNop())
	if err == nil || proc.StoppedEarly(live, err) {
		t.Errorf("Start against no server: err %v, StoppedEarly %v; want a failure", err, proc.StoppedEarly(live, err))
	}
}
