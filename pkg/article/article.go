// Package article reads what users drop on events.SubjectArticlesNew — a JSON
// events.Article or a plain-text article — into a normalised events.Article,
// and splits an article into the events.Paragraph events that the rest of the
// pipeline works on.
//
// Parse checks and normalises; Split never fails. Everything here is pure: no
// I/O, no clock, no randomness, so the same payload always yields the same
// article, the same ids and the same version.
package article

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
	"github.com/warta-news/warta/pkg/events"
)

// DefaultMaxBytes is the largest payload Parse accepts when Options.MaxBytes is 0.
const DefaultMaxBytes = 1 << 20

// MaxIDBytes is the longest article id Parse accepts.
const MaxIDBytes = events.MaxIDBytes

// MaxTitleBytes is the longest title Parse accepts. A headline is one short
// line, and every paragraph event repeats it: without a bound, a long title
// over thousands of tiny paragraphs would multiply one article into
// gigabytes of events.
const MaxTitleBytes = 2048

// DefaultMaxParagraphs is the paragraph limit the services use unless told
// otherwise: a news article has tens of paragraphs, so thousands mean a
// mangled document (a table or a log turned into one line per cell), and
// each paragraph becomes an event that every later stage handles.
const DefaultMaxParagraphs = 5000

// Errors of this package that events has no sentinel for. Each matches
// events.ErrInvalid, so consumers dead-letter such a message at once.
var (
	// ErrBinary is returned for a payload that is binary data, not text.
	ErrBinary = fmt.Errorf("%w: binary data", events.ErrInvalid)
	// ErrBadID is returned for an id that cannot go into a NATS subject.
	ErrBadID = events.ErrBadID
	// ErrBadLang is returned for a lang that is not a language code.
	ErrBadLang = fmt.Errorf("%w: unusable lang", events.ErrInvalid)
	// ErrBadFormat is returned for a format other than events.FormatText
	// and events.FormatHTML.
	ErrBadFormat = fmt.Errorf("%w: unusable format", events.ErrInvalid)
)

// Options tunes Parse. The zero value is ready to use.
type Options struct {
	// MaxBytes is the largest payload accepted; 0 (or less) means DefaultMaxBytes.
	MaxBytes int
	// MaxParagraphs is the most paragraphs an article may have (as Split
	// counts them); 0 (or less) means no limit.
	MaxParagraphs int
	// DefaultLang is the language given to an article whose language cannot
	// be detected reliably; "" means "und". It should be a valid code: check
	// it with NormalizeLang at start-up. An invalid one is treated as "".
	DefaultLang string
}

