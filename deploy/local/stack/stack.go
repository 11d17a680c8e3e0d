// Package stack runs the whole pipeline on one machine: an embedded NATS
// server with JetStream and the service binaries as child processes. It is
// what "make run" starts and what the end-to-end tests start.
package stack

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/warta-news/warta/pkg/bus/access"
	"github.com/warta-news/warta/pkg/bus/natsd"
)

// Config describes the stack to start.
type Config struct {
	// BinDir holds the ingest, enrich and index binaries.
	BinDir string
	// DataDir holds NATS's storage (nats/) and the index (index/).
	DataDir string
	// NATSPort is the NATS client port on 127.0.0.1 (-1 picks a free one).
	// In a cluster, node i listens on NATSPort+i (or a free port for -1).
	NATSPort int
	// ClusterSize, when 2 or more, runs that many embedded NATS servers as
	// one cluster on loopback (JetStream clustered, each node with its own
	// store under nats-<i>/), and the services with STREAM_REPLICAS set to
	// the cluster size unless Env sets it. 0 or 1 runs one server.
	ClusterSize int
	// HTTPAddr is the index's search API address; with port 0 the index
	// binds a free port, which HTTPURL has once Start returns.
	HTTPAddr string
	// Enrichers is how many enrich processes to run.
	Enrichers int
	// OnlyEnrichers, when set, starts only the enrichers, not ingest and index:
	// to measure the enrich stage alone on a stream filled beforehand.
	OnlyEnrichers bool
	// Env is added to every service's environment (LOG_FORMAT=console, …).
	Env []string
	// Output receives every service's log lines, each prefixed by its name.
	Output io.Writer
}

// Stack is a running pipeline.
type Stack struct {
	// NATS is the first (in a cluster) or only NATS server. After
	// RestartNATS it is the new server.
	NATS *server.Server
	// Servers holds every NATS server of a cluster (just NATS otherwise).
	Servers []*server.Server
	// NATSURL lists the client URLs of every server, comma-separated.
	NATSURL string
	HTTPURL string
	// Keys are the NATS NKeys of every role (package access): each service
	// connects as its own user, allowed only its own subjects; a connection
	// without credentials is the client role. Their seed files are under
	// DataDir/nats/keys and stay valid across restarts.
	Keys map[access.Role]access.Key

	cfg     Config
	natsCfg []natsd.Config // what each server was started with, real ports filled in
	mu      sync.Mutex
	procs   map[string]*Proc
	exited  chan *Proc
	outMu   sync.Mutex
}

// Proc is one service process of the stack.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	Err  error // set when it has exited
	done chan struct{}
	bin  string
	env  []string
	// addrVar is the variable of the address its /readyz is on (HTTP_ADDR
	// for the index, METRICS_ADDR for the others), and base that address's
	// URL once known: at once for a fixed port, from the line the service
	// logs when it listens for port 0.
	addrVar, base string
	// killed marks a process that Kill ended on purpose: Stop does not
	// report it.
	killed bool
}

