package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/micro"
	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/bus/proc"
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
	cfg := StageConfig{NATS: NATSConfig{URL: srv.ClientURL(), Replicas: 1}, Workers: 2,
		MaxDeliver: 2, AckWait: 5 * time.Second, MaxAckPending: 100}
	ops := proc.NewOps("test", "v1.2.3", false)
	base, stopOps := bustest.ServeOps(t, ops.Serve)
	defer stopOps()
	if code, body := bustest.Get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz before connecting: %d %q, want 503", code, body)
	}
	if code, body := bustest.Get(t, base+"/healthz"); code != http.StatusOK || body != `{"status":"ok"}`+"\n" {
		t.Errorf("healthz while starting: %d %q, want 200 {\"status\":\"ok\"}, as the index answers", code, body)
	}

	svc, err := Start(ctx, cfg.NATS, "test", log)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	handler := func(_ context.Context, b *message.Batch) error {
		for i, m := range b.Msgs {
			if strings.HasPrefix(string(m.Data), "bad") {
				b.Fail(i, fmt.Errorf("%w: bad input", events.ErrInvalid))
			}
		}
		return nil
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- svc.RunStage(runCtx, cfg, Stage{Name: "enrich", Stream: events.StreamParagraphs,
			Durable: events.ConsumerEnrich, Filter: events.SubjectParagraphs, Handler: handler,
			Version: "v1.2.3", Description: "a test stage", Ops: ops})
	}()
	bustest.WaitFor(t, func() bool { return bustest.Status(base+"/readyz") == http.StatusOK })

	var sent []message.Out
	for i := range 7 {
		sent = append(sent, message.Out{Subject: events.SubjectParagraphs, Data: fmt.Appendf(nil, "ok-%d", i)})
	}
	sent = append(sent, message.Out{Subject: events.SubjectParagraphs, Data: []byte("bad")})
	if err := Publish(ctx, svc.JS, sent, 5*time.Second); err != nil {
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
	var snap Snapshot
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
	msg, err = svc.NC.Request(events.StatsSubject("enrich"), nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	snap = Snapshot{}
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
	if code, body := bustest.Get(t, base+"/healthz"); code != http.StatusServiceUnavailable || body != `{"status":"stopped"}`+"\n" {
		t.Errorf("healthz after stop: %d %q, want 503 {\"status\":\"stopped\"}", code, body)
	}
	if _, err := svc.NC.Request("$SRV.PING.warta-enrich", nil, 300*time.Millisecond); err == nil {
		t.Error("the micro service still answers after the stage stopped")
	}
}
