//go:build faults

// This file is in the index only when it is built with -tags faults, as the
// fault tests of deploy/local/stack run it (make test builds it into
// bin/faults; the tests' TestMain builds it when WARTA_BIN_DIR is not set).
// It adds two settings that break the index on purpose; the binaries of make
// build and the container images are built without the tag and have neither
// (nofaults.go).
//
//   - --write-delay, INDEX_WRITE_DELAY: sleep this long before each index
//     write, to simulate a slow disk (TestFaultSlowIndex, TestFaultIndexKilled,
//     TestFaultSIGTERM).
//   - --alert-delay, INDEX_ALERT_DELAY: sleep this long between writing a
//     batch and publishing its alerts, the gap where TestFaultIndexKilledAlerts
//     kills the index.

package main

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/services/index/indexer"
)

// faults are the fault tests' settings.
type faults struct {
	WriteDelay time.Duration
	AlertDelay time.Duration
}

// register adds the settings' flags to f.
func (c *faults) register(f *proc.Flags) {
	f.DurationVar(&c.WriteDelay, "write-delay", 0, "for fault testing only: sleep this long before each index write, to simulate a slow disk")
	f.Env("write-delay", "INDEX_WRITE_DELAY")
	f.DurationVar(&c.AlertDelay, "alert-delay", 0, "for fault testing only: sleep this long between writing a batch and publishing its alerts")
	f.Env("alert-delay", "INDEX_ALERT_DELAY")
}

// check refuses a negative delay.
func (c *faults) check() error {
	if c.WriteDelay < 0 || c.AlertDelay < 0 {
		return fmt.Errorf("write-delay %v, alert-delay %v: use 0 (no delay) or a positive duration", c.WriteDelay, c.AlertDelay)
	}
	return nil
}

// wire has h sleep the delays that are set, and logs them.
func (c *faults) wire(h *indexer.Handler, log *zap.Logger) {
	if c.WriteDelay > 0 {
		d := c.WriteDelay
		h.BeforeWrite = func(ctx context.Context) error {
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if c.AlertDelay > 0 {
		d := c.AlertDelay
		h.BeforeAlerts = func() { time.Sleep(d) }
	}
	if c.WriteDelay > 0 || c.AlertDelay > 0 {
		log.Info("faults injected", zap.Duration("write_delay", c.WriteDelay), zap.Duration("alert_delay", c.AlertDelay))
	}
}
