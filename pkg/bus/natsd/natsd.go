// Package natsd runs an embedded NATS server with JetStream, built from the
// nats-server Go module: the pipeline's default broker on one machine and
// the broker of its tests.
package natsd

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Config selects where the embedded server listens and stores its data.
type Config struct {
	Host string // default 127.0.0.1
	Port int    // -1 for a random free port
	// StoreDir holds JetStream's file storage.
	StoreDir string
	// ServerName names the server (and its JetStream node).
	ServerName string
	// Cluster, when ClusterPort is set, joins the server to a cluster.
	ClusterName string
	ClusterPort int // -1 binds a free port (see StartCluster)
	Routes      []string
	// Logs turns on the server's own logging to stderr.
	Logs bool
	// NKeys, when set, are the only users the server accepts; a connection
	// without credentials is NoAuthUser (one of their public keys), if set.
	NKeys      []*server.NkeyUser
	NoAuthUser string
	// ConfigFile, when set, is a nats-server configuration file read first,
	// as "nats-server --config" reads it (variables such as $NAME come from
	// the environment): deploy/nats/auth.conf's users, say. The fields above
	// override what it sets.
	ConfigFile string
}

// Start starts the server and waits until it accepts connections.
func Start(c Config) (*server.Server, error) {
	opts, err := c.options()
	if err != nil {
		return nil, err
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	if c.Logs {
		s.ConfigureLogger()
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("nats server on %s:%d not ready after 10s", opts.Host, c.Port)
	}
	return s, nil
}

// options returns the server options c describes.
func (c Config) options() (*server.Options, error) {
	if c.Host == "" {
		c.Host = "127.0.0.1"
	}
	opts := &server.Options{}
	if c.ConfigFile != "" {
		var err error
		if opts, err = server.ProcessConfigFile(c.ConfigFile); err != nil {
			return nil, fmt.Errorf("nats server: %w", err)
		}
	}
	opts.ServerName, opts.Host, opts.Port = c.ServerName, c.Host, c.Port
	opts.JetStream, opts.StoreDir, opts.NoSigs = true, c.StoreDir, true
	if len(c.NKeys) > 0 {
		opts.Nkeys, opts.NoAuthUser = c.NKeys, c.NoAuthUser
	}
	if c.ClusterPort != 0 {
		opts.Cluster = server.ClusterOpts{Name: c.ClusterName, Host: c.Host, Port: c.ClusterPort}
		for _, r := range c.Routes {
			opts.Routes = append(opts.Routes, server.RoutesFromStr(r)...)
		}
	}
	return opts, nil
}

// StartCluster starts one server per config as one cluster and waits, up to
// timeout, until JetStream has a meta leader that sees every other server
// online and caught up, so replicated streams can be placed at once.
//
// A config whose ClusterPort is -1 binds a free port, so no port is picked
// before it is bound: the servers start in order, each routing to those
// already up (the cluster gossips the rest). The first has nobody to route
// to yet, and a JetStream cluster node refuses to start without a route, so
// it starts with a route to port 0, where nothing can listen, and is given
// its real routes by a configuration reload once the others are up.
//
// On return every config holds the ports its server got and routes to every
// other server, so starting the same configs again (StartCluster or Start)
// restarts the same cluster. If any server fails to start, or no leader is
// elected in time, the servers already started are shut down and the error
// says which.
func StartCluster(ctx context.Context, cfgs []Config, timeout time.Duration) ([]*server.Server, error) {
	servers := make([]*server.Server, 0, len(cfgs))
	routes := make([]string, len(cfgs))
	free := make([]bool, len(cfgs)) // started on a free cluster port
	var first Config
	if len(cfgs) > 0 {
		first = cfgs[0]
	}
	for i := range cfgs {
		c := cfgs[i]
		if free[i] = c.ClusterPort == -1; free[i] {
			c.Routes = append([]string(nil), routes[:i]...)
			if i == 0 {
				c.Routes = []string{"nats-route://127.0.0.1:0"}
			}
		}
		s, err := Start(c)
		if err != nil {
			Shutdown(servers)
			return nil, fmt.Errorf("node %d of %d: %w", i+1, len(cfgs), err)
		}
		servers = append(servers, s)
		ca := s.ClusterAddr()
		if ca == nil {
			Shutdown(servers)
			return nil, fmt.Errorf("node %d of %d: no cluster listener", i+1, len(cfgs))
		}
		cfgs[i].Port, cfgs[i].ClusterPort = s.Addr().(*net.TCPAddr).Port, ca.Port
		routes[i] = "nats-route://" + net.JoinHostPort(ca.IP.String(), strconv.Itoa(ca.Port))
	}
	for i := range cfgs {
		cfgs[i].Routes = nil
		for j, r := range routes {
			if j != i {
				cfgs[i].Routes = append(cfgs[i].Routes, r)
			}
		}
	}
	if len(cfgs) > 0 && free[0] {
		// The options it started with (a reload may not change its
		// ports), with the real routes.
		first.Routes = cfgs[0].Routes
		opts, err := first.options()
		if err == nil {
			err = servers[0].ReloadOptions(opts)
		}
		if err != nil {
			Shutdown(servers)
			return nil, fmt.Errorf("node 1 of %d: give it its routes: %w", len(cfgs), err)
		}
	}
	if err := WaitMetaLeader(ctx, servers, timeout); err != nil {
		Shutdown(servers)
		return nil, err
	}
	return servers, nil
}

// WaitMetaLeader waits, up to timeout, until one of servers leads
// JetStream's meta group and sees every other one online and caught up.
func WaitMetaLeader(ctx context.Context, servers []*server.Server, timeout time.Duration) error {
	ready := func() bool {
		for _, ns := range servers {
			if !ns.JetStreamIsLeader() {
				continue
			}
			jsz, err := ns.Jsz(nil)
			if err != nil || jsz.Meta == nil || len(jsz.Meta.Replicas) != len(servers)-1 {
				return false
			}
			for _, p := range jsz.Meta.Replicas {
				if !p.Current || p.Offline {
					return false
				}
			}
			return true
		}
		return false
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for !ready() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("nats cluster of %d: no JetStream meta leader with every peer current after %v", len(servers), timeout)
		case <-tick.C:
		}
	}
	return nil
}

// Shutdown shuts every server down and waits until each has.
func Shutdown(servers []*server.Server) {
	for _, ns := range servers {
		ns.Shutdown()
		ns.WaitForShutdown()
	}
}
