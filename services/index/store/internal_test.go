package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDateStart(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		value string
		want  time.Time
		ok    bool
	}{
		{"2025-09-02", day(2025, 9, 2), true},
		{"2025-09", day(2025, 9, 1), true},
		{"2024", day(2024, 1, 1), true},
		{"2025-W01", day(2024, 12, 30), true}, // ISO week 1 of 2025 starts in 2024
		{"2025-W35", day(2025, 8, 25), true},
		{"2020-W53", day(2020, 12, 28), true},
		{"2025-Q3", day(2025, 7, 1), true},
		{"193X", time.Time{}, false},
		{"19XX", time.Time{}, false},
		{"2025-W60", time.Time{}, false},
		{"2025-Q5", time.Time{}, false},
		{"2025-13", time.Time{}, false},
		{"2025-SU", time.Time{}, false},
		{"PRESENT_REF", time.Time{}, false},
		{"0030", time.Time{}, false}, // before Bleve's datetime range
		{"", time.Time{}, false},
	} {
		got, ok := dateStart(tc.value)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("dateStart(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestOpenRefusesOtherMapping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.idx.SetInternal(internalMappingKey, []byte("0")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); !errors.Is(err, ErrMappingChanged) {
		t.Errorf("Open of an index with mapping version 0: error %v, want ErrMappingChanged", err)
	}
}

// TestOpenLocked: a second Open of a folder in use fails at once, naming the
// folder and the process; once the first closes, it opens.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("second Open = %v, want ErrLocked naming %s and process %d", err, path, os.Getpid())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
}
