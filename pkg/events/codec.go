package events

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
)

// ErrInvalid is the parent of every error that a message's content causes.
// Such a message will never succeed however often it is retried: consumers
// terminate it and send it to the dead-letter stream at once.
var ErrInvalid = errors.New("invalid event")

// Sentinel errors, each matched with errors.Is; every one also matches ErrInvalid.
var (
	ErrDecode             = fmt.Errorf("%w: not decodable", ErrInvalid)
	ErrUnsupportedVersion = fmt.Errorf("%w: unsupported schema version", ErrInvalid)
	ErrInvalidUTF8        = fmt.Errorf("%w: text is not valid UTF-8", ErrInvalid)
	ErrEmptyTitle         = fmt.Errorf("%w: empty title", ErrInvalid)
	ErrEmptyBody          = fmt.Errorf("%w: empty body", ErrInvalid)
	ErrTooLarge           = fmt.Errorf("%w: too large", ErrInvalid)
	ErrMissingField       = fmt.Errorf("%w: missing field", ErrInvalid)
	ErrBadSpan            = fmt.Errorf("%w: span outside the text", ErrInvalid)
	ErrBadDate            = fmt.Errorf("%w: unreadable date", ErrInvalid)
	ErrBadID              = fmt.Errorf("%w: unusable id", ErrInvalid)
)

// MaxIDBytes is the longest article id.
const MaxIDBytes = 128

// MaxParagraphBytes is the longest paragraph text. Ingest cuts longer lines
// into paragraphs of at most this (package article), so every later stage
// can bound its work per paragraph: enrich adds entities and dates, which in
// text made of names take many times the text's bytes, and the enriched
// event must still fit in one NATS message (1 MiB by default). A news
// paragraph is a few hundred bytes: only text without line breaks (a
// transcript, a mangled page) comes near this.
const MaxParagraphBytes = 16 << 10

// CheckArticleID returns an error matching ErrBadID when id cannot be an
// article id: empty, longer than MaxIDBytes, or not usable as one token of a
// NATS subject (it names the article's "articles.indexed.<id>" subject), so
// with white space, a control character, '.', '*' or '>' in it.
func CheckArticleID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: the id is empty", ErrBadID)
	}
	if len(id) > MaxIDBytes {
		return fmt.Errorf("%w: id is %d bytes, at most %d are allowed; use a shorter id or omit it "+
			"to have one derived from the content", ErrBadID, len(id), MaxIDBytes)
	}
	if i := strings.IndexFunc(id, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '.' || r == '*' || r == '>' || r == utf8.RuneError
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(id[i:])
		return fmt.Errorf("%w: id %q contains %q at byte %d; ids go into NATS subjects, so they must not "+
			"contain whitespace, '.', '*' or '>': use letters, digits, '-' and '_', or omit the id",
			ErrBadID, id, r, i)
	}
	return nil
}

// Marshal encodes an event as JSON. It stamps nothing: callers set V.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b, nil
}

// Unmarshal decodes JSON into v and checks its schema version. Errors match
// ErrDecode or ErrUnsupportedVersion.
func Unmarshal(data []byte, v interface{ version() int }) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %v (send a JSON object as documented in pkg/events)", ErrDecode, err)
	}
	if got := v.version(); got != Version {
		return fmt.Errorf("%w: got v=%d, this build reads v=%d", ErrUnsupportedVersion, got, Version)
	}
	return nil
}

func (p *Paragraph) version() int         { return p.V }
func (p *EnrichedParagraph) version() int { return p.V }
func (a *ArticleIndexed) version() int    { return a.V }
func (d *DeadLetter) version() int        { return d.V }

// DecodeParagraph decodes and validates a Paragraph event.
func DecodeParagraph(data []byte) (Paragraph, error) {
	var p Paragraph
	if err := Unmarshal(data, &p); err != nil {
		return p, err
	}
	return p, p.Validate()
}

// DecodeEnriched decodes and validates an EnrichedParagraph event.
func DecodeEnriched(data []byte) (EnrichedParagraph, error) {
	var e EnrichedParagraph
	if err := Unmarshal(data, &e); err != nil {
		return e, err
	}
	return e, e.Validate()
}

// ParagraphID returns the id of paragraph index of an article.
func ParagraphID(articleID string, index int) string {
	return articleID + "-" + strconv.Itoa(index)
}

// MsgID returns the Nats-Msg-Id under which a paragraph-level event of a stage
// is published: "<stage>:<article_id>:<article_seq>:<index>". It is the same
// for every redelivery of the same input, so JetStream's duplicate window
// drops the copies; and it differs between two publications of an article,
// even of the same content, so reverting an article to an earlier text is
// not dropped as a duplicate of that text's first publication.
func MsgID(stage string, p *Paragraph) string {
	return stage + ":" + p.ArticleID + ":" + strconv.FormatUint(p.ArticleSeq, 10) + ":" + strconv.Itoa(p.Index)
}

// ArticleMsgID is the Nats-Msg-Id a publisher gives an article it drops on
// SubjectArticlesNew: "article:<id>:<version>:<nonce>", nonce being new for
// each publication (random), so that a retry of one publication is stored
// once, while publishing the same text again later is a new revision of the
// article, indexed again: the way to revert an article to an earlier text.
func ArticleMsgID(id, version, nonce string) string {
	return "article:" + id + ":" + version + ":" + nonce
}

