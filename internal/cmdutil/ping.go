package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/target"
)

// AddPingFlag adds --ping (repeatable, completed) for commands that select
// nodes by ping status; what names the selection, e.g. "nodes" or "the
// targets", goes into the help.
func AddPingFlag(cmd *cobra.Command, p *[]string, what string) {
	cmd.Flags().StringSliceVar(p, "ping", nil, "only "+what+" with this ping `status`: "+strings.Join(target.PingStatuses, ", ")+" (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("ping", cobra.FixedCompletions(target.PingStatuses, cobra.ShellCompDirectiveNoFileComp))
}

// Ping checks --ping's values: any case, returned in AWS's spelling.
func Ping(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		s, err := OneOf("ping", strings.TrimSpace(v), target.PingStatuses)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
