// Package bustest starts a real embedded NATS server with JetStream for
// tests: a random loopback port and storage in the test's temporary folder.
package bustest

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/warta-news/warta/pkg/bus/natsd"
)

// Server starts a NATS server for the test and shuts it down when the test
// ends. Connect to its ClientURL() over loopback TCP.
func Server(t testing.TB) *server.Server {
	t.Helper()
	s, err := natsd.Start(natsd.Config{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}
