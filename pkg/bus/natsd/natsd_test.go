package natsd_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/warta-news/warta/pkg/bus/natsd"
)

// TestConfigFile starts a server from a configuration file with a user
// whose password is a variable of the environment: the user gets in with
// it, a connection without it is refused, and the Config's fields win over
// the file's.
func TestConfigFile(t *testing.T) {
	t.Setenv("NATSD_TEST_PASSWORD", "s3cret")
	file := filepath.Join(t.TempDir(), "auth.conf")
	conf := "port: 4999\nauthorization {\n  users = [{user: \"u\", password: $NATSD_TEST_PASSWORD}]\n}\n"
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := natsd.Start(natsd.Config{Port: -1, StoreDir: t.TempDir(), ConfigFile: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if strings.HasSuffix(s.ClientURL(), ":4999") {
		t.Errorf("server on %s: Config.Port -1 should win over the file's port", s.ClientURL())
	}
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("u", "s3cret"))
	if err != nil {
		t.Fatalf("user with the password from the environment: %v", err)
	}
	nc.Close()
	if _, err := nats.Connect(s.ClientURL()); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("without credentials: %v, want an authorization violation", err)
	}

	missing := filepath.Join(t.TempDir(), "missing.conf")
	if err := os.WriteFile(missing, []byte("authorization {\n  users = [{user: \"u\", password: $NATSD_TEST_UNSET}]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := natsd.Start(natsd.Config{Port: -1, StoreDir: t.TempDir(), ConfigFile: missing}); err == nil || !strings.Contains(err.Error(), "NATSD_TEST_UNSET") {
		t.Errorf("a variable missing from the environment: %v, want an error naming it", err)
	}
}
