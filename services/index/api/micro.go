package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// SearchRequest is the JSON body of a request on events.SubjectSearch. Its fields
// are the HTTP search parameters (see store.Query), with entity and type as
// lists: {"q": "Putin", "entity": ["Moscow"], "size": 5}. As over HTTP, a
// field that is not one of them, and a size or facets of 0, are refused.
type SearchRequest struct {
	Q             string   `json:"q"`
	Entity        []string `json:"entity,omitempty"`
	Type          []string `json:"type,omitempty"`
	Lang          string   `json:"lang,omitempty"`
	From          string   `json:"from,omitempty"`
	To            string   `json:"to,omitempty"`
	MentionedFrom string   `json:"mentioned_from,omitempty"`
	MentionedTo   string   `json:"mentioned_to,omitempty"`
	Size          int      `json:"size,omitempty"`
	Offset        int      `json:"offset,omitempty"`
	SearchAfter   string   `json:"search_after,omitempty"`
	Facets        int      `json:"facets,omitempty"`
	Group         string   `json:"group,omitempty"`
	Sort          string   `json:"sort,omitempty"`
}

// Query is the store query the request asks for.
func (r SearchRequest) Query() store.Query {
	return store.Query{
		Text: r.Q, Entity: r.Entity, Type: r.Type, Lang: r.Lang, From: r.From, To: r.To,
		MentionedFrom: r.MentionedFrom, MentionedTo: r.MentionedTo, Size: r.Size, Offset: r.Offset, After: r.SearchAfter,
		Facets: r.Facets, Group: r.Group, Sort: r.Sort,
	}
}

// SearchHandler answers search requests over NATS (the index's micro
// endpoint on events.SubjectSearch) with the store.Result JSON that GET /search
// answers, within the same bounds: lim (shared with the HTTP handler; nil
// means default Limits) admits the request or turns it away with a micro
// error 503 and a Retry-After header, its timeout bounds the request, and
// the answer is cut to MaxNATSAnswerBytes, with "next" to page on. A
// request the user can fix (bad JSON, a field that is not a search
// parameter, a bad query) gets a micro error with code 400; a timeout 503;
// a fault of the service 500, logged. m may be nil.
//
// Each request is answered in a goroutine of its own, so that up to the
// Limiter's slots run at once, as over HTTP; micro calls a handler for one
// request at a time. That goroutine answers on nc, the connection the
// micro service runs on, and never touches the micro.Request: micro reads
// the request's error state once the handler returns, for its endpoint
// stats, so writing it later (r.Error, r.Respond) would race with that
// read. The service's own Metrics count these requests and their errors.
func SearchHandler(nc *nats.Conn, s Searcher, lim *Limiter, m *Metrics, logger *zap.Logger) micro.Handler {
	if lim == nil {
		lim = NewLimiter(Limits{})
	}
	return micro.HandlerFunc(func(r micro.Request) {
		start := time.Now()
		req := searchMsg{nc: nc, subject: r.Subject(), reply: r.Reply(), data: r.Data()}
		go answerSearch(req, start, s, lim, m, logger)
	})
}

// searchMsg is what the answering goroutine keeps of a micro request: its
// body and where to answer.
type searchMsg struct {
	nc             *nats.Conn
	subject, reply string
	data           []byte
}

// respond publishes body to the request's reply subject, with headers.
func (r searchMsg) respond(body []byte, h nats.Header) error {
	if r.reply == "" {
		return nats.ErrMsgNoReply
	}
	return r.nc.PublishMsg(&nats.Msg{Subject: r.reply, Header: h, Data: body})
}

// error answers with a micro service error, as micro.Request.Error does:
// the code and description in the Nats-Service-Error headers, no body.
func (r searchMsg) error(code int, description string, h nats.Header) error {
	if h == nil {
		h = nats.Header{}
	}
	h.Set(micro.ErrorHeader, description)
	h.Set(micro.ErrorCodeHeader, strconv.Itoa(code))
	return r.respond(nil, h)
}

// decodeSearch reads the body of a search request, refusing a field that
// is not a search parameter and a size or facets of 0, as GET /search does.
func decodeSearch(data []byte) (SearchRequest, error) {
	var req SearchRequest
	if len(data) == 0 {
		return req, nil
	}
	notSearch := func(err error) error {
		return fmt.Errorf(`the request is not a JSON search object such as {"q": "Putin", "size": 5}: %v`, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return req, notSearch(err)
	}
	if err := checkNames(events.SubjectSearch, slices.Collect(maps.Keys(fields)), searchParams); err != nil {
		return req, err
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return req, notSearch(err)
	}
	given := func(name string) bool { return fields[name] != nil && string(fields[name]) != "null" }
	return req, checkCounts(req.Query(), given)
}

func answerSearch(r searchMsg, start time.Time, s Searcher, lim *Limiter, m *Metrics, logger *zap.Logger) {
	// The metrics are recorded before the answer goes out, so a client
	// that reads them right after its answer sees its request counted.
	fail := func(c int, msg string, h nats.Header) {
		m.observe(start, &c)
		if err := r.error(c, msg, h); err != nil {
			logger.Warn("answer search request", zap.Int("code", c), zap.Error(err))
		}
	}
	req, err := decodeSearch(r.data)
	if err != nil {
		fail(400, err.Error(), nil)
		return
	}
	if len(req.Q) > MaxQueryBytes {
		fail(400, fmt.Sprintf("q is %d bytes long: use at most %d", len(req.Q), MaxQueryBytes), nil)
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(lim.timeout))
	defer cancel()
	release, err := lim.acquire(ctx)
	switch {
	case errors.Is(err, errBusy):
		fail(503, lim.busyMessage(), nats.Header{"Retry-After": {retryAfter()}})
		return
	case err != nil:
		fail(503, lim.timeoutMessage("waiting for the index"), nil)
		return
	}
	defer release()
	res, err := s.Search(ctx, req.Query())
	switch {
	case errors.Is(err, store.ErrBadQuery):
		fail(400, err.Error(), nil)
		return
	case errors.Is(err, context.DeadlineExceeded):
		fail(503, lim.timeoutMessage("search"), nil)
		return
	case err != nil:
		logger.Error("search request failed", zap.String("subject", r.subject), zap.Error(err))
		fail(500, "search failed inside the index service; retry later, and report it if it persists", nil)
		return
	}
	body, err := encodeResult(res, MaxNATSAnswerBytes)
	if err != nil {
		logger.Error("encode search result", zap.Error(err))
		fail(500, "the response could not be encoded; report it", nil)
		return
	}
	ok := 200
	m.observe(start, &ok)
	if err := r.respond(body, nil); err != nil {
		logger.Warn("answer search request", zap.Int("bytes", len(body)), zap.Error(err))
		if errors.Is(err, nats.ErrMaxPayload) {
			_ = r.error(500, fmt.Sprintf("the answer is %d bytes, more than this NATS server's max_payload: "+
				"ask for fewer hits (size), or search over HTTP", len(body)), nil)
		}
	}
}
