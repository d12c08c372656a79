package main

import (
	"runtime"
	"runtime/debug"

	pluginversion "github.com/aws/session-manager-plugin/src/version"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/output"
)

// Set at link time: -ldflags "-X main.version=1.2.3 -X main.commit=abc -X main.date=..."
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionInfo is what `ssmctl version` prints.
type versionInfo struct {
	Version       string `json:"version"`
	Commit        string `json:"commit"`
	BuildDate     string `json:"buildDate"`
	GoVersion     string `json:"goVersion"`
	Platform      string `json:"platform"`
	PluginVersion string `json:"sessionManagerPluginVersion"`
}

func buildVersion() versionInfo {
	v := versionInfo{
		Version:       version,
		Commit:        commit,
		BuildDate:     date,
		GoVersion:     runtime.Version(),
		Platform:      runtime.GOOS + "/" + runtime.GOARCH,
		PluginVersion: pluginversion.Version,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && v.Commit == "":
				v.Commit = s.Value
			case s.Key == "vcs.time" && v.BuildDate == "":
				v.BuildDate = s.Value
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.BuildDate == "" {
		v.BuildDate = "unknown"
	}
	return v
}

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of ssmctl and of the Session Manager plugin it embeds",
		Example: `  ssmctl version
  ssmctl version -o json --query version`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := buildVersion()
			return f.printer.Print(v, func() output.Table {
				return output.Table{Rows: [][]string{
					{"version", v.Version},
					{"commit", v.Commit},
					{"built", v.BuildDate},
					{"go", v.GoVersion},
					{"platform", v.Platform},
					{"session-manager-plugin", v.PluginVersion},
				}}
			})
		},
	}
}
