package cmdutil

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// CompleteDocuments completes Command document names, with a short deadline.
func CompleteDocuments(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := f.Prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		client, err := f.Clients().RunCommand(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		docs, err := client.Documents(ctx, runcmd.DocumentFilter{Owner: "All", Type: "Command"})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.Name+"\t"+d.Owner)
		}
		return FilterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
