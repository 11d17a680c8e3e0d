package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts and times searches, over HTTP and over NATS alike:
// warta_search_requests_total{code} (the HTTP status code, or the micro
// error code, 200 for an answer) and warta_search_seconds.
type Metrics struct {
	requests *prometheus.CounterVec
	seconds  prometheus.Histogram
}

// NewMetrics registers the search metrics in reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warta_search_requests_total",
			Help: "Search requests answered, by status code.",
		}, []string{"code"}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "warta_search_seconds",
			Help:    "Time to answer a search request.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.seconds} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe counts a request that started at start and was answered with
// *code. A nil Metrics counts nothing.
func (m *Metrics) observe(start time.Time, code *int) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(strconv.Itoa(*code)).Inc()
	m.seconds.Observe(time.Since(start).Seconds())
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
