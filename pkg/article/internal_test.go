package article

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseDateline(t *testing.T) {
	tests := []struct {
		line string
		want string // "" for not a dateline
	}{
		{"Diterbitkan pada 2 Sep 2025", "2025-09-02"},
		{"Diterbitkan 2 September 2025", "2025-09-02"},
		{"diterbitkan pada 17 Agustus 1945", "1945-08-17"},
		{"Diterbitkan: 1 Mei 2024", "2024-05-01"},
		{"Diperbarui 31 Des 2024 14:05 WIB", "2024-12-31"},
		{"Diperbarui pada Selasa, 2 Sep. 2025 | 10.30 WIB", "2025-09-02"},
		{"Terakhir diperbarui 5 Okt 2023", "2023-10-05"},
		{"Dipublikasikan 3 Agt 2022", "2022-08-03"},
		{"Diterbitkan 9 Agu 2022", "2022-08-09"},
		{"Published on 2 September 2025", "2025-09-02"},
		{"PUBLISHED ON 2 SEP 2025", "2025-09-02"},
		{"Published: September 2, 2025", "2025-09-02"},
		{"Published Sept. 2, 2025 at 10:30 am EST", "2025-09-02"},
		{"Published on Tuesday, 2 September 2025", "2025-09-02"},
		{"Updated Oct 7, 2024", "2024-10-07"},
		{"Last updated: 7 October 2024 10:30 GMT+7", "2024-10-07"},
		{"Updated 2025-01-15", "2025-01-15"},
		{"Published on 2 Sep 2025 10:30 (UTC)", "2025-09-02"},
		{"Diterbitkan pada 31 Feb 2025", ""},
		{"Diterbitkan pada 2 Foo 2025", ""},
		{"Published on 2 September", ""},
		{"Updated 2 September 2025, the ministry said in a statement.", ""},
		{"Putin diterbitkan pada 2 Sep 2025", ""},
		{"2 Sep 2025", ""},
		{"Pembicaraan datang sehari setelah keduanya menghadiri puncak", ""},
		{"Diterbitkan pada 2 Sep 2025" + strings.Repeat(" ", 200) + "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, ok := parseDateline(tt.line)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("parseDateline(%q) = %q, %v; want %q", tt.line, got, ok, tt.want)
			}
		})
	}
}

