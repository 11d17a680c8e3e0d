package check_test

import (
	"context"
	"flag"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/warta-news/warta/deploy/check"
	"github.com/warta-news/warta/pkg/bus/access"
)

var natsNodes = []string{"n1", "n2", "n3"}

var composeFile = filepath.Join(root, "deploy", "compose.yaml")

// loadCompose loads compose.yaml with env as the variables it interpolates
// (deploy/.env's, or the shell's).
func loadCompose(t *testing.T, env map[string]string) *types.Project {
	t.Helper()
	p, err := check.LoadCompose(context.Background(), composeFile, env)
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return p
}

// natsOptions parses a NATS node's command as nats-server itself does, in
// its container: a file it names (--config) is read from where the node's
// bind mounts put it on this machine, with its variables from this
// process's environment.
func natsOptions(t *testing.T, s types.ServiceConfig) *server.Options {
	t.Helper()
	args := slices.Clone(s.Command)
	for i, a := range args {
		name, file, ok := strings.Cut(a, "=")
		if !ok || (name != "--config" && name != "-c") {
			continue
		}
		j := slices.IndexFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Target == file })
		if j < 0 || s.Volumes[j].Type != types.VolumeTypeBind || !s.Volumes[j].ReadOnly {
			t.Fatalf("%s: --config %s is not in a read-only bind mount (volumes %+v)", s.Name, file, s.Volumes)
		}
		args[i] = name + "=" + s.Volumes[j].Source
	}
	fs := flag.NewFlagSet("nats-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	nop := func() {}
	opts, err := server.ConfigureOptions(fs, args, nop, nop, nop)
	// ConfigureOptions also keeps the flags in a package variable that a
	// configuration reload applies: the embedded servers this process
	// starts later (natsd.StartCluster reloads one) must not get them.
	server.FlagSnapshot = nil
	if err != nil {
		t.Fatalf("%s: nats-server %v: %v", s.Name, args, err)
	}
	return opts
}

// TestCompose loads compose.yaml strictly and checks the NATS cluster and
// its users, the services' images, environment and NATS users, scale
// safety and the index's volume.
func TestCompose(t *testing.T) {
	pw := testPasswords(t)
	p := loadCompose(t, passwordEnv(pw))
	authAbs, _ := filepath.Abs(authConf)
	for i, name := range natsNodes {
		s, ok := p.Services[name]
		if !ok {
			t.Fatalf("no NATS node %s", name)
		}
		if !strings.HasPrefix(s.Image, "nats:") {
			t.Errorf("%s: image %s, want the official nats image", name, s.Image)
		}
		// The node reads deploy/nats/auth.conf, its passwords from its
		// environment: each role's from deploy/.env.
		setServerEnv(t, composeEnv(s))
		o := natsOptions(t, s)
		if o.ConfigFile != authAbs {
			t.Errorf("%s: configuration %q, want deploy/nats/auth.conf", name, o.ConfigFile)
		}
		checkUsers(t, name, o, pw)
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
		if len(s.Volumes) != 2 || s.Volumes[0].Type != types.VolumeTypeVolume || s.Volumes[0].Target != "/data" {
			t.Errorf("%s: volumes %+v, want a named volume on /data and the configuration", name, s.Volumes)
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
		// Its own NATS user, with its password from deploy/.env.
		for k, want := range map[string]string{"STREAM_REPLICAS": "3", "LOG_FORMAT": "json", "METRICS_ADDR": ":9090",
			"NATS_USER": svc, "NATS_PASSWORD": pw[access.Role(svc)]} {
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
	if _, err := check.LoadCompose(context.Background(), file, passwordEnv(testPasswords(t))); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Errorf("unknown key loaded: %v", err)
	}
}

// TestComposeNeedsPasswords checks that compose refuses to start without
// every NATS password, saying which is missing and where to put it.
func TestComposeNeedsPasswords(t *testing.T) {
	for _, r := range access.Roles() {
		env := passwordEnv(testPasswords(t))
		delete(env, access.PasswordEnv(r))
		_, err := check.LoadCompose(context.Background(), composeFile, env)
		if err == nil || !strings.Contains(err.Error(), access.PasswordEnv(r)) || !strings.Contains(err.Error(), "deploy/.env") {
			t.Errorf("without %s: %v, want an error naming it and deploy/.env", access.PasswordEnv(r), err)
		}
	}
}

// TestComposeDotEnv runs the line of each README that writes deploy/.env,
// as written, and loads compose.yaml the way "docker compose -f
// deploy/compose.yaml" does, from the folder above: compose reads .env
// beside the file, and every service and node gets its password.
func TestComposeDotEnv(t *testing.T) {
	for _, readme := range []string{topReadme, filepath.Join(root, "deploy", "README.md")} {
		b, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for l := range strings.Lines(string(b)) {
			if strings.Contains(l, "openssl rand") && strings.Contains(l, "> deploy/.env") {
				checkDotEnvLine(t, readme, strings.TrimSpace(l))
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no line writing deploy/.env with openssl rand", readme)
		}
	}
}

// checkDotEnvLine runs line, from readme, in a folder holding a copy of
// compose.yaml in deploy/, and loads compose.yaml with the deploy/.env it
// wrote.
func checkDotEnvLine(t *testing.T, readme, line string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	yml, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy", "compose.yaml"), yml, 0o644); err != nil {
		t.Fatal(err)
	}
	sh := exec.Command("sh", "-c", line)
	sh.Dir = dir
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s: %s: %v\n%s", readme, line, err, out)
	}
	if fi, err := os.Stat(filepath.Join(dir, "deploy", ".env")); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s: deploy/.env has mode %v: want it readable by its owner only", readme, fi.Mode())
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "deploy", "compose.yaml")}, cli.WithEnvFiles(), cli.WithDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("%s: compose with the deploy/.env of %q: %v", readme, line, err)
	}
	seen := map[string]bool{}
	for _, r := range access.Roles() {
		v := opts.Environment[access.PasswordEnv(r)]
		if len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" || seen[v] {
			t.Errorf("%s: %s=%q, want 32 hex digits of its own", readme, access.PasswordEnv(r), v)
		}
		seen[v] = true
		if got := composeEnv(p.Services["n1"])[access.PasswordEnv(r)]; got != v {
			t.Errorf("%s: n1 gets %s=%q, want deploy/.env's", readme, access.PasswordEnv(r), got)
		}
	}
	for _, svc := range services {
		if got := composeEnv(p.Services[svc])["NATS_PASSWORD"]; got != opts.Environment[access.PasswordEnv(access.Role(svc))] {
			t.Errorf("%s: %s gets NATS_PASSWORD %q, want its deploy/.env's", readme, svc, got)
		}
	}
}
