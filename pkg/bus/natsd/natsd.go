// Package natsd runs an embedded NATS server with JetStream, built from the
// nats-server Go module: the pipeline's default broker on one machine and
// the broker of its tests.
package natsd

import (
	"fmt"
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
	ClusterPort int
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
		return nil, fmt.Errorf("nats server on %s:%d not ready after 10s", c.Host, c.Port)
	}
	return s, nil
}
