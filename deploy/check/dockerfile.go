package check

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// ErrDockerfileLint is returned for a Dockerfile that BuildKit parses with
// warnings: its linter's or its parser's.
var ErrDockerfileLint = errors.New("dockerfile lint")

// Dockerfile is a parsed Dockerfile: its build stages with their typed
// instructions, as BuildKit sees them.
type Dockerfile struct {
	Stages []instructions.Stage
}

// ParseDockerfile parses a Dockerfile with BuildKit's parser and instruction
// parser, with every lint rule on; a warning is an error.
func ParseDockerfile(r io.Reader) (*Dockerfile, error) {
	res, err := parser.Parse(r)
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, w := range res.Warnings {
		warnings = append(warnings, w.Short)
	}
	lint := linter.New(&linter.Config{ExperimentalAll: true, Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		warnings = append(warnings, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return nil, err
	}
	if len(warnings) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrDockerfileLint, strings.Join(warnings, "; "))
	}
	return &Dockerfile{Stages: stages}, nil
}

// Final returns the last stage: the image.
func (d *Dockerfile) Final() *instructions.Stage {
	return &d.Stages[len(d.Stages)-1]
}

// Stage returns the stage named name, or nil.
func (d *Dockerfile) Stage(name string) *instructions.Stage {
	for i := range d.Stages {
		if d.Stages[i].Name == name {
			return &d.Stages[i]
		}
	}
	return nil
}

// Env returns the environment the stage's ENV instructions set.
func Env(s *instructions.Stage) map[string]string {
	env := map[string]string{}
	for _, c := range s.Commands {
		if e, ok := c.(*instructions.EnvCommand); ok {
			for _, kv := range e.Env {
				env[kv.Key] = kv.Value
			}
		}
	}
	return env
}

// Commands returns the stage's instructions of type T.
func Commands[T instructions.Command](s *instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if t, ok := c.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
