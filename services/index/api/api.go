// Package api is the index service's HTTP interface: search over paragraphs,
// article look-up, statistics and a health check, all answering JSON.
//
// Every error is a JSON object {"error": "..."} that says what was wrong and
// what to do. A request a user can fix gets 400 (or 404 for an unknown article
// or route), never 500; 500 means a fault of the service, and is logged.
package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/services/index/store"
)

// Searcher is what the API needs of the index; *store.Store implements it.
type Searcher interface {
	Search(ctx context.Context, q store.Query) (store.Result, error)
	Article(ctx context.Context, id string) (store.ArticleView, bool, error)
	Stats(ctx context.Context) (store.Stats, error)
}

// MaxQueryBytes bounds the q parameter.
const MaxQueryBytes = store.MaxTextBytes

// NewHandler returns the API's handler:
//
//	GET /search?q=&entity=&type=&lang=&from=&to=&mentioned_from=&mentioned_to=&group=&sort=&size=&offset=&search_after=&facets=
//	    → store.Result: {"total", "took_ms", "group", "hits": [...], "facets": {"entity", "entity_type", "lang"}, "next", "hint"}
//	GET /articles/{id} → store.ArticleView, or 404
//	GET /stats         → store.Stats
//	GET /healthz       → {"status": "ok"}
//
// and the routes given with WithRoute (the index mounts /metrics and /readyz
// so). entity and type may be repeated or comma-separated (so a canonical
// name that contains a comma cannot be filtered on); see store.Query for what
// each parameter means. Article ids may contain slashes.
//
// A parameter a route does not take (the routes but /search take none) is
// refused with 400 naming it and the ones the route takes, as is a size or
// facets of 0, which the store would read as its default: leave them out
// for that.
//
// /search, /articles and /stats are bounded by a Limiter (WithLimiter;
// else one of the default Limits): a request that finds the index full
// gets 503 with Retry-After, and one past its deadline 503; a search
// answer is cut to MaxAnswerBytes, with "next" to page on.
func NewHandler(s Searcher, logger *zap.Logger, opts ...Option) http.Handler {
	a := &api{s: s, log: logger}
	mux := http.NewServeMux()
	for _, o := range opts {
		o(a, mux)
	}
	if a.lim == nil {
		a.lim = NewLimiter(Limits{})
	}
	mux.HandleFunc("/search", a.get(a.search))
	mux.HandleFunc("/articles/{id...}", a.get(a.takes("/articles/{id}", nil, a.limit(a.article))))
	mux.HandleFunc("/stats", a.get(a.takes("/stats", nil, a.limit(a.stats))))
	mux.HandleFunc("/healthz", a.get(a.takes("/healthz", nil, a.healthz)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, http.StatusNotFound,
			fmt.Sprintf("no route %s: use GET /search?q=…, /articles/{id}, /stats or /healthz", r.URL.Path), nil)
	})
	return mux
}

type api struct {
	s       Searcher
	log     *zap.Logger
	metrics *Metrics
	lim     *Limiter
}

// Option configures NewHandler.
type Option func(*api, *http.ServeMux)

// WithRoute serves h on pattern (a http.ServeMux pattern) too.
func WithRoute(pattern string, h http.Handler) Option {
	return func(_ *api, mux *http.ServeMux) { mux.Handle(pattern, h) }
}

// WithLimiter bounds the requests with l, which the NATS endpoint may share.
func WithLimiter(l *Limiter) Option {
	return func(a *api, _ *http.ServeMux) { a.lim = l }
}

// WithMetrics counts the search requests in m.
func WithMetrics(m *Metrics) Option {
	return func(a *api, _ *http.ServeMux) { a.metrics = m }
}

// get admits GET and HEAD requests only.
func (a *api) get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			a.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed: use GET", r.Method), nil)
			return
		}
		h(w, r)
	}
}

func (a *api) search(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	defer a.metrics.observe(time.Now(), &sw.code)
	a.takes("/search", searchParams, a.limit(a.doSearch))(sw, r)
}

