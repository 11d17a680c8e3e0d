package proc_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/proc"
)

func TestServeBadAddr(t *testing.T) {
	base, stop := bustest.ServeOps(t, proc.NewOps("test", "dev", false).Serve)
	defer stop()
	addr := strings.TrimPrefix(base, "http://")
	if _, err := proc.NewOps("test", "dev", false).Serve(addr, zaptest.NewLogger(t)); err == nil || !strings.Contains(err.Error(), "metrics-addr") {
		t.Errorf("second server on %s: %v, want an error naming metrics-addr", addr, err)
	}
}

// TestRunHealthcheck asks a real ops server: ready answers 0, not ready or
// nobody listening answers an error naming the address.
func TestRunHealthcheck(t *testing.T) {
	ops := proc.NewOps("test", "dev", false)
	base, stop := bustest.ServeOps(t, ops.Serve)
	defer stop()
	env := func(k string) string {
		return map[string]string{"METRICS_ADDR": strings.TrimPrefix(base, "http://")}[k]
	}
	var out strings.Builder
	err := proc.RunHealthcheck(context.Background(), "test", "METRICS_ADDR", nil, env, &out, &out)
	if err == nil {
		t.Errorf("healthcheck of a service not connected to NATS passed: %s", out.String())
	}
	ops.SetReady(func() error { return nil })
	if err := proc.RunHealthcheck(context.Background(), "test", "METRICS_ADDR", nil, env, &out, &out); err != nil {
		t.Errorf("healthcheck of a ready service: %v", err)
	}
	// Nothing can listen on port 0.
	if err := proc.RunHealthcheck(context.Background(), "test", "METRICS_ADDR", []string{"--addr", "127.0.0.1:0"}, env, &out, &out); err == nil {
		t.Error("healthcheck with nobody listening passed")
	}
}

// TestProfiling serves /debug/pprof/ only when turned on.
func TestProfiling(t *testing.T) {
	for _, on := range []bool{false, true} {
		base, stop := bustest.ServeOps(t, proc.NewOps("test", "dev", on).Serve)
		code, body := bustest.Get(t, base+"/debug/pprof/")
		stop()
		if want := map[bool]int{false: 404, true: 200}[on]; code != want {
			t.Errorf("profiling %v: GET /debug/pprof/ = %d %.80q, want %d", on, code, body, want)
		}
	}
}
