package article_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
)

const samplePath = "../../samples/xi-putin-beijing.id.txt"

func readSample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return b
}

func mustParse(t *testing.T, payload string, opts article.Options) events.Article {
	t.Helper()
	a, err := article.Parse([]byte(payload), opts)
	if err != nil {
		t.Fatalf("Parse(%.60q): %v", payload, err)
	}
	return a
}

func TestParseSample(t *testing.T) {
	sample := readSample(t)
	a, err := article.Parse(sample, article.Options{})
	if err != nil {
		t.Fatalf("Parse(sample): %v", err)
	}

	wantTitle := "Xi menyambut 'teman lama' Putin yang memuji ikatan 'yang belum pernah terjadi sebelumnya' di Beijing"
	checks := []struct {
		name, got, want string
	}{
		{"title", a.Title, wantTitle},
		{"published_at", a.PublishedAt, "2025-09-02T00:00:00Z"},
		{"lang", a.Lang, "id"},
		{"url", a.URL, ""},
		{"source", a.Source, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if a.V != events.Version {
		t.Errorf("V = %d, want %d", a.V, events.Version)
	}
	if len(a.ID) != 16 || len(a.Version) != 16 {
		t.Errorf("ID %q and Version %q should be 16 hex digits", a.ID, a.Version)
	}
	if strings.Contains(a.Body, "Diterbitkan") {
		t.Errorf("body still holds the dateline:\n%s", a.Body[:200])
	}
	// Typographic quotes are kept, not folded to ASCII.
	if !strings.Contains(a.Body, "“teman lama”") {
		t.Errorf("body lost its typographic quotes")
	}

	ps := article.Split(a)
	// The sample has a title line, a blank line, the standfirst, the
	// dateline and 16 lines of body: 1 + 16 paragraphs.
	const wantParagraphs = 17
	if len(ps) != wantParagraphs {
		t.Fatalf("Split gave %d paragraphs, want %d", len(ps), wantParagraphs)
	}
	if want := "Pertemuan kedua pemimpin datang sehari sebelum parade militer yang menandai penyerahan Jepang dalam Perang Dunia II."; ps[0].Text != want {
		t.Errorf("paragraph 0 = %q, want the standfirst %q", ps[0].Text, want)
	}
	if !strings.HasPrefix(ps[1].Text, "Presiden Tiongkok Xi Jinping telah menyambut") {
		t.Errorf("paragraph 1 = %.60q, want the first body line", ps[1].Text)
	}
	if !strings.HasSuffix(ps[16].Text, "termasuk deportasi anak -anak ke Rusia.") {
		t.Errorf("paragraph 16 = %.60q, want the last line", ps[16].Text)
	}
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			t.Errorf("paragraph %d: Validate: %v", i, err)
		}
		if strings.Contains(p.Text, "Diterbitkan pada") {
			t.Errorf("paragraph %d is the dateline: %q", i, p.Text)
		}
		want := events.Paragraph{
			V: events.Version, ID: a.ID + "-" + itoa(i), ArticleID: a.ID, Version: a.Version,
			Index: i, Count: wantParagraphs, Title: wantTitle, Lang: "id", PublishedAt: "2025-09-02T00:00:00Z",
			Text: p.Text,
		}
		if p != want {
			t.Errorf("paragraph %d = %+v, want %+v", i, p, want)
		}
	}

	// The same article dropped twice is the same article.
	again, err := article.Parse(sample, article.Options{})
	if err != nil {
		t.Fatalf("Parse(sample) again: %v", err)
	}
	if again != a {
		t.Errorf("second Parse = %+v, want %+v", again, a)
	}
	// So is the same text with Windows line ends and trailing spaces.
	crlf := strings.ReplaceAll(string(sample), "\n", "  \r\n")
	if b := mustParse(t, crlf, article.Options{}); b.ID != a.ID || b.Version != a.Version {
		t.Errorf("CRLF copy: id %s version %s, want %s %s", b.ID, b.Version, a.ID, a.Version)
	}
}

func itoa(i int) string { return events.ParagraphID("", i)[1:] }

