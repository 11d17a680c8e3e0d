package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/api"
	"github.com/warta-news/warta/services/index/store"
)

func paragraph(articleID string, index, count int, lang, text string, ents ...events.Entity) events.EnrichedParagraph {
	for i := range ents {
		ents[i].Start = strings.Index(text, ents[i].Text)
		ents[i].End = ents[i].Start + len(ents[i].Text)
	}
	if ents == nil {
		ents = []events.Entity{}
	}
	return events.EnrichedParagraph{
		Paragraph: events.Paragraph{
			V: events.Version, ID: events.ParagraphID(articleID, index), ArticleID: articleID, Version: "v1",
			Index: index, Count: count, Title: "Title of " + articleID, Lang: lang, PublishedAt: "2025-09-02", Text: text,
		},
		Entities: ents,
		Dates:    []events.Date{},
	}
}

// newServer serves the API over newStore.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.NewHandler(newStore(t), zaptest.NewLogger(t)))
	t.Cleanup(srv.Close)
	return srv
}

// newStore is a real index holding a complete Indonesian article "a/1"
// (its id has a slash) and one paragraph of an English one.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Apply(context.Background(), []events.EnrichedParagraph{
		paragraph("a/1", 0, 2, "id", "Tiongkok dan Indonesia menandatangani perjanjian.",
			events.Entity{Text: "Tiongkok", Type: events.Location, Canonical: "China"},
			events.Entity{Text: "Indonesia", Type: events.Location, Canonical: "Indonesia"}),
		paragraph("a/1", 1, 2, "id", "Presiden Prabowo hadir di Beijing.",
			events.Entity{Text: "Prabowo", Type: events.Person, Canonical: "Prabowo Subianto"},
			events.Entity{Text: "Beijing", Type: events.Location, Canonical: "Beijing"}),
		paragraph("b", 0, 3, "en", "Markets in Washington, D.C. rallied.",
			events.Entity{Text: "Washington, D.C.", Type: events.Location, Canonical: "Washington, D.C."}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get requests path and decodes the JSON answer into v, checking the status.
func get(t *testing.T, srv *httptest.Server, path string, wantStatus int, v any) {
	t.Helper()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d; body %s", path, res.StatusCode, wantStatus, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: body %s is not the JSON expected: %v", path, body, err)
	}
}

func ids(res store.Result) []string {
	out := []string{}
	for _, h := range res.Paragraphs {
		out = append(out, h.ParagraphID)
	}
	slices.Sort(out)
	return out
}

