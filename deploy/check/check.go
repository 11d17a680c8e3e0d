// Package check validates the deploy/ folder offline: the Dockerfiles are
// parsed with BuildKit's own parser, compose.yaml is loaded strictly with
// compose-go, and every Kubernetes manifest is decoded strictly into the
// official API types (k8s.io/api, KEDA's ScaledObject). Its tests also run
// the service binaries with the environment the manifests give them against
// a three-node NATS cluster on loopback.
package check

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
)

// envMarker is how a flag's help names its environment variable: [$NAME].
var envMarker = regexp.MustCompile(`\[\$([A-Z][A-Z0-9_]*)\]`)

// HelpEnv runs "bin args... --help" and returns the environment variables
// its help lists: the names the command reads.
func HelpEnv(bin string, args ...string) (map[string]bool, error) {
	cmd := exec.Command(bin, append(args, "--help")...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Flag packages exit with status 0 or 2 after --help: the output is what counts.
	_ = cmd.Run()
	names := map[string]bool{}
	for _, m := range envMarker.FindAllStringSubmatch(out.String(), -1) {
		names[m[1]] = true
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s %v --help lists no [$NAME] environment variables:\n%s", bin, args, out.String())
	}
	return names, nil
}
