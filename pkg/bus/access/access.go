// Package access says what each NATS user of the pipeline may do: the
// subjects it may publish and subscribe to, derived from the contract in
// pkg/events. A service may publish only its output subjects and its own
// dead letters, and consume only its input stream through its own durable
// consumer; so an event forged on an internal subject (paragraphs.enriched,
// say) by anyone but the stage that writes it is refused by the server.
//
// The same permissions serve the embedded server of "make run" and the
// tests (ServerNKeys, with an NKey per role) and the server configuration
// that deploy/ ships (Config, with a password per role from the
// environment).
package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/warta-news/warta/pkg/events"
)

// Role is a NATS user of the pipeline.
type Role string

// The roles: one per service, the users who drop articles and read what is
// indexed (Client), and operators (Admin).
const (
	Ingest Role = "ingest"
	Enrich Role = "enrich"
	Index  Role = "index"
	// Client publishes articles, waits for them to be indexed and asks the
	// services' micro endpoints (search, stats): what "wartactl publish" and
	// "nats pub articles.new" need, and nothing that could forge an event.
	Client Role = "client"
	// Admin may do anything: "wartactl deadletters replay", the nats CLI.
	Admin Role = "admin"
)

// Roles lists every role.
func Roles() []Role { return []Role{Ingest, Enrich, Index, Client, Admin} }

// RoleOf returns the role of a service binary ("ingest", "enrich", "index").
func RoleOf(service string) (Role, bool) {
	r := Role(service)
	return r, r == Ingest || r == Enrich || r == Index
}

// Permissions are the subjects a role may publish and subscribe to.
type Permissions struct {
	Publish, Subscribe []string
	// Responses lets the role answer requests it receives (the replies of
	// its micro endpoints), whatever their reply subject.
	Responses bool
}

// stage is what a consuming stage does: read stream in through its durable
// consumer (a "*" for any name: the index's is configurable), publish out,
// and create the streams it uses.
type stage struct {
	name, in, durable string
	out               []string
	streams           []string
}

var stages = map[Role]stage{
	Ingest: {events.StageIngest, events.StreamArticles, events.ConsumerIngest,
		[]string{events.SubjectParagraphs}, []string{events.StreamArticles, events.StreamParagraphs, events.StreamDeadLetter}},
	Enrich: {events.StageEnrich, events.StreamParagraphs, events.ConsumerEnrich,
		[]string{events.SubjectEnriched}, []string{events.StreamParagraphs, events.StreamEnriched, events.StreamDeadLetter}},
	// INDEX_CONSUMER names the index's consumer ("index-rebuild" for a
	// rebuild): any name on ENRICHED.
	Index: {events.StageIndex, events.StreamEnriched, "*",
		[]string{events.SubjectIndexedPrefix + ">", events.SubjectAlertsPrefix + ">"},
		[]string{events.StreamEnriched, events.StreamIndexed, events.StreamDeadLetter, events.StreamAlerts, kvStream}},
}

// kvStream is the stream behind the bucket of standing searches, which the
// index creates, writes (PUT and DELETE /alerts/{name}) and watches.
const kvStream = "KV_" + events.BucketStandingSearches

// standingSearches are the calls that reading, writing and watching the
// bucket of standing searches take: its keys, direct gets, and the ordered
// consumers of a watch; creating it reads the account's JetStream info.
var standingSearches = []string{
	"$KV." + events.BucketStandingSearches + ".>", "$JS.API.INFO",
	api("DIRECT.GET", kvStream) + ".>", api("STREAM.MSG.GET", kvStream),
	api("CONSUMER.CREATE", kvStream), api("CONSUMER.CREATE", kvStream) + ".>",
	api("CONSUMER.DELETE", kvStream) + ".>", api("CONSUMER.INFO", kvStream) + ".>",
}

// followAlerts are the calls of an ordered consumer on ALERTS: what "index
// alerts follow" takes.
var followAlerts = []string{
	api("STREAM.INFO", events.StreamAlerts),
	api("CONSUMER.CREATE", events.StreamAlerts), api("CONSUMER.CREATE", events.StreamAlerts) + ".>",
	api("CONSUMER.DELETE", events.StreamAlerts) + ".>", api("CONSUMER.INFO", events.StreamAlerts) + ".>",
	api("CONSUMER.MSG.NEXT", events.StreamAlerts) + ".>",
}

