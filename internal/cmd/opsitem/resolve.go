package opsitem

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
)

// ResolveOptions is what opsitem resolve uses.
type ResolveOptions struct {
	Client func(ctx context.Context) (*opsitems.Client, error)

	ID   string
	Note string
}

// NewCmdResolve is `ssmctl opsitem resolve`.
func NewCmdResolve(f *cmdutil.Factory, runF func(*ResolveOptions) error) *cobra.Command {
	opts := &ResolveOptions{Client: f.Clients().OpsItems}
	cmd := &cobra.Command{
		Use:   "resolve ID [--note TEXT]",
		Short: "Set an OpsItem's status to Resolved, with a note",
		Long: `Set an OpsItem's status to Resolved. --note records why, in the same
UpdateOpsItem call, as the operational data "` + opsitems.NoteKey + `" (not
searchable; get shows it); the OpsItem's version, modified time and
modifier record when and by whom. Resolving an OpsItem that is already
resolved records the new note. Prints nothing.`,
		Example: `  ssmctl opsitem resolve oi-1a2b3c4d5e6f --note "log rotation fixed, disk at 40%"`,
		Args:    idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if cmd.Flags().Changed("note") {
				if _, _, err := opsitems.ParseData(opsitems.NoteKey + "=" + opts.Note); err != nil {
					return cmdutil.FlagValueErrorf("note", opts.Note, "want a non-empty note of at most 20 KB")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			c, err := opts.Client(cmd.Context())
			if err != nil {
				return err
			}
			return c.Resolve(cmd.Context(), opts.ID, opts.Note)
		},
	}
	cmd.Flags().StringVar(&opts.Note, "note", "", "why it is resolved (`text`), kept in the OpsItem's operational data")
	return cmd
}
