package article_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/events"
)

// TestTextThatMentionsMarkup is prose about markup: a plain-text article or
// a JSON body (without "format") that mentions <script>, <!--, <style>, an
// unclosed <b> or a comparison such as a<b and c>d keeps every paragraph,
// word for word, tags and all. Each once ended the article at that point or
// ran its paragraphs into one.
func TestTextThatMentionsMarkup(t *testing.T) {
	for _, tc := range []struct{ name, line string }{
		{"script tag", "Hackers used a <script> tag to steal cookies."},
		{"comment opener", "Developers leave notes in <!-- comments that nobody sees."},
		{"style tag", "The page put its colours in a <style> block."},
		{"unclosed b", "Press <b> to make text bold in the old editor."},
		{"comparison", "If a<b and c>d, then the sum is not ordered."},
		{"script element closed later", "A <script> line ends with </script> in the page source."},
		{"entity", "AT&amp;T is how the feed wrote AT&T."},
		{"doctype mentioned", "Every page starts with <!DOCTYPE html> today."},
	} {
		paras := []string{
			"The attack began on Monday, the company said.",
			tc.line,
			"Customers were told to change their passwords.",
			"The company did not say how many accounts were affected.",
		}
		body := strings.Join(paras, "\n")
		t.Run(tc.name+"/text", func(t *testing.T) {
			a := mustParse(t, "Security news\n\n"+body, article.Options{DefaultLang: "en"})
			checkParagraphs(t, a, paras)
		})
		t.Run(tc.name+"/json", func(t *testing.T) {
			a := mustParse(t, `{"title":"Security news","body":`+strconv.Quote(body)+`}`, article.Options{DefaultLang: "en"})
			checkParagraphs(t, a, paras)
		})
		t.Run(tc.name+"/json first line", func(t *testing.T) {
			// The line that mentions markup opens the body.
			first := append([]string{tc.line}, paras[:1]...)
			a := mustParse(t, `{"title":"Security news","body":`+strconv.Quote(strings.Join(first, "\n"))+`}`, article.Options{DefaultLang: "en"})
			checkParagraphs(t, a, first)
		})
	}
}

// TestHTMLFormat covers bodies that are HTML: a document, a fragment of
// elements, or any body under "format": "html". Markup that would swallow
// the rest of the text (a <script>, <style> or comment never closed, a tag
// cut off at the end) is kept as text instead.
func TestHTMLFormat(t *testing.T) {
	for _, tc := range []struct {
		name, payload string
		title         string
		want          []string
	}{
		{"document", "<!DOCTYPE html><html><head><title>T</title></head><body><p>a &amp; b</p><script>x()</script><p>c</p></body></html>",
			"T", []string{"a & b", "c"}},
		{"fragment in JSON", `{"title":"T","body":"<p>a</p><!-- note --><p>b</p>"}`, "T", []string{"a", "b"}},
		{"format html", `{"title":"AT&amp;T <b>naik</b>","format":"html","body":"Satu &amp; dua.<br>Tiga <b>empat</b>"}`,
			"AT&T naik", []string{"Satu & dua.", "Tiga empat"}},
		{"format text", `{"title":"<b>T</b>","format":"text","body":"<p>a</p><p>b</p>"}`, "<b>T</b>", []string{"<p>a</p><p>b</p>"}},
		{"format is case-insensitive", `{"title":"T","format":" HTML ","body":"a<br>b"}`, "T", []string{"a", "b"}},
		{"unclosed script in HTML", `{"title":"T","format":"html","body":"<p>Hackers used a <script> tag.</p><p>Two.</p><p>Three.</p>"}`,
			"T", []string{"Hackers used a <script> tag.", "Two.", "Three."}},
		{"closed script before an unclosed one", `{"title":"T","format":"html","body":"<script>x()</script><p>a <script> b</p><p>c</p>"}`,
			"T", []string{"a <script> b", "c"}},
		{"unclosed style in HTML", `{"title":"T","format":"html","body":"<p>A <style> block.</p><p>Two.</p>"}`,
			"T", []string{"A <style> block.", "Two."}},
		{"unclosed comment in HTML", `{"title":"T","format":"html","body":"<p>a <!-- b</p><p>c <!-- d</p><!-- e --"}`,
			"T", []string{"a <!-- b", "c <!-- d", "<!-- e --"}},
		{"unclosed svg in HTML", `{"title":"T","format":"html","body":"<p>An <svg> icon.</p><p>Two.</p>"}`,
			"T", []string{"An <svg> icon.", "Two."}},
		{"tag cut off at the end", `{"title":"T","format":"html","body":"<p>a</p><p>b <a href=\"x"}`, "T", []string{"a", `b <a href="x`}},
		{"unclosed title element", `{"title":"T","format":"html","body":"<p>The <title> element.</p><p>Two.</p>"}`,
			"T", []string{"The <title> element.", "Two."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mustParse(t, tc.payload, article.Options{DefaultLang: "en"})
			if a.Title != tc.title {
				t.Errorf("title = %q, want %q", a.Title, tc.title)
			}
			checkParagraphs(t, a, tc.want)
		})
	}
}

func TestBadFormat(t *testing.T) {
	_, err := article.Parse([]byte(`{"title":"T","body":"B","format":"markdown"}`), article.Options{})
	if !errors.Is(err, article.ErrBadFormat) || !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("Parse = %v, want an error matching ErrBadFormat and events.ErrInvalid", err)
	}
	for _, s := range []string{`"markdown"`, `"html"`, `"text"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %s", err, s)
		}
	}
}

func checkParagraphs(t *testing.T, a events.Article, want []string) {
	t.Helper()
	ps := article.Split(a)
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = p.Text
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("%d paragraphs %q, want %d: %q", len(got), got, len(want), want)
	}
}
