package bus

import (
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/bus/proc"
)

// TestStageConfigBadEnv sets each numeric or duration variable of the shared
// configuration to a value that does not parse, then to one out of range:
// either way the error names the setting.
func TestStageConfigBadEnv(t *testing.T) {
	for _, tc := range []struct{ env, bad, outOfRange, name string }{
		{"WORKERS", "four", "0", "workers"},
		{"MAX_DELIVER", "5x", "0", "max-deliver"},
		{"ACK_WAIT", "30", "10ms", "ack-wait"},
		{"MAX_ACK_PENDING", "many", "-1", "max-ack-pending"},
		{"SUMMARY_INTERVAL", "often", "-1s", "summary-interval"},
		{"STREAM_REPLICAS", "three", "7", "stream-replicas"},
		{"STREAM_MAX_AGE", "7d", "-1h", "stream-max-age"},
		{"METRICS_ADDR", "", "9090", "metrics-addr"},
		{"LOG_LEVEL", "", "loud", "log level"},
		{"LOG_FORMAT", "", "xml", "log format"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			parse := func(v string) error {
				var c StageConfig
				f := proc.NewFlags("t", func(k string) string {
					if k == tc.env {
						return v
					}
					return ""
				}, &strings.Builder{})
				c.Register(f, 1, 1)
				if err := f.Parse(nil); err != nil {
					return err
				}
				return c.Validate()
			}
			if tc.bad != "" {
				if err := parse(tc.bad); err == nil || !strings.Contains(err.Error(), tc.env) {
					t.Errorf("%s=%q: %v, want an error naming %s", tc.env, tc.bad, err, tc.env)
				}
			}
			if err := parse(tc.outOfRange); err == nil || !strings.Contains(err.Error(), tc.name) {
				t.Errorf("%s=%q: %v, want an error naming %s", tc.env, tc.outOfRange, err, tc.name)
			}
		})
	}
}
