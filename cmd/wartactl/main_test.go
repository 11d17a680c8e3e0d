package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelp: "wartactl help" lists every command, each command's --help
// shows its usage and succeeds, and a command that is not there is an
// error that names the ones there are.
func TestHelp(t *testing.T) {
	ctx := context.Background()
	getenv := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"wartactl", "help"}, getenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wartactl publish", "wartactl deadletters list", "wartactl deadletters replay", "wartactl search", "wartactl alerts"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
	for _, args := range [][]string{{"publish"}, {"deadletters", "list"}, {"deadletters", "replay"}, {"search"},
		{"alerts", "add"}, {"alerts", "ls"}, {"alerts", "rm"}, {"alerts", "follow"}} {
		out.Reset()
		if err := run(ctx, append(append([]string{"wartactl"}, args...), "--help"), getenv, nil, &out, &out); err != nil ||
			!strings.Contains(out.String(), "Usage: wartactl "+strings.Join(args, " ")) {
			t.Errorf("wartactl %v --help: %v\n%s", args, err, out.String())
		}
	}
	for _, args := range [][]string{{"wartactl"}, {"wartactl", "train"}} {
		out.Reset()
		if err := run(ctx, args, getenv, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "publish, deadletters, search or alerts") {
			t.Errorf("%v: %v, want an error naming the commands", args, err)
		}
	}
}