// Start starts NATS, then ingest, the enrichers and index, and waits until
// every service is ready: connected and consuming.
func Start(ctx context.Context, c Config) (*Stack, error) {
	if c.Output == nil {
		c.Output = io.Discard
	}
	s := &Stack{HTTPURL: "http://" + c.HTTPAddr, cfg: c, procs: map[string]*Proc{}, exited: make(chan *Proc, 16)}
	keys, err := access.LocalKeys(filepath.Join(c.DataDir, "nats", "keys"))
	if err != nil {
		return nil, err
	}
	s.Keys = keys
	if err := s.startNATS(ctx); err != nil {
		return nil, err
	}
	if c.ClusterSize > 1 {
		s.cfg.Env = append([]string{"STREAM_REPLICAS=" + strconv.Itoa(c.ClusterSize)}, c.Env...)
	}
	if !c.OnlyEnrichers {
		if err := s.Spawn("index", "index", "INDEX_DIR="+filepath.Join(c.DataDir, "index"), "HTTP_ADDR="+c.HTTPAddr); err != nil {
			s.Stop()
			return nil, err
		}
		if err := s.Spawn("ingest", "ingest"); err != nil {
			s.Stop()
			return nil, err
		}
	}
	for i := 1; i <= c.Enrichers; i++ {
		if err := s.Spawn(fmt.Sprintf("enrich-%d", i), "enrich"); err != nil {
			s.Stop()
			return nil, err
		}
	}
	if err := s.WaitReady(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	if !c.OnlyEnrichers {
		p, err := s.proc("index")
		if err != nil {
			s.Stop()
			return nil, err
		}
		s.mu.Lock()
		s.HTTPURL = p.base
		s.mu.Unlock()
	}
	return s, nil
}

// startNATS starts the server, or every server of the cluster, and sets
// NATS, Servers and NATSURL. In a cluster it returns once JetStream has
// elected its meta leader, so services can create their streams at once.
func (s *Stack) startNATS(ctx context.Context) error {
	c := s.cfg
	if c.ClusterSize <= 1 {
		s.natsCfg = []natsd.Config{{Port: c.NATSPort, StoreDir: filepath.Join(c.DataDir, "nats"), ServerName: "warta-local"}}
	} else {
		s.natsCfg = make([]natsd.Config, c.ClusterSize)
		for i := range s.natsCfg {
			client := -1
			if c.NATSPort > 0 {
				client = c.NATSPort + i
			}
			s.natsCfg[i] = natsd.Config{Port: client, StoreDir: filepath.Join(c.DataDir, fmt.Sprintf("nats-%d", i)),
				ServerName: fmt.Sprintf("warta-%d", i), ClusterName: "warta", ClusterPort: -1}
		}
	}
	users, noAuth := access.ServerNKeys(s.Keys)
	for i := range s.natsCfg {
		s.natsCfg[i].NKeys, s.natsCfg[i].NoAuthUser = users, noAuth
	}
	return s.bootNATS(ctx)
}

// Connect connects to NATS as the admin role, for tools and tests that look
// into streams or publish where only a service may.
func (s *Stack) Connect(opts ...nats.Option) (*nats.Conn, error) {
	o, err := nats.NkeyOptionFromSeed(s.Keys[access.Admin].SeedFile)
	if err != nil {
		return nil, fmt.Errorf("admin key: %w", err)
	}
	s.mu.Lock()
	url := s.NATSURL
	s.mu.Unlock()
	return nats.Connect(url, append([]nats.Option{o}, opts...)...)
}

// bootNATS starts a server for each of natsCfg, or the cluster they make
// (waiting for its meta leader), and records the ports each got, so a
// restart reuses them.
func (s *Stack) bootNATS(ctx context.Context) error {
	var servers []*server.Server
	if len(s.natsCfg) > 1 {
		var err error
		if servers, err = natsd.StartCluster(ctx, s.natsCfg, 30*time.Second); err != nil {
			return err
		}
	} else {
		ns, err := natsd.Start(s.natsCfg[0])
		if err != nil {
			return err
		}
		s.natsCfg[0].Port = ns.Addr().(*net.TCPAddr).Port
		servers = []*server.Server{ns}
	}
	urls := make([]string, 0, len(servers))
	for _, ns := range servers {
		urls = append(urls, ns.ClientURL())
	}
	s.mu.Lock()
	s.NATS, s.Servers, s.NATSURL = servers[0], servers, strings.Join(urls, ",")
	s.mu.Unlock()
	return nil
}

// RestartNATS shuts every NATS server down and starts it again on the same
// ports with the same storage, as an operator restarting the broker would.
// The services are left alone: they reconnect by themselves.
func (s *Stack) RestartNATS(ctx context.Context) error {
	s.mu.Lock()
	servers := s.Servers
	s.mu.Unlock()
	natsd.Shutdown(servers)
	return s.bootNATS(ctx)
}

// KillNATS shuts down node i of the cluster (0-based) and leaves it down.
func (s *Stack) KillNATS(i int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= len(s.Servers) {
		return fmt.Errorf("no NATS node %d (the stack has %d)", i, len(s.Servers))
	}
	s.Servers[i].Shutdown()
	s.Servers[i].WaitForShutdown()
	return nil
}

// servedURL matches the "url" field of the line a service logs once it
// listens ("serving metrics", or the index's "serving search"), in the json
// and the console log formats.
var servedURL = regexp.MustCompile(`"url": ?"(https?://[^/"]+)`)

// Spawn starts one more service process named name from binary bin, with
// extra environment variables. Every service answers /readyz: the index on
// its HTTP_ADDR, the others on a METRICS_ADDR of their own, which is port 0
// (a free one, bound by the service) unless env sets it.
func (s *Stack) Spawn(name, bin string, env ...string) error {
	addrVar := "METRICS_ADDR"
	if bin == "index" && lookupEnv(env, "HTTP_ADDR") != "" {
		addrVar = "HTTP_ADDR"
	}
	cmd := exec.Command(filepath.Join(s.cfg.BinDir, bin))
	cmd.Env = append(append(os.Environ(), "NATS_URL="+s.NATSURL), s.cfg.Env...)
	if r, ok := access.RoleOf(bin); ok {
		// Its own NATS user, unless env gives it another.
		cmd.Env = append(cmd.Env, "NATS_NKEY="+s.Keys[r].SeedFile)
	}
	if lookupEnv(env, addrVar) == "" {
		addr := "127.0.0.1:0"
		if lvl := lookupEnv(append(cmd.Env, env...), "LOG_LEVEL"); lvl != "" && lvl != "debug" && lvl != "info" {
			// The line saying which port it bound is logged at info: a
			// quieter service gets a port that was free a moment ago.
			var err error
			if addr, err = freeAddr(); err != nil {
				return err
			}
		}
		env = append(env, addrVar+"="+addr)
	}
	cmd.Env = append(cmd.Env, env...)
	p := &Proc{Name: name, Cmd: cmd, done: make(chan struct{}), bin: bin, env: env, addrVar: addrVar}
	if _, port, err := net.SplitHostPort(lookupEnv(env, addrVar)); err == nil && port != "0" {
		p.base = "http://" + lookupEnv(env, addrVar)
	}
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
	served := "serving metrics"
	if addrVar == "HTTP_ADDR" {
		served = "serving search"
	}
	s.mu.Lock()
	s.procs[name] = p
	s.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			if m := servedURL.FindSubmatch(sc.Bytes()); m != nil && bytes.Contains(sc.Bytes(), []byte(served)) {
				s.mu.Lock()
				p.base = string(m[1])
				s.mu.Unlock()
			}
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
	p, err := s.proc(name)
	if err != nil {
		return err
	}
	<-p.done
	return p.Err
}

// Kill sends SIGKILL to the named process and waits until it is gone. Stop
// does not report it.
func (s *Stack) Kill(name string) error {
	p, err := s.proc(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	p.killed = true
	s.mu.Unlock()
	if err := p.Cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", name, err)
	}
	<-p.done
	return nil
}

// Restart starts the named process again, with the binary and environment
// it was spawned with, once it has exited.
func (s *Stack) Restart(name string) error {
	p, err := s.proc(name)
	if err != nil {
		return err
	}
	select {
	case <-p.done:
	default:
		return fmt.Errorf("restart %s: it is still running", name)
	}
	// On the address it had, so its URLs stay valid.
	env := p.env
	s.mu.Lock()
	if p.base != "" {
		env = append(slices.Clip(env), p.addrVar+"="+strings.TrimPrefix(p.base, "http://"))
	}
	s.mu.Unlock()
	return s.Spawn(name, p.bin, env...)
}

// MetricsURL returns the named service's Prometheus endpoint.
func (s *Stack) MetricsURL(name string) (string, error) {
	p, err := s.proc(name)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.base == "" {
		return "", fmt.Errorf("%s has not said where it serves metrics yet", name)
	}
	return p.base + "/metrics", nil
}

// PID returns the process id of the named process.
func (s *Stack) PID(name string) (int, error) {
	p, err := s.proc(name)
	if err != nil {
		return 0, err
	}
	return p.Cmd.Process.Pid, nil
}

func (s *Stack) proc(name string) (*Proc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.procs[name]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("no process %q", name)
}

// WaitReady waits until every running service answers /readyz with 200:
// connected to NATS and bound to its consumer.
func (s *Stack) WaitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	s.mu.Lock()
	var procs []*Proc
	for _, p := range s.procs {
		procs = append(procs, p)
	}
	s.mu.Unlock()
	for _, p := range procs {
		for !s.ready(p) {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited during start-up: %v", p.Name, p.Err)
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not ready at %s after %v", p.Name, s.readyURL(p), timeout)
			}
		}
	}
	return nil
}

