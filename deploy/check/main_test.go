package check_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/warta-news/warta/deploy/check"
)

// root is the repository root, seen from this package's folder.
const root = "../.."

// services are the pipeline's services: each has a Dockerfile, a compose
// service and a Kubernetes workload of the same name.
var services = []string{"ingest", "enrich", "index"}

var (
	// binDir holds the service binaries, built as the images build them.
	binDir string
	// readEnv lists, per service, the environment variables the binary reads
	// (from its --help); "publish" is the client, wartactl publish.
	readEnv map[string]map[string]bool
)

// TestMain builds each service as its Dockerfile does (its own module alone,
// GOWORK=off, CGO_ENABLED=0, -trimpath, stripped, version stamped), and the
// client wartactl the same way, and reads the environment variables each one
// lists in --help.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("deploy/check: every test here needs the services built as their images build them: skipped under -short")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "warta-check-bin")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		binDir = dir
		// Each service's module, and the client's (wartactl, which has no image).
		modules := map[string]string{"wartactl": filepath.Join(root, "cmd", "wartactl")}
		for _, svc := range services {
			modules[svc] = filepath.Join(root, "services", svc)
		}
		for name, module := range modules {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=check", "-o", filepath.Join(dir, name), ".")
			cmd.Dir = module
			cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "build %s as the images build the services: %v\n", name, err)
				return 1
			}
		}
		readEnv = map[string]map[string]bool{}
		for _, svc := range services {
			if readEnv[svc], err = check.HelpEnv(filepath.Join(dir, svc)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		if readEnv["publish"], err = check.HelpEnv(filepath.Join(dir, "wartactl"), "publish"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// checkEnvNames fails the test for every name in env that svc does not read.
func checkEnvNames[V any](t *testing.T, where, svc string, env map[string]V) {
	t.Helper()
	for name := range env {
		if !readEnv[svc][name] {
			t.Errorf("%s sets %s for %s, which %s --help does not list: it would be ignored", where, name, svc, svc)
		}
	}
}