func TestSearch(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"all", "", []string{"a/1-0", "a/1-1", "b-0"}},
		{"text", "q=perjanjian", []string{"a/1-0"}},
		{"entity canonical", "entity=China", []string{"a/1-0"}},
		{"entities repeated", "entity=China&entity=Indonesia", []string{"a/1-0"}},
		{"entities comma-separated", "entity=China,Beijing", []string{}},
		{"type", "type=person", []string{"a/1-1"}},
		{"types comma-separated", "type=PERSON,LOCATION", []string{"a/1-1"}},
		{"lang", "lang=en", []string{"b-0"}},
		{"dates", "from=2025-09-02&to=2025-09-02", []string{"a/1-0", "a/1-1", "b-0"}},
		{"dates exclude", "from=2025-09-03", []string{}},
		{"size", "size=1&offset=1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res store.Result
			get(t, srv, "/search?group=paragraph&"+tc.query, http.StatusOK, &res)
			if tc.want == nil {
				if len(res.Paragraphs) != 1 || res.Total != 3 {
					t.Errorf("hits %v of %d, want 1 of 3", ids(res), res.Total)
				}
				return
			}
			if got := ids(res); !slices.Equal(got, tc.want) {
				t.Errorf("hits = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSearchResponseShape(t *testing.T) {
	srv := newServer(t)
	for _, group := range []string{"", "&group=paragraph"} {
		var raw map[string]json.RawMessage
		get(t, srv, "/search?q=Tiongkok"+group, http.StatusOK, &raw)
		for _, k := range []string{"total", "took_ms", "group", "hits", "facets"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("response has no %q: %v", k, raw)
			}
		}
	}
	var res store.Result
	get(t, srv, "/search?q=Tiongkok&group=paragraph", http.StatusOK, &res)
	if len(res.Paragraphs) != 1 {
		t.Fatalf("hits = %v", ids(res))
	}
	h := res.Paragraphs[0]
	if h.ArticleID != "a/1" || h.Index != 0 || len(h.Entities) != 2 || h.Entities[0].Canonical != "China" ||
		len(h.Highlights) != 1 || !strings.Contains(h.Highlights[0], "<mark>Tiongkok</mark>") {
		t.Errorf("hit = %+v", h)
	}
	if f := res.Facets["entity"]; !slices.Contains(f, store.FacetCount{Term: "China", Count: 1}) {
		t.Errorf("entity facet = %v", f)
	}
	// By default, one hit per article, with its matching paragraphs.
	get(t, srv, "/search?q=Tiongkok", http.StatusOK, &res)
	if res.Group != "article" || len(res.Articles) != 1 {
		t.Fatalf("result = %+v, want one article hit", res)
	}
	a := res.Articles[0]
	if a.ArticleID != "a/1" || len(a.Paragraphs) != 1 || a.Paragraphs[0].Index != 0 ||
		!strings.Contains(a.Paragraphs[0].Highlights[0], "<mark>Tiongkok</mark>") || len(a.Entities) == 0 {
		t.Errorf("article hit = %+v", a)
	}
}

// TestOffsets: entities carry, beside their byte offsets into the UTF-8
// text, the offsets a Python (code points) and a JavaScript (UTF-16) client
// cut the text with.
func TestOffsets(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text := "Café 😀 in Zürich."
	p := paragraph("u", 0, 1, "en", text, events.Entity{Text: "Zürich", Type: events.Location, Canonical: "Zurich"})
	if res, err := s.Apply(context.Background(), []events.EnrichedParagraph{p}); err != nil || len(res.Rejected) > 0 {
		t.Fatal(err, res.Rejected)
	}
	srv := httptest.NewServer(api.NewHandler(s, zaptest.NewLogger(t)))
	defer srv.Close()
	var res store.Result
	get(t, srv, "/search?group=paragraph&q=zurich", http.StatusOK, &res)
	if len(res.Paragraphs) != 1 || len(res.Paragraphs[0].Entities) != 1 {
		t.Fatalf("hits = %+v", res.Paragraphs)
	}
	e := res.Paragraphs[0].Entities[0]
	runes := []rune(text)
	if string(runes[e.StartRune:e.EndRune]) != "Zürich" || text[e.Start:e.End] != "Zürich" ||
		e.StartUTF16 != e.StartRune+1 || e.EndUTF16-e.StartUTF16 != 6 {
		t.Errorf("entity offsets = %+v: want bytes [%d,%d), runes [8,14), UTF-16 [9,15)", e, strings.Index(text, "Zürich"), len(text)-1)
	}
}

func TestBadRequests(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		name, path string
		status     int
		msg        string
	}{
		{"size too big", "/search?size=500", 400, "size 500"},
		{"size not a number", "/search?size=ten", 400, `size "ten" is not a whole number`},
		{"offset too far", "/search?offset=20000", 400, "offset 20000"},
		{"deep offset", "/search?q=harian&offset=5000", 400, "search_after"},
		{"offset and cursor", "/search?q=harian&offset=10&search_after=x", 400, "not both"},
		{"bad cursor", "/search?q=harian&search_after=nonsense", 400, `search_after "nonsense"`},
		{"cursor of another sort", "/search?lang=id&search_after=" + url.QueryEscape("s.MQ.YQ"), 400, "not a cursor of this search"},
		{"facets too many", "/search?facets=99", 400, "facets 99"},
		{"unknown parameter", "/search?q=x&sise=5", 400, `unknown parameter "sise"`},
		{"unknown parameters listed with the accepted ones", "/search?q=x&limit=5&facet=3", 400,
			`unknown parameters "facet", "limit": /search takes q, entity, type, lang, from, to, mentioned_from, mentioned_to, group, sort, size, offset, search_after, facets`},
		{"facets zero", "/search?q=x&facets=0", 400, "facets 0 is out of range: use 1 to 50"},
		{"size zero", "/search?q=x&size=0", 400, "size 0 is out of range: use 1 to 100"},
		{"parameter of an article", "/articles/a%2F1?full=1", 400, `unknown parameter "full": /articles/{id} takes no parameters`},
		{"parameter of stats", "/stats?verbose=true", 400, `unknown parameter "verbose": /stats takes no parameters`},
		{"parameter of healthz", "/healthz?deep=1", 400, `unknown parameter "deep": /healthz takes no parameters`},
		{"bad group", "/search?group=sentence", 400, `group "sentence"`},
		{"bad sort", "/search?sort=oldest", 400, `sort "oldest"`},
		{"bad date", "/search?from=last+week", 400, `from "last week" is not a date`},
		{"from after to", "/search?from=2025-09-03&to=2025-09-01", 400, "swap them"},
		{"unknown type", "/search?type=ALIEN", 400, "unknown entity type"},
		{"q too long", "/search?q=" + strings.Repeat("x", api.MaxQueryBytes+1), 400, "q is 1025 bytes long"},
		{"too many words", "/search?q=" + url.QueryEscape(strings.Repeat("a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg hh ", 1)), 400, "distinct words"},
		{"unknown article", "/articles/nope", 404, `no article "nope"`},
		{"empty article id", "/articles/", 404, "no article"},
		{"unknown route", "/nope", 404, "no route /nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body map[string]string
			get(t, srv, tc.path, tc.status, &body)
			if !strings.Contains(body["error"], tc.msg) {
				t.Errorf("error = %q, want it to say %q", body["error"], tc.msg)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	srv := newServer(t)
	res, err := http.Post(srv.URL+"/search", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" || body["error"] == "" {
		t.Errorf("POST /search = %d, Allow %q, body %v", res.StatusCode, res.Header.Get("Allow"), body)
	}
}

func TestArticle(t *testing.T) {
	srv := newServer(t)
	var v store.ArticleView
	get(t, srv, "/articles/"+url.PathEscape("a/1"), http.StatusOK, &v)
	if v.ID != "a/1" || !v.Complete || v.Count != 2 || len(v.Paragraphs) != 2 || v.Paragraphs[1].Entities[0].Canonical != "Prabowo Subianto" {
		t.Errorf("article = %+v", v)
	}
	get(t, srv, "/articles/b", http.StatusOK, &v)
	if v.Complete || len(v.Paragraphs) != 1 {
		t.Errorf("incomplete article = %+v, want 1 paragraph, not complete", v)
	}
}

func TestStatsAndHealth(t *testing.T) {
	srv := newServer(t)
	var st store.Stats
	get(t, srv, "/stats", http.StatusOK, &st)
	if st.Articles != 1 || st.Paragraphs != 3 || st.Entities != 5 || st.DocCount != 4 || st.IndexPath == "" {
		t.Errorf("stats = %+v", st)
	}
	var h map[string]string
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h["status"] != "ok" {
		t.Errorf("healthz = %v", h)
	}
}

// failing is a Searcher whose index is broken.
type failing struct{ err error }

func (f failing) Search(context.Context, store.Query) (store.Result, error) {
	return store.Result{}, f.err
}

func (f failing) Article(context.Context, string) (store.ArticleView, bool, error) {
	return store.ArticleView{}, false, f.err
}
func (f failing) Stats(context.Context) (store.Stats, error) { return store.Stats{}, f.err }

func TestInternalErrorsAreLogged(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
	}{
		{errors.New("disk on fire"), http.StatusInternalServerError},
		{context.DeadlineExceeded, http.StatusServiceUnavailable},
	} {
		core, logs := observer.New(zap.ErrorLevel)
		srv := httptest.NewServer(api.NewHandler(failing{tc.err}, zap.New(core)))
		for _, path := range []string{"/search?q=x", "/articles/x", "/stats"} {
			var body map[string]string
			get(t, srv, path, tc.status, &body)
			if body["error"] == "" || strings.Contains(body["error"], "disk on fire") {
				t.Errorf("%s: error %q, want a message without the internals", path, body["error"])
			}
		}
		srv.Close()
		if n := logs.FilterMessage("request failed").Len(); n != 3 {
			t.Errorf("%v: %d errors logged, want 3", tc.err, n)
		}
	}
}

// TestOddInput sends the requests a careless or hostile client might: each
// gets a 400 that says what was wrong, or a normal answer, never a 500.
func TestOddInput(t *testing.T) {
	srv := newServer(t)
	var ents []string
	for i := range store.MaxFilters + 1 {
		ents = append(ents, fmt.Sprintf("Entity %d", i))
	}
	for _, tc := range []struct {
		name, path string
		status     int
		msg        string // in the error of a 400
	}{
		{"negative size", "/search?size=-1", 400, "size -1 is out of range"},
		{"size overflows", "/search?size=99999999999999999999", 400, "is not a whole number"},
		{"negative offset", "/search?offset=-5", 400, "offset -5 is out of range"},
		{"offset just beyond max", fmt.Sprintf("/search?offset=%d", store.MaxOffset+1), 400, "page further with search_after"},
		{"negative facets", "/search?facets=-1", 400, "facets -1 is out of range"},
		{"invalid to", "/search?to=2025-13-45", 400, `to "2025-13-45" is not a date`},
		{"invalid mentioned_from", "/search?mentioned_from=kemarin", 400, `mentioned_from "kemarin" is not a date`},
		{"31st of February", "/search?mentioned_to=2025-02-31", 400, "is not a date"},
		{"unknown type in a list", "/search?type=person,ALIEN", 400, `unknown entity type "ALIEN"`},
		{"too many entity filters", "/search?entity=" + url.QueryEscape(strings.Join(ents, ",")), 400, "use at most 20"},
		{"10 KB q", "/search?q=" + url.QueryEscape(strings.Repeat("kata ", 2048)), 400, "q is 10240 bytes long"},
		{"invalid UTF-8 q", "/search?q=%ff%fe", 400, "not valid UTF-8"},
		{"NUL byte in q", "/search?q=Beijing%00Tiongkok", 200, ""},
		{"query syntax is plain text", "/search?q=" + url.QueryEscape(`title:x AND ( "unclosed * ~ ^2 -Beijing`), 200, ""},
		{"last page", fmt.Sprintf("/search?offset=%d&size=%d", store.MaxOffset, store.MaxSize), 200, ""},
		{"long lang", "/search?lang=" + strings.Repeat("x", 5000), 200, ""},
		{"long entity", "/search?entity=" + strings.Repeat("x", 10000), 200, ""},
		{"NUL article id", "/articles/%00", 404, "no article"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body map[string]any
			get(t, srv, tc.path, tc.status, &body)
			if tc.status == 200 {
				if _, ok := body["hits"]; !ok {
					t.Errorf("answer has no hits: %v", body)
				}
				return
			}
			if msg, _ := body["error"].(string); !strings.Contains(msg, tc.msg) {
				t.Errorf("error = %q, want it to say %q", msg, tc.msg)
			}
		})
	}
}
