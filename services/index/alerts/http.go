package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// Handler serves the standing searches on the index's HTTP API:
//
//	PUT    /alerts/{name}  {"q": …, "entity": […], "type": […], "lang", "from", "to", "mentioned_from", "mentioned_to"}
//	                       → 201 (created) or 200 (replaced): the standing search
//	GET    /alerts         → {"alerts": [standing searches, by name]}
//	GET    /alerts/{name}  → the standing search, or 404
//	DELETE /alerts/{name}  → {"deleted": name}, or 404
//
// A PUT returns once this process evaluates the search: every article that
// completes here afterwards is evaluated against it (other index processes
// see it within moments, through the bucket). A DELETE returns once this
// process no longer evaluates it. A bad name or search gets 400 saying
// why; 503 means NATS is not reached yet, or did not answer.
type Handler struct {
	reg *Registry
	log *zap.Logger
	kv  atomic.Pointer[jetstream.KeyValue]
}

// NewHandler returns the handler of the standing searches of reg. It
// answers 503 until SetBucket gives it the bucket.
func NewHandler(reg *Registry, log *zap.Logger) *Handler {
	return &Handler{reg: reg, log: log}
}

// SetBucket gives h the bucket of the standing searches, once NATS is reached.
func (h *Handler) SetBucket(kv jetstream.KeyValue) { h.kv.Store(&kv) }

// MaxBodyBytes bounds the body of a PUT.
const MaxBodyBytes = 64 << 10

// requestTimeout bounds a request's calls to NATS.
const requestTimeout = 10 * time.Second

// EntryJSON is a standing search as the API shows it.
type EntryJSON struct {
	Name string `json:"name"`
	events.StandingSearch
	Revision uint64 `json:"revision"`
}

func entryJSON(e Entry) EntryJSON {
	return EntryJSON{Name: e.Name, StandingSearch: e.Search, Revision: e.Revision}
}

// putBody is the body of a PUT: entity and type may be a string or a list.
type putBody struct {
	Q             string     `json:"q"`
	Entity        stringList `json:"entity"`
	Type          stringList `json:"type"`
	Lang          string     `json:"lang"`
	From          string     `json:"from"`
	To            string     `json:"to"`
	MentionedFrom string     `json:"mentioned_from"`
	MentionedTo   string     `json:"mentioned_to"`
}

type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("use a string or a list of strings")
	}
	*l = many
	return nil
}

// ServeHTTP answers /alerts and /alerts/{name}.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if q := r.URL.Query(); len(q) > 0 {
		// A filter in the query string of a PUT would be dropped, and a
		// GET /alerts?q=… would seem to search the list.
		names := slices.Sorted(maps.Keys(q))
		for i := range names {
			names[i] = strconv.Quote(names[i])
		}
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("unknown parameter %s: /alerts and /alerts/{name} take no parameters; "+
			`a standing search is the JSON body of PUT /alerts/{name}, such as {"q": "banjir", "entity": ["Semarang"]}`,
			strings.Join(names, ", ")), nil)
		return
	}
	if r.URL.Path == "/alerts" || r.URL.Path == "/alerts/" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			h.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on /alerts: use GET, or PUT and DELETE /alerts/{name}", r.Method), nil)
			return
		}
		list := h.reg.List()
		out := make([]EntryJSON, len(list))
		for i, e := range list {
			out[i] = entryJSON(e)
		}
		h.reply(w, r, http.StatusOK, map[string]any{"alerts": out})
		return
	}
	if err := events.CheckAlertName(name); err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		e, ok := h.reg.Get(name)
		if !ok {
			h.fail(w, r, http.StatusNotFound, fmt.Sprintf("no standing search %q: GET /alerts lists them", name), nil)
			return
		}
		h.reply(w, r, http.StatusOK, entryJSON(e))
	case http.MethodPut:
		h.put(w, r, name)
	case http.MethodDelete:
		h.delete(w, r, name)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		h.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed: use GET, PUT or DELETE", r.Method), nil)
	}
}

