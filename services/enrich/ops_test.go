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
	if err := run(context.Background(), []string{"enrich", "--help"}, func(string) string { return "" }, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if missing := bustest.FlagsWithoutEnv(out.String()); len(missing) > 0 || !strings.Contains(out.String(), "METRICS_ADDR") {
		t.Errorf("flags without an environment variable: %v\n%s", missing, out.String())
	}
}

// TestEnrichOps runs two enrichers: both are ready on their own
// METRICS_ADDR and both answer micro discovery as instances of warta-enrich.
func TestEnrichOps(t *testing.T) {
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 2)
	env := map[string]string{"NATS_URL": srv.ClientURL(), "METRICS_ADDR": "127.0.0.1:0", "SUMMARY_INTERVAL": "0"}
	for range 2 {
		logs := &bustest.LogBuffer{}
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(logs.String())
			}
		})
		go func() {
			done <- run(runCtx, []string{"enrich"}, func(k string) string { return env[k] }, nil, logs, logs)
		}()
		base := bustest.ServedURL(t, logs, "serving metrics")
		bustest.WaitFor(t, func() bool { return bustest.Status(base+"/readyz") == http.StatusOK })
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// Discovery as "nats micro info" does it: every instance answers.
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.PublishRequest("$SRV.INFO.warta-enrich", inbox, nil); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for range 2 {
		msg, err := sub.NextMsg(2 * time.Second)
		if err != nil {
			t.Fatalf("instances that answered: %d: %v", len(ids), err)
		}
		var info micro.Info
		if err := json.Unmarshal(msg.Data, &info); err != nil || info.Metadata["stage"] != events.StageEnrich {
			t.Errorf("$SRV.INFO.warta-enrich: %s (%v)", msg.Data, err)
		}
		ids[info.ID] = true
	}
	if len(ids) != 2 {
		t.Errorf("instance ids %v: want two different ones", ids)
	}
	stop()
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
