// Package events is the contract between the pipeline's services: the event
// types that travel over NATS JetStream, the subjects and streams they travel
// on, the codec that encodes them, and the sentinel errors that say why an
// event was rejected.
//
// Every event carries a schema version in its "v" field. A service accepts the
// versions it knows and rejects the others with ErrUnsupportedVersion, so a
// producer that moves ahead never has its events silently misread.
package events

import "time"

// Version is the schema version this package writes into every event.
const Version = 1

// Subjects the services publish and consume on.
const (
	// SubjectArticlesNew is where users drop articles: a JSON Article or plain text.
	SubjectArticlesNew = "articles.new"
	// SubjectParagraphs carries one Paragraph event per paragraph, from ingest to enrich.
	SubjectParagraphs = "paragraphs.new"
	// SubjectEnriched carries one EnrichedParagraph per paragraph, from enrich to index.
	SubjectEnriched = "paragraphs.enriched"
	// SubjectIndexedPrefix prefixes the ArticleIndexed event that index publishes
	// once every paragraph of an article is searchable: "articles.indexed.<id>".
	SubjectIndexedPrefix = "articles.indexed."
	// SubjectDeadLetterPrefix prefixes dead letters: "deadletter.<stage>".
	SubjectDeadLetterPrefix = "deadletter."
)

// Stream names. Each stream holds exactly one kind of event.
const (
	StreamArticles   = "ARTICLES"
	StreamParagraphs = "PARAGRAPHS"
	StreamEnriched   = "ENRICHED"
	StreamIndexed    = "INDEXED"
	StreamDeadLetter = "DEADLETTER"
)

// Durable consumer names. Every process of a stage binds to the same durable
// consumer, so running more of them shares the work rather than repeating it.
const (
	ConsumerIngest = "ingest"
	ConsumerEnrich = "enrich"
	ConsumerIndex  = "index"
)

// Stages name the pipeline's steps in dead letters and logs.
const (
	StageIngest = "ingest"
	StageEnrich = "enrich"
	StageIndex  = "index"
)

// StreamSpec describes one stream: its name, the subjects it captures and
// how it keeps them. Every stream is stored on file, keeps messages up to
// its limits (the oldest go first) and is replicated and aged as the
// services' --stream-replicas and --stream-max-age say, except where its
// spec says otherwise.
type StreamSpec struct {
	Name     string
	Subjects []string
	// Duplicates is the stream's duplicate window: how long JetStream
	// remembers Nats-Msg-Id values to drop duplicate publishes, such as the
	// republish that follows a redelivery. 0 means DuplicateWindow.
	Duplicates time.Duration
	// MaxMsgsPerSubject, when above 0, keeps only the newest messages of
	// each subject.
	MaxMsgsPerSubject int64
	// KeepForever exempts the stream from --stream-max-age: its messages
	// stay until someone removes them.
	KeepForever bool
}

// DuplicateWindow is a stream's duplicate window unless its spec sets another.
const DuplicateWindow = 10 * time.Minute

// Streams lists every stream of the pipeline. Services create the ones they
// use at start-up when missing; the list lives here so that all agree.
var Streams = []StreamSpec{
	{Name: StreamArticles, Subjects: []string{SubjectArticlesNew}},
	{Name: StreamParagraphs, Subjects: []string{SubjectParagraphs}},
	{Name: StreamEnriched, Subjects: []string{SubjectEnriched}},
	// One completion per article is all that "wartactl publish --wait" needs.
	{Name: StreamIndexed, Subjects: []string{SubjectIndexedPrefix + ">"}, MaxMsgsPerSubject: 1},
	// Dead letters wait for a person: they do not expire, they are removed
	// when replayed ("wartactl deadletters replay").
	{Name: StreamDeadLetter, Subjects: []string{SubjectDeadLetterPrefix + ">"}, KeepForever: true},
	{Name: StreamAlerts, Subjects: []string{SubjectAlertsPrefix + ">"}, Duplicates: AlertDuplicateWindow},
}

