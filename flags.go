package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// envPrefix starts the name of every environment variable the command
// reads for its own settings.
const envPrefix = "JUPYTERS3_"

// flagSet is a [flag.FlagSet] whose every flag also has an environment
// variable: the flag wins, else the variable, else the default. Keeping
// both in one place means no setting exists in one form only.
type flagSet struct {
	*flag.FlagSet
	bindings []binding
}

// binding ties a flag to its environment variable.
type binding struct {
	flag, env string
}

func (f *flagSet) bind(name, env string) {
	f.bindings = append(f.bindings, binding{flag: name, env: env})
}

// envUsage appends the variable's name to a flag's help text.
func envUsage(usage, env string) string {
	return usage + " [$" + env + "]"
}

func (f *flagSet) stringVar(p *string, name, env, def, usage string) {
	f.StringVar(p, name, def, envUsage(usage, env))
	f.bind(name, env)
}

func (f *flagSet) boolVar(p *bool, name, env string, def bool, usage string) {
	f.BoolVar(p, name, def, envUsage(usage, env))
	f.bind(name, env)
}

func (f *flagSet) int64Var(p *int64, name, env string, def int64, usage string) {
	f.Int64Var(p, name, def, envUsage(usage, env))
	f.bind(name, env)
}

func (f *flagSet) intVar(p *int, name, env string, def int, usage string) {
	f.IntVar(p, name, def, envUsage(usage, env))
	f.bind(name, env)
}

func (f *flagSet) durationVar(p *time.Duration, name, env string, def time.Duration, usage string) {
	f.DurationVar(p, name, def, envUsage(usage, env))
	f.bind(name, env)
}

func (f *flagSet) sizeVar(p *int64, name, env string, def int64, usage string) {
	*p = def
	f.Var((*sizeValue)(p), name, envUsage(usage, env))
	f.bind(name, env)
}

func (f *flagSet) listVar(p *[]string, name, env, usage string) {
	f.Var((*listValue)(p), name, envUsage(usage, env))
	f.bind(name, env)
}

// applyEnv sets every flag that was not given on the command line from its
// variable, when that is set and not empty. It runs after the arguments
// are parsed, so flags win over the environment.
func (f *flagSet) applyEnv(getenv func(string) string) error {
	given := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, b := range f.bindings {
		v := getenv(b.env)
		if v == "" || given[b.flag] {
			continue
		}
		if err := f.Set(b.flag, v); err != nil {
			return fmt.Errorf("%s=%q: %v", b.env, v, err)
		}
	}
	return nil
}

// listValue is a comma-separated list flag; repeating the flag appends.
type listValue []string

func (l *listValue) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *listValue) Set(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// sizeValue is a size in bytes, written as MiB ("64") or with a binary
// unit: "512KiB", "1GiB", "1048576B" (K, M and G alone mean the same).
type sizeValue int64

// sizeUnits are the suffixes sizeValue accepts, longest first so that
// "MiB" is not taken for "B".
var sizeUnits = []struct {
	suffix string
	shift  uint
}{
	{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"K", 10}, {"M", 20}, {"G", 30}, {"B", 0},
}

func (v *sizeValue) String() string {
	if v == nil {
		return "0"
	}
	n := int64(*v)
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + "MiB"
	}
	return strconv.FormatInt(n, 10) + "B"
}

func (v *sizeValue) Set(s string) error {
	num, shift := strings.TrimSpace(s), uint(20)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return fmt.Errorf("invalid size %q: want MiB, or a number with B, KiB, MiB or GiB", s)
	}
	*v = sizeValue(n << shift)
	return nil
}
