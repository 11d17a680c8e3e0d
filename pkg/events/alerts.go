package events

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Standing searches and their alerts: a standing search is a name and a
// search request kept in the key-value bucket BucketStandingSearches under
// its name; when an article becomes searchable, the index evaluates every
// standing search against that article alone and publishes an Alert on
// AlertSubject(name), into StreamAlerts, for each that matches.

// SubjectAlertsPrefix prefixes the alerts of standing searches:
// "alerts.<name>". Subscribe to "alerts.>" for all of them.
const SubjectAlertsPrefix = "alerts."

// StreamAlerts keeps the alerts, so that a follower can start from the past
// ("wartactl alerts follow NAME --since 1h").
const StreamAlerts = "ALERTS"

// AlertDuplicateWindow is how long ALERTS remembers the Nats-Msg-Id of an
// alert: a redelivery, or a replay of ENRICHED into the same index, within
// it never alerts twice. Longer than the other streams' window, since an
// index may be down (and its batches redelivered) for hours.
const AlertDuplicateWindow = 24 * time.Hour

// BucketStandingSearches is the JetStream key-value bucket of the standing
// searches: the key is the name, the value a StandingSearch in JSON. Every
// index process watches it, so all of them evaluate the same set.
const BucketStandingSearches = "warta_alerts"

// MaxAlertNameBytes is the longest standing search name.
const MaxAlertNameBytes = 64

// ErrBadAlertName matches the error of a name that cannot name a standing search.
var ErrBadAlertName = errors.New("unusable standing search name")

// CheckAlertName returns an error matching ErrBadAlertName unless name can
// name a standing search: 1 to MaxAlertNameBytes of letters, digits, '-'
// and '_'. The name is one token of the subject "alerts.<name>" and a key
// of the bucket, so '.', '*', '>', white space and the like are refused.
func CheckAlertName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the name is empty; use letters, digits, '-' and '_', such as china-tariffs", ErrBadAlertName)
	}
	if len(name) > MaxAlertNameBytes {
		return fmt.Errorf("%w: %q is %d bytes, at most %d are allowed", ErrBadAlertName, name, len(name), MaxAlertNameBytes)
	}
	if i := strings.IndexFunc(name, func(r rune) bool {
		return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '_')
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return fmt.Errorf("%w: %q contains %q at byte %d; the name is a token of the NATS subject alerts.<name>, "+
			"so use only ASCII letters, digits, '-' and '_', such as china-tariffs", ErrBadAlertName, name, r, i)
	}
	return nil
}

// AlertSubject returns the subject of the alerts of the standing search name.
func AlertSubject(name string) string { return SubjectAlertsPrefix + name }

// AlertMsgID is the Nats-Msg-Id of the alert of standing search name for a
// revision of an article: "alert:<name>:<article_id>:<article_seq>:<version>".
// Every evaluation of the same revision gives the same id, so ALERTS stores
// one alert per (standing search, article revision) however often the
// revision's completion is redelivered or replayed.
func AlertMsgID(name, articleID string, articleSeq uint64, version string) string {
	return "alert:" + name + ":" + articleID + ":" + strconv.FormatUint(articleSeq, 10) + ":" + version
}

// StandingSearch is a search kept running: the fields of a search request
// that say what matches (see the index's GET /search), without those that
// page or sort. It is the value of a key of BucketStandingSearches.
type StandingSearch struct {
	V             int      `json:"v"`
	Q             string   `json:"q,omitempty"`
	Entity        []string `json:"entity,omitempty"`
	Type          []string `json:"type,omitempty"`
	Lang          string   `json:"lang,omitempty"`
	From          string   `json:"from,omitempty"`
	To            string   `json:"to,omitempty"`
	MentionedFrom string   `json:"mentioned_from,omitempty"`
	MentionedTo   string   `json:"mentioned_to,omitempty"`
	// Created is when it was last put.
	Created time.Time `json:"created"`
}

// Alert tells that a revision of an article that just became searchable
// matches a standing search. The index publishes it on AlertSubject(Alert)
// with AlertMsgID.
type Alert struct {
	V int `json:"v"`
	// Alert is the standing search's name.
	Alert       string `json:"alert"`
	ArticleID   string `json:"article_id"`
	Version     string `json:"version"`
	ArticleSeq  uint64 `json:"article_seq,omitempty"`
	Title       string `json:"title"`
	PublishedAt string `json:"published_at,omitempty"`
	Lang        string `json:"lang,omitempty"`
	URL         string `json:"url,omitempty"`
	// Paragraphs are those that match the search's words, each with its
	// highlights (the words in <mark>…</mark>, HTML-escaped); with no
	// words, or a match by the title alone, the first paragraph.
	Paragraphs []AlertParagraph `json:"paragraphs"`
	// Entities are the canonical names the article mentions, most
	// mentioned first.
	Entities []string `json:"entities"`
	// Update is set when an earlier revision of the article had become
	// searchable before this one.
	Update bool `json:"update,omitempty"`
	// LatencyMS is the time from the article's completion (its last
	// paragraph written to the index) to the alert being built.
	LatencyMS float64 `json:"latency_ms"`
	// CompletedAt is when the revision became searchable.
	CompletedAt time.Time `json:"completed_at"`
}

// AlertParagraph is one paragraph of an Alert.
type AlertParagraph struct {
	Index      int      `json:"index"`
	Text       string   `json:"text"`
	Highlights []string `json:"highlights"`
}

func (a *Alert) version() int          { return a.V }
func (s *StandingSearch) version() int { return s.V }

// DecodeAlert decodes an Alert event.
func DecodeAlert(data []byte) (Alert, error) {
	var a Alert
	err := Unmarshal(data, &a)
	return a, err
}
