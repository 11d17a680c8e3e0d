package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// TestEveryFlagHasEnv checks that --help names a variable for every flag.
func TestEveryFlagHasEnv(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ingest", "--help"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	if missing := bustest.FlagsWithoutEnv(out.String()); len(missing) > 0 {
		t.Errorf("flags without an environment variable: %v\n%s", missing, out.String())
	}
	if !strings.Contains(out.String(), "METRICS_ADDR") {
		t.Errorf("--help lacks METRICS_ADDR:\n%s", out.String())
	}
}

// TestBadServiceEnv gives each setting of ingest's own a bad value.
func TestBadServiceEnv(t *testing.T) {
	for env, val := range map[string]string{
		"MAX_ARTICLE_BYTES": "100", "MAX_PARAGRAPHS": "0", "DEFAULT_LANG": "klingon!",
	} {
		err := run(context.Background(), []string{"ingest"}, func(k string) string {
			return map[string]string{env: val}[k]
		}, &bytes.Buffer{}, &bytes.Buffer{})
		name := strings.ToLower(strings.ReplaceAll(env, "_", "-"))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming %s", env, val, err, name)
		}
	}
}

// TestIngestOps runs the service with METRICS_ADDR: while NATS cannot be
// reached yet it is alive and not ready; once connected it is ready, a
// micro service, counts the article on /metrics, and logs its latency; the
// start-up line carries the version and masks the password.
func TestIngestOps(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Nothing listens on port 0: NATS cannot be reached. Port 0 for the
	// metrics lets the kernel pick one, which the service logs.
	const metricsAddr = "127.0.0.1:0"
	env := map[string]string{"NATS_URL": "nats://127.0.0.1:0", "METRICS_ADDR": metricsAddr, "SUMMARY_INTERVAL": "0",
		"NATS_USER": "warta", "NATS_PASSWORD": "s3cret"}
	logs, firstLogs := &bustest.LogBuffer{}, &bustest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(firstLogs.String(), logs.String())
		}
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, []string{"ingest"}, func(k string) string { return env[k] }, firstLogs, firstLogs)
	}()
	base := bustest.ServedURL(t, firstLogs, "serving metrics")
	if code, body := bustest.Get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz without NATS: %d %q, want 503", code, body)
	}
	if code, body := bustest.Get(t, base+"/healthz"); code != http.StatusOK || body != `{"status":"ok"}`+"\n" {
		t.Errorf("healthz without NATS: %d %q, want 200 {\"status\":\"ok\"} (the index's shape)", code, body)
	}
	start := firstLogs.String()
	if !strings.Contains(start, `"version":"dev"`) || !strings.Contains(start, `"nats_password":"***"`) ||
		strings.Contains(start, "s3cret") || !strings.Contains(start, `"metrics_addr":"`+metricsAddr+`"`) {
		t.Errorf("starting line lacks the version or the masked config:\n%s", start)
	}
	stop()
	<-done

	// The same, now with a server.
	srv := bustest.Server(t)
	env = map[string]string{"NATS_URL": srv.ClientURL(), "METRICS_ADDR": metricsAddr, "SUMMARY_INTERVAL": "0"}
	runCtx, stop = context.WithCancel(ctx)
	defer stop()
	go func() {
		done <- run(runCtx, []string{"ingest"}, func(k string) string { return env[k] }, logs, logs)
	}()
	base = bustest.ServedURL(t, logs, "serving metrics")
	bustest.WaitFor(t, func() bool { return bustest.Status(base+"/readyz") == http.StatusOK })
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.Publish(events.SubjectArticlesNew, []byte("Judul\n\nJoko Widodo tiba di Jakarta pada hari Senin.")); err != nil {
		t.Fatal(err)
	}
	bustest.WaitFor(t, func() bool {
		_, m := bustest.Get(t, base+"/metrics")
		return strings.Contains(m, `warta_processed_total{stage="ingest"} 1`)
	})
	if !strings.Contains(logs.String(), `"latency_ms":`) {
		t.Error(`"article ingested" has no latency_ms`)
	}
	msg, err := nc.Request("$SRV.INFO.warta-ingest", nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var info micro.Info
	if err := json.Unmarshal(msg.Data, &info); err != nil || info.Metadata["consumer"] != events.ConsumerIngest || info.Version != "0.0.0+dev" {
		t.Errorf("$SRV.INFO.warta-ingest: %s (%v)", msg.Data, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