// For returns the permissions of role r.
func For(r Role) Permissions {
	if r == Admin {
		return Permissions{Publish: []string{">"}, Subscribe: []string{">"}}
	}
	if r == Client {
		p := Permissions{
			Publish: []string{
				events.SubjectArticlesNew,
				api("STREAM.INFO", events.StreamArticles), api("STREAM.MSG.GET", events.StreamArticles),
				api("STREAM.INFO", events.StreamIndexed), api("STREAM.MSG.GET", events.StreamIndexed),
				// The services' micro endpoints and discovery (nats micro ls).
				events.SubjectServicePrefix + ">", "$SRV.>",
			},
			// The alerts of standing searches, live ("nats sub 'alerts.>'")
			// or from the stream ("wartactl alerts follow").
			Subscribe: []string{"_INBOX.>", events.SubjectAlertsPrefix + ">"},
		}
		p.Publish = append(p.Publish, followAlerts...)
		return p
	}
	st, ok := stages[r]
	if !ok {
		return Permissions{}
	}
	pub := slices.Clone(st.out)
	pub = append(pub, events.DeadLetterSubject(st.name))
	for _, s := range st.streams {
		pub = append(pub, api("STREAM.INFO", s), api("STREAM.CREATE", s))
	}
	consumer := st.in + "." + st.durable
	pub = append(pub,
		api("CONSUMER.INFO", consumer), api("CONSUMER.CREATE", consumer), api("CONSUMER.CREATE", consumer+".>"),
		api("CONSUMER.DURABLE.CREATE", consumer), api("CONSUMER.MSG.NEXT", consumer),
		"$JS.ACK."+consumer+".>",
		// A message that was never acked is read back from its stream to
		// be dead-lettered.
		api("STREAM.MSG.GET", st.in),
	)
	if r == Index {
		pub = append(pub, standingSearches...)
	}
	return Permissions{
		Publish: pub,
		Subscribe: []string{"_INBOX.>",
			"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + consumer,
			// Its micro service: discovery and its endpoints.
			"$SRV.>", events.ServiceSubject(st.name, ">")},
		Responses: true,
	}
}

// api returns the subject of a JetStream API call: "$JS.API.STREAM.INFO.ARTICLES".
func api(call, target string) string { return "$JS.API." + call + "." + target }

// Server converts p for the embedded server.
func (p Permissions) Server() *server.Permissions {
	sp := &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: p.Publish},
		Subscribe: &server.SubjectPermission{Allow: p.Subscribe},
	}
	if p.Responses {
		sp.Response = &server.ResponsePermission{MaxMsgs: 1}
	}
	return sp
}

// PasswordEnv is the environment variable that holds role r's password in
// the server configuration Config writes: WARTA_INGEST_PASSWORD, ….
func PasswordEnv(r Role) string { return "WARTA_" + strings.ToUpper(string(r)) + "_PASSWORD" }

// Config returns a nats-server configuration block giving every role a user
// of its name, with its permissions, and its password read from the
// server's environment (PasswordEnv): deploy/nats/auth.conf.
func Config() string {
	var b strings.Builder
	b.WriteString("# The pipeline's NATS users and what each may do, generated from pkg/bus/access\n" +
		"# (\"go test ./deploy/check -run TestNATSAuthConfig -update\" writes it again).\n" +
		"# Each password comes from the server's environment.\n" +
		"authorization {\n  users = [\n")
	quote := func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	for _, r := range Roles() {
		p := For(r)
		fmt.Fprintf(&b, "    {\n      user: %q\n      password: $%s\n      permissions: {\n", string(r), PasswordEnv(r))
		fmt.Fprintf(&b, "        publish: {allow: %s}\n", quote(p.Publish))
		fmt.Fprintf(&b, "        subscribe: {allow: %s}\n", quote(p.Subscribe))
		if p.Responses {
			b.WriteString("        allow_responses: true\n")
		}
		b.WriteString("      }\n    }\n")
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}
