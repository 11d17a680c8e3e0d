package proc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

// Ops is a service's operational surface: its Prometheus registry (one per
// service, never the global default one) and the handlers of
//
//	GET /metrics  metrics in the Prometheus text format
//	GET /healthz  200 {"status":"ok"} while the service runs, 503 once its stage has stopped
//	GET /readyz   200 while connected to NATS and consuming, 503 otherwise
//	GET /debug/pprof/…  Go's profiler, only when turned on (--pprof)
//
// Serve runs them on their own address (--metrics-addr); a service with an
// HTTP server of its own (index) may mount them there as well.
type Ops struct {
	// Registry holds the service's metrics; services add their own to it.
	Registry *prometheus.Registry

	ready     atomic.Pointer[func() error]
	stopped   atomic.Bool
	profiling bool
}

// NewOps returns the Ops of a service, with the Go runtime and process
// metrics and warta_build_info{service,version} registered. profiling turns
// on /debug/pprof/.
func NewOps(service, version string, profiling bool) *Ops {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "warta_build_info",
			Help:        "Always 1; the labels name the service and its version.",
			ConstLabels: prometheus.Labels{"service": service, "version": version},
		}, func() float64 { return 1 }),
	)
	return &Ops{Registry: r, profiling: profiling}
}

// Register adds c's metrics to the registry, as a stage adds its own
// (see bus.Stage). It returns the registry's error, such as for metrics
// registered already.
func (o *Ops) Register(c prometheus.Collector) error { return o.Registry.Register(c) }

// SetReady sets the check behind /readyz: nil means ready. Until it is set,
// /readyz answers 503.
func (o *Ops) SetReady(check func() error) { o.ready.Store(&check) }

// SetStopped makes /healthz and /readyz answer 503: the service's loop has ended.
func (o *Ops) SetStopped() { o.stopped.Store(true) }

// MetricsHandler serves the registry in the Prometheus text format.
func (o *Ops) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry})
}

// HealthHandler serves /healthz: 200 {"status":"ok"} while the service
// runs, 503 {"status":"stopped"} once it has stopped. The index's API
// answers its /healthz in the same shape.
func (o *Ops) HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if o.stopped.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, `{"status":"stopped"}`)
			return
		}
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
}

// ReadyHandler serves /readyz: 200 "ready" while the readiness check passes,
// else 503 with what is missing.
func (o *Ops) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		err := errors.New("starting: not connected to NATS yet")
		if o.stopped.Load() {
			err = errors.New("stopped")
		} else if check := o.ready.Load(); check != nil {
			err = (*check)()
		}
		if err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// ProfilingHandler serves Go's profiler (net/http/pprof) under
// /debug/pprof/, or 404 unless profiling was turned on in NewOps.
func (o *Ops) ProfilingHandler() http.Handler {
	if !o.profiling {
		return http.NotFoundHandler()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// Handler serves /metrics, /healthz, /readyz and, when on, /debug/pprof/.
func (o *Ops) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.MetricsHandler())
	mux.Handle("GET /healthz", o.HealthHandler())
	mux.Handle("GET /readyz", o.ReadyHandler())
	mux.Handle("/debug/pprof/", o.ProfilingHandler())
	return mux
}

// Serve listens on addr and serves Handler until the returned stop function
// is called. An empty addr serves nothing. The error names the setting.
func (o *Ops) Serve(addr string, log *zap.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics-addr %s: %w (choose another --metrics-addr, or empty to serve none)", addr, err)
	}
	srv := &http.Server{Handler: o.Handler(), ReadHeaderTimeout: 5 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", zap.Error(err))
		}
	})
	log.Info("serving metrics", zap.String("url", "http://"+ln.Addr().String()+"/metrics"))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		wg.Wait()
	}, nil
}
