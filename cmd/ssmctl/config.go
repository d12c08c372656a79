package main

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

// globalOptions are the flags every command has.
type globalOptions struct {
	Profile     string
	Region      string
	EndpointURL string
	CABundle    string
	Output      string
	Query       string
	NoColor     bool
	Quiet       bool
	Debug       bool
	ConfigFile  string
}

func (g *globalOptions) addFlags(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&g.Profile, "profile", "", "AWS shared config `profile` to use")
	fl.StringVar(&g.Region, "region", "", "AWS `region` (e.g. eu-west-1)")
	fl.StringVar(&g.EndpointURL, "endpoint-url", "", "send AWS API calls to this `URL` (e.g. a sandbox)")
	fl.StringVar(&g.CABundle, "ca-bundle", "", "PEM `file` of CA certificates to trust for AWS endpoints (as AWS_CA_BUNDLE)")
	fl.StringVarP(&g.Output, "output", "o", "", "output `format`: "+strings.Join(output.Formats(), "|")+" (default table on a terminal, text otherwise)")
	fl.StringVar(&g.Query, "query", "", "JMESPath `expression` applied to the JSON document before rendering")
	fl.BoolVar(&g.NoColor, "no-color", false, "never colour the output (NO_COLOR does the same)")
	fl.BoolVarP(&g.Quiet, "quiet", "q", false, "no progress or status messages on stderr")
	fl.BoolVar(&g.Debug, "debug", false, "log each AWS request (operation, status, retries, latency) to stderr")
	fl.StringVar(&g.ConfigFile, "config", "", "ssmctl config `file` (default $XDG_CONFIG_HOME/ssmctl/config.yaml)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats(), cobra.ShellCompDirectiveNoFileComp))
}

// settingsGlobals are the global flags that the config file and SSMCTL_*
// variables may set. --config and --query are per invocation only.
var settingsGlobals = []string{"profile", "region", "endpoint-url", "ca-bundle", "output", "no-color", "quiet", "debug"}

// awsEnv lists, for the settings the AWS SDK also reads from the
// environment, the variables that outrank ssmctl's config file
// (flag > environment > config file > AWS shared config).
var awsEnv = map[string][]string{
	"profile":      {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"},
	"region":       {"AWS_REGION", "AWS_DEFAULT_REGION"},
	"endpoint-url": {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM"},
	"ca-bundle":    {"AWS_CA_BUNDLE"},
}

// settings is ssmctl's own configuration: the config file and SSMCTL_*
// variables, read through Viper.
type settings struct {
	path    string // the config file read, or ""
	v       *viper.Viper
	tree    map[string]any // the file as parsed, for key validation
	aliases map[string][]string
}

// defaultConfigPath is $XDG_CONFIG_HOME/ssmctl/config.yaml, or
// ~/.config/ssmctl/config.yaml.
func defaultConfigPath(getenv func(string) string) string {
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

// loadSettings reads the config file: --config or SSMCTL_CONFIG when given
// (then it must exist), else the default path when it exists.
func loadSettings(flagPath string, getenv func(string) string) (*settings, error) {
	v := viper.New()
	v.SetEnvPrefix("SSMCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	s := &settings{v: v}

	path, explicit := flagPath, flagPath != ""
	if !explicit {
		if p := getenv("SSMCTL_CONFIG"); p != "" {
			path, explicit = p, true
		} else {
			path = defaultConfigPath(getenv)
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
		return nil, configErrorf("%s: not valid YAML: %s", path, firstLine(err.Error()))
	}
	s.tree = tree
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader(string(data))); err != nil {
		return nil, configErrorf("%s: %s", path, firstLine(err.Error()))
	}
	if s.aliases, err = parseAliases(path, tree["aliases"]); err != nil {
		return nil, err
	}
	return s, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
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

// apply validates the config file against the command tree, then sets every
// flag of the global set and of cmd that the user did not give on the
// command line from SSMCTL_* variables or the config file.
func (s *settings) apply(cmd *cobra.Command, getenv func(string) string) error {
	if err := s.validate(cmd.Root()); err != nil {
		return err
	}
	root := cmd.Root()
	for _, name := range settingsGlobals {
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

func (s *settings) envSet(key string) bool {
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
func (s *settings) set(fl *pflag.Flag, key string) error {
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
			return configErrorf("%s: %s: invalid value %q: %s", source, key, val, firstLine(err.Error()))
		}
	}
	fl.Changed = true
	return nil
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
func (s *settings) validate(root *cobra.Command) error {
	if s.tree == nil {
		return nil
	}
	allowed := map[string]bool{"aliases": true}
	for _, n := range settingsGlobals {
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

func (s *settings) validateCommand(parent *cobra.Command, key string, val any) error {
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
