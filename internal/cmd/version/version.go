// Package version is `ssmctl version`.
package version

import (
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
	Printer func() *output.Printer
}

// NewCmdVersion is `ssmctl version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{Printer: f.Printer}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of ssmctl and of the Session Manager plugin it embeds",
		Example: `  ssmctl version
  ssmctl version -o json --query version`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(opts)
		},
	}
}

func versionRun(opts *Options) error {
	b := build.Current()
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