// The services' NATS micro services: every process of a stage registers an
// instance of MicroName(stage) ("nats micro ls" lists each one), with its
// request-reply endpoints on ServiceSubject(stage, endpoint).
const (
	// SubjectServicePrefix prefixes every endpoint of the services' micro
	// services: "warta.<stage>.<endpoint>".
	SubjectServicePrefix = "warta."
	// SubjectSearch is the index's search endpoint: a JSON search request
	// in, the answer of GET /search out.
	SubjectSearch = SubjectServicePrefix + StageIndex + ".search"
)

// MicroName is the NATS micro service name of a stage: "warta-ingest",
// "warta-enrich", "warta-index".
func MicroName(stage string) string { return "warta-" + stage }

// ServiceSubject returns the subject of a stage's micro service endpoint:
// "warta.<stage>.<endpoint>".
func ServiceSubject(stage, endpoint string) string {
	return SubjectServicePrefix + stage + "." + endpoint
}

// StatsSubject is the subject of a stage's stats endpoint: a request there
// gets one instance's counters as JSON ("nats micro stats" gets every one's).
func StatsSubject(stage string) string { return ServiceSubject(stage, "stats") }

// IndexedSubject returns the subject of the ArticleIndexed event for an article.
func IndexedSubject(articleID string) string { return SubjectIndexedPrefix + articleID }

// DeadLetterSubject returns the dead-letter subject of a stage.
func DeadLetterSubject(stage string) string { return SubjectDeadLetterPrefix + stage }

// Article is what users publish on SubjectArticlesNew, in its JSON form. A
// plain-text article is read into the same type (see package article). After
// ingest has normalised it, ID and Version are always set.
type Article struct {
	V     int    `json:"v,omitempty"`
	ID    string `json:"id,omitempty"`
	URL   string `json:"url,omitempty"`
	Title string `json:"title"`
	Body  string `json:"body"`
	// PublishedAt is RFC 3339 ("2025-09-02T10:30:00+07:00"). A user may
	// publish a date ("2025-09-02"): ingest makes it midnight UTC
	// ("2025-09-02T00:00:00Z"), so every event after ingest carries RFC
	// 3339 (see NormalizeTime). Events written before may carry a date,
	// which ParseTime reads too.
	PublishedAt string `json:"published_at,omitempty"`
	// Lang is a BCP 47 language code ("id", "en"); ingest detects it when absent.
	Lang   string `json:"lang,omitempty"`
	Source string `json:"source,omitempty"`
	// Format says how to read Title, Body and Source: FormatText (taken
	// as written, "<" and "&" included) or FormatHTML (markup rendered to
	// text). Empty means text unless Body is HTML from its first character
	// to its last: a document, or elements such as "<p>…</p>". Ingest
	// renders the fields and leaves Format empty in the normalised article.
	Format string `json:"format,omitempty"`
	// Version is a hash of the normalised content, set by ingest: the same id
	// with changed content gets a new Version, which replaces the old one.
	Version string `json:"version,omitempty"`
}

// Values of Article.Format.
const (
	// FormatText: the fields are text as written; "<b>" is four characters.
	FormatText = "text"
	// FormatHTML: the fields are HTML, rendered to text by ingest.
	FormatHTML = "html"
)

// Paragraph is one paragraph of a normalised article, published by ingest on
// SubjectParagraphs. Its ID is "<article_id>-<index>" (ParagraphID): the
// index keeps one paragraph per ID of the article's current revision, so a
// replay overwrites rather than duplicates.
type Paragraph struct {
	V         int    `json:"v"`
	ID        string `json:"id"`
	ArticleID string `json:"article_id"`
	Version   string `json:"version"`
	// ArticleSeq is the position of the article's message in the ARTICLES
	// stream (its stream sequence), stamped by ingest: it orders the
	// revisions of an article. Of two revisions, the one with the higher
	// ArticleSeq is newer, whatever order their paragraphs arrive in, so an
	// article published A, then B, then A again ends on A. 0 marks an event
	// written before revisions were stamped: older than any stamped one.
	ArticleSeq  uint64 `json:"article_seq,omitempty"`
	Index       int    `json:"index"`
	Count       int    `json:"count"`
	Title       string `json:"title"`
	Lang        string `json:"lang"`
	PublishedAt string `json:"published_at,omitempty"`
	URL         string `json:"url,omitempty"`
	Source      string `json:"source,omitempty"`
	Text        string `json:"text"`
}

