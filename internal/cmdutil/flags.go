package cmdutil

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// ParseParams reads document parameters given as repeated --param
// key=value; a key given again adds a list value. Values are never split
// at commas: commands often contain them.
func ParseParams(raw []string) (map[string][]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	for _, kv := range raw {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, FlagErrorf("invalid --param %q: want key=value", kv)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// OneOf returns the allowed spelling of a flag's value v (any case), or a
// usage error naming the allowed values.
func OneOf(flag, v string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, nil
		}
	}
	return "", FlagValueErrorf(flag, v, "want one of %s", strings.Join(allowed, ", "))
}

// SplitAtDash splits a command's arguments at "--": the targets before it
// and the remote command after it; dashed says whether there was a "--".
func SplitAtDash(cmd *cobra.Command, args []string) (targets, command []string, dashed bool) {
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		return slices.Clone(args[:dash]), args[dash:], true
	}
	return slices.Clone(args), nil, false
}

// KeyValues reads a repeated --flag key=value (tags, metadata) into a map;
// a key given twice is refused.
func KeyValues(flag string, raw []string) (map[string]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range raw {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, FlagErrorf("invalid --%s %q: want key=value", flag, kv)
		}
		if _, dup := out[k]; dup {
			return nil, FlagErrorf("invalid --%s %q: key %s given twice", flag, kv, k)
		}
		out[k] = v
	}
	return out, nil
}
