package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/services/index/store"
)

// Defaults of Limits.
const (
	// DefaultConcurrent is how many requests the index answers at once by
	// default. Searching is CPU work: more at once than there are cores
	// adds memory, not answers.
	DefaultConcurrent = 4
	// RequestTimeout is the default deadline of a request, from its
	// arrival to the last byte of its answer.
	RequestTimeout = 10 * time.Second
)

// Bounds of the answers and of the queue.
const (
	// MaxAnswerBytes bounds a search answer over HTTP, and MaxNATSAnswerBytes
	// one over NATS (a NATS message holds 1 MiB by default, headers
	// included). A larger answer is cut after the last hit that fits, with
	// the cursor to page on in "next" (see store.Result.Truncate).
	MaxAnswerBytes     = 4 << 20
	MaxNATSAnswerBytes = 1<<20 - 16<<10
	// QueuePerSlot is how many requests may wait for a slot, per slot; each
	// waits at most a quarter of its deadline (Limits.Timeout) before a
	// 503, and so has most of it left to be answered.
	QueuePerSlot = 4
	// RetryAfter is what a 503 for a full index tells the client to wait.
	RetryAfter = 1 * time.Second
)

// Limits bound the requests the API answers, over HTTP and NATS alike.
type Limits struct {
	// Concurrent is how many search, article and stats requests are
	// answered at once; 0 means DefaultConcurrent. The slot of a request
	// is held until the last byte of its answer is written, so a client
	// that reads slowly holds one, but only until Timeout.
	Concurrent int
	// Timeout bounds each request from its arrival to the last byte of its
	// answer: the search, reading and highlighting the hits, and writing
	// the answer; 0 means RequestTimeout.
	Timeout time.Duration
}

// Limiter admits requests: Concurrent at once, QueuePerSlot×Concurrent
// more waiting up to a quarter of Timeout each, and turns the others away. One
// Limiter serves the HTTP handler and the NATS endpoint, so that together
// they stay within it.
type Limiter struct {
	slots, queue chan struct{}
	timeout      time.Duration
}

// NewLimiter returns a Limiter for l.
func NewLimiter(l Limits) *Limiter {
	if l.Concurrent <= 0 {
		l.Concurrent = DefaultConcurrent
	}
	if l.Timeout <= 0 {
		l.Timeout = RequestTimeout
	}
	return &Limiter{slots: make(chan struct{}, l.Concurrent), queue: make(chan struct{}, QueuePerSlot*l.Concurrent), timeout: l.Timeout}
}

// Close waits until no request holds a slot, and admits none after: the
// NATS endpoint answers in goroutines of its own, which must be done with
// the index before it closes. It returns ctx's error if ctx ends first.
func (l *Limiter) Close(ctx context.Context) error {
	for range cap(l.slots) {
		select {
		case l.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// errBusy is returned by acquire when every slot is taken and the queue is
// full, or the wait in it ended.
var errBusy = errors.New("busy")

// acquire takes a slot, waiting for one in the queue if there is room. It
// returns the function that gives the slot back, errBusy, or ctx's error.
func (l *Limiter) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case l.queue <- struct{}{}:
		defer func() { <-l.queue }()
	default:
		return nil, errBusy
	}
	t := time.NewTimer(l.timeout / 4)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// busyMessage is the error of a 503 for a full index.
func (l *Limiter) busyMessage() string {
	return fmt.Sprintf("the index is answering as many requests as it takes at once (%d) and %d more are waiting: "+
		"retry after %v, or raise --max-requests / MAX_REQUESTS", cap(l.slots), cap(l.queue), RetryAfter)
}

// retryAfter is the Retry-After header's value for RetryAfter.
func retryAfter() string { return strconv.Itoa(int(RetryAfter / time.Second)) }

// timeoutMessage is the error of a request that passed its deadline.
func (l *Limiter) timeoutMessage(what string) string {
	return fmt.Sprintf("%s took longer than %v: narrow the query (fewer words, more filters) and retry", what, l.timeout)
}

// limit wraps h: it admits the request (503 with Retry-After when the
// index is full) and bounds it by the Limiter's timeout, the writing of
// the answer included.
func (a *api) limit(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		deadline := time.Now().Add(a.lim.timeout)
		ctx, cancel := context.WithDeadline(r.Context(), deadline)
		defer cancel()
		// A client that does not read its answer holds its slot, and the
		// answer's memory, until the deadline and no longer.
		_ = http.NewResponseController(w).SetWriteDeadline(deadline)
		release, err := a.lim.acquire(ctx)
		switch {
		case errors.Is(err, errBusy):
			w.Header().Set("Retry-After", retryAfter())
			a.fail(w, r, http.StatusServiceUnavailable, a.lim.busyMessage(), nil)
			return
		case err != nil:
			a.failErr(w, r, "waiting for the index", err)
			return
		}
		defer release()
		h(w, r.WithContext(ctx))
	}
}

// encodeResult encodes a search answer within limit bytes, cutting it after
// the last hit that fits (with the cursor to page on) if it is larger.
func encodeResult(res store.Result, limit int) ([]byte, error) {
	body, err := json.Marshal(res)
	if err != nil || len(body) <= limit {
		return body, err
	}
	// What the answer spends besides its hits, then the hits that fit.
	sizes := make([]int, res.NumHits())
	rest := len(body)
	for i := range sizes {
		b, err := res.HitJSON(i)
		if err != nil {
			return nil, err
		}
		sizes[i] = len(b) + 1 // and a comma
		rest -= sizes[i]
	}
	const cursor = 256 // room for "next"
	n, used := 0, rest+cursor
	for n < len(sizes) && used+sizes[n] <= limit {
		used += sizes[n]
		n++
	}
	res.Truncate(max(n, 1))
	return json.Marshal(res)
}

// Server returns the HTTP server of the API, with the timeouts that keep
// slow or idle clients from holding connections: 5 s to send the request
// headers, 10 s for the whole request, connections idle for 60 s closed,
// and a write deadline of 60 s for the routes that set none of their own
// (the API's set their request's, see Limits.Timeout).
func Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
