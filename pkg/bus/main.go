package bus

import (
	"context"
	"io"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/proc"
)

// Main is a consuming service whose configuration has been read: what Run
// needs to set up its process, connect and run its stage.
type Main struct {
	// Name names the service in its logs, metrics and NATS connection.
	Name    string
	Version string
	Config  StageConfig
	// Fields are the service's own settings, for the "starting" line.
	Fields []zap.Field
	// Streams are the streams the service reads and writes, created when
	// missing (see EnsureStreams).
	Streams []string
	// Stage returns the stage to run, once connected; Run sets its Version
	// and Ops.
	Stage func(svc *Service, log *zap.Logger) (Stage, error)
}

// Run does what every consuming service does once its flags are parsed:
// it builds the logger and the ops endpoint and logs "starting"
// (proc.NewBoot), connects to NATS and creates its streams (Start), and
// runs its stage until ctx ends (RunStage); then it drains the connection,
// logs "stopped" and flushes the log. getenv is the process's environment
// (GOGC, GOMEMLIMIT); logs go to stdout.
func (m Main) Run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	boot, err := proc.NewBoot(m.Name, m.Version, m.Config.Config, getenv, stdout, m.Config.LogFields(), m.Fields...)
	if err != nil {
		return err
	}
	defer boot.Close()
	svc, err := Start(ctx, m.Config.NATS, m.Name, boot.Log, m.Streams...)
	if err != nil {
		return err
	}
	defer svc.Close()
	st, err := m.Stage(svc, boot.Log)
	if err != nil {
		return err
	}
	st.Version, st.Ops = m.Version, boot.Ops
	return svc.RunStage(ctx, m.Config, st)
}
