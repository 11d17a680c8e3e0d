//go:build !faults

package main

import (
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/services/index/indexer"
)

// faults are the fault tests' settings, which only the index built with
// -tags faults has (faults.go): none here, in the index that make build and
// the images ship.
type faults struct{}

func (*faults) register(*proc.Flags)               {}
func (*faults) check() error                       { return nil }
func (*faults) wire(*indexer.Handler, *zap.Logger) {}
