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
	"fmt"
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
const MaxIDBytes = 128

// Errors of this package that events has no sentinel for. Each matches
// events.ErrInvalid, so consumers dead-letter such a message at once.
var (
	// ErrBinary is returned for a payload that is binary data, not text.
	ErrBinary = fmt.Errorf("%w: binary data", events.ErrInvalid)
	// ErrBadID is returned for an id that cannot go into a NATS subject.
	ErrBadID = fmt.Errorf("%w: unusable id", events.ErrInvalid)
	// ErrBadLang is returned for a lang that is not a language code.
	ErrBadLang = fmt.Errorf("%w: unusable lang", events.ErrInvalid)
)

// Options tunes Parse. The zero value is ready to use.
type Options struct {
	// MaxBytes is the largest payload accepted; 0 (or less) means DefaultMaxBytes.
	MaxBytes int
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
// Title and body are normalised: HTML (text with tags such as <p> or </div>)
// becomes text with its block elements as paragraph breaks; control
// characters other than line breaks and tabs are dropped; line ends become
// "\n"; runs of spaces (NBSP and other Unicode spaces included) become one
// space; lines are trimmed; blank lines collapse to one; and the text is put
// in Unicode NFC. Typographic quotes and other characters are kept.
//
// ID is the given id, else the first 16 hex digits of the SHA-256 of title,
// "\n\n" and body, so the same article dropped twice gets the same id.
// Version hashes title, body, published_at, lang, url and source, so a
// changed article keeps its id and gets a new version. Lang is the given
// one cut to its primary subtag ("EN-us" is "en"), else detected (see
// Options.DefaultLang).
//
// Every error matches events.ErrInvalid, and one of: events.ErrTooLarge,
// events.ErrInvalidUTF8, ErrBinary, events.ErrDecode,
// events.ErrUnsupportedVersion, events.ErrEmptyTitle, events.ErrEmptyBody,
// events.ErrBadDate, ErrBadID or ErrBadLang. Its message says what was wrong
// and what to do about it.
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
	if i := bytes.IndexByte(payload, 0); i >= 0 {
		return fmt.Errorf("%w: NUL byte at offset %d; this looks like a binary file, not an article: "+
			"send UTF-8 text or a JSON article", ErrBinary, i)
	}
	runes, controls := 0, 0
	for i := 0; i < len(payload); {
		r, size := utf8.DecodeRune(payload[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("%w: invalid byte 0x%02x at offset %d; re-encode the article as UTF-8 "+
				"(for example: iconv -f WINDOWS-1252 -t UTF-8)", events.ErrInvalidUTF8, payload[i], i)
		}
		runes++
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			controls++
		}
		i += size
	}
	// Text with a stray escape code is repaired by normalisation; text made
	// mostly of control characters is not text at all.
	if controls > 0 && controls*10 > runes*3 {
		return fmt.Errorf("%w: %d of %d characters are control characters; this looks like binary data, "+
			"not an article: send UTF-8 text or a JSON article", ErrBinary, controls, runes)
	}
	return nil
}

// parseJSON decodes a JSON article and normalises its fields.
func parseJSON(payload []byte) (events.Article, error) {
	var a events.Article
	if err := json.Unmarshal(payload, &a); err != nil {
		return events.Article{}, fmt.Errorf("%w: JSON article: %v; publish one JSON object "+
			`{"title": "...", "body": "...", "published_at": "2025-09-02", "lang": "id", "url": "...", "source": "...", "id": "..."} `+
			"with string fields (plain text must not start with '{')", events.ErrDecode, clipError(err))
	}
	if a.V != 0 && a.V != events.Version {
		return events.Article{}, fmt.Errorf("%w: got v=%d, this build reads v=%d; omit \"v\" or set it to %d",
			events.ErrUnsupportedVersion, a.V, events.Version, events.Version)
	}
	a.Title = normalizeLine(a.Title)
	if a.Title == "" {
		return events.Article{}, fmt.Errorf(`%w: the JSON article has no "title" (or only markup in it); `+
			`set "title" to the headline`, events.ErrEmptyTitle)
	}
	a.Body = normalizeText(a.Body)
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
	a.Source = normalizeLine(a.Source)
	return a, nil
}

// parseText reads a plain-text (or HTML) article.
func parseText(s string) (events.Article, error) {
	text := normalizeText(s)
	if text == "" {
		return events.Article{}, fmt.Errorf("%w: no text is left after removing markup, control characters "+
			"and blank lines; put the title on the first line and the body below it", events.ErrEmptyBody)
	}
	title, rest, _ := strings.Cut(text, "\n")
	a := events.Article{Title: title}
	a.PublishedAt, rest = cutDateline(rest)
	a.Body = cleanText(rest)
	if a.Body == "" {
		return events.Article{}, fmt.Errorf("%w: the article %q has a title but no body; "+
			"put the title on the first line and the body below it", events.ErrEmptyBody, clip(a.Title))
	}
	return a, nil
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
	a.Version = hash16(a.Title, "\x00", a.Body, "\x00", a.PublishedAt, "\x00", a.Lang, "\x00", a.URL, "\x00", a.Source)
	return a, nil
}

// checkID rejects ids that would break the NATS subjects they go into.
func checkID(id string) error {
	if len(id) > MaxIDBytes {
		return fmt.Errorf("%w: id is %d bytes, at most %d are allowed; use a shorter id or omit it "+
			"to have one derived from the content", ErrBadID, len(id), MaxIDBytes)
	}
	if i := strings.IndexFunc(id, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '.' || r == '*' || r == '>'
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(id[i:])
		return fmt.Errorf("%w: id %q contains %q at byte %d; ids go into NATS subjects, so they must not "+
			"contain whitespace, '.', '*' or '>': use letters, digits, '-' and '_', or omit the id",
			ErrBadID, id, r, i)
	}
	return nil
}

// normalizeTime accepts a date or an RFC 3339 time and returns it in its
// canonical form.
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
