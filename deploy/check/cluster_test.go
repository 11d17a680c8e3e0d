package check_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	corev1 "k8s.io/api/core/v1"

	"github.com/warta-news/warta/pkg/bus/access"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/natsd"
	"github.com/warta-news/warta/pkg/events"
)

// deployment is what a deploy file says to run: the NATS servers'
// configuration and environment, each service's environment, and the HTTP
// paths its probes GET, by the address variable they use.
type deployment struct {
	nodes, cluster string // NATS server names (prefix) and cluster name
	// serverConfig is the servers' configuration file (the users), read with
	// serverEnv as their environment (the users' passwords).
	serverConfig string
	serverEnv    map[string]string
	// passwords are the users' passwords, which the deploy file's references
	// (compose's ${…}, the Secret's keys) resolve to.
	passwords    map[access.Role]string
	env          map[string]map[string]string
	probes       map[string][][2]string // service → {address variable, path}
	healthchecks map[string][]string    // service → its compose healthcheck command
}

// TestRunsOnNATSCluster runs the binaries the images contain, with the
// environment deploy/k8s and compose.yaml give them, against a three-node
// NATS cluster on loopback configured with the users those files give it
// (the chart's values, deploy/nats/auth.conf), the passwords made at random
// and passed as the files say: ingest, two enrichers and index, each as its
// own user. The sample article, published as the client user, comes out
// indexed, every probe answers, no service is refused a subject, the client
// user cannot forge an event, and the streams are replicated three times.
func TestRunsOnNATSCluster(t *testing.T) {
	set := loadK8s(t)
	values := loadChartValues(t)
	kpw := testPasswords(t)
	k8s := deployment{nodes: "nats-", cluster: "nats", passwords: kpw,
		serverConfig: renderChartConfig(t, values), serverEnv: chartEnv(t, values.Container.Env, usersSecretOf(kpw)),
		env: map[string]map[string]string{}, probes: map[string][][2]string{}}
	for _, svc := range services {
		c := &workload(t, set, svc).Spec.Containers[0]
		env := k8sEnv(t, set, c, usersSecretOf(kpw))
		k8s.env[svc] = env
		for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe} {
			k8s.probes[svc] = append(k8s.probes[svc], [2]string{probeEnv(t, c, env, p.HTTPGet.Port), p.HTTPGet.Path})
		}
	}
	cpw := testPasswords(t)
	p := loadCompose(t, passwordEnv(cpw))
	n1 := p.Services["n1"]
	setServerEnv(t, composeEnv(n1))
	n1opts := natsOptions(t, n1)
	compose := deployment{nodes: "n", cluster: n1opts.Cluster.Name, passwords: cpw,
		serverConfig: n1opts.ConfigFile, serverEnv: composeEnv(n1),
		env: map[string]map[string]string{}, probes: map[string][][2]string{}, healthchecks: map[string][]string{}}
	for _, svc := range services {
		env := composeEnv(p.Services[svc])
		compose.env[svc] = env
		if hc := p.Services[svc].HealthCheck; hc != nil && len(hc.Test) > 1 {
			compose.healthchecks[svc] = hc.Test[1:]
		}
		// compose has no probes for distroless services; its METRICS_ADDR serves them all the same.
		compose.probes[svc] = [][2]string{{"METRICS_ADDR", "/healthz"}, {"METRICS_ADDR", "/readyz"}}
	}
	for _, name := range []string{"k8s", "compose"} {
		d := map[string]deployment{"k8s": k8s, "compose": compose}[name]
		t.Run(name, func(t *testing.T) { runDeployment(t, d) })
	}
}

func runDeployment(t *testing.T, d deployment) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	setServerEnv(t, d.serverEnv)
	urls := startCluster(t, ctx, d.nodes, d.cluster, d.serverConfig)
	natsURL := strings.Join(urls, ",")

	// Each process (container) gets the deploy file's env, with only the
	// addresses made local: port 0 to listen on (the service binds a free
	// port and logs it), the cluster's URLs, a temporary index folder.
	localEnv := func(svc string) []string {
		if d.env[svc]["NATS_URL"] == "" {
			t.Fatalf("%s: no NATS_URL in its environment", svc)
		}
		var env []string
		for k, v := range d.env[svc] {
			switch k {
			case "NATS_URL":
				v = natsURL
			case "HTTP_ADDR", "METRICS_ADDR":
				v = "127.0.0.1:0"
			case "INDEX_DIR":
				v = filepath.Join(t.TempDir(), "index")
			}
			env = append(env, k+"="+v)
		}
		return env
	}
	// What a service logs once it listens on each address.
	served := map[string]string{"HTTP_ADDR": "serving search", "METRICS_ADDR": "serving metrics"}
	var api string
	for _, svc := range []string{"index", "ingest", "enrich", "enrich"} {
		env := localEnv(svc)
		logs := start(t, svc, env)
		addrs := map[string]string{}
		for k, msg := range served {
			if _, set := d.env[svc][k]; set {
				addrs[k] = strings.TrimPrefix(bustest.ServedURL(t, logs, msg), "http://")
				env = append(env, k+"="+addrs[k]) // the address it bound, for its health check
			}
		}
		if svc == "index" {
			api = "http://" + addrs["HTTP_ADDR"]
		}
		for _, p := range d.probes[svc] {
			if addrs[p[0]] == "" {
				t.Errorf("%s: probe %s on %s, which its environment does not set", svc, p[1], p[0])
				continue
			}
			waitOK(t, ctx, "http://"+addrs[p[0]]+p[1])
		}
		// The compose health check runs inside the container, with its env.
		if hc := d.healthchecks[svc]; len(hc) > 0 {
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, filepath.Base(hc[0])), hc[1:]...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: compose healthcheck %v: %v\n%s", svc, hc, err, out)
			}
		}
	}

	// A person on the host publishes as the client user.
	client := map[string]string{"NATS_URL": natsURL, "NATS_USER": string(access.Client), "NATS_PASSWORD": d.passwords[access.Client]}
	checkEnvNames(t, "the client's environment", "publish", client)
	pub := exec.CommandContext(ctx, filepath.Join(binDir, "wartactl"), "publish", "--wait", "--timeout", "60s", filepath.Join(root, "samples", "xi-putin-beijing.id.txt"))
	for k, v := range client {
		pub.Env = append(pub.Env, k+"="+v)
	}
	if out, err := pub.CombinedOutput(); err != nil || !strings.Contains(string(out), "17 paragraphs searchable") {
		t.Fatalf("wartactl publish --wait as the client user: %v\n%s", err, out)
	}
	var stats struct{ Articles, Paragraphs int }
	getJSON(t, ctx, api+"/stats", &stats)
	if stats.Articles != 1 || stats.Paragraphs != 17 {
		t.Errorf("stats %+v, want 1 article, 17 paragraphs", stats)
	}

	admin, err := nats.Connect(natsURL, nats.UserInfo(string(access.Admin), d.passwords[access.Admin]))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	js, err := jetstream.New(admin)
	if err != nil {
		t.Fatal(err)
	}
	checkForgeryRefused(t, ctx, natsURL, d.passwords[access.Client], js)

	for _, s := range events.Streams {
		st, err := js.Stream(ctx, s.Name)
		if err != nil {
			t.Errorf("stream %s: %v", s.Name, err)
			continue
		}
		info := st.CachedInfo()
		if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			t.Errorf("stream %s: %d replicas, cluster %+v: want 3 copies", s.Name, info.Config.Replicas, info.Cluster)
		}
	}
}

