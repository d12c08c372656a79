// Package config reads ssmctl's own configuration: the config file
// ($XDG_CONFIG_HOME/ssmctl/config.yaml), SSMCTL_* variables, target aliases
// and per-command flag defaults, and applies them to the flags a user did
// not give.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// Globals are the global flags that the config file and SSMCTL_*
// variables may set. --config and --query are per invocation only.
var Globals = []string{"profile", "region", "endpoint-url", "ca-bundle", "output", "no-color", "quiet", "debug"}

// awsEnv lists, for the settings the AWS SDK also reads from the
// environment, the variables that outrank ssmctl's config file
// (flag > environment > config file > AWS shared config).
var awsEnv = map[string][]string{
	"profile":      {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"},
	"region":       {"AWS_REGION", "AWS_DEFAULT_REGION"},
	"endpoint-url": {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM"},
	"ca-bundle":    {"AWS_CA_BUNDLE"},
}

// Settings is ssmctl's own configuration: the config file and SSMCTL_*
// variables, read through Viper.
type Settings struct {
	path    string // the config file read, or ""
	v       *viper.Viper
	tree    map[string]any // the file as parsed, for key validation
	aliases map[string][]string
	// origins are the flags Apply set, by flag name: where the value came
	// from, so a value found wrong later is blamed on it and not on a flag.
	origins map[string]origin
}

// origin is where Apply found a flag's value: the config file (and its
// key) or an SSMCTL_* variable.
type origin struct {
	source string // "config file PATH" or "SSMCTL_X"
	key    string // the config key, e.g. nodes.ping
}

// DefaultPath is $XDG_CONFIG_HOME/ssmctl/config.yaml, or
// ~/.config/ssmctl/config.yaml.
func DefaultPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "ssmctl", "config.yaml")
}

func configErrorf(format string, args ...any) error {
	return exitcode.New(exitcode.Config, format, args...)
}

// Load reads the config file: --config or SSMCTL_CONFIG when given
// (then it must exist), else the default path when it exists.
func Load(flagPath string, getenv func(string) string) (*Settings, error) {
	v := viper.New()
	v.SetEnvPrefix("SSMCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	s := &Settings{v: v}

	path, explicit := flagPath, flagPath != ""
	if !explicit {
		if p := getenv("SSMCTL_CONFIG"); p != "" {
			path, explicit = p, true
		} else {
			path = DefaultPath(getenv)
		}
	}
	if path == "" {
		return s, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return s, nil
		}
		return nil, configErrorf("config file: %v", err)
	}
	s.path = path
	var tree map[string]any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return nil, configErrorf("%s: not valid YAML: %s", path, output.FirstLine(err.Error()))
	}
	s.tree = tree
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader(string(data))); err != nil {
		return nil, configErrorf("%s: %s", path, output.FirstLine(err.Error()))
	}
	if s.aliases, err = parseAliases(path, tree["aliases"]); err != nil {
		return nil, err
	}
	return s, nil
}

// parseAliases reads `aliases: {name: spec | [spec, ...]}`. Names keep their
// case (the YAML is read directly, not through Viper, which folds case).
func parseAliases(path string, raw any) (map[string][]string, error) {
	if raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, configErrorf("%s: aliases: want a map of alias name to target spec(s)", path)
	}
	out := make(map[string][]string, len(m))
	for name, val := range m {
		switch val := val.(type) {
		case string:
			out[name] = []string{val}
		case []any:
			for _, item := range val {
				str, ok := item.(string)
				if !ok {
					return nil, configErrorf("%s: aliases.%s: want target spec strings, got %v", path, name, item)
				}
				out[name] = append(out[name], str)
			}
		default:
			return nil, configErrorf("%s: aliases.%s: want a target spec or a list of them", path, name)
		}
		if len(out[name]) == 0 {
			return nil, configErrorf("%s: aliases.%s: empty", path, name)
		}
	}
	return out, nil
}