// Parse reads one payload from events.SubjectArticlesNew into a normalised
// article with V, ID, Version and Lang always set.
//
// A payload whose first non-space byte is '{' is a JSON events.Article;
// anything else is plain text: the first non-empty line is the title, a
// dateline among the next five non-empty lines ("Diterbitkan pada 2 Sep
// 2025", "Published: September 2, 2025", "Updated ...") sets PublishedAt and
// is dropped, and the rest is the body.
//
// Title and body are normalised. An article that is HTML is rendered to
// text, its block elements becoming paragraph breaks: a JSON article with
// "format": "html", or one whose body (of plain text: the whole payload, or
// all below the title line) is markup from its first character to its last,
// such as a document or "<p>…</p><p>…</p>". Other text is taken as written,
// so prose that mentions "<script>" or compares "a<b" keeps every word; and
// in HTML, markup that never closes (a <script> or a comment without its
// end) is kept as text rather than left to swallow what follows. Then
// control characters other than line breaks and tabs are dropped; line ends
// become "\n"; runs of spaces (NBSP and other Unicode spaces included)
// become one space; lines are trimmed; blank lines collapse to one; and the
// text is put in Unicode NFC. Typographic quotes and other characters are
// kept.
//
// PublishedAt, from the JSON field or the dateline, is RFC 3339, a date
// being midnight UTC: "2025-09-02T00:00:00Z" (see events.NormalizeTime).
//
// ID is the given id, else the first 16 hex digits of the SHA-256 of title,
// "\n\n" and body, so the same article dropped twice gets the same id.
// Version hashes title, body, published_at (a date as the date it was),
// lang, url and source, so a changed article keeps its id and gets a new
// version. Lang is the given
// one cut to its primary subtag ("EN-us" is "en"), else detected (see
// Options.DefaultLang).
//
// Every error matches events.ErrInvalid, and one of: events.ErrTooLarge,
// events.ErrInvalidUTF8, ErrBinary, events.ErrDecode,
// events.ErrUnsupportedVersion, events.ErrEmptyTitle, events.ErrEmptyBody,
// events.ErrBadDate, ErrBadID, ErrBadLang or ErrBadFormat. Its message says what was wrong
// and what to do about it. A title longer than MaxTitleBytes, and an article
// with more than Options.MaxParagraphs paragraphs, fail with
// events.ErrTooLarge.
func Parse(payload []byte, opts Options) (events.Article, error) {
	if err := checkPayload(payload, opts.MaxBytes); err != nil {
		return events.Article{}, err
	}
	payload = bytes.TrimPrefix(payload, []byte("\uFEFF"))
	trimmed := bytes.TrimLeft(payload, " \t\r\n")
	if len(trimmed) == 0 {
		return events.Article{}, fmt.Errorf("%w: the message is empty; publish a JSON article "+
			`{"title": "...", "body": "..."} or plain text with the title on the first line and the body below it`,
			events.ErrEmptyBody)
	}

	var (
		a   events.Article
		err error
	)
	switch {
	case trimmed[0] == '{':
		a, err = parseJSON(trimmed)
	case trimmed[0] == '[' && json.Valid(trimmed):
		return events.Article{}, fmt.Errorf("%w: got a JSON array; publish one article per message "+
			`as a JSON object {"title": "...", "body": "...", ...}`, events.ErrDecode)
	default:
		a, err = parseText(string(payload))
	}
	if err != nil {
		return events.Article{}, err
	}
	if len(a.Title) > MaxTitleBytes {
		return events.Article{}, fmt.Errorf("%w: the title %q is %d bytes and at most %d are allowed; a headline is one "+
			"short line: in plain text put it alone on the first line with the body below it, in JSON shorten \"title\"",
			events.ErrTooLarge, clip(a.Title), len(a.Title), MaxTitleBytes)
	}
	if opts.MaxParagraphs > 0 {
		if n := countParagraphs(a.Body); n > opts.MaxParagraphs {
			return events.Article{}, fmt.Errorf("%w: the article %q has %d paragraphs and the limit is %d; "+
				"check that it is one article with one paragraph per line (not a table or a log), split it, "+
				"or raise the limit with --max-paragraphs / MAX_PARAGRAPHS",
				events.ErrTooLarge, clip(a.Title), n, opts.MaxParagraphs)
		}
	}
	return finish(a, opts)
}

// checkPayload rejects payloads that are too large, not UTF-8, or binary.
func checkPayload(payload []byte, maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(payload) > maxBytes {
		return fmt.Errorf("%w: the article is %d bytes and the limit is %d bytes; "+
			"split the article or raise the limit with --max-article-bytes / MAX_ARTICLE_BYTES",
			events.ErrTooLarge, len(payload), maxBytes)
	}
	if err := sniff(payload); err != nil {
		return err
	}
	if i := bytes.IndexByte(payload, 0); i >= 0 {
		return fmt.Errorf("%w: NUL byte at offset %d; this looks like a binary file, not an article: "+
			"send UTF-8 text or a JSON article", ErrBinary, i)
	}
	runes, controls, invalid, first := 0, 0, 0, -1
	for i := 0; i < len(payload); {
		r, size := utf8.DecodeRune(payload[i:])
		runes++
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
			if first < 0 {
				first = i
			}
		case unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t':
			controls++
		}
		i += size
	}
	// Text with a stray escape code is repaired by normalisation, and text
	// in another encoding has a few bytes that are not UTF-8; a payload made
	// mostly of such bytes is not text at all.
	if bad := controls + invalid; bad > 0 && bad*10 > runes*3 {
		return fmt.Errorf("%w: %d of %d characters are control characters or bytes that are not UTF-8; "+
			"this looks like binary data, not an article: send UTF-8 text or a JSON article "+
			"(text in another encoding must be re-encoded first, for example: iconv -f GBK -t UTF-8)",
			ErrBinary, bad, runes)
	}
	if first >= 0 {
		return fmt.Errorf("%w: invalid byte 0x%02x at offset %d; re-encode the article as UTF-8 "+
			"(for example: iconv -f WINDOWS-1252 -t UTF-8)", events.ErrInvalidUTF8, payload[first], first)
	}
	return nil
}

