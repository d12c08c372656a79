// Package build says which ssmctl this is: the version, commit and date set
// at link time, with what the Go toolchain recorded as the fallback.
package build

import (
	"runtime"
	"runtime/debug"

	pluginversion "github.com/aws/session-manager-plugin/src/version"
)

// Set at link time:
// -ldflags "-X github.com/ssmctl/ssmctl/internal/build.version=1.2.3 -X ...build.commit=abc -X ...build.date=..."
var (
	version = ""
	commit  = ""
	date    = ""
)

// Info is this build of ssmctl.
type Info struct {
	Version       string
	Commit        string
	Date          string
	GoVersion     string
	Platform      string
	PluginVersion string
}

// Current returns this build's Info: the link-time values, else the
// module version and VCS settings Go recorded, else dev/unknown.
func Current() Info {
	v := Info{
		Version:       version,
		Commit:        commit,
		Date:          date,
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
			case s.Key == "vcs.time" && v.Date == "":
				v.Date = s.Value
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.Date == "" {
		v.Date = "unknown"
	}
	return v
}
