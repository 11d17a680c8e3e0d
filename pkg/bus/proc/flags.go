package proc

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Flags is a flag set whose flags fall back to environment variables: a flag
// given on the command line wins, else its variable, else its default. Every
// flag's usage line names its variable, so --help documents both.
type Flags struct {
	*flag.FlagSet
	getenv func(string) string
	env    map[string]string // flag name -> variable
}

// NewFlags returns an empty Flags named after the command. Usage goes to w.
func NewFlags(name string, getenv func(string) string, w io.Writer) *Flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	return &Flags{FlagSet: fs, getenv: getenv, env: map[string]string{}}
}

// Env binds flag name to an environment variable. The flag must exist.
func (f *Flags) Env(name, variable string) {
	fl := f.Lookup(name)
	if fl == nil {
		panic("proc: Env on unknown flag " + name)
	}
	f.env[name] = variable
	fl.Usage += " [$" + variable + "]"
}

// StringVar defines a string flag with an environment fallback.
func (f *Flags) StringVar(p *string, name, variable, def, usage string) {
	f.FlagSet.StringVar(p, name, def, usage)
	f.Env(name, variable)
}

// Parse parses args (without the program name), then fills every flag not
// given on the command line from its environment variable. A bad value in a
// variable is reported with the variable's name. flag.ErrHelp is returned
// as is after the usage has been printed.
func (f *Flags) Parse(args []string) error {
	if err := f.FlagSet.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	names := make([]string, 0, len(f.env))
	for n := range f.env {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if set[name] {
			continue
		}
		v := f.env[name]
		if val := f.getenv(v); val != "" {
			if err := f.Set(name, val); err != nil {
				return fmt.Errorf("environment variable %s=%q: %v%s", v, val, err, valueHint(f.Lookup(name)))
			}
		}
	}
	return nil
}

// valueHint says what a flag's value should look like.
func valueHint(fl *flag.Flag) string {
	g, ok := fl.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case time.Duration:
		return ": use a duration such as 30s, 500ms or 1h"
	case int, int64, uint, uint64:
		return ": use a whole number"
	case bool:
		return ": use true or false"
	}
	return ""
}

// IsHelp reports whether err is the flag package's answer to -h or --help.
func IsHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }

// Mask hides a secret for logging: empty stays empty, anything else is "***".
func Mask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// MaskURL hides a password embedded in a URL list such as nats://u:p@host.
func MaskURL(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		at := strings.LastIndex(p, "@")
		scheme := strings.Index(p, "://")
		if at < 0 || scheme < 0 || at < scheme {
			continue
		}
		cred := p[scheme+3 : at]
		if c := strings.Index(cred, ":"); c >= 0 {
			cred = cred[:c+1] + "***"
		} else {
			cred = "***"
		}
		parts[i] = p[:scheme+3] + cred + p[at:]
	}
	return strings.Join(parts, ",")
}
