package bus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/micro"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// TestOpsAndMicro runs a stage with its ops endpoint and micro service on a
// real server: /readyz turns 200 once it consumes, /metrics counts what it
// did, the micro service is discoverable with its metadata and reports its
// stats, and after the stage stops /healthz and /readyz answer 503.
func TestOpsAndMicro(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := zaptest.NewLogger(t)
	cfg := bus.StageConfig{NATS: bus.NATSConfig{URL: srv.ClientURL(), Replicas: 1}, Workers: 2,
		MaxDeliver: 2, AckWait: 5 * time.Second, MaxAckPending: 100}
	ops := bus.NewOps("test", "v1.2.3", false)
	base, stopOps := serveOps(t, ops)
	defer stopOps()
	if code, body := bustest.Get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz before connecting: %d %q, want 503", code, body)
	}
	if code, _ := bustest.Get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz while starting: %d, want 200", code)
	}

	svc, err := bus.Start(ctx, cfg.NATS, "test", log)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	handler := func(_ context.Context, b *bus.Batch) error {
		for i, m := range b.Msgs {
			if strings.HasPrefix(string(m.Data()), "bad") {
				b.Fail(i, fmt.Errorf("%w: bad input", events.ErrInvalid))
			}
		}
		return nil
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- svc.RunStage(runCtx, cfg, bus.Stage{Name: "enrich", Stream: events.StreamParagraphs,
			Durable: events.ConsumerEnrich, Filter: events.SubjectParagraphs, Handler: handler,
			Version: "v1.2.3", Description: "a test stage", Ops: ops})
	}()
	bustest.WaitFor(t, func() bool { return bustest.Status(base+"/readyz") == http.StatusOK })

	var sent []bus.Out
	for i := range 7 {
		sent = append(sent, bus.Out{Subject: events.SubjectParagraphs, Data: fmt.Appendf(nil, "ok-%d", i)})
	}
	sent = append(sent, bus.Out{Subject: events.SubjectParagraphs, Data: []byte("bad")})
	if err := bus.Publish(ctx, svc.JS, sent, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`warta_processed_total{stage="enrich"} 7`,
		`warta_failed_total{stage="enrich"} 1`,
		`warta_dead_lettered_total{stage="enrich"} 1`,
		`warta_redelivered_total{stage="enrich"} 0`,
		`warta_processing_seconds_count{stage="enrich"} 8`,
		`warta_consumer_lag{stage="enrich"} 0`,
		`warta_in_flight{stage="enrich"} 0`,
		`warta_build_info{service="test",version="v1.2.3"} 1`,
		`go_goroutines `,
	}
	var metrics string
	bustest.WaitFor(t, func() bool {
		_, metrics = bustest.Get(t, base+"/metrics")
		for _, w := range want {
			if !strings.Contains(metrics, w) {
				return false
			}
		}
		return true
	})

	// Discovery: $SRV.INFO lists the instance with its metadata.
	msg, err := svc.NC.Request("$SRV.INFO.warta-enrich", nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var info micro.Info
	if err := json.Unmarshal(msg.Data, &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != "warta-enrich" || info.Version != "1.2.3" || info.Description != "a test stage" ||
		info.Metadata["stage"] != "enrich" || info.Metadata["stream"] != events.StreamParagraphs ||
		info.Metadata["consumer"] != events.ConsumerEnrich {
		t.Errorf("$SRV.INFO: %+v", info)
	}
	// $SRV.STATS carries the stage's counters as the stats endpoint's data.
	msg, err = svc.NC.Request("$SRV.STATS.warta-enrich", nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var stats micro.Stats
	if err := json.Unmarshal(msg.Data, &stats); err != nil {
		t.Fatal(err)
	}
	var snap bus.Snapshot
	for _, e := range stats.Endpoints {
		if e.Name == "stats" {
			if err := json.Unmarshal(e.Data, &snap); err != nil {
				t.Fatal(err)
			}
		}
	}
	if snap.Processed != 7 || snap.DeadLettered != 1 || snap.Failed != 1 {
		t.Errorf("micro stats data %+v, want 7 processed, 1 failed, 1 dead-lettered", snap)
	}
	// The stats endpoint answers the same.
	msg, err = svc.NC.Request(bus.StatsSubject("enrich"), nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	snap = bus.Snapshot{}
	if err := json.Unmarshal(msg.Data, &snap); err != nil || snap.Processed != 7 {
		t.Errorf("stats endpoint: %s (%v)", msg.Data, err)
	}

	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code, _ := bustest.Get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz after stop: %d, want 503", code)
	}
	if code, _ := bustest.Get(t, base+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz after stop: %d, want 503", code)
	}
	if _, err := svc.NC.Request("$SRV.PING.warta-enrich", nil, 300*time.Millisecond); err == nil {
		t.Error("the micro service still answers after the stage stopped")
	}
}

func TestMicroVersion(t *testing.T) {
	for in, want := range map[string]string{
		"dev": "0.0.0+dev", "v1.2.3": "1.2.3", "1.2.3-rc.1": "1.2.3-rc.1", "": "0.0.0",
		"abc123.dirty/x": "0.0.0+abc123-dirty-x",
	} {
		if got := bus.MicroVersion(in); got != want {
			t.Errorf("MicroVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// serveOps serves ops on a port the kernel picks and returns its base URL,
// read from the line Serve logs, and the function that stops it.
func serveOps(t *testing.T, ops *bus.Ops) (string, func()) {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	stop, err := ops.Serve("127.0.0.1:0", zap.New(zapcore.NewTee(zaptest.NewLogger(t).Core(), core)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range logs.FilterMessage("serving metrics").All() {
		if u, ok := e.ContextMap()["url"].(string); ok {
			return strings.TrimSuffix(u, "/metrics"), stop
		}
	}
	stop()
	t.Fatal(`Serve logged no "serving metrics" line with its url`)
	return "", nil
}

func TestServeBadAddr(t *testing.T) {
	base, stop := serveOps(t, bus.NewOps("test", "dev", false))
	defer stop()
	addr := strings.TrimPrefix(base, "http://")
	if _, err := bus.NewOps("test", "dev", false).Serve(addr, zaptest.NewLogger(t)); err == nil || !strings.Contains(err.Error(), "metrics-addr") {
		t.Errorf("second server on %s: %v, want an error naming metrics-addr", addr, err)
	}
}

// TestRunHealthcheck asks a real ops server: ready answers 0, not ready or
// nobody listening answers an error naming the address.
func TestRunHealthcheck(t *testing.T) {
	ops := bus.NewOps("test", "dev", false)
	base, stop := serveOps(t, ops)
	defer stop()
	env := func(k string) string {
		return map[string]string{"METRICS_ADDR": strings.TrimPrefix(base, "http://")}[k]
	}
	var out strings.Builder
	err := bus.RunHealthcheck(context.Background(), "test", "METRICS_ADDR", nil, env, &out, &out)
	if err == nil {
		t.Errorf("healthcheck of a service not connected to NATS passed: %s", out.String())
	}
	ops.SetReady(func() error { return nil })
	if err := bus.RunHealthcheck(context.Background(), "test", "METRICS_ADDR", nil, env, &out, &out); err != nil {
		t.Errorf("healthcheck of a ready service: %v", err)
	}
	// Nothing can listen on port 0.
	if err := bus.RunHealthcheck(context.Background(), "test", "METRICS_ADDR", []string{"--addr", "127.0.0.1:0"}, env, &out, &out); err == nil {
		t.Error("healthcheck with nobody listening passed")
	}
}

// TestProfiling serves /debug/pprof/ only when turned on.
func TestProfiling(t *testing.T) {
	for _, on := range []bool{false, true} {
		base, stop := serveOps(t, bus.NewOps("test", "dev", on))
		code, body := bustest.Get(t, base+"/debug/pprof/")
		stop()
		if want := map[bool]int{false: 404, true: 200}[on]; code != want {
			t.Errorf("profiling %v: GET /debug/pprof/ = %d %.80q, want %d", on, code, body, want)
		}
	}
}
