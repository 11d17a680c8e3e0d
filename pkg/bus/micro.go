package bus

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/warta-news/warta/pkg/events"
)

// Endpoint is a request-reply endpoint a stage adds to its micro service,
// such as the index's search.
type Endpoint struct {
	Name    string
	Subject string
	Handler micro.Handler
}

// addMicro registers the stage as a NATS micro service named events.MicroName, with
// its stream and consumer as metadata, a stats endpoint (events.StatsSubject)
// answering the stage's Snapshot, and the stage's own endpoints. The
// Snapshot is also the data of the stats endpoint in the $SRV.STATS answer.
// Stop the returned service before closing the connection.
func addMicro(nc *nats.Conn, st Stage, stats *Stats) (micro.Service, error) {
	svc, err := micro.AddService(nc, micro.Config{
		Name:        events.MicroName(st.Name),
		Version:     microVersion(st.Version),
		Description: st.Description,
		Metadata:    map[string]string{"stage": st.Name, "stream": st.Stream, "consumer": st.Durable},
		StatsHandler: func(e *micro.Endpoint) any {
			if e.Name == "stats" {
				return stats.Snapshot()
			}
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("register micro service %s: %w", events.MicroName(st.Name), err)
	}
	err = svc.AddEndpoint("stats", micro.HandlerFunc(func(r micro.Request) {
		_ = r.RespondJSON(stats.Snapshot())
	}), micro.WithEndpointSubject(events.StatsSubject(st.Name)))
	for _, e := range st.Endpoints {
		if err != nil {
			break
		}
		err = svc.AddEndpoint(e.Name, e.Handler, micro.WithEndpointSubject(e.Subject))
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("add endpoint to micro service %s: %w", events.MicroName(st.Name), err), svc.Stop())
	}
	return svc, nil
}

// semVer is the form micro accepts for a version (semver.org's regular expression).
var semVer = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// microVersion turns a build's version into the SemVer that micro requires:
// "v1.2.3" and "1.2.3" give "1.2.3"; anything else, such as "dev" or a
// commit hash, becomes build metadata of 0.0.0 ("0.0.0+dev").
func microVersion(v string) string {
	if t := strings.TrimPrefix(v, "v"); semVer.MatchString(t) {
		return t
	}
	var b strings.Builder
	for _, r := range v {
		if r < 128 && (r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "0.0.0"
	}
	return "0.0.0+" + b.String()
}
