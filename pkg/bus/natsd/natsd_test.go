package natsd_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

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

// TestStartCluster starts three servers on ports they bind themselves: they
// form one JetStream cluster that places a stream with three replicas, and
// the configs come back with the real ports and routes to every other node,
// so starting them again brings the same cluster back.
func TestStartCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster twice")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfgs := make([]natsd.Config, 3)
	for i := range cfgs {
		cfgs[i] = natsd.Config{Port: -1, StoreDir: t.TempDir(), ServerName: fmt.Sprintf("n%d", i), ClusterName: "c", ClusterPort: -1}
	}
	servers, err := natsd.StartCluster(ctx, cfgs, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { natsd.Shutdown(servers) })
	for i, c := range cfgs {
		if c.Port <= 0 || c.ClusterPort <= 0 || len(c.Routes) != 2 {
			t.Errorf("config %d after start: port %d, cluster port %d, routes %v: want real ports and 2 routes", i, c.Port, c.ClusterPort, c.Routes)
		}
	}
	placeR3 := func(servers []*server.Server) {
		t.Helper()
		nc, err := nats.Connect(servers[2].ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		// Right after a restart the stream's own group may still be electing
		// its leader and an API request go unanswered: each try has 5 s.
		var s jetstream.Stream
		for {
			tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			s, err = js.CreateOrUpdateStream(tctx, jetstream.StreamConfig{Name: "R3", Subjects: []string{"r3"}, Replicas: 3})
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("stream with 3 replicas: %v", err)
			}
		}
		if info := s.CachedInfo(); info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			t.Errorf("stream cluster %+v, want a leader and 2 replicas", info.Cluster)
		}
	}
	placeR3(servers)

	natsd.Shutdown(servers)
	again, err := natsd.StartCluster(ctx, cfgs, 30*time.Second)
	if err != nil {
		t.Fatalf("restart on the same ports: %v", err)
	}
	servers = again
	for i, s := range again {
		if got := s.Addr().(*net.TCPAddr).Port; got != cfgs[i].Port {
			t.Errorf("node %d restarted on port %d, want %d", i, got, cfgs[i].Port)
		}
	}
	placeR3(again)
}