// takes admits requests whose query parameters are all of known, the
// parameters of the route what, and answers 400 naming the others.
func (a *api) takes(what string, known []string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		if err := checkNames(what, slices.Collect(maps.Keys(v)), known); err != nil {
			a.fail(w, r, http.StatusBadRequest, err.Error(), nil)
			return
		}
		h(w, r)
	}
}

func (a *api) doSearch(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.Query{
		Text:          v.Get("q"),
		Entity:        splitList(v["entity"]),
		Type:          splitList(v["type"]),
		Lang:          v.Get("lang"),
		From:          v.Get("from"),
		To:            v.Get("to"),
		MentionedFrom: v.Get("mentioned_from"),
		MentionedTo:   v.Get("mentioned_to"),
		After:         v.Get("search_after"),
		Group:         v.Get("group"),
		Sort:          v.Get("sort"),
	}
	if len(q.Text) > MaxQueryBytes {
		a.fail(w, r, http.StatusBadRequest,
			fmt.Sprintf("q is %d bytes long: use at most %d", len(q.Text), MaxQueryBytes), nil)
		return
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"size", &q.Size}, {"offset", &q.Offset}, {"facets", &q.Facets}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			a.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%s %q is not a whole number", p.name, s), nil)
			return
		}
		*p.dst = n
	}
	if err := checkCounts(q, func(name string) bool { return v.Get(name) != "" }); err != nil {
		a.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	res, err := a.s.Search(r.Context(), q)
	if err != nil {
		a.failErr(w, r, "search", err)
		return
	}
	body, err := encodeResult(res, MaxAnswerBytes)
	a.replyBody(w, r, http.StatusOK, body, err)
}

func (a *api) article(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	view, ok, err := a.s.Article(r.Context(), id)
	if err != nil {
		a.failErr(w, r, "read article", err)
		return
	}
	if !ok {
		a.fail(w, r, http.StatusNotFound,
			fmt.Sprintf("no article %q in the index: check the id, or wait until its paragraphs are indexed", id), nil)
		return
	}
	a.reply(w, r, http.StatusOK, view)
}

func (a *api) stats(w http.ResponseWriter, r *http.Request) {
	st, err := a.s.Stats(r.Context())
	if err != nil {
		a.failErr(w, r, "read stats", err)
		return
	}
	a.reply(w, r, http.StatusOK, st)
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	a.reply(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// splitList reads a repeatable parameter whose values may also be comma-separated.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// failErr answers an error of the Searcher: the user's fault is 400, a
// timeout 503, anything else 500.
func (a *api) failErr(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case errors.Is(err, store.ErrBadQuery):
		a.fail(w, r, http.StatusBadRequest, err.Error(), nil)
	case errors.Is(err, context.DeadlineExceeded):
		a.fail(w, r, http.StatusServiceUnavailable, a.lim.timeoutMessage(what), err)
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		a.log.Debug("request canceled", zap.String("path", r.URL.Path), zap.Error(err))
	default:
		a.fail(w, r, http.StatusInternalServerError,
			fmt.Sprintf("%s failed inside the index service; retry later, and report it if it persists", what), err)
	}
}

// fail answers an error as JSON. A non-nil cause is logged.
func (a *api) fail(w http.ResponseWriter, r *http.Request, status int, msg string, cause error) {
	if cause != nil {
		a.log.Error("request failed", zap.String("method", r.Method), zap.String("uri", r.URL.RequestURI()),
			zap.Int("status", status), zap.Error(cause))
	}
	a.reply(w, r, status, map[string]string{"error": msg})
}

func (a *api) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	a.replyBody(w, r, status, body, err)
}

// replyBody answers a JSON body, or the error that encoding it gave.
func (a *api) replyBody(w http.ResponseWriter, r *http.Request, status int, body []byte, err error) {
	if err != nil {
		a.log.Error("encode response", zap.String("uri", r.URL.RequestURI()), zap.Error(err))
		status = http.StatusInternalServerError
		body = []byte(`{"error":"the response could not be encoded; report it"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	// Two writes rather than a copy of a body that may be megabytes.
	if _, err := w.Write(body); err == nil {
		_, _ = w.Write([]byte{'\n'})
	}
}
