// Package version is `ssmctl version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/build"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// versionView is what `ssmctl version` prints.
type versionView struct {
	Version       string `json:"version"`
	Commit        string `json:"commit"`
	BuildDate     string `json:"buildDate"`
	GoVersion     string `json:"goVersion"`
	Platform      string `json:"platform"`
	PluginVersion string `json:"sessionManagerPluginVersion"`
}

// Options is what version uses.
type Options struct {
	IO      *output.Streams
	Printer func() *output.Printer

	Short bool
}

// NewCmdVersion is `ssmctl version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of ssmctl and of the Session Manager plugin it embeds",
		Long: `Print the version of ssmctl, its commit and build date, and the version of
the Session Manager plugin it embeds. --short prints the version alone, as
ssmctl --version (or -v) prints "ssmctl VERSION".`,
		Example: `  ssmctl version
  ssmctl version --short
  ssmctl --version
  ssmctl version -o json --query version`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Short, "short", false, "print only the version number")
	return cmd
}

func versionRun(opts *Options) error {
	b := build.Current()
	if opts.Short {
		if _, err := fmt.Fprintln(opts.IO.Out, b.Version); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	v := versionView{Version: b.Version, Commit: b.Commit, BuildDate: b.Date, GoVersion: b.GoVersion,
		Platform: b.Platform, PluginVersion: b.PluginVersion}
	return opts.Printer().Print(v, func() output.Table {
		return output.Table{Rows: [][]string{
			{"version", v.Version},
			{"commit", v.Commit},
			{"built", v.BuildDate},
			{"go", v.GoVersion},
			{"platform", v.Platform},
			{"session-manager-plugin", v.PluginVersion},
		}}
	})
}
