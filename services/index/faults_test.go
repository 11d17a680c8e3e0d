//go:build faults

package main

import (
	"strings"
	"testing"
)

// TestFaultsBuild checks the index built with -tags faults, as the fault
// tests run it: its --help lists the two delays with their variables, and
// a negative delay is refused at start, naming its flag. make test runs it
// (go test -tags faults -run TestFaultsBuild ./services/index/).
func TestFaultsBuild(t *testing.T) {
	help := indexHelp(t)
	for _, want := range []string{"-write-delay", "[$INDEX_WRITE_DELAY]", "-alert-delay", "[$INDEX_ALERT_DELAY]"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %s:\n%s", want, help)
		}
	}
	checkRefused(t, []setting{{"INDEX_WRITE_DELAY", "-1s", "write-delay"}, {"INDEX_ALERT_DELAY", "-1s", "alert-delay"}})
}