// IndexedMsgID is the Nats-Msg-Id of the ArticleIndexed event of a revision:
// "indexed:<article_id>:<article_seq>:<version>".
func IndexedMsgID(a *ArticleIndexed) string {
	return "indexed:" + a.ArticleID + ":" + strconv.FormatUint(a.ArticleSeq, 10) + ":" + a.Version
}

// DeadLetterMsgID is the Nats-Msg-Id of the dead letter of the message at
// seq in stream, failed in stage: "dl:<stage>:<stream>:<seq>". Every path
// that dead-letters a message (the stage's processor, and every process
// that hears the max-deliveries advisory) uses it, so the dead letter is
// stored once.
func DeadLetterMsgID(stage, stream string, seq uint64) string {
	return "dl:" + stage + ":" + stream + ":" + strconv.FormatUint(seq, 10)
}

// ReplayMsgID is the Nats-Msg-Id of the replay of the dead letter at seq in
// DEADLETTER, at a time: "replay:<seq>:<unix nanoseconds>". It is new for
// every replay, so the duplicate window does not drop a replay of a message
// whose first publication it still remembers.
func ReplayMsgID(seq uint64, at time.Time) string {
	return "replay:" + strconv.FormatUint(seq, 10) + ":" + strconv.FormatInt(at.UnixNano(), 10)
}

// MaxVersionBytes is the longest Version: ingest writes 16 hex digits.
const MaxVersionBytes = 64

// Validate checks a Paragraph's required fields. Errors match ErrInvalid.
func (p *Paragraph) Validate() error {
	switch {
	case p.ArticleID == "":
		return fmt.Errorf("%w: article_id", ErrMissingField)
	case CheckArticleID(p.ArticleID) != nil:
		return fmt.Errorf("article_id: %w", CheckArticleID(p.ArticleID))
	case p.Version == "":
		return fmt.Errorf("%w: version", ErrMissingField)
	case len(p.Version) > MaxVersionBytes || strings.IndexFunc(p.Version, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("%w: version %q: ingest writes a hash of at most %d bytes without spaces", ErrInvalid, p.Version, MaxVersionBytes)
	case p.Count < 1 || p.Index < 0 || p.Index >= p.Count:
		return fmt.Errorf("%w: index %d of count %d is out of range", ErrInvalid, p.Index, p.Count)
	case p.ID != ParagraphID(p.ArticleID, p.Index):
		return fmt.Errorf("%w: id %q is not %q", ErrInvalid, p.ID, ParagraphID(p.ArticleID, p.Index))
	case strings.TrimSpace(p.Text) == "":
		return fmt.Errorf("%w: paragraph %s", ErrEmptyBody, p.ID)
	case len(p.Text) > MaxParagraphBytes:
		return fmt.Errorf("%w: paragraph %s is %d bytes, at most %d are allowed; publish the article on %s, "+
			"whose ingest cuts long paragraphs", ErrTooLarge, p.ID, len(p.Text), MaxParagraphBytes, SubjectArticlesNew)
	case !utf8.ValidString(p.Text) || !utf8.ValidString(p.Title):
		return fmt.Errorf("%w: paragraph %s", ErrInvalidUTF8, p.ID)
	}
	if p.PublishedAt != "" {
		if _, err := ParseTime(p.PublishedAt); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks an EnrichedParagraph: its paragraph, and that every tag's
// span lies inside the text and matches its surface text.
func (e *EnrichedParagraph) Validate() error {
	if err := e.Paragraph.Validate(); err != nil {
		return err
	}
	for _, en := range e.Entities {
		if err := checkSpan(e.Text, en.Start, en.End, en.Text); err != nil {
			return fmt.Errorf("entity %q: %w", en.Text, err)
		}
	}
	for _, d := range e.Dates {
		if err := checkSpan(e.Text, d.Start, d.End, d.Text); err != nil {
			return fmt.Errorf("date %q: %w", d.Text, err)
		}
	}
	return nil
}

func checkSpan(text string, start, end int, surface string) error {
	if start < 0 || end > len(text) || start >= end || text[start:end] != surface {
		return fmt.Errorf("%w: [%d,%d) of %d bytes", ErrBadSpan, start, end, len(text))
	}
	return nil
}

// ParseTime reads a publication time: RFC 3339, or a date "2006-01-02" taken
// as midnight UTC. Errors match ErrBadDate.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %q (use RFC 3339, e.g. 2025-09-02T10:30:00+07:00, or 2025-09-02)", ErrBadDate, s)
}

// NormalizeTime returns a publication time that ParseTime reads in the one
// form events carry: RFC 3339 with the offset it was given, a date being
// midnight UTC ("2025-09-02" is "2025-09-02T00:00:00Z"). Errors match
// ErrBadDate.
func NormalizeTime(s string) (string, error) {
	t, err := ParseTime(s)
	if err != nil {
		return "", err
	}
	return t.Format(time.RFC3339Nano), nil
}
