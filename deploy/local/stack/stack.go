// Package stack runs the whole pipeline on one machine: an embedded NATS
// server with JetStream and the service binaries as child processes. It is
// what "make run" starts and what the end-to-end tests start.
package stack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/warta-news/warta/pkg/bus/natsd"
)

// Config describes the stack to start.
type Config struct {
	// BinDir holds the ingest, enrich and index binaries.
	BinDir string
	// DataDir holds NATS's storage (nats/) and the index (index/).
	DataDir string
	// NATSPort is the NATS client port on 127.0.0.1 (-1 picks a free one).
	NATSPort int
	// HTTPAddr is the index's search API address.
	HTTPAddr string
	// Enrichers is how many enrich processes to run.
	Enrichers int
	// Env is added to every service's environment (LOG_FORMAT=console, …).
	Env []string
	// Output receives every service's log lines, each prefixed by its name.
	Output io.Writer
}

// Stack is a running pipeline.
type Stack struct {
	NATS    *server.Server
	NATSURL string
	HTTPURL string

	cfg    Config
	mu     sync.Mutex
	procs  map[string]*Proc
	exited chan *Proc
	outMu  sync.Mutex
}

// Proc is one service process of the stack.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	Err  error // set when it has exited
	done chan struct{}
}

// Start starts NATS, then ingest, the enrichers and index, and waits until
// the search API answers.
func Start(ctx context.Context, c Config) (*Stack, error) {
	if c.Output == nil {
		c.Output = io.Discard
	}
	ns, err := natsd.Start(natsd.Config{Port: c.NATSPort, StoreDir: filepath.Join(c.DataDir, "nats"), ServerName: "warta-local"})
	if err != nil {
		return nil, err
	}
	s := &Stack{NATS: ns, NATSURL: ns.ClientURL(), HTTPURL: "http://" + c.HTTPAddr, cfg: c,
		procs: map[string]*Proc{}, exited: make(chan *Proc, 16)}
	if err := s.Spawn("index", "index", "INDEX_DIR="+filepath.Join(c.DataDir, "index"), "HTTP_ADDR="+c.HTTPAddr); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.Spawn("ingest", "ingest"); err != nil {
		s.Stop()
		return nil, err
	}
	for i := 1; i <= c.Enrichers; i++ {
		if err := s.Spawn(fmt.Sprintf("enrich-%d", i), "enrich"); err != nil {
			s.Stop()
			return nil, err
		}
	}
	if err := s.waitHealthy(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Spawn starts one more service process named name from binary bin, with
// extra environment variables.
func (s *Stack) Spawn(name, bin string, env ...string) error {
	cmd := exec.Command(filepath.Join(s.cfg.BinDir, bin))
	cmd.Env = append(append(append(os.Environ(), "NATS_URL="+s.NATSURL), s.cfg.Env...), env...)
	// Ctrl-C reaches only the runner, which then stops the services in
	// pipeline order; they die with it if it is killed.
	cmd.SysProcAttr = childAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w (build the binaries first: make build)", name, err)
	}
	p := &Proc{Name: name, Cmd: cmd, done: make(chan struct{})}
	s.mu.Lock()
	s.procs[name] = p
	s.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			s.outMu.Lock()
			fmt.Fprintf(s.cfg.Output, "%-9s| %s\n", name, sc.Bytes())
			s.outMu.Unlock()
		}
		p.Err = cmd.Wait()
		close(p.done)
		select {
		case s.exited <- p:
		default:
		}
	}()
	return nil
}

// Exited delivers each service process that ends.
func (s *Stack) Exited() <-chan *Proc { return s.exited }

// Signal sends sig to the named process.
func (s *Stack) Signal(name string, sig os.Signal) error {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	if p == nil {
		return fmt.Errorf("no process %q", name)
	}
	return p.Cmd.Process.Signal(sig)
}

// Wait waits until the named process has exited and returns its error.
func (s *Stack) Wait(name string) error {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	if p == nil {
		return fmt.Errorf("no process %q", name)
	}
	<-p.done
	return p.Err
}

func (s *Stack) waitHealthy(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.HTTPURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case p := <-s.exited:
			return fmt.Errorf("%s exited during start-up: %v", p.Name, p.Err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("index search API at %s not healthy after %v", s.HTTPURL, timeout)
}

// Stop sends SIGTERM to every service (ingest first, index last, so work in
// flight drains down the pipeline), waits up to 30 s for each, then shuts
// NATS down. It returns the errors of services that did not exit cleanly.
func (s *Stack) Stop() error {
	s.mu.Lock()
	var order []*Proc
	for _, prefix := range []string{"ingest", "enrich", "index"} {
		for name, p := range s.procs {
			if len(name) >= len(prefix) && name[:len(prefix)] == prefix {
				order = append(order, p)
			}
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, p := range order {
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.Cmd.Process.Kill()
			<-p.done
			errs = append(errs, fmt.Errorf("%s did not stop within 30s after SIGTERM; killed", p.Name))
			continue
		}
		if p.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Name, p.Err))
		}
	}
	s.NATS.Shutdown()
	s.NATS.WaitForShutdown()
	return errors.Join(errs...)
}
