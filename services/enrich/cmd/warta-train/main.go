// Command warta-train is the developer's command that makes the enrich
// service's data: it trains the entity model ("warta-train train --corpus
// DIR --out FILE", as make model runs it), evaluates the tagger
// ("warta-train eval --corpus DIR", make eval) and learns the word clusters
// the model reads ("warta-train clusters --corpus DIR --out FILE", make
// clusters). The enrich service only reads what it writes, embedded at
// build time.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "warta-train:", err)
		os.Exit(1)
	}
}

const usage = `warta-train: make the enrich service's entity model and word clusters.

Usage:
  warta-train train --corpus DIR --out FILE        train the entity model on the corpora under DIR
  warta-train eval --corpus DIR                    score the entity tagger on the development splits
  warta-train clusters --corpus DIR --out FILE     learn word clusters from the unlabelled text under DIR
  warta-train help                                 show this help

make model, make eval and make clusters run these on the corpora of ../shared.
Run "warta-train COMMAND --help" for the flags of each.
`

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("name a command: train, eval or clusters")
	}
	switch args[1] {
	case "train":
		return runTrain(args[2:], getenv, stdout, stderr)
	case "eval":
		return runEval(args[2:], getenv, stdout, stderr)
	case "clusters":
		return runClusters(args[2:], getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q: use train, eval or clusters", args[1])
}
