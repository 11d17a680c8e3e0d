package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/micro"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/services/index/store"
)

// SearchSubject is the NATS subject of the index's search endpoint.
const SearchSubject = "warta.index.search"

// SearchRequest is the JSON body of a request on SearchSubject. Its fields
// are the HTTP search parameters (see store.Query), with entity and type as
// lists: {"q": "Putin", "entity": ["Moscow"], "size": 5}.
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
	Facets        int      `json:"facets,omitempty"`
}

// Query is the store query the request asks for.
func (r SearchRequest) Query() store.Query {
	return store.Query{
		Text: r.Q, Entity: r.Entity, Type: r.Type, Lang: r.Lang, From: r.From, To: r.To,
		MentionedFrom: r.MentionedFrom, MentionedTo: r.MentionedTo, Size: r.Size, Offset: r.Offset, Facets: r.Facets,
	}
}

// SearchHandler answers search requests over NATS (the index's micro
// endpoint on SearchSubject) with the store.Result JSON that GET /search
// answers. A request the user can fix (bad JSON, a bad query) gets a micro
// error with code 400; a timeout 503; a fault of the service 500, logged.
// m may be nil.
func SearchHandler(s Searcher, m *Metrics, logger *zap.Logger) micro.Handler {
	return micro.HandlerFunc(func(r micro.Request) {
		// The metrics are recorded before the answer goes out, so a client
		// that reads them right after its answer sees its request counted.
		start := time.Now()
		fail := func(c int, msg string) {
			m.observe(start, &c)
			_ = r.Error(strconv.Itoa(c), msg, nil)
		}
		var req SearchRequest
		if len(r.Data()) > 0 {
			if err := json.Unmarshal(r.Data(), &req); err != nil {
				fail(400, fmt.Sprintf("the request is not a JSON search object such as {\"q\": \"Putin\", \"size\": 5}: %v", err))
				return
			}
		}
		if len(req.Q) > MaxQueryBytes {
			fail(400, fmt.Sprintf("q is %d bytes long: use at most %d", len(req.Q), MaxQueryBytes))
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), RequestTimeout)
		defer cancel()
		res, err := s.Search(ctx, req.Query())
		switch {
		case errors.Is(err, store.ErrBadQuery):
			fail(400, err.Error())
		case errors.Is(err, context.DeadlineExceeded):
			fail(503, fmt.Sprintf("search took longer than %v: narrow the query (fewer words, more filters) and retry", RequestTimeout))
		case err != nil:
			logger.Error("search request failed", zap.String("subject", r.Subject()), zap.Error(err))
			fail(500, "search failed inside the index service; retry later, and report it if it persists")
		default:
			body, err := json.Marshal(res)
			if err != nil {
				logger.Error("encode search result", zap.Error(err))
				fail(500, "the response could not be encoded; report it")
				return
			}
			ok := 200
			m.observe(start, &ok)
			if err := r.Respond(body); err != nil {
				logger.Warn("answer search request", zap.Error(err))
			}
		}
	})
}
