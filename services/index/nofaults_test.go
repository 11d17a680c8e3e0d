//go:build !faults

package main

import (
	"strings"
	"testing"
)

// TestNoFaultSettings checks that the index as make build and the images
// build it has none of the fault tests' settings (faults.go).
func TestNoFaultSettings(t *testing.T) {
	help := indexHelp(t)
	for _, unwanted := range []string{"-write-delay", "-alert-delay", "INDEX_WRITE_DELAY", "INDEX_ALERT_DELAY"} {
		if strings.Contains(help, unwanted) {
			t.Errorf("--help lists %s, a setting of the fault tests' build only:\n%s", unwanted, help)
		}
	}
}
