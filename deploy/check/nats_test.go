package check_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/warta-news/warta/deploy/check"
	"github.com/warta-news/warta/pkg/bus/access"
)

var update = flag.Bool("update", false, "write deploy/nats/auth.conf, the users of deploy/k8s/nats-values.yaml "+
	"and the NATS roles table of README.md again from pkg/bus/access")

var (
	authConf       = filepath.Join(root, "deploy", "nats", "auth.conf")
	natsValuesFile = filepath.Join(root, "deploy", "k8s", "nats-values.yaml")
	topReadme      = filepath.Join(root, "README.md")
)

// usersSecret is the Kubernetes Secret holding every role's password, by role.
const usersSecret = "warta-nats-users"

// testPasswords makes a random password for every role, as the READMEs say
// to (openssl rand -hex 16).
func testPasswords(t *testing.T) map[access.Role]string {
	t.Helper()
	pw := map[access.Role]string{}
	for _, r := range access.Roles() {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		pw[r] = hex.EncodeToString(b)
	}
	return pw
}

// passwordEnv returns each role's password under its variable
// (access.PasswordEnv): the environment of a NATS server configured by
// deploy/nats/auth.conf.
func passwordEnv(pw map[access.Role]string) map[string]string {
	env := map[string]string{}
	for r, p := range pw {
		env[access.PasswordEnv(r)] = p
	}
	return env
}

// setServerEnv makes env the environment the embedded NATS servers read
// their configuration's variables from: every role's password variable is
// unset first, so one missing from env is missing for the server too.
func setServerEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, r := range access.Roles() {
		name := access.PasswordEnv(r)
		t.Setenv(name, "") // restored when the test ends
		os.Unsetenv(name)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// secretFunc resolves a Kubernetes secretKeyRef.
type secretFunc func(name, key string) (string, bool)

// usersSecretOf is the Secret warta-nats-users holding pw, a key per role.
func usersSecretOf(pw map[access.Role]string) secretFunc {
	return func(name, key string) (string, bool) {
		p, ok := pw[access.Role(key)]
		return p, ok && name == usersSecret
	}
}

// checkUsers fails the test unless opts, a NATS server's options read from
// a configuration, has exactly one user per role of pkg/bus/access, with
// the role's password in pw and the role's permissions, and no other way in.
func checkUsers(t *testing.T, where string, opts *server.Options, pw map[access.Role]string) {
	t.Helper()
	if len(opts.Nkeys) > 0 || opts.NoAuthUser != "" || opts.Username != "" || opts.Authorization != "" {
		t.Errorf("%s: other users besides the roles' (nkeys %d, no_auth_user %q, user %q, token set %v)",
			where, len(opts.Nkeys), opts.NoAuthUser, opts.Username, opts.Authorization != "")
	}
	users := map[string]*server.User{}
	for _, u := range opts.Users {
		if users[u.Username] != nil {
			t.Errorf("%s: user %s twice", where, u.Username)
		}
		users[u.Username] = u
	}
	for _, r := range access.Roles() {
		u := users[string(r)]
		delete(users, string(r))
		if u == nil {
			t.Errorf("%s: no user %s", where, r)
			continue
		}
		if u.Password != pw[r] {
			t.Errorf("%s: user %s's password is not $%s", where, r, access.PasswordEnv(r))
		}
		want, got := access.For(r), u.Permissions
		if got == nil || got.Publish == nil || got.Subscribe == nil {
			t.Errorf("%s: user %s has no publish and subscribe permissions: it could do anything", where, r)
			continue
		}
		if !sameSet(got.Publish.Allow, want.Publish) || len(got.Publish.Deny) > 0 {
			t.Errorf("%s: user %s may publish %v (deny %v), want %v", where, r, got.Publish.Allow, got.Publish.Deny, want.Publish)
		}
		if !sameSet(got.Subscribe.Allow, want.Subscribe) || len(got.Subscribe.Deny) > 0 {
			t.Errorf("%s: user %s may subscribe %v (deny %v), want %v", where, r, got.Subscribe.Allow, got.Subscribe.Deny, want.Subscribe)
		}
		if (got.Response != nil) != want.Responses {
			t.Errorf("%s: user %s answers requests: %v, want %v", where, r, got.Response != nil, want.Responses)
		}
	}
	for name := range users {
		t.Errorf("%s: user %s is no role of pkg/bus/access", where, name)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b)) && len(a) == len(b)
}