// readyURL returns p's /readyz URL, or "" while p has not said where it
// listens.
func (s *Stack) readyURL(p *Proc) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.base == "" {
		return ""
	}
	return p.base + "/readyz"
}

// ready reports whether p answers /readyz with 200.
func (s *Stack) ready(p *Proc) bool {
	url := s.readyURL(p)
	if url == "" {
		return false
	}
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// lookupEnv returns the value of name in a KEY=VALUE list, the last one winning.
func lookupEnv(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// freeAddr returns a loopback address whose port was free just now: only
// for a service whose log level hides the line saying what it bound.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// diedOf reports whether a process's exit error says sig ended it. A
// service dies of SIGTERM only when the signal arrives before the service
// has installed its handler, early in start-up: it stopped as asked.
func diedOf(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// Stop sends SIGTERM to every service (ingest first, index last, so work in
// flight drains down the pipeline), waits up to 30 s for each, then shuts
// NATS down. It returns the errors of services that did not exit cleanly,
// except those ended on purpose with Kill (and those the SIGTERM found
// still starting, see diedOf).
func (s *Stack) Stop() error {
	s.mu.Lock()
	var order []*Proc
	for _, prefix := range []string{"ingest", "enrich", "index"} {
		for name, p := range s.procs {
			if strings.HasPrefix(name, prefix) && !p.killed {
				order = append(order, p)
			}
		}
	}
	servers := s.Servers
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
		if p.Err != nil && !diedOf(p.Err, syscall.SIGTERM) {
			errs = append(errs, fmt.Errorf("%s: %w", p.Name, p.Err))
		}
	}
	natsd.Shutdown(servers)
	return errors.Join(errs...)
}
