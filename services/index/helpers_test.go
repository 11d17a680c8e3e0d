package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/warta-news/warta/pkg/bus/bustest"
)

// startService runs the index service in this process with env (NATS_URL,
// INDEX_DIR, … ; HTTP_ADDR is set to port 0, the one the kernel picks read
// back from its log) until ctx ends or
// stop is called, and waits until it is ready. It returns the base URL of
// its API and its logs, which a failing test prints; stop returns the
// service's error.
func startService(ctx context.Context, t *testing.T, env map[string]string) (base string, logs *bustest.LogBuffer, stop func() error) {
	t.Helper()
	env["HTTP_ADDR"] = "127.0.0.1:0"
	logs = &bustest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, []string{"index"}, func(k string) string { return env[k] }, logs, logs) }()
	stopped := false
	var err error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			err = <-done
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	base = bustest.ServedURL(t, logs, "serving search")
	bustest.WaitFor(t, func() bool { return bustest.Status(base+"/readyz") == http.StatusOK })
	return base, logs, stop
}