// checkForgeryRefused publishes a forged enriched paragraph, and events only
// index and the stages may write, as the client user: the servers must
// refuse each, and ENRICHED must still hold only what enrich wrote.
func checkForgeryRefused(t *testing.T, ctx context.Context, url, password string, admin jetstream.JetStream) {
	t.Helper()
	enriched, err := admin.Stream(ctx, events.StreamEnriched)
	if err != nil {
		t.Fatal(err)
	}
	before, err := enriched.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refused := make(chan error, 16)
	nc, err := nats.Connect(url, nats.UserInfo(string(access.Client), password),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { refused <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	forged, err := events.Marshal(&events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1,
		ID: "c5c9df72a2acaa7c-0", ArticleID: "c5c9df72a2acaa7c", Version: "forged", ArticleSeq: 1 << 40, Count: 1, Text: "Forged."}})
	if err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{events.SubjectEnriched, events.IndexedSubject("c5c9df72a2acaa7c"), events.DeadLetterSubject(events.StageIndex)} {
		if err := nc.Publish(subj, forged); err != nil {
			t.Fatal(err)
		}
		// The server answers a refused publish with an error on the
		// connection, which comes before the answer to this flush.
		if err := nc.FlushWithContext(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-refused:
			if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), subj) {
				t.Errorf("client publishing on %s: %v, want a permissions violation", subj, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("the client user published on %s: the server did not refuse it", subj)
		}
	}
	after, err := enriched.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.State.Msgs != before.State.Msgs || after.State.LastSeq != before.State.LastSeq {
		t.Errorf("%s went from %d to %d messages after the forgery", events.StreamEnriched, before.State.Msgs, after.State.Msgs)
	}
}

// start runs a service binary with exactly env, and stops it with SIGTERM
// when the test ends: it must exit cleanly. It returns the service's logs.
func start(t *testing.T, svc string, env []string) *bustest.LogBuffer {
	t.Helper()
	logs := &bustest.LogBuffer{}
	// Registered first, so it runs after Spawn's cleanup has stopped svc.
	t.Cleanup(func() {
		// Each service runs as its own NATS user: none may need a subject
		// its permissions do not give it.
		if strings.Contains(logs.String(), "Permissions Violation") {
			t.Errorf("%s was refused a subject by its NATS permissions", svc)
		}
		if t.Failed() && testing.Verbose() {
			t.Logf("%s:\n%s", svc, logs.String())
		}
	})
	bustest.Spawn(t, filepath.Join(binDir, svc), env, logs)
	return logs
}

// startCluster starts three clustered NATS servers with JetStream on
// loopback, each reading the configuration file config, and waits until
// JetStream's meta leader sees all of them.
func startCluster(t *testing.T, ctx context.Context, prefix, cluster, config string) []string {
	t.Helper()
	cfgs := make([]natsd.Config, 3)
	for i := range cfgs {
		name := prefix + strconv.Itoa(i+1)
		if prefix == "nats-" {
			name = prefix + strconv.Itoa(i) // the chart's StatefulSet pods: nats-0, nats-1, nats-2
		}
		cfgs[i] = natsd.Config{Port: -1, StoreDir: t.TempDir(), ServerName: name, ClusterName: cluster, ClusterPort: -1, ConfigFile: config}
	}
	servers, err := natsd.StartCluster(ctx, cfgs, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { natsd.Shutdown(servers) })
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.ClientURL())
	}
	return urls
}

// waitOK polls url until it answers 200, for at most 30 seconds.
func waitOK(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	last := ""
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		last = resp.Status
	}
	t.Errorf("GET %s: not 200 within 30s (last: %s)", url, last)
}

func getJSON(t *testing.T, ctx context.Context, url string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(fmt.Errorf("GET %s: %w", url, err))
	}
}