// TestNATSAuthConfig checks that deploy/nats/auth.conf, which the compose
// NATS nodes load, is access.Config() and that nats-server reads from it
// every role's user, password (from the environment) and permissions.
func TestNATSAuthConfig(t *testing.T) {
	want := access.Config()
	if *update {
		if err := os.WriteFile(authConf, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(authConf)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s differs from access.Config(): write it again with\n"+
			"  go test ./deploy/check -run TestNATSAuthConfig -update", authConf)
	}

	pw := testPasswords(t)
	setServerEnv(t, passwordEnv(pw))
	opts, err := server.ProcessConfigFile(authConf)
	if err != nil {
		t.Fatal(err)
	}
	checkUsers(t, authConf, opts, pw)

	// A password missing from the server's environment stops it at start.
	os.Unsetenv(access.PasswordEnv(access.Admin))
	if _, err := server.ProcessConfigFile(authConf); err == nil || !strings.Contains(err.Error(), access.PasswordEnv(access.Admin)) {
		t.Errorf("without $%s: %v, want an error naming it", access.PasswordEnv(access.Admin), err)
	}
}

// chartValues is the part of the NATS chart's values that sets the users.
type chartValues struct {
	Config struct {
		Merge map[string]any `json:"merge"`
	} `json:"config"`
	Container struct {
		Env map[string]json.RawMessage `json:"env"`
	} `json:"container"`
	NatsBox struct {
		Container struct {
			Env map[string]json.RawMessage `json:"env"`
		} `json:"container"`
	} `json:"natsBox"`
}

func loadChartValues(t *testing.T) chartValues {
	t.Helper()
	b, err := os.ReadFile(natsValuesFile)
	if err != nil {
		t.Fatal(err)
	}
	var v chartValues
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", natsValuesFile, err)
	}
	return v
}

// chartEnv resolves a chart container's env map (a name to a value, or to
// the rest of a Kubernetes EnvVar) as the pod would get it.
func chartEnv(t *testing.T, env map[string]json.RawMessage, secret secretFunc) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, raw := range env {
		var value string
		if json.Unmarshal(raw, &value) == nil {
			out[name] = value
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatalf("%s: env %s: %v", natsValuesFile, name, err)
		}
		fields["name"] = name
		b, _ := json.Marshal(fields)
		var ev corev1.EnvVar
		if err := check.DecodeStrict(b, &ev); err != nil {
			t.Fatalf("%s: env %s: %v", natsValuesFile, name, err)
		}
		out[name] = resolveEnv(t, natsValuesFile, ev, secret)
	}
	return out
}

// resolveEnv returns the value of a container's env entry: a literal, or a
// key of a Secret.
func resolveEnv(t *testing.T, where string, e corev1.EnvVar, secret secretFunc) string {
	t.Helper()
	if e.ValueFrom == nil {
		return e.Value
	}
	ref := e.ValueFrom.SecretKeyRef
	if ref == nil || e.ValueFrom.ConfigMapKeyRef != nil || e.ValueFrom.FieldRef != nil || e.ValueFrom.ResourceFieldRef != nil {
		t.Fatalf("%s: env %s from %+v, want a secretKeyRef", where, e.Name, e.ValueFrom)
	}
	v, ok := secret(ref.Name, ref.Key)
	if !ok {
		t.Fatalf("%s: env %s from key %q of Secret %q, which does not hold it", where, e.Name, ref.Key, ref.Name)
	}
	return v
}

