package main

import "github.com/spf13/cobra"

// newSessionCmd is a placeholder group until `session TARGET` lands; it is
// replaced at merge.
func newSessionCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{Use: "session", Short: "Session Manager sessions"}
	cmd.AddCommand(newSessionListCmd(f, nil), newSessionTerminateCmd(f, nil), newSessionPrefsCmd(f))
	return cmd
}
