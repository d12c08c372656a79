package cmdutil

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/target"
)

// AddTargetFlag adds the repeatable --target flag, with completion, that
// every command taking several targets has.
func AddTargetFlag(cmd *cobra.Command, f *Factory, dst *[]string) {
	cmd.Flags().StringArrayVarP(dst, "target", "t", nil, "target `SPEC` (repeatable): node ID, tag:Key=Value, name or glob, @alias, group:NAME")
	_ = cmd.RegisterFlagCompletionFunc("target", CompleteTargets(f))
}

// CompleteTargets completes node IDs, names, aliases and the tag: and
// group: prefixes. It asks AWS for the nodes with a short deadline, so a
// slow or unreachable endpoint never hangs the shell.
func CompleteTargets(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []string
		if err := f.Prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		for name := range f.Aliases() {
			out = append(out, "@"+name+"\talias")
		}
		out = append(out, "tag:\ttag:Key=Value", "group:\tresource group")
		if strings.HasPrefix(toComplete, "@") || strings.HasPrefix(toComplete, "tag:") || strings.HasPrefix(toComplete, "group:") {
			return FilterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		r, err := f.Clients().Resolver(ctx)
		if err != nil {
			return FilterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
		nodes, err := r.Resolve(ctx, target.Query{WithTags: true})
		if err != nil {
			return FilterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
		for _, n := range nodes {
			desc := fmt.Sprintf("%s, %s", n.PingStatus, n.PlatformType)
			if n.Name != "" {
				out = append(out, n.Name+"\t"+n.ID+", "+desc)
			}
			out = append(out, n.ID+"\t"+strings.TrimPrefix(n.Name+", ", ", ")+desc)
		}
		return FilterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// FilterPrefix keeps the completions (word, tab, description) whose word
// begins with prefix, once each, sorted.
func FilterPrefix(items []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		word, _, _ := strings.Cut(it, "\t")
		if strings.HasPrefix(word, prefix) && !seen[word] {
			seen[word] = true
			out = append(out, it)
		}
	}
	sort.Strings(out)
	return out
}