func TestParseJSON(t *testing.T) {
	base := mustParse(t, `{"id":"aj-xi-putin","title":"Xi welcomes Putin","body":"One.\nTwo."}`, article.Options{})
	changed := mustParse(t, `{"id":"aj-xi-putin","title":"Xi welcomes Putin","body":"One.\nTwo, corrected."}`, article.Options{})
	noID := mustParse(t, `{"title":"Xi welcomes Putin","body":"One.\nTwo."}`, article.Options{})
	asText := mustParse(t, "Xi welcomes Putin\n\nOne.\nTwo.", article.Options{})

	if base.ID != "aj-xi-putin" {
		t.Errorf("ID = %q, want the given id", base.ID)
	}
	if changed.ID != base.ID || changed.Version == base.Version {
		t.Errorf("changed body: id %q version %q; want id %q and a version other than %q",
			changed.ID, changed.Version, base.ID, base.Version)
	}
	if noID.ID == base.ID || len(noID.ID) != 16 {
		t.Errorf("no id: ID = %q, want a 16-digit content hash", noID.ID)
	}
	if asText.ID != noID.ID {
		t.Errorf("the same article as text has id %q, as JSON %q; want the same", asText.ID, noID.ID)
	}

	tests := []struct {
		name    string
		payload string
		want    events.Article // V, ID and Version are not compared
	}{
		{
			name:    "all fields",
			payload: `{"v":1,"url":" https://example.com/a ","title":"  Judul\u00a0 berita ","body":"Satu.\r\n\r\n\r\n\r\nDua.","published_at":"2025-09-02T10:30:00+07:00","lang":"EN-us","source":"Al Jazeera"}`,
			want: events.Article{URL: "https://example.com/a", Title: "Judul berita", Body: "Satu.\n\nDua.",
				PublishedAt: "2025-09-02T10:30:00+07:00", Lang: "en", Source: "Al Jazeera"},
		},
		{
			name:    "date only, lang given as ISO 639-3",
			payload: `{"title":"T","body":"B","published_at":"2025-09-02","lang":"ind"}`,
			want:    events.Article{Title: "T", Body: "B", PublishedAt: "2025-09-02T00:00:00Z", Lang: "id"},
		},
		{
			name:    "fractional seconds are kept",
			payload: `{"title":"T","body":"B","published_at":"2025-09-02T03:30:00.5Z","lang":"id"}`,
			want:    events.Article{Title: "T", Body: "B", PublishedAt: "2025-09-02T03:30:00.5Z", Lang: "id"},
		},
		{
			name:    "multi-line title becomes one line",
			payload: `{"title":"Baris satu\nbaris dua","body":"B","lang":"id"}`,
			want:    events.Article{Title: "Baris satu baris dua", Body: "B", Lang: "id"},
		},
		{
			name:    "HTML body and title",
			payload: `{"title":"AT&amp;T <b>naik</b>","body":"<p>Satu &amp; dua.</p><p>Tiga<br>Empat</p><script>x()</script>","lang":"id"}`,
			want:    events.Article{Title: "AT&T naik", Body: "Satu & dua.\n\nTiga\nEmpat", Lang: "id"},
		},
		{
			name:    "text body and title that mention markup",
			payload: `{"title":"AT&amp;T <b>naik</b>","body":"Tag <p> dan &amp;.","lang":"id"}`,
			want:    events.Article{Title: "AT&amp;T <b>naik</b>", Body: "Tag <p> dan &amp;.", Lang: "id"},
		},
		{
			name:    "body is not scanned for a dateline",
			payload: `{"title":"T","body":"Published on 2 September 2025\nText.","lang":"en"}`,
			want:    events.Article{Title: "T", Body: "Published on 2 September 2025\nText.", Lang: "en"},
		},
		{
			name:    "unknown fields are ignored",
			payload: ` {"title":"T","body":"B","lang":"id","author":"X"}`,
			want:    events.Article{Title: "T", Body: "B", Lang: "id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.payload, article.Options{})
			if got.V != events.Version || got.ID == "" || got.Version == "" {
				t.Errorf("V, ID, Version = %d, %q, %q; want all set", got.V, got.ID, got.Version)
			}
			got.V, got.ID, got.Version = 0, "", ""
			if got != tt.want {
				t.Errorf("Parse =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		opts      article.Options
		wantTitle string
		wantDate  string
		wantLang  string
		wantParas []string
	}{
		{
			name: "English with Published on",
			payload: "Xi welcomes 'old friend' Putin in Beijing\n\n" +
				"Published on 2 September 2025\n" +
				"Chinese President Xi Jinping has welcomed his Russian counterpart Vladimir Putin as an old friend.\n" +
				"The two allies have sharp differences with the United States over the war in Ukraine and tariffs.",
			wantTitle: "Xi welcomes 'old friend' Putin in Beijing",
			wantDate:  "2025-09-02T00:00:00Z",
			wantLang:  "en",
			wantParas: []string{
				"Chinese President Xi Jinping has welcomed his Russian counterpart Vladimir Putin as an old friend.",
				"The two allies have sharp differences with the United States over the war in Ukraine and tariffs.",
			},
		},
		{
			name: "first dateline wins and every one in the window is dropped",
			payload: "Title\nStandfirst sentence of the article goes here.\nPublished: September 2, 2025\n" +
				"UPDATED 3 Sep 2025 10:30 GMT\nThe body of the article is written in English here.",
			opts:      article.Options{DefaultLang: "en"},
			wantTitle: "Title",
			wantDate:  "2025-09-02T00:00:00Z",
			wantLang:  "en",
			wantParas: []string{"Standfirst sentence of the article goes here.", "The body of the article is written in English here."},
		},
		{
			name:      "a dateline past the first five lines is a paragraph",
			payload:   "T\nsatu\ndua\ntiga\nempat\nlima\nDiterbitkan 2 September 2025",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "T",
			wantLang:  "id",
			wantParas: []string{"satu", "dua", "tiga", "empat", "lima", "Diterbitkan 2 September 2025"},
		},
		{
			name:      "control characters stripped",
			payload:   "Ju\x07dul\x1b berita\n\nIsi\x7f berita\u0085 di sini.\vLagi\u200b.\f",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "Judul berita",
			wantLang:  "id",
			wantParas: []string{"Isi berita", "di sini. Lagi\u200b."},
		},
		{
			name: "HTML stripped into paragraphs",
			payload: "<!DOCTYPE html><html><head><title>Judul Berita</title><style>p{color:red}</style></head>" +
				"<body><p>Paragraf\n pertama &amp; satu-satunya&nbsp;&nbsp;di sini.</p><div>Kedua<br/>Ketiga</div>" +
				"<ul><li>Empat</li><li>Lima</li></ul><script>alert(1)</script><!-- komentar --></body></html>",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "Judul Berita",
			wantLang:  "id",
			wantParas: []string{"Paragraf pertama & satu-satunya di sini.", "Kedua", "Ketiga", "Empat", "Lima"},
		},
		{
			name:      "plain text with a tag in it is text",
			payload:   "Judul\n\nBaris <b>satu</b>.\nBaris dua.",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "Judul",
			wantLang:  "id",
			wantParas: []string{"Baris <b>satu</b>.", "Baris dua."},
		},
		{
			name:      "a title line over an HTML body",
			payload:   "AT&amp;T naik\nDiterbitkan 2 Sep 2025\n<p>Satu &amp; dua.</p>\n<p>Tiga.</p>",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "AT&T naik",
			wantDate:  "2025-09-02T00:00:00Z",
			wantLang:  "id",
			wantParas: []string{"Satu & dua.", "Tiga."},
		},
		{
			name:      "a dateline inside an HTML body",
			payload:   "Judul\n<p>Diterbitkan 2 Sep 2025</p><p>Satu.</p>",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "Judul",
			wantDate:  "2025-09-02T00:00:00Z",
			wantLang:  "id",
			wantParas: []string{"Satu."},
		},
		{
			name:      "NFC and Unicode spaces",
			payload:   "Cafe\u0301\u3000baru\n\nDi\u00a0\u00a0sini\t\t\tada\u2003kopi.",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "Café baru",
			wantLang:  "id",
			wantParas: []string{"Di sini ada kopi."},
		},
		{
			name:      "BOM and leading blank lines",
			payload:   "\uFEFF\n\n  Judul  \n\n\n\n\nIsi.",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "Judul",
			wantLang:  "id",
			wantParas: []string{"Isi."},
		},
		{
			name:      "undetectable language without a default",
			payload:   "Xq\nzz",
			wantTitle: "Xq",
			wantLang:  "und",
			wantParas: []string{"zz"},
		},
		{
			name:      "a text starting with [ that is not JSON",
			payload:   "[VIDEO] Banjir di Jakarta\nHujan deras merendam ratusan rumah warga di Jakarta Timur pada hari Senin.",
			opts:      article.Options{DefaultLang: "id"},
			wantTitle: "[VIDEO] Banjir di Jakarta",
			wantLang:  "id",
			wantParas: []string{"Hujan deras merendam ratusan rumah warga di Jakarta Timur pada hari Senin."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustParse(t, tt.payload, tt.opts)
			if a.Title != tt.wantTitle || a.PublishedAt != tt.wantDate || a.Lang != tt.wantLang {
				t.Errorf("title, published_at, lang = %q, %q, %q; want %q, %q, %q",
					a.Title, a.PublishedAt, a.Lang, tt.wantTitle, tt.wantDate, tt.wantLang)
			}
			ps := article.Split(a)
			got := make([]string, len(ps))
			for i, p := range ps {
				got[i] = p.Text
				if err := p.Validate(); err != nil {
					t.Errorf("paragraph %d: %v", i, err)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.wantParas, "|") {
				t.Errorf("paragraphs =\n %q\nwant\n %q", got, tt.wantParas)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		opts     article.Options
		want     error
		wantText []string // each must appear in the message
	}{
		{"empty message", "  \n\t", article.Options{}, events.ErrEmptyBody, []string{"empty"}},
		{"text with title only", "Hanya judul\n\n", article.Options{}, events.ErrEmptyBody, []string{"Hanya judul", "no body"}},
		{"JSON empty body", `{"title":"T","body":"  "}`, article.Options{}, events.ErrEmptyBody, []string{`"body"`}},
		{"JSON body all markup", `{"title":"T","body":"<div><br></div>"}`, article.Options{}, events.ErrEmptyBody, []string{"markup"}},
		{"text all markup", "<div><br></div>", article.Options{}, events.ErrEmptyBody, []string{"markup"}},
		{"text body all markup", "Judul\n<div><br></div><p>&nbsp;</p>", article.Options{}, events.ErrEmptyBody, []string{"no body"}},
		{"JSON empty title", `{"title":"","body":"B"}`, article.Options{}, events.ErrEmptyTitle, []string{`"title"`}},
		{"JSON missing title", `{"body":"B"}`, article.Options{}, events.ErrEmptyTitle, []string{`"title"`}},
		{"JSON title all markup", `{"title":"<b></b>","body":"<p>B</p>"}`, article.Options{}, events.ErrEmptyTitle, nil},
		{"text title line all markup", "&nbsp;<b></b>\n<p>B</p>", article.Options{}, events.ErrEmptyTitle, []string{"first line", "headline"}},
		{"unknown format", `{"title":"T","body":"B","format":"markdown"}`, article.Options{}, article.ErrBadFormat, []string{`"markdown"`, `"html"`}},
		{"invalid JSON", `{"title":"T","body":`, article.Options{}, events.ErrDecode, []string{`{"title"`}},
		{"JSON with trailing garbage", `{"title":"T","body":"B"} x`, article.Options{}, events.ErrDecode, nil},
		{"title is a number", `{"title":42,"body":"B"}`, article.Options{}, events.ErrDecode, []string{`"title" must be a string, not a number`, `{"title"`}},
		{"body is an array", `{"title":"T","body":["a","b"]}`, article.Options{}, events.ErrDecode, []string{`"body" must be a string, not an array`}},
		{"v is an object", `{"v":{},"title":"T","body":"B"}`, article.Options{}, events.ErrDecode, []string{`"v" must be a whole number, not an object`}},
		{"top-level array", `[{"title":"T","body":"B"}]`, article.Options{}, events.ErrDecode, []string{"array", "one article"}},
		{"v=2", `{"v":2,"title":"T","body":"B"}`, article.Options{}, events.ErrUnsupportedVersion, []string{"v=2", "v=1"}},
		{"v is a string", `{"v":"1","title":"T","body":"B"}`, article.Options{}, events.ErrDecode, nil},
		{"invalid UTF-8", "Judul\n\nIsi \xff\xfe berita", article.Options{}, events.ErrInvalidUTF8, []string{"offset 11", "UTF-8"}},
		{"invalid UTF-8 in JSON", "{\"title\":\"T\xc3\",\"body\":\"B\"}", article.Options{}, events.ErrInvalidUTF8, []string{"offset 11"}},
		{"PNG image", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", article.Options{}, article.ErrBinary, []string{"PNG image", "UTF-8 text"}},
		{"PDF document", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", article.Options{}, article.ErrBinary, []string{"PDF", "extract its text"}},
		{"docx document", "PK\x03\x04\x14\x00\x06\x00", article.Options{}, article.ErrBinary, []string{"ZIP", ".docx"}},
		{"UTF-16 text", "\xff\xfeJ\x00u\x00d\x00u\x00l\x00", article.Options{}, events.ErrInvalidUTF8, []string{"UTF-16", "iconv"}},
		{"NUL in text", "Judul\n\nIsi\x00 berita", article.Options{}, article.ErrBinary, []string{"NUL", "offset 10"}},
		{"garbage without NUL", "\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\x90\x91ab\x92\x93", article.Options{}, article.ErrBinary, []string{"not UTF-8", "binary"}},
		{"mostly control characters", "\x01\x02\x03\x04a\x05\x06\x07\x08\x0e\x0f", article.Options{}, article.ErrBinary, []string{"control"}},
		{"oversize", "T\n" + strings.Repeat("x", 100), article.Options{MaxBytes: 64}, events.ErrTooLarge,
			[]string{"102 bytes", "64 bytes", "--max-article-bytes", "MAX_ARTICLE_BYTES"}},
		{"title too long", strings.Repeat("kata ", 500) + "\n\nIsi.", article.Options{}, events.ErrTooLarge,
			[]string{"2499 bytes", "2048", "first line"}},
		{"JSON title too long", `{"title":"` + strings.Repeat("x", 3000) + `","body":"B"}`, article.Options{}, events.ErrTooLarge,
			[]string{"3000 bytes", `"title"`}},
		{"too many paragraphs", "Judul\n" + strings.Repeat("kata\n", 11), article.Options{MaxParagraphs: 10}, events.ErrTooLarge,
			[]string{"11 paragraphs", "limit is 10", "--max-paragraphs", "MAX_PARAGRAPHS"}},
		{"too many paragraphs in JSON", `{"title":"T","body":"<p>a</p><p>b</p><p>c</p>"}`, article.Options{MaxParagraphs: 2}, events.ErrTooLarge,
			[]string{"3 paragraphs"}},
		{"oversize by default", "T\n" + strings.Repeat("x", article.DefaultMaxBytes), article.Options{}, events.ErrTooLarge, []string{"1048576"}},
		{"bad published_at", `{"title":"T","body":"B","published_at":"2 Sep 2025"}`, article.Options{}, events.ErrBadDate, []string{"published_at", "RFC 3339"}},
		{"id with a dot", `{"id":"a.b","title":"T","body":"B"}`, article.Options{}, article.ErrBadID, []string{`'.'`}},
		{"id with a space", `{"id":"a b","title":"T","body":"B"}`, article.Options{}, article.ErrBadID, []string{"whitespace"}},
		{"id with a wildcard", `{"id":"a>","title":"T","body":"B"}`, article.Options{}, article.ErrBadID, nil},
		{"id too long", `{"id":"` + strings.Repeat("a", 129) + `","title":"T","body":"B"}`, article.Options{}, article.ErrBadID, []string{"129 bytes"}},
		{"bad lang", `{"title":"T","body":"B","lang":"bahasa indonesia"}`, article.Options{}, article.ErrBadLang, []string{`"id"`}},
		{"lang with digits", `{"title":"T","body":"B","lang":"e1"}`, article.Options{}, article.ErrBadLang, nil},
		{"lang as a name", `{"title":"T","body":"B","lang":"Indonesia"}`, article.Options{}, article.ErrBadLang, []string{"Indonesia"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := article.Parse([]byte(tt.payload), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %+v, %v; want an error matching %v", a, err, tt.want)
			}
			if !errors.Is(err, events.ErrInvalid) {
				t.Errorf("error %v does not match events.ErrInvalid", err)
			}
			if a != (events.Article{}) {
				t.Errorf("Parse returned %+v with its error, want the zero Article", a)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestParseMaxBytesBoundary(t *testing.T) {
	payload := "Judul\nIsi."
	if _, err := article.Parse([]byte(payload), article.Options{MaxBytes: len(payload)}); err != nil {
		t.Errorf("a payload of exactly MaxBytes: %v", err)
	}
	if _, err := article.Parse([]byte(payload), article.Options{MaxBytes: len(payload) - 1}); !errors.Is(err, events.ErrTooLarge) {
		t.Errorf("a payload one byte over MaxBytes: %v, want ErrTooLarge", err)
	}
}

func TestParseMaxParagraphsBoundary(t *testing.T) {
	payload := "Judul\n\n" + strings.Repeat("kata\n\n", 3000)
	a, err := article.Parse([]byte(payload), article.Options{MaxParagraphs: 3000})
	if err != nil {
		t.Fatalf("an article of exactly MaxParagraphs paragraphs: %v", err)
	}
	if n := len(article.Split(a)); n != 3000 {
		t.Errorf("Split gave %d paragraphs, want 3000", n)
	}
	if _, err := article.Parse([]byte(payload), article.Options{MaxParagraphs: 2999}); !errors.Is(err, events.ErrTooLarge) {
		t.Errorf("one paragraph over MaxParagraphs: %v, want ErrTooLarge", err)
	}
	if _, err := article.Parse([]byte(payload), article.Options{}); err != nil {
		t.Errorf("MaxParagraphs 0 should mean no limit: %v", err)
	}
}

func TestSplit(t *testing.T) {
	a := mustParse(t, `{"id":"x1","title":"T","body":"Satu.\n\nDua.\nTiga.","lang":"id","url":"https://example.com","source":"S","published_at":"2025-09-02"}`, article.Options{})
	ps := article.Split(a)
	if len(ps) != 3 {
		t.Fatalf("Split gave %d paragraphs, want 3", len(ps))
	}
	for i, p := range ps {
		want := events.Paragraph{V: events.Version, ID: events.ParagraphID("x1", i), ArticleID: "x1",
			Version: a.Version, Index: i, Count: 3, Title: "T", Lang: "id", PublishedAt: "2025-09-02T00:00:00Z",
			URL: "https://example.com", Source: "S", Text: []string{"Satu.", "Dua.", "Tiga."}[i]}
		if p != want {
			t.Errorf("paragraph %d =\n %+v\nwant\n %+v", i, p, want)
		}
	}
	if ps := article.Split(events.Article{ID: "x", Version: "v", Body: " \n\n "}); ps != nil {
		t.Errorf("Split of a blank body = %+v, want nil", ps)
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t\n ", nil},
		{"one line", "satu", []string{"satu"}},
		{"blank lines", "satu\n\ndua\n\n\n\ntiga", []string{"satu", "dua", "tiga"}},
		{"single breaks", "satu\ndua", []string{"satu", "dua"}},
		{"CR and CRLF", "satu\r\ndua\rtiga", []string{"satu", "dua", "tiga"}},
		{"Unicode separators", "satu\u2028dua\u2029tiga", []string{"satu", "dua", "tiga"}},
		{"trims", "  satu \n\u00a0dua\u00a0", []string{"satu", "dua"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := article.SplitText(tt.body)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("SplitText(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestNormalizeLang(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"id", "id", false},
		{"EN-us", "en", false},
		{"id_ID", "id", false},
		{" zh-Hant-TW ", "zh", false},
		{"ind", "id", false},
		{"eng", "en", false},
		{"und", "und", false},
		{"", "", true},
		{"e", "", true},
		{"english language", "", true},
		{"12", "", true},
		{"bahasaindonesia", "", true},
		{"bahasa", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := article.NormalizeLang(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("NormalizeLang(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, article.ErrBadLang) {
				t.Errorf("error %v does not match ErrBadLang", err)
			}
		})
	}
}

func TestDetectLang(t *testing.T) {
	tests := []struct {
		name, payload string
		opts          article.Options
		want          string
	}{
		{"Indonesian", "Banjir merendam ratusan rumah\nBanjir merendam ratusan rumah warga di Kabupaten Bandung setelah hujan deras semalam.", article.Options{}, "id"},
		{"Indonesian politics", "Presiden meresmikan jalan tol\nPresiden Joko Widodo meresmikan jalan tol baru di Jawa Tengah pada hari Senin.", article.Options{}, "id"},
		// Malay is told from Indonesian by the words they write differently.
		{"Malay", "Dasar baharu kerajaan\nKerajaan Malaysia akan melaksanakan dasar baharu untuk membantu rakyat yang memerlukan.", article.Options{}, "ms"},
		// Short Indonesian text that trigrams take for Javanese: its function words say Indonesian.
		{"short Indonesian with default", "Harga beras naik\nHarga beras naik tajam di pasar tradisional Jakarta menjelang Lebaran, kata pedagang.", article.Options{DefaultLang: "id"}, "id"},
		{"short Indonesian without default", "Harga beras naik\nHarga beras naik tajam di pasar tradisional Jakarta menjelang Lebaran, kata pedagang.", article.Options{}, "id"},
		{"English", "Xi welcomes Putin\nThe two leaders met in Beijing on Tuesday ahead of a large military parade.", article.Options{}, "en"},
		{"French", "Xi accueille Poutine\nLe président a rencontré son homologue à Pékin mardi pour discuter de la guerre.", article.Options{}, "fr"},
		{"Chinese", "习近平欢迎普京\n两国领导人周二在北京会面。", article.Options{}, "zh"},
		{"given lang wins", `{"title":"Xi welcomes Putin","body":"The two leaders met in Beijing on Tuesday.","lang":"id"}`, article.Options{}, "id"},
		{"invalid default is ignored", "Xq\nzz", article.Options{DefaultLang: "??"}, "und"},
		{"default is normalised", "Xq\nzz", article.Options{DefaultLang: "ID-id"}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.payload, tt.opts).Lang; got != tt.want {
				t.Errorf("Lang = %q, want %q", got, tt.want)
			}
		})
	}
}

func BenchmarkParseSample(b *testing.B) {
	sample := readSample(b)
	b.SetBytes(int64(len(sample)))
	for b.Loop() {
		a, err := article.Parse(sample, article.Options{})
		if err != nil {
			b.Fatal(err)
		}
		_ = article.Split(a)
	}
}

func BenchmarkParseLargeHTML(b *testing.B) {
	payload := []byte("<h1>Judul</h1>" + strings.Repeat("<p>Presiden Tiongkok Xi Jinping telah menyambut rekannya Rusia Vladimir Putin.</p>\n", 10000))
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := article.Parse(payload, article.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseErrorLength(t *testing.T) {
	payload := `{"title":42,"body":"` + strings.Repeat("isi ", 100000) + `"}`
	_, err := article.Parse([]byte(payload), article.Options{})
	if !errors.Is(err, events.ErrDecode) || len(errString(err)) > 600 {
		t.Errorf("error of %d bytes for a %d-byte payload; want a short ErrDecode", len(errString(err)), len(payload))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
