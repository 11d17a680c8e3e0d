package proc

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// RunHealthcheck implements "<service> healthcheck": it asks the running
// service's own /readyz and returns nil on 200. It lets a container image
// without a shell or curl (distroless) have a health check. The address is
// --addr, else the variable addrVar (METRICS_ADDR, or HTTP_ADDR for index).
func RunHealthcheck(ctx context.Context, service, addrVar string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := NewFlags(service+" healthcheck", getenv, stderr)
	f.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s healthcheck [--addr HOST:PORT]\n\n"+
			"Exits 0 when the %s running on this machine answers /readyz with 200\n"+
			"(connected to NATS and consuming), 1 otherwise: a container health check.\n\nFlags:\n", service, service)
		f.PrintDefaults()
	}
	var addr string
	f.StringVar(&addr, "addr", addrVar, "", "address the service serves /readyz on")
	timeout := f.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := f.Parse(args); err != nil {
		if IsHelp(err) {
			return nil
		}
		return err
	}
	if addr == "" {
		return fmt.Errorf("no address: set --addr or %s (the service serves /readyz there)", addrVar)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("addr %q: use host:port, e.g. :9090", addr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1" // the service listens on every interface; ask it locally
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", url, resp.Status, body)
	}
	fmt.Fprintf(stdout, "%s ready\n", service)
	return nil
}
