package events_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
)

func TestCheckAlertName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"china-tariffs", true},
		{"Banjir_Semarang2", true},
		{"", false},
		{"a.b", false},
		{"a*", false},
		{"a>", false},
		{"two words", false},
		{"banjír", false},
		{strings.Repeat("x", events.MaxAlertNameBytes), true},
		{strings.Repeat("x", events.MaxAlertNameBytes+1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := events.CheckAlertName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckAlertName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
			if err != nil && !errors.Is(err, events.ErrBadAlertName) {
				t.Fatalf("error %v does not match ErrBadAlertName", err)
			}
		})
	}
}

func ExampleAlertMsgID() {
	fmt.Println(events.AlertSubject("china-tariffs"))
	fmt.Println(events.AlertMsgID("china-tariffs", "xi-putin", 42, "9f86d081884c7d65"))
	// Output:
	// alerts.china-tariffs
	// alert:china-tariffs:xi-putin:42:9f86d081884c7d65
}
