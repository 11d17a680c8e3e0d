// Package bustest starts a real embedded NATS server with JetStream for
// tests: a random loopback port and storage in the test's temporary folder.
package bustest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warta-news/warta/pkg/bus/natsd"
	"github.com/warta-news/warta/pkg/events"
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

// LogBuffer collects a service's log lines; the service may write while the
// test reads.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitFor polls cond until it holds, failing the test after 20 seconds.
func WaitFor(t testing.TB, cond func() bool) {
	t.Helper()
	WaitWithin(t, 20*time.Second, cond)
}

// WaitWithin polls cond until it holds, failing the test after d: for what
// takes longer than WaitFor allows, such as indexing megabytes under the
// race detector on a loaded machine.
func WaitWithin(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("condition not met within %v", d)
}

// servedURL finds the "url" field of a JSON log line: where a service says
// it serves.
var servedURL = regexp.MustCompile(`"url":"(https?://[^/"]+)`)

// ServedURL waits until logs hold a line with msg (such as "serving
// metrics") and a "url" field, and returns that URL's scheme and host, from
// the last such line: where a service given an address with port 0 bound
// it. It fails the test after 20 seconds.
func ServedURL(t testing.TB, logs *LogBuffer, msg string) string {
	t.Helper()
	var base string
	WaitFor(t, func() bool {
		for _, line := range strings.Split(logs.String(), "\n") {
			if m := servedURL.FindStringSubmatch(line); m != nil && strings.Contains(line, msg) {
				base = m[1]
			}
		}
		return base != ""
	})
	return base
}

// ServeOps calls serve (an ops endpoint's Serve) on a port the kernel picks
// and returns the base URL, read from the "serving metrics" line it logs,
// and the function that stops it.
func ServeOps(t testing.TB, serve func(addr string, log *zap.Logger) (func(), error)) (string, func()) {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	stop, err := serve("127.0.0.1:0", zap.New(zapcore.NewTee(zaptest.NewLogger(t).Core(), core)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range logs.FilterMessage("serving metrics").All() {
		if u, ok := e.ContextMap()["url"].(string); ok {
			return strings.TrimSuffix(u, "/metrics"), stop
		}
	}
	stop()
	t.Fatal(`Serve logged no "serving metrics" line with its url`)
	return "", nil
}

// FlagsWithoutEnv returns the flags in a flag set's usage output (as
// PrintDefaults writes it) whose description names no environment variable
// ("[$NAME]").
func FlagsWithoutEnv(usage string) []string {
	var missing []string
	blocks := strings.Split(usage, "\n  -")
	for _, b := range blocks[1:] {
		name, _, _ := strings.Cut(b, " ")
		name, _, _ = strings.Cut(name, "\n")
		if !strings.Contains(b, "[$") {
			missing = append(missing, name)
		}
	}
	return missing
}

// Get fetches url and returns the status code and body; it fails the test
// if there is no answer.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Status returns the status code of a GET of url, or 0 if nothing answers:
// for polling a server that is starting.
func Status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Spawn starts the program at path with env (exactly: nil gives it no
// environment), its output going to out. stop sends the program SIGTERM
// and returns how it exited: an error unless it exits cleanly within 30 s
// (then it is killed); calling stop again returns the same. When the test
// ends, stop runs if the test has not called it, and an unclean exit fails
// the test; if out is a *LogBuffer, a failed test shows what the program
// wrote.
func Spawn(t testing.TB, path string, env []string, out io.Writer) (stop func() error) {
	t.Helper()
	name := filepath.Base(path)
	cmd := exec.Command(path)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var once sync.Once
	var exit error
	stop = func() error {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case err := <-done:
				if err != nil {
					exit = fmt.Errorf("%s exited: %w", name, err)
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				exit = fmt.Errorf("%s did not stop within 30s of SIGTERM", name)
			}
		})
		return exit
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
		if b, ok := out.(*LogBuffer); ok && t.Failed() {
			t.Logf("%s wrote:\n%s", name, b.String())
		}
	})
	return stop
}

// JetStream returns a JetStream context on nc; it fails the test if there
// is none.
func JetStream(t testing.TB, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// Stream looks up the stream name; it fails the test if it cannot.
func Stream(t testing.TB, ctx context.Context, js jetstream.StreamManager, name string) jetstream.Stream {
	t.Helper()
	s, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	return s
}

// StreamInfo asks the server for the stream's info now; it fails the test
// if it cannot.
func StreamInfo(t testing.TB, ctx context.Context, s jetstream.Stream) *jetstream.StreamInfo {
	t.Helper()
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream %s: %v", s.CachedInfo().Config.Name, err)
	}
	return info
}

// ConsumerInfo asks the server for the durable consumer's info now; it
// fails the test if it cannot.
func ConsumerInfo(t testing.TB, ctx context.Context, js jetstream.StreamConsumerManager, stream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		t.Fatalf("consumer %s on %s: %v", durable, stream, err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatalf("consumer %s on %s: %v", durable, stream, err)
	}
	return info
}

// DeadLetters returns every dead letter in the DEADLETTER stream, oldest
// first.
func DeadLetters(t testing.TB, ctx context.Context, js jetstream.JetStream) []events.DeadLetter {
	t.Helper()
	var out []events.DeadLetter
	for _, data := range StreamData(t, ctx, js, events.StreamDeadLetter) {
		var dl events.DeadLetter
		if err := events.Unmarshal(data, &dl); err != nil {
			t.Fatal(err)
		}
		out = append(out, dl)
	}
	return out
}

// StreamData returns the payload of every message in stream, oldest first.
func StreamData(t testing.TB, ctx context.Context, js jetstream.JetStream, stream string) [][]byte {
	t.Helper()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		raw, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw.Data)
	}
	return out
}

// WaitDrained waits until the durable consumer on stream, which takes
// every message of it, has acked everything the stream held when called:
// everything published before was processed. The consumer's counts of
// pending messages alone are not enough: the server updates them a moment
// after a publish, and right after one they may read 0 and 0 with the new
// messages not yet delivered (TestRestoreFromCopy read the index too early
// so once).
func WaitDrained(t testing.TB, ctx context.Context, js jetstream.JetStream, stream, consumer string) {
	t.Helper()
	last := StreamInfo(t, ctx, Stream(t, ctx, js, stream)).State.LastSeq
	WaitFor(t, func() bool {
		c, err := js.Consumer(ctx, stream, consumer)
		if err != nil {
			return false
		}
		info, err := c.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.AckFloor.Stream >= last
	})
}
