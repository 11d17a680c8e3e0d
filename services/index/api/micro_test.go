package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap/zaptest"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/api"
	"github.com/warta-news/warta/services/index/store"
)

// TestSearchOverNATSChecksLikeHTTP sends warta.index.search the requests
// GET /search refuses: a field it does not know would be ignored and a
// size or facets of 0 read as the default, so each gets a 400 saying so.
func TestSearchOverNATSChecksLikeHTTP(t *testing.T) {
	nc := searchOverNATS(t, newStore(t))
	for _, tc := range []struct {
		name, body string
		code       string // "" for an answer
		msg        string // in the error
	}{
		{"a search", `{"q": "Beijing", "size": 5, "facets": 3}`, "", ""},
		{"null counts are left out", `{"q": "Beijing", "size": null, "facets": null}`, "", ""},
		{"no body", ``, "", ""},
		{"unknown field", `{"q": "Beijing", "limit": 5}`, "400",
			`unknown parameter "limit": warta.index.search takes q, entity, type, lang, from, to, mentioned_from, mentioned_to, group, sort, size, offset, search_after, facets`},
		{"facets zero", `{"q": "Beijing", "facets": 0}`, "400", "facets 0 is out of range: use 1 to 50"},
		{"size zero", `{"size": 0}`, "400", "size 0 is out of range: use 1 to 100"},
		{"not an object", `["Beijing"]`, "400", "not a JSON search object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := nc.Request(events.SubjectSearch, []byte(tc.body), 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			code, text := msg.Header.Get(micro.ErrorCodeHeader), msg.Header.Get(micro.ErrorHeader)
			if code != tc.code || !strings.Contains(text, tc.msg) {
				t.Fatalf("error %q %q, want %q saying %q", code, text, tc.code, tc.msg)
			}
			if tc.code != "" {
				return
			}
			var res store.Result
			if err := json.Unmarshal(msg.Data, &res); err != nil || res.NumHits() != 1 {
				t.Errorf("answer %s (%v), want the article about Beijing", msg.Data, err)
			}
		})
	}
}

// searchOverNATS serves the search endpoint over s on a NATS server of its
// own, and returns a connection to it.
func searchOverNATS(t *testing.T, s *store.Store) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(bustest.Server(t).ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	svc, err := micro.AddService(nc, micro.Config{Name: "test-index", Version: "0.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	if err := svc.AddEndpoint("search", api.SearchHandler(nc, s, nil, nil, zaptest.NewLogger(t)), micro.WithEndpointSubject(events.SubjectSearch)); err != nil {
		t.Fatal(err)
	}
	return nc
}