// EntityType is the kind of a named entity.
type EntityType string

// The entity types the tagger emits.
const (
	Person       EntityType = "PERSON"
	Organization EntityType = "ORGANIZATION"
	Location     EntityType = "LOCATION"
	Event        EntityType = "EVENT"
	Misc         EntityType = "MISC"
)

// EntityTypes lists every valid EntityType.
var EntityTypes = []EntityType{Person, Organization, Location, Event, Misc}

// Entity is a named entity found in a paragraph. Start and End are byte
// offsets into the paragraph's Text, half-open: Text[Start:End] == Entity.Text.
// Canonical is the entity's normalised name ("Xi Jinping" for "Xi").
type Entity struct {
	Text      string     `json:"text"`
	Type      EntityType `json:"type"`
	Start     int        `json:"start"`
	End       int        `json:"end"`
	Canonical string     `json:"canonical"`
}

// Date is a date expression found in a paragraph. Value is TIMEX3-like:
// "2025-09-02", "2025-09", "2024", or a decade "193X". Mod qualifies fuzzy
// expressions ("START" for "awal 2022"/"early 2022", "END", "MID", "APPROX").
type Date struct {
	Text  string `json:"text"`
	Value string `json:"value"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Mod   string `json:"mod,omitempty"`
}

// EnrichedParagraph is a Paragraph with its tags, published by enrich on
// SubjectEnriched. Entities and Dates are never null on the wire.
type EnrichedParagraph struct {
	Paragraph
	Entities []Entity `json:"entities"`
	Dates    []Date   `json:"dates"`
	// Tagger names the tagger and model that produced the tags.
	Tagger string `json:"tagger,omitempty"`
}

// ArticleIndexed tells that every paragraph of one revision of an article is
// searchable: the article's current revision. Index publishes it on
// IndexedSubject(ArticleID), with IndexedMsgID.
type ArticleIndexed struct {
	V         int    `json:"v"`
	ArticleID string `json:"article_id"`
	Version   string `json:"version"`
	// ArticleSeq is the revision's position in ARTICLES (see
	// Paragraph.ArticleSeq): a publisher waiting for its article is done
	// when the article's ArticleSeq reaches that of its own message.
	ArticleSeq uint64    `json:"article_seq,omitempty"`
	Title      string    `json:"title"`
	Paragraphs int       `json:"paragraphs"`
	IndexedAt  time.Time `json:"indexed_at"`
}

// DeadLetter is a message a stage could not process, with why. Payload is the
// original message body as it arrived (base64 in JSON), so nothing is lost and
// the message can be replayed after a fix. A payload too large to fit in a
// NATS message once encoded is cut short (PayloadTruncated); the original
// then stays in Stream at StreamSeq for as long as that stream keeps it.
type DeadLetter struct {
	V          int    `json:"v"`
	Stage      string `json:"stage"`
	Reason     string `json:"reason"`
	Deliveries uint64 `json:"deliveries"`
	Subject    string `json:"subject"`
	Stream     string `json:"stream,omitempty"`
	StreamSeq  uint64 `json:"stream_seq,omitempty"`
	MsgID      string `json:"msg_id,omitempty"`
	Payload    []byte `json:"payload"`
	// PayloadBytes is the original payload's size.
	PayloadBytes     int       `json:"payload_bytes"`
	PayloadTruncated bool      `json:"payload_truncated,omitempty"`
	FailedAt         time.Time `json:"failed_at"`
}
