package proc

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus/bustest"
)

// TestLogSampling floods the logger as a burst of bad input would: the
// flood is cut to its first 10 lines and one in 100 after, yet a dead
// letter of another reason in the middle of it is still written, and so are
// lines of other messages.
func TestLogSampling(t *testing.T) {
	var out bustest.LogBuffer
	log, err := newLogger(LogConfig{Format: "json", Level: "info"}, "test", &out)
	if err != nil {
		t.Fatal(err)
	}
	withArticle := log.With(zap.String("stage", "ingest"))
	for i := range 1000 {
		withArticle.Error("dead letter", zap.String("article_id", fmt.Sprint(i)), zap.String("reason", "invalid article: body is empty"))
		if i == 500 {
			withArticle.Error("dead letter", zap.String("reason", "invalid article: too large"))
			log.Info("summary", zap.Int("processed", i))
		}
	}
	// Errors that differ in every line (here by an id early in the text)
	// are still sampled: past 64 kinds they count as one.
	for i := range 1000 {
		log.Warn("processing failed; will retry", zap.Error(fmt.Errorf("store %04d unavailable", i)))
	}
	if err := log.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Log(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	count := func(sub string) int {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, sub) {
				n++
			}
		}
		return n
	}
	// 10 + 990/100 when the flood fits in one second, as it does by far;
	// a little more if it straddles two.
	if n := count("body is empty"); n < 10+990/100 || n > 2*(10+990/100) {
		t.Errorf("flood of one reason: %d lines, want %d", n, 10+990/100)
	}
	if n := count("too large"); n != 1 {
		t.Errorf("the dead letter of another reason: %d lines, want 1", n)
	}
	if n := count(`"summary"`); n != 1 {
		t.Errorf("summary lines: %d, want 1", n)
	}
	if n := count("will retry"); n > 64+10+1000/100 {
		t.Errorf("flood of varied errors: %d lines, want at most %d", n, 64+10+1000/100)
	}
	if !strings.Contains(lines[0], `"service":"test"`) || !strings.Contains(lines[0], `"stage":"ingest"`) {
		t.Errorf("line without its fields: %s", lines[0])
	}
}