// renderChartConfig writes the nats.conf that the chart makes of the
// values' config.merge into a temporary file.
func renderChartConfig(t *testing.T, v chartValues) string {
	t.Helper()
	conf, err := check.RenderChartConfig(v.Config.Merge)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(file, conf, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// chartUsers is the generated part of nats-values.yaml: every role's user
// under config.merge.authorization, its password the chart's reference to
// the server's environment variable.
func chartUsers() string {
	var b strings.Builder
	b.WriteString("  merge:\n    authorization:\n      users:\n")
	list := func(key string, subjects []string) {
		fmt.Fprintf(&b, "            %s:\n              allow:\n", key)
		for _, s := range subjects {
			fmt.Fprintf(&b, "                - %s\n", strconv.Quote(s))
		}
	}
	for _, r := range access.Roles() {
		p := access.For(r)
		fmt.Fprintf(&b, "        - user: %s\n          password: \"<< $%s >>\"\n          permissions:\n", r, access.PasswordEnv(r))
		list("publish", p.Publish)
		list("subscribe", p.Subscribe)
		if p.Responses {
			b.WriteString("            allow_responses: true\n")
		}
	}
	return b.String()
}

// replaceBetween replaces the lines between the line holding begin and the
// next line holding end with body.
func replaceBetween(text, begin, end, body string) (string, error) {
	i := strings.Index(text, begin)
	if i < 0 {
		return "", fmt.Errorf("no line with %q", begin)
	}
	i += strings.IndexByte(text[i:], '\n') + 1
	j := strings.Index(text[i:], end)
	if j < 0 {
		return "", fmt.Errorf("no line with %q after %q", end, begin)
	}
	j = i + strings.LastIndexByte(text[i:i+j], '\n') + 1
	return text[:i] + body + text[j:], nil
}

// TestNATSChartUsers checks the users the NATS chart's values give the
// servers: the nats.conf the chart makes of them, read by nats-server with
// the environment the chart's container gets from the Secret
// warta-nats-users, has every role's user with its password and
// permissions.
func TestNATSChartUsers(t *testing.T) {
	const begin, end = "# BEGIN users: generated", "# END users"
	if *update {
		b, err := os.ReadFile(natsValuesFile)
		if err != nil {
			t.Fatal(err)
		}
		s, err := replaceBetween(string(b), begin, end, chartUsers())
		if err != nil {
			t.Fatalf("%s: %v", natsValuesFile, err)
		}
		if err := os.WriteFile(natsValuesFile, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	v := loadChartValues(t)
	pw := testPasswords(t)
	env := chartEnv(t, v.Container.Env, usersSecretOf(pw))
	setServerEnv(t, env)
	opts, err := server.ProcessConfigFile(renderChartConfig(t, v))
	if err != nil {
		t.Fatalf("%s: config.merge as the chart writes it: %v", natsValuesFile, err)
	}
	checkUsers(t, natsValuesFile+" config.merge", opts, pw)
	if t.Failed() {
		t.Log("write the users again with: go test ./deploy/check -run TestNATSChartUsers -update")
	}

	// The nats-box pod's CLI is the admin user.
	box := chartEnv(t, v.NatsBox.Container.Env, usersSecretOf(pw))
	if box["NATS_USER"] != string(access.Admin) || box["NATS_PASSWORD"] != pw[access.Admin] {
		t.Errorf("%s: natsBox runs as %q with the password of %q, want admin", natsValuesFile, box["NATS_USER"], roleOf(pw, box["NATS_PASSWORD"]))
	}
}

// roleOf returns the role whose password is p, for messages.
func roleOf(pw map[access.Role]string, p string) access.Role {
	for r, q := range pw {
		if q == p {
			return r
		}
	}
	return "nobody"
}

// rolesTable is the table of README.md's Security section: what each role
// may do, read from its permissions. It fails on a subject it cannot
// describe, so the table never leaves one out.
func rolesTable() (string, error) {
	var b strings.Builder
	b.WriteString("| user | may publish | consumes | JetStream streams | may subscribe to |\n|---|---|---|---|---|\n")
	code := func(s string) string { return "`" + s + "`" }
	cell := func(parts []string, sep string) string {
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, sep)
	}
	for _, r := range access.Roles() {
		p := access.For(r)
		var pub, consume, subs []string
		verbs := []string{"create", "info", "read messages"}
		streams := map[string][]string{}
		addStream := func(verb, s string) {
			if !slices.Contains(streams[verb], code(s)) {
				streams[verb] = append(streams[verb], code(s))
			}
		}
		for _, s := range p.Publish {
			switch rest, isAPI := strings.CutPrefix(s, "$JS.API."); {
			case s == ">":
				pub = append(pub, "everything")
			case isAPI && strings.HasPrefix(rest, "STREAM.CREATE."):
				addStream("create", strings.TrimPrefix(rest, "STREAM.CREATE."))
			case isAPI && strings.HasPrefix(rest, "STREAM.INFO."):
				addStream("info", strings.TrimPrefix(rest, "STREAM.INFO."))
			case isAPI && strings.HasPrefix(rest, "STREAM.MSG.GET."):
				addStream("read messages", strings.TrimPrefix(rest, "STREAM.MSG.GET."))
			case isAPI && strings.HasPrefix(rest, "DIRECT.GET."):
				addStream("read messages", strings.TrimSuffix(strings.TrimPrefix(rest, "DIRECT.GET."), ".>"))
			case isAPI && rest == "INFO":
				addStream("info", "the account")
			case isAPI && strings.HasPrefix(rest, "CONSUMER."):
				target := strings.TrimPrefix(rest, "CONSUMER.")
				for _, call := range []string{"DURABLE.CREATE.", "CREATE.", "INFO.", "MSG.NEXT.", "DELETE."} {
					target = strings.TrimPrefix(target, call)
				}
				stream, consumer, ok := strings.Cut(strings.TrimSuffix(target, ".>"), ".")
				if ok && strings.Contains(consumer, ".") {
					return "", fmt.Errorf("%s: cannot describe %s", r, s)
				}
				c := code(stream) + " as consumer " + code(consumer)
				switch {
				case !ok:
					// Consumers of any name, made and deleted by the
					// client: the ordered consumers of a watch or a follow.
					c = code(stream) + ", ordered consumers"
				case consumer == "*":
					c = code(stream) + ", any consumer"
				}
				if !slices.Contains(consume, c) {
					consume = append(consume, c)
				}
			case strings.HasPrefix(s, "$JS.ACK."):
				// Acks of what it consumes.
			case strings.HasPrefix(s, "$JS."):
				return "", fmt.Errorf("%s: cannot describe %s", r, s)
			default:
				pub = append(pub, code(s))
			}
		}
		for _, s := range p.Subscribe {
			switch {
			case s == ">":
				subs = append(subs, "everything")
			case s == "_INBOX.>":
				subs = append(subs, "replies")
			case strings.HasPrefix(s, "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."):
				subs = append(subs, "its consumer's max-deliveries advisories")
			case strings.HasPrefix(s, "$JS."):
				return "", fmt.Errorf("%s: cannot describe %s", r, s)
			default:
				subs = append(subs, code(s))
			}
		}
		if p.Responses {
			subs = append(subs, "and answers requests")
		}
		// Verbs on the same streams go together: "create, info: `A`, `B`".
		var js []string
		for i, verb := range verbs {
			if len(streams[verb]) == 0 || slices.ContainsFunc(verbs[:i], func(v string) bool { return slices.Equal(streams[v], streams[verb]) }) {
				continue
			}
			group := []string{verb}
			for _, other := range verbs[i+1:] {
				if slices.Equal(streams[other], streams[verb]) {
					group = append(group, other)
				}
			}
			js = append(js, strings.Join(group, ", ")+": "+strings.Join(streams[verb], ", "))
		}
		if slices.Contains(p.Publish, ">") {
			// Every subject: every stream and consumer too.
			consume, js = []string{"everything"}, []string{"everything"}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r, cell(pub, ", "), cell(consume, ", "), cell(js, "; "), cell(subs, ", "))
	}
	return b.String(), nil
}

// TestNATSRolesTable checks that README.md's table of NATS roles says what
// pkg/bus/access gives each.
func TestNATSRolesTable(t *testing.T) {
	const begin, end = "<!-- BEGIN nats roles: generated", "<!-- END nats roles"
	table, err := rolesTable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(topReadme)
	if err != nil {
		t.Fatal(err)
	}
	want, err := replaceBetween(string(b), begin, end, table)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if *update {
		if err := os.WriteFile(topReadme, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(b) {
		t.Errorf("README.md's table of NATS roles differs from pkg/bus/access; it should be:\n%s\n"+
			"write it again with: go test ./deploy/check -run TestNATSRolesTable -update", table)
	}
}