// signatures are the first bytes of file types that get dropped on
// articles.new by mistake, with what to tell the sender.
var signatures = []struct {
	prefix, what string
	err          error
}{
	{"\x89PNG\r\n\x1a\n", "a PNG image", ErrBinary},
	{"\xff\xd8\xff", "a JPEG image", ErrBinary},
	{"GIF87a", "a GIF image", ErrBinary},
	{"GIF89a", "a GIF image", ErrBinary},
	{"%PDF-", "a PDF document: extract its text first (for example: pdftotext)", ErrBinary},
	{"PK\x03\x04", "a ZIP archive (or a .docx, .xlsx or .odt document): extract its text first", ErrBinary},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document: extract its text first", ErrBinary},
	{"\x1f\x8b", "gzip-compressed data: decompress it first", ErrBinary},
	{"\x7fELF", "an executable program", ErrBinary},
	{"\xff\xfe", "UTF-16 text: re-encode it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8)", events.ErrInvalidUTF8},
	{"\xfe\xff", "UTF-16 text: re-encode it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8)", events.ErrInvalidUTF8},
}

// sniff recognises a few common file types by their first bytes, so the
// sender learns what was sent instead of where its first odd byte is.
func sniff(payload []byte) error {
	for _, s := range signatures {
		if bytes.HasPrefix(payload, []byte(s.prefix)) {
			return fmt.Errorf("%w: the message is %s, not an article; send the article as UTF-8 text "+
				"or as a JSON article", s.err, s.what)
		}
	}
	return nil
}

// parseJSON decodes a JSON article and normalises its fields.
func parseJSON(payload []byte) (events.Article, error) {
	var a events.Article
	if err := json.Unmarshal(payload, &a); err != nil {
		return events.Article{}, fmt.Errorf("%w: JSON article: %s; publish one JSON object "+
			`{"title": "...", "body": "...", "published_at": "2025-09-02", "lang": "id", "url": "...", "source": "...", "id": "..."} `+
			"with string fields (plain text must not start with '{')", events.ErrDecode, jsonError(err))
	}
	if a.V != 0 && a.V != events.Version {
		return events.Article{}, fmt.Errorf("%w: got v=%d, this build reads v=%d; omit \"v\" or set it to %d",
			events.ErrUnsupportedVersion, a.V, events.Version, events.Version)
	}
	isHTML, err := htmlFormat(a.Format, a.Body)
	if err != nil {
		return events.Article{}, err
	}
	a.Format = ""
	a.Title = normalizeLine(a.Title, isHTML)
	if a.Title == "" {
		return events.Article{}, fmt.Errorf(`%w: the JSON article has no "title" (or only markup in it); `+
			`set "title" to the headline`, events.ErrEmptyTitle)
	}
	a.Body = normalizeText(a.Body, isHTML)
	if a.Body == "" {
		return events.Article{}, fmt.Errorf(`%w: the JSON article %q has no "body" (or only markup in it); `+
			`set "body" to the article text, one paragraph per line`, events.ErrEmptyBody, clip(a.Title))
	}
	if a.PublishedAt = strings.TrimSpace(a.PublishedAt); a.PublishedAt != "" {
		p, err := normalizeTime(a.PublishedAt)
		if err != nil {
			return events.Article{}, fmt.Errorf(`"published_at": %w`, err)
		}
		a.PublishedAt = p
	}
	a.ID = strings.TrimSpace(a.ID)
	a.URL = strings.TrimSpace(a.URL)
	a.Source = normalizeLine(a.Source, isHTML)
	return a, nil
}