func TestCutDateline(t *testing.T) {
	tests := []struct {
		name, text, wantDate, wantRest string
	}{
		{"none", "a\nb", "", "a\nb"},
		{"first line", "Published on 2 Sep 2025\nb", "2025-09-02", "\nb"},
		{"after standfirst", "a\n\nDiterbitkan 2 Sep 2025\nb", "2025-09-02", "a\n\n\nb"},
		{"two datelines", "Published 1 Sep 2025\nUpdated 2 Sep 2025\nb", "2025-09-01", "\n\nb"},
		{"fifth line", "1\n2\n3\n4\nPublished 1 Sep 2025", "2025-09-01", "1\n2\n3\n4\n"},
		{"sixth line", "1\n2\n3\n4\n5\nPublished 1 Sep 2025", "", "1\n2\n3\n4\n5\nPublished 1 Sep 2025"},
		{"blank lines do not count", "1\n\n\n2\n\n3\n4\nPublished 1 Sep 2025", "2025-09-01", "1\n\n\n2\n\n3\n4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			date, rest := cutDateline(tt.text)
			if date != tt.wantDate || rest != tt.wantRest {
				t.Errorf("cutDateline(%q) = %q, %q; want %q, %q", tt.text, date, rest, tt.wantDate, tt.wantRest)
			}
		})
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct {
		name, in, want string
		html           bool
	}{
		{"empty", "", "", false},
		{"trim", "  \n a \n ", "a", false},
		{"CRLF and CR", "a\r\nb\rc\r\n\r\nd", "a\nb\nc\n\nd", false},
		{"blank lines collapse", "a\n\n\n\n\nb", "a\n\nb", false},
		{"space-only lines are blank", "a\n \t \n\u00a0\nb", "a\n\nb", false},
		{"spaces collapse", "a \t\u00a0\u2003\u202f\u3000 b", "a b", false},
		{"lines trimmed", "a  \n  b", "a\nb", false},
		{"controls dropped", "a\x00b\x01c\x1bd\x7fe\u0080f\u009fg", "abcdefg", false},
		{"vertical tab and form feed are spaces", "a\vb\fc", "a b c", false},
		{"NEL and line separator", "a\u0085b\u2028c\u2029d", "a\nb\nc\n\nd", false},
		{"BOM dropped", "\ufeffa\ufeffb", "ab", false},
		{"NFC", "e\u0301", "é", false},
		{"quotes kept", "“kutipan” ‘satu’ — «dua» …", "“kutipan” ‘satu’ — «dua» …", false},
		{"plain less-than kept", "a < b and c > d", "a < b and c > d", false},
		{"entities without tags kept", "AT&amp;T", "AT&amp;T", false},
		{"tags in text kept", "a <script> b\n<!-- c\n<b>d", "a <script> b\n<!-- c\n<b>d", false},
		{"HTML cut-off tag kept", "a <b", "a <b", true},
		{"HTML unclosed bogus comment kept", "<p>a</p> <?x and y", "a\n\n<?x and y", true},
		{"HTML bogus comment ends at >", "<p>a</p> <?x and <b>y</b>", "a\n\ny", true},
		{"HTML unclosed doctype kept", "a <!DOCTYPE html", "a <!DOCTYPE html", true},
		{"HTML unclosed script keeps lines", "x\n<script>\ny\nz", "x\n<script>\ny\nz", true},
		{"HTML many unclosed scripts", strings.Repeat("<p>a <script> b</p>", 3), "a <script> b\n\na <script> b\n\na <script> b", true},
		{"HTML unclosed comments and scripts", "<p>a <!-- <script> b</p><style>c</style><p>d <noscript></p>",
			"a <!-- <script> b\n\nd <noscript>", true},
		{"HTML paragraphs", "<p>a</p><p>b</p>", "a\n\nb", true},
		{"HTML br", "a<br>b<br/>c", "a\nb\nc", true},
		{"HTML headings and lists", "<h1>T</h1><ul><li>x</li><li>y</li></ul>", "T\n\nx\n\ny", true},
		{"HTML table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc", true},
		{"HTML blockquote", "x<blockquote>q</blockquote>y", "x\n\nq\n\ny", true},
		{"HTML script, style and comments dropped", "<style>p{}</style>a<script>b()</script><!-- c -->d", "ad", true},
		{"HTML entities", "<p>&lt;p&gt; &amp; &eacute; &#8220;x&#8221;&nbsp;y</p>", "<p> & é “x” y", true},
		{"HTML wrapped lines join", "<p>satu\ndua</p>", "satu dua", true},
		{"HTML pre keeps lines", "<pre>a\nb</pre>", "a\nb", true},
		{"HTML text outside elements keeps lines", "Judul\nBaris <b>satu</b>\nBaris dua", "Judul\nBaris satu\nBaris dua", true},
		{"HTML only markup", "<div><br></div>", "", true},
		{"HTML deep nesting", strings.Repeat("<div>", 5000) + "x" + strings.Repeat("</div>", 5000), "x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalizeText(tt.in, tt.html)
			if got != tt.want {
				t.Errorf("normalizeText(%.80q) = %.80q, want %.80q", tt.in, got, tt.want)
			}
			if again := cleanText(got); again != got {
				t.Errorf("cleanText is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestIsMarkup(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"<!DOCTYPE html><title>T</title><p>a", true},
		{"  <!doctype HTML>", true},
		{"<html><body>a", true},
		{"<p>a</p><p>b</p>", true},
		{"\n<DIV class=x>a</DIV >\n", true},
		{"<!-- cms -->\n<p>a</p>", true},
		{"<p>a</p><!-- end -->", true},
		{"<b></b>", true},
		{"<div><br></div>", true},
		{"<p>a</p>trailing text", false},
		{"Hackers used a <script> tag to steal cookies", false},
		{"If a<b and c>d", false},
		{"<b> is the tag for bold", false},
		{"<script> tags run code; close them with </script", false},
		{"<-- an arrow </p>", false},
		{"<x-widget>a</x-widget>", false},
		{"<p>a</x>", false},
		{"<!-- never closed <p>a</p>", false},
		{"AT&amp;T", false},
		{"", false},
		{"<", false},
		{"</p>", false},
	} {
		if got := isMarkup(tc.in); got != tc.want {
			t.Errorf("isMarkup(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"aj-2025-09-02_xi", true},
		{"berita/123", true},
		{"artikel-ü", true},
		{strings.Repeat("a", MaxIDBytes), true},
		{strings.Repeat("a", MaxIDBytes+1), false},
		{"a.b", false},
		{"a*", false},
		{"a>b", false},
		{"a b", false},
		{"a\tb", false},
		{"a\u00a0b", false},
		{"a\x01b", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if err := checkID(tt.id); (err == nil) != tt.ok {
				t.Errorf("checkID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
			}
		})
	}
}

// TestHashes pins the id and version formulas: other services and replays
// depend on them staying the same.
func TestHashes(t *testing.T) {
	a, err := Parse([]byte(`{"title":"T","body":"B","published_at":"2025-09-02","lang":"id","url":"u","source":"s"}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])[:16]
	}
	if want := sum("T\n\nB"); a.ID != want {
		t.Errorf("ID = %q, want %q", a.ID, want)
	}
	if want := sum("T\x00B\x002025-09-02\x00id\x00u\x00s"); a.Version != want {
		t.Errorf("Version = %q, want %q", a.Version, want)
	}
}

func TestClipError(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short", "json: bad", "json: bad"},
		{"trailing colon", "json: unexpected end of JSON input: ", "json: unexpected end of JSON input"},
		{"long", strings.Repeat("é", 100), strings.Repeat("é", 60) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clipError(errors.New(tt.in)); got != tt.want {
				t.Errorf("clipError(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSplitLongParagraph: a line longer than MaxParagraphBytes is cut at
// sentence ends into paragraphs that fit, losing no text.
func TestSplitLongParagraph(t *testing.T) {
	sentence := "Hackers used a <script> tag to steal cookies from the site. "
	long := strings.Repeat(sentence, 2*MaxParagraphBytes/len(sentence)+3)
	noBreak := strings.Repeat("kata ", MaxParagraphBytes/5+10)
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"short", "Satu.\nDua.", 2},
		{"sentences", "Judul lain.\n" + long + "\nAkhir.", 5},
		{"no sentence end", noBreak, 2},
		{"no space", strings.Repeat("ä", MaxParagraphBytes), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := SplitText(tc.body)
			if len(ps) != tc.want || countParagraphs(tc.body) != len(ps) {
				t.Fatalf("%d paragraphs (counted %d), want %d", len(ps), countParagraphs(tc.body), tc.want)
			}
			for i, p := range ps {
				if len(p) > MaxParagraphBytes || !utf8.ValidString(p) {
					t.Errorf("paragraph %d is %d bytes (valid UTF-8: %v)", i, len(p), utf8.ValidString(p))
				}
				if tc.name == "sentences" && i > 0 && i < len(ps)-1 && !strings.HasSuffix(p, "cookies from the site.") {
					t.Errorf("paragraph %d is not cut at a sentence end: …%q", i, p[len(p)-30:])
				}
			}
			if !onlySpacesBetween(tc.body, ps) {
				t.Error("text lost in the cuts")
			}
		})
	}
}
