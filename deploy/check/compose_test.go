package check_test

import (
	"context"
	"flag"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/warta-news/warta/deploy/check"
)

var natsNodes = []string{"n1", "n2", "n3"}

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	p, err := check.LoadCompose(context.Background(), filepath.Join(root, "deploy", "compose.yaml"), nil)
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return p
}

// natsOptions parses a NATS node's command as nats-server itself does.
func natsOptions(t *testing.T, args []string) *server.Options {
	t.Helper()
	fs := flag.NewFlagSet("nats-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	nop := func() {}
	opts, err := server.ConfigureOptions(fs, args, nop, nop, nop)
	if err != nil {
		t.Fatalf("nats-server %v: %v", args, err)
	}
	return opts
}

// TestCompose loads compose.yaml strictly and checks the NATS cluster, the
// services' images, environment, scale safety and the index's volume.
func TestCompose(t *testing.T) {
	p := loadCompose(t)
	for i, name := range natsNodes {
		s, ok := p.Services[name]
		if !ok {
			t.Fatalf("no NATS node %s", name)
		}
		if !strings.HasPrefix(s.Image, "nats:") {
			t.Errorf("%s: image %s, want the official nats image", name, s.Image)
		}
		o := natsOptions(t, s.Command)
		if o.ServerName != name || !o.JetStream || o.StoreDir != "/data" || o.Cluster.Name != "warta" || o.Cluster.Port != 6222 || o.HTTPPort != 8222 {
			t.Errorf("%s: name %q, jetstream %v in %q, cluster %q on %d, monitoring on %d", name, o.ServerName, o.JetStream, o.StoreDir, o.Cluster.Name, o.Cluster.Port, o.HTTPPort)
		}
		var routes []string
		for _, r := range o.Routes {
			routes = append(routes, r.Host)
		}
		others := slices.Delete(slices.Clone(natsNodes), i, i+1)
		for j := range others {
			others[j] += ":6222"
		}
		if !slices.Equal(routes, others) {
			t.Errorf("%s: routes %v, want %v", name, routes, others)
		}
		if len(s.Volumes) != 1 || s.Volumes[0].Type != types.VolumeTypeVolume || s.Volumes[0].Target != "/data" {
			t.Errorf("%s: volumes %+v, want a named volume on /data", name, s.Volumes)
		} else if _, ok := p.Volumes[s.Volumes[0].Source]; !ok {
			t.Errorf("%s: volume %s not declared", name, s.Volumes[0].Source)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) < 2 {
			t.Errorf("%s: no healthcheck", name)
		}
	}

	for _, svc := range services {
		s, ok := p.Services[svc]
		if !ok {
			t.Fatalf("no service %s", svc)
		}
		if s.Build == nil {
			t.Fatalf("%s: no build", svc)
		}
		rootAbs, _ := filepath.Abs(root)
		if s.Build.Context != rootAbs || s.Build.Dockerfile != "deploy/docker/"+svc+".Dockerfile" {
			t.Errorf("%s: builds %s in %s, want deploy/docker/%s.Dockerfile in the repository root", svc, s.Build.Dockerfile, s.Build.Context, svc)
		}
		if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
			t.Errorf("%s: %v", svc, err)
		}
		if s.Image != "warta/"+svc+":dev" {
			t.Errorf("%s: image %s", svc, s.Image)
		}
		checkEnvNames(t, "compose.yaml", svc, s.Environment)
		// Distroless images have no shell: each service is its own health check.
		if hc := s.HealthCheck; hc == nil || len(hc.Test) != 3 || hc.Test[0] != "CMD" || hc.Test[1] != "/usr/local/bin/"+svc || hc.Test[2] != "healthcheck" {
			t.Errorf("%s: healthcheck %v, want [CMD /usr/local/bin/%s healthcheck]", svc, s.HealthCheck, svc)
		}
		env := composeEnv(s)
		var hosts []string
		for _, u := range strings.Split(env["NATS_URL"], ",") {
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme != "nats" || pu.Port() != "4222" {
				t.Errorf("%s: NATS_URL entry %q", svc, u)
				continue
			}
			hosts = append(hosts, pu.Hostname())
		}
		if !slices.Equal(hosts, natsNodes) {
			t.Errorf("%s: NATS_URL %q, want the three nodes", svc, env["NATS_URL"])
		}
		for k, want := range map[string]string{"STREAM_REPLICAS": "3", "LOG_FORMAT": "json", "METRICS_ADDR": ":9090"} {
			if env[k] != want {
				t.Errorf("%s: %s=%q, want %q", svc, k, env[k], want)
			}
		}
		for _, n := range natsNodes {
			if d, ok := s.DependsOn[n]; !ok || d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s: does not wait for NATS node %s to be healthy", svc, n)
			}
		}
		if !s.ReadOnly || !slices.Equal(s.CapDrop, []string{"ALL"}) {
			t.Errorf("%s: read_only %v, cap_drop %v", svc, s.ReadOnly, s.CapDrop)
		}
		if s.User != "" && s.User != "65532" && s.User != "nonroot" {
			t.Errorf("%s: user %s overrides the image's nonroot user", svc, s.User)
		}
	}

	// docker compose up --scale enrich=N: nothing that two containers cannot share.
	e := p.Services["enrich"]
	if e.ContainerName != "" || e.Hostname != "" || len(e.Ports) > 0 || len(e.Volumes) > 0 {
		t.Errorf("enrich cannot be scaled: container_name %q, hostname %q, ports %v, volumes %v", e.ContainerName, e.Hostname, e.Ports, e.Volumes)
	}

	ix := p.Services["index"]
	env := composeEnv(ix)
	if len(ix.Volumes) != 1 || ix.Volumes[0].Type != types.VolumeTypeVolume || ix.Volumes[0].Target != "/data" || !strings.HasPrefix(env["INDEX_DIR"], "/data/") {
		t.Errorf("index: volumes %+v with INDEX_DIR %q, want a named volume holding INDEX_DIR", ix.Volumes, env["INDEX_DIR"])
	}
	_, port, _ := net.SplitHostPort(env["HTTP_ADDR"])
	if len(ix.Ports) != 1 || ix.Ports[0].HostIP != "127.0.0.1" || ix.Ports[0].Published != "8080" || ix.Ports[0].Target != 8080 || port != "8080" {
		t.Errorf("index: ports %+v, HTTP_ADDR %q: want the API on 127.0.0.1:8080", ix.Ports, env["HTTP_ADDR"])
	}
}

// composeEnv returns a compose service's environment as plain strings.
func composeEnv(s types.ServiceConfig) map[string]string {
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	return env
}

// TestComposeStrict makes sure the compose check can fail: a key the
// specification does not know is refused.
func TestComposeStrict(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "  enrich:\n", "  enrich:\n    replica: 3\n", 1)
	if bad == string(b) {
		t.Fatal("no enrich service to break")
	}
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := check.LoadCompose(context.Background(), file, nil); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Errorf("unknown key loaded: %v", err)
	}
}
