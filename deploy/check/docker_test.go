package check_test

import (
	"errors"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/warta-news/warta/deploy/check"
)

const (
	builderImage = "golang:1.26"
	finalImage   = "gcr.io/distroless/static-debian12:nonroot"
)

// image describes what a service's image must hold.
type image struct {
	// addrEnv is the variable of the address its probes and EXPOSE use.
	addrEnv string
	port    string
	volume  string
	env     map[string]string
}

var images = map[string]image{
	"ingest": {addrEnv: "METRICS_ADDR", port: "9090"},
	"enrich": {addrEnv: "METRICS_ADDR", port: "9090"},
	"index":  {addrEnv: "HTTP_ADDR", port: "8080", volume: "/data", env: map[string]string{"INDEX_DIR": "/data/index"}},
}

func parseDockerfile(t *testing.T, svc string) *check.Dockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "deploy", "docker", svc+".Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	df, err := check.ParseDockerfile(f)
	if err != nil {
		t.Fatalf("%s.Dockerfile: %v", svc, err)
	}
	return df
}

// TestDockerfiles parses each service's Dockerfile with BuildKit's parser
// (lint warnings are errors) and checks the build: a Go builder stage that
// builds the service's own module statically, and a distroless nonroot
// final stage running it.
func TestDockerfiles(t *testing.T) {
	ignore := dockerignore(t)
	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			df := parseDockerfile(t, svc)
			if len(df.Stages) < 2 {
				t.Fatalf("%d stages, want a build stage and a final one", len(df.Stages))
			}
			build := &df.Stages[0]
			if build.BaseName != builderImage {
				t.Errorf("build stage FROM %s, want %s", build.BaseName, builderImage)
			}
			env := check.Env(build)
			for k, want := range map[string]string{"CGO_ENABLED": "0", "GOWORK": "off"} {
				if env[k] != want {
					t.Errorf("build stage %s=%q, want %q", k, env[k], want)
				}
			}

			// The go build command, the folder it runs in, and what it copies.
			workdir, pkg, out := "/", "", ""
			for _, c := range build.Commands {
				switch c := c.(type) {
				case *instructions.WorkdirCommand:
					if path.IsAbs(c.Path) {
						workdir = c.Path
					} else {
						workdir = path.Join(workdir, c.Path)
					}
				case *instructions.CopyCommand:
					if c.From != "" {
						continue
					}
					for _, src := range c.SourcePaths {
						matches, _ := filepath.Glob(filepath.Join(root, src))
						if len(matches) == 0 {
							t.Errorf("COPY %s: no such path in the repository", src)
						}
						if excluded, _ := ignore.MatchesOrParentMatches(strings.TrimSuffix(src, "/")); excluded {
							t.Errorf("COPY %s: .dockerignore leaves it out of the build context", src)
						}
					}
				case *instructions.RunCommand:
					line := strings.Join(c.CmdLine, " ")
					if !strings.Contains(line, "go build") {
						continue
					}
					for _, want := range []string{"-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`, "-o /out/" + svc + " "} {
						if !strings.Contains(line, want) {
							t.Errorf("go build lacks %s: %s", want, line)
						}
					}
					fields := strings.Fields(line)
					pkg, out = path.Join(workdir, fields[len(fields)-1]), "/out/"+svc
				}
			}
			if pkg == "" {
				t.Fatal("no RUN go build in the build stage")
			}
			rel, ok := strings.CutPrefix(pkg, "/src/")
			if !ok || rel != "services/"+svc {
				t.Errorf("builds %s, want /src/services/%s", pkg, svc)
			}
			if main, err := os.ReadFile(filepath.Join(root, rel, "main.go")); err != nil || !strings.Contains(string(main), "\npackage main\n") {
				t.Errorf("built package %s is no main package in the repository: %v", rel, err)
			}
			if _, err := os.Stat(filepath.Join(root, rel, "go.mod")); err != nil {
				t.Errorf("built package %s is not its own module (GOWORK=off builds it alone): %v", rel, err)
			}

			final := df.Final()
			if final.BaseName != finalImage {
				t.Errorf("final stage FROM %s, want %s", final.BaseName, finalImage)
			}
			users := check.Commands[*instructions.UserCommand](final)
			if len(users) == 0 || !slices.Contains([]string{"nonroot", "nonroot:nonroot", "65532", "65532:65532"}, users[len(users)-1].User) {
				t.Errorf("final stage USER %v, want nonroot (65532)", users)
			}
			var binary string
			for _, c := range check.Commands[*instructions.CopyCommand](final) {
				if c.From == build.Name && slices.Contains(c.SourcePaths, out) {
					binary = c.DestPath
				}
			}
			entry := check.Commands[*instructions.EntrypointCommand](final)
			if binary == "" || len(entry) != 1 || entry[0].PrependShell || len(entry[0].CmdLine) != 1 || entry[0].CmdLine[0] != binary {
				t.Errorf("final stage must COPY --from=%s %s and run it as an exec-form ENTRYPOINT (no shell in distroless); copied to %q, entrypoint %v", build.Name, out, binary, entry)
			}

			want := images[svc]
			fenv := check.Env(final)
			checkEnvNames(t, svc+".Dockerfile", svc, fenv)
			if _, port, err := net.SplitHostPort(fenv[want.addrEnv]); err != nil || port != want.port {
				t.Errorf("final stage %s=%q, want port %s", want.addrEnv, fenv[want.addrEnv], want.port)
			}
			var exposed []string
			for _, e := range check.Commands[*instructions.ExposeCommand](final) {
				exposed = append(exposed, e.Ports...)
			}
			if !slices.Equal(exposed, []string{want.port}) {
				t.Errorf("EXPOSE %v, want %s", exposed, want.port)
			}
			var volumes []string
			for _, v := range check.Commands[*instructions.VolumeCommand](final) {
				volumes = append(volumes, v.Volumes...)
			}
			if want.volume != "" && !slices.Equal(volumes, []string{want.volume}) || want.volume == "" && len(volumes) > 0 {
				t.Errorf("VOLUME %v, want %q", volumes, want.volume)
			}
			for k, v := range want.env {
				if fenv[k] != v {
					t.Errorf("final stage %s=%q, want %q", k, fenv[k], v)
				}
			}
		})
	}
}

func dockerignore(t *testing.T) *patternmatcher.PatternMatcher {
	t.Helper()
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	// The context must leave out what the builds do not need.
	for _, p := range []string{".git", "bin", ".data", "services/ingest/ingest"} {
		if ok, _ := pm.MatchesOrParentMatches(p); !ok {
			t.Errorf(".dockerignore sends %s to the build context", p)
		}
	}
	return pm
}

// TestParseDockerfileRefuses makes sure the Dockerfile check can fail: an
// unknown instruction, and what BuildKit's linter warns about.
func TestParseDockerfileRefuses(t *testing.T) {
	for name, df := range map[string]string{
		"unknown instruction": "FROM golang:1.26\nFORM scratch\n",
		"stage name casing":   "FROM golang:1.26 as build\nRUN true\n",
		"empty continuation":  "FROM scratch\nRUN echo \\\n\n  hi\n",
	} {
		_, err := check.ParseDockerfile(strings.NewReader(df))
		if err == nil {
			t.Errorf("%s: parsed without error", name)
		} else if name != "unknown instruction" && !errors.Is(err, check.ErrDockerfileLint) {
			t.Errorf("%s: %v, want a lint error", name, err)
		}
	}
}