// Apply validates the config file against the command tree, then sets every
// flag of the global set and of cmd that the user did not give on the
// command line from SSMCTL_* variables or the config file.
func (s *Settings) Apply(cmd *cobra.Command, getenv func(string) string) error {
	if err := s.validate(cmd.Root()); err != nil {
		return err
	}
	root := cmd.Root()
	for _, name := range Globals {
		fl := root.PersistentFlags().Lookup(name)
		if fl == nil || fl.Changed {
			continue
		}
		if s.envSet(name) {
			if err := s.set(fl, name); err != nil {
				return err
			}
			continue
		}
		if anySet(getenv, awsEnv[name]) {
			continue // the AWS SDK reads its own variables
		}
		if err := s.set(fl, name); err != nil {
			return err
		}
	}
	prefix := commandKey(cmd)
	if prefix == "" {
		return nil
	}
	var err error
	cmd.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
		if err != nil || fl.Changed || fl.Hidden {
			return
		}
		err = s.set(fl, prefix+"."+fl.Name)
	})
	return err
}

func (s *Settings) envSet(key string) bool {
	name := "SSMCTL_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(key))
	_, ok := os.LookupEnv(name)
	return ok && os.Getenv(name) != ""
}

func anySet(getenv func(string) string, names []string) bool {
	for _, n := range names {
		if getenv(n) != "" {
			return true
		}
	}
	return false
}

// set gives fl the value stored under key, if any.
func (s *Settings) set(fl *pflag.Flag, key string) error {
	if !s.v.IsSet(key) {
		return nil
	}
	var values []string
	switch val := s.v.Get(key).(type) {
	case []any:
		for _, item := range val {
			values = append(values, fmt.Sprint(item))
		}
	default:
		values = []string{fmt.Sprint(val)}
	}
	source := "config file " + s.path
	if s.envSet(key) {
		source = "SSMCTL_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(key))
		if t := fl.Value.Type(); strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array") {
			values = strings.Split(s.v.GetString(key), ",")
		}
	}
	for _, val := range values {
		if err := fl.Value.Set(val); err != nil {
			return configErrorf("%s: %s: invalid value %q: %s", source, key, val, output.FirstLine(err.Error()))
		}
	}
	fl.Changed = true
	if s.origins == nil {
		s.origins = map[string]origin{}
	}
	s.origins[fl.Name] = origin{source: source, key: key}
	return nil
}

// Invalid blames a wrong value of the flag named flag on where Apply found
// it: a configuration error (exit 253) naming the config file (or the
// SSMCTL_* variable), the key and the value, in the form Apply's own value
// errors have. It returns nil when Apply did not set that flag (the value
// came from the command line).
func (s *Settings) Invalid(flag, value, reason string) error {
	if s == nil {
		return nil
	}
	o, ok := s.origins[flag]
	if !ok {
		return nil
	}
	return configErrorf("%s: %s: invalid value %q: %s", o.source, o.key, value, reason)
}

// commandKey is the config-file key of a command: "run.list" for
// `ssmctl run list`; "" for the root.
func commandKey(cmd *cobra.Command) string {
	var parts []string
	for c := cmd; c.HasParent(); c = c.Parent() {
		parts = append([]string{c.Name()}, parts...)
	}
	return strings.Join(parts, ".")
}

// validate rejects config-file keys that name no setting, so a typo is
// reported instead of silently ignored.
func (s *Settings) validate(root *cobra.Command) error {
	if s.tree == nil {
		return nil
	}
	allowed := map[string]bool{"aliases": true}
	for _, n := range Globals {
		allowed[n] = true
	}
	keys := sortedKeys(s.tree)
	for _, k := range keys {
		if allowed[k] {
			continue
		}
		if err := s.validateCommand(root, k, s.tree[k]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Settings) validateCommand(parent *cobra.Command, key string, val any) error {
	name := key[strings.LastIndexByte(key, '.')+1:]
	var cmd *cobra.Command
	for _, c := range parent.Commands() {
		if c.Name() == name {
			cmd = c
		}
	}
	if cmd == nil {
		return configErrorf("%s: unknown setting %q", s.path, key)
	}
	m, ok := val.(map[string]any)
	if !ok {
		return configErrorf("%s: %s: want a map of %s's flag defaults", s.path, key, cmd.CommandPath())
	}
	for _, k := range sortedKeys(m) {
		if fl := cmd.LocalNonPersistentFlags().Lookup(k); fl != nil && !fl.Hidden {
			continue
		}
		if err := s.validateCommand(cmd, key+"."+k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Aliases are the target aliases of the config file (nil without one).
func (s *Settings) Aliases() map[string][]string {
	if s == nil {
		return nil
	}
	return s.aliases
}