// parseText reads a plain-text article, or an HTML one: a payload that is
// HTML from its first character to its last (see isMarkup) is rendered
// whole, and a title line over such a body is read as HTML too.
func parseText(s string) (events.Article, error) {
	isHTML := isMarkup(s)
	text := normalizeText(s, isHTML)
	if text == "" {
		return events.Article{}, fmt.Errorf("%w: no text is left after removing markup, control characters "+
			"and blank lines; put the title on the first line and the body below it", events.ErrEmptyBody)
	}
	title, rest, _ := strings.Cut(text, "\n")
	a := events.Article{Title: title}
	a.PublishedAt, rest = cutDateline(rest)
	if !isHTML && isMarkup(rest) {
		a.Title = normalizeLine(title, true)
		if a.Title == "" {
			return events.Article{}, fmt.Errorf("%w: the first line %q is markup with no text in it; "+
				"put the headline on the first line and the body below it", events.ErrEmptyTitle, clip(title))
		}
		rest = htmlToText(rest)
		if a.PublishedAt == "" {
			a.PublishedAt, rest = cutDateline(cleanText(rest))
		}
	}
	a.Body = cleanText(rest)
	if a.Body == "" {
		return events.Article{}, fmt.Errorf("%w: the article %q has a title but no body (or only markup in it); "+
			"put the title on the first line and the body below it", events.ErrEmptyBody, clip(a.Title))
	}
	return a, nil
}

// htmlFormat reads an article's "format": whether its fields are HTML.
// Without one, they are if the body is markup from end to end (isMarkup):
// text that merely mentions a tag is text.
func htmlFormat(format, body string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "":
		return isMarkup(body), nil
	case events.FormatText:
		return false, nil
	case events.FormatHTML:
		return true, nil
	}
	return false, fmt.Errorf("%w: \"format\" %q is not one this build reads; use %q (title and body are "+
		"taken as written), %q (their markup is rendered to text), or leave it out to have a body "+
		"that is HTML from end to end read as HTML", ErrBadFormat, clip(format), events.FormatText, events.FormatHTML)
}

// finish checks the id, settles the language and stamps V, ID and Version.
func finish(a events.Article, opts Options) (events.Article, error) {
	if a.ID != "" {
		if err := checkID(a.ID); err != nil {
			return events.Article{}, err
		}
	} else {
		a.ID = hash16(a.Title, "\n\n", a.Body)
	}
	if a.Lang != "" {
		lang, err := NormalizeLang(a.Lang)
		if err != nil {
			return events.Article{}, err
		}
		a.Lang = lang
	} else {
		a.Lang = detectLang(a.Title, a.Body, opts.DefaultLang)
	}
	a.V = events.Version
	// The version hashes the date as it was given, a date still a date, so
	// an article keeps the version it had before dates became times.
	a.Version = hash16(a.Title, "\x00", a.Body, "\x00", a.PublishedAt, "\x00", a.Lang, "\x00", a.URL, "\x00", a.Source)
	if a.PublishedAt != "" {
		p, err := events.NormalizeTime(a.PublishedAt)
		if err != nil {
			return events.Article{}, fmt.Errorf(`"published_at": %w`, err)
		}
		a.PublishedAt = p
	}
	return a, nil
}

// checkID rejects ids that would break the NATS subjects they go into.
func checkID(id string) error { return events.CheckArticleID(id) }

// normalizeTime accepts a date or an RFC 3339 time and returns it in the
// form the version hashes: a date as a date, a time in RFC 3339. finish
// makes both RFC 3339.
func normalizeTime(s string) (string, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	t, err := events.ParseTime(s)
	if err != nil {
		return "", err
	}
	return t.Format(time.RFC3339Nano), nil
}

// hash16 returns the first 16 hex digits of the SHA-256 of the concatenated parts.
func hash16(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// countParagraphs is len(SplitText(body)).
func countParagraphs(body string) int {
	return len(SplitText(body))
}

// jsonError describes a decoder error: for a field of the wrong type it
// names the field and the types, otherwise it is the decoder's message cut
// short.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" || te.Type == nil {
		return clipError(err)
	}
	want := "a " + te.Type.Kind().String()
	switch te.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Int, reflect.Int64:
		want = "a whole number"
	}
	return fmt.Sprintf("%q must be %s, not %s", te.Field, want, jsonKind(te.Value))
}

// jsonKind names the kind of JSON value the decoder quoted in a type error.
func jsonKind(value string) string {
	if v, err := strconv.Unquote(value); err == nil {
		value = v
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return "another type"
	}
	switch c := value[0]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "true or false"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case strings.HasPrefix(value, "number"):
		return "a number"
	}
	return "another type"
}

// clipError returns the text of a decoder error, cut short: the decoder
// quotes the rest of the input, which may be a megabyte of article.
func clipError(err error) string {
	const max = 120
	msg := strings.TrimRight(err.Error(), ": ")
	if len(msg) <= max {
		return msg
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
