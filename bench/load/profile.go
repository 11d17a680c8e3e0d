package load

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

// profile starts CPU profiles of every service process (through their
// /debug/pprof/profile) and of this process, for ProfileFor, written into
// ProfileDir. The returned function waits for them; errors are reported on
// the services' log, since a missing profile does not spoil the run.
func (r *run) profile() (wait func()) {
	if r.c.ProfileDir == "" {
		return func() {}
	}
	secs := max(int(r.c.ProfileFor.Seconds()), 1)
	logf := func(format string, args ...any) {
		if r.c.Logs != nil {
			fmt.Fprintf(r.c.Logs, "bench    | "+format+"\n", args...)
		}
	}
	if err := os.MkdirAll(r.c.ProfileDir, 0o755); err != nil {
		logf("profiles: %v", err)
		return func() {}
	}
	var wg sync.WaitGroup
	for _, n := range r.names {
		url, err := r.s.MetricsURL(n)
		if err != nil {
			logf("profile %s: %v", n, err)
			continue
		}
		url = strings.TrimSuffix(url, "/metrics") + fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs)
		wg.Go(func() {
			if err := fetchTo(url, filepath.Join(r.c.ProfileDir, n+".pprof")); err != nil {
				logf("profile %s: %v", n, err)
			}
		})
	}
	f, err := os.Create(filepath.Join(r.c.ProfileDir, "nats.pprof"))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		logf("profile nats: %v", err)
	} else {
		wg.Go(func() {
			time.Sleep(time.Duration(secs) * time.Second)
			pprof.StopCPUProfile()
			f.Close()
		})
	}
	return wg.Wait
}

func fetchTo(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