func (h *Handler) bucket(w http.ResponseWriter, r *http.Request) (jetstream.KeyValue, bool) {
	kv := h.kv.Load()
	if kv == nil {
		w.Header().Set("Retry-After", "1")
		h.fail(w, r, http.StatusServiceUnavailable, "the index is not connected to NATS yet, where standing searches are kept: retry in a moment", nil)
		return nil, false
	}
	return *kv, true
}

func (h *Handler) put(w http.ResponseWriter, r *http.Request, name string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("read the body: %v (send at most %d bytes of JSON)", err, MaxBodyBytes), nil)
		return
	}
	var b putBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("the body is not a standing search: %v; send JSON such as "+
			`{"q": "banjir", "entity": ["Semarang"]} with the fields q, entity, type, lang, from, to, mentioned_from, mentioned_to`, err), nil)
		return
	}
	s := events.StandingSearch{V: events.Version, Q: b.Q, Entity: b.Entity, Type: b.Type, Lang: b.Lang, From: b.From, To: b.To,
		MentionedFrom: b.MentionedFrom, MentionedTo: b.MentionedTo, Created: time.Now().UTC()}
	if _, err := h.reg.compiler.CompileStanding(Query(s)); err != nil {
		if errors.Is(err, store.ErrBadQuery) {
			h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("standing search %q: %v", name, err), nil)
		} else {
			h.fail(w, r, http.StatusInternalServerError, "the standing search could not be checked; retry later, and report it if it persists", err)
		}
		return
	}
	kv, ok := h.bucket(w, r)
	if !ok {
		return
	}
	data, err := events.Marshal(&s)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "the standing search could not be encoded; report it", err)
		return
	}
	_, existed := h.reg.Get(name)
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	rev, err := kv.Put(ctx, name, data)
	if err != nil {
		h.unavailable(w, r, "store the standing search", err)
		return
	}
	// Applied here at once, so the PUT holds for every article that
	// completes after it returns; the watch delivers it again, a no-op.
	_ = h.reg.Put(name, rev, s)
	code := http.StatusCreated
	if existed {
		code = http.StatusOK
	}
	h.log.Info("standing search put", zap.String("alert", name), zap.Uint64("revision", rev), zap.String("q", s.Q),
		zap.Strings("entity", s.Entity))
	h.reply(w, r, code, EntryJSON{Name: name, StandingSearch: s, Revision: rev})
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, name string) {
	kv, ok := h.bucket(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	e, err := kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		h.fail(w, r, http.StatusNotFound, fmt.Sprintf("no standing search %q: GET /alerts lists them", name), nil)
		return
	}
	if err != nil {
		h.unavailable(w, r, "read the standing search", err)
		return
	}
	if err := kv.Delete(ctx, name); err != nil {
		h.unavailable(w, r, "delete the standing search", err)
		return
	}
	// The delete's revision is known once the watch delivers it: wait for
	// that, so no alert of it is published here after the DELETE returns.
	if err := h.reg.WaitName(ctx, name, e.Revision()); err != nil {
		h.unavailable(w, r, "see the standing search deleted", err)
		return
	}
	h.log.Info("standing search deleted", zap.String("alert", name))
	h.reply(w, r, http.StatusOK, map[string]string{"deleted": name})
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	w.Header().Set("Retry-After", "1")
	h.fail(w, r, http.StatusServiceUnavailable, fmt.Sprintf("could not %s in NATS: %v; retry in a moment", what, err), err)
}

// fail answers an error as JSON, as the rest of the API does. A non-nil
// cause is logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string, cause error) {
	if cause != nil {
		h.log.Error("request failed", zap.String("method", r.Method), zap.String("uri", r.URL.RequestURI()),
			zap.Int("status", status), zap.Error(cause))
	}
	h.reply(w, r, status, map[string]string{"error": msg})
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"the response could not be encoded; report it"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(body, '\n'))
	}
}
