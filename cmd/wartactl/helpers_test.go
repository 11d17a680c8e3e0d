package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/warta-news/warta/pkg/bus/bustest"
)

// wartactl talks to running services: its tests run the real ingest and
// index binaries, from WARTA_BIN_DIR (make test builds them there) or
// built once for the run.
var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	// os.Exit skips deferred calls: remove what was built here, before it.
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// binary returns the path of the service binary name (ingest, index).
func binary(t *testing.T, name string) string {
	t.Helper()
	if dir := os.Getenv("WARTA_BIN_DIR"); dir != "" {
		return filepath.Join(dir, name)
	}
	buildOnce.Do(func() {
		if builtDir, buildErr = os.MkdirTemp("", "wartactl-test-bin"); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", builtDir+"/", "../../services/ingest", "../../services/index")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build ingest and index: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(builtDir, name)
}

// service is a service binary the test runs.
type service struct {
	logs *bustest.LogBuffer
	// stop sends the service SIGTERM and returns how it exited; the test's
	// end stops it too, and fails the test if it did not stop cleanly.
	stop func() error
}

// startService runs the service binary name with env (NAME=value) on top
// of the test's environment; its logs show when the test fails.
func startService(t *testing.T, name string, env ...string) *service {
	t.Helper()
	logs := &bustest.LogBuffer{}
	return &service{logs: logs, stop: bustest.Spawn(t, binary(t, name), append(os.Environ(), env...), logs)}
}
