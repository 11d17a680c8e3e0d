package bus

import (
	"testing"
	"time"
)

// TestSummaryGate: an idle stage's summary line is logged once a minute, a
// busy one's at every look; any change (a count, the messages in hand, the
// lag) is worth a line.
func TestSummaryGate(t *testing.T) {
	start := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	idle := summaryState{processed: 17, lag: 0, lagKnown: true}
	for _, tc := range []struct {
		name  string
		st    summaryState
		after time.Duration
		want  bool
	}{
		{"idle, 15 s later", idle, 15 * time.Second, false},
		{"idle, 59 s later", idle, 59 * time.Second, false},
		{"idle, a minute later", idle, time.Minute, true},
		{"processed one more", summaryState{processed: 18, lagKnown: true}, 15 * time.Second, true},
		{"a failure", summaryState{processed: 17, failed: 1, lagKnown: true}, 15 * time.Second, true},
		{"a redelivery", summaryState{processed: 17, redelivered: 1, lagKnown: true}, 15 * time.Second, true},
		{"a dead letter", summaryState{processed: 17, deadLettered: 1, lagKnown: true}, 15 * time.Second, true},
		{"messages in hand", summaryState{processed: 17, inFlight: 3, lagKnown: true}, 15 * time.Second, true},
		{"a backlog", summaryState{processed: 17, lag: 40, lagKnown: true}, 15 * time.Second, true},
		{"lag no longer known", summaryState{processed: 17}, 15 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := summaryGate{idle: time.Minute}
			g.logged(idle, start)
			if got := g.due(tc.st, start.Add(tc.after)); got != tc.want {
				t.Errorf("due = %v, want %v", got, tc.want)
			}
		})
	}
	// The minute counts from the last line logged, not from the last look.
	g := summaryGate{idle: time.Minute}
	g.logged(idle, start)
	busy := summaryState{processed: 30, lagKnown: true}
	if !g.due(busy, start.Add(15*time.Second)) {
		t.Fatal("a change was not due")
	}
	g.logged(busy, start.Add(15*time.Second))
	if g.due(busy, start.Add(60*time.Second)) || !g.due(busy, start.Add(75*time.Second)) {
		t.Error("idle line not a minute after the last line")
	}
}
