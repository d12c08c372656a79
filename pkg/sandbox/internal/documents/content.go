package documents

import (
	"slices"

	"github.com/ssmctl/ssmctl/pkg/ical"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Parsed document content: parameters, steps and their platforms.

// Content is a parsed Command document.
type Content struct {
	SchemaVersion string
	Description   string
	Params        []*Param
	Steps         []Step
	// Legacy is a schema 1.2 document (runtimeConfig instead of mainSteps).
	Legacy bool

	// Session documents (session_documents.go): the session type, the
	// session preferences (inputs) and the properties the agent resolves.
	SessionType string
	Inputs      map[string]any
	Properties  any

	// ChangeCalendar documents (calendar.go): the parsed iCalendar.
	Calendar *ical.Calendar

	// Automation runbooks (automation_documents.go).
	Automation *AutomationContent
}

func (c *Content) Param(name string) *Param {
	for _, p := range c.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

type Param struct {
	Name           string
	Type           string
	Description    string
	Default        any
	HasDefault     bool
	AllowedValues  []string
	AllowedPattern string
	MinItems       *int
	MaxItems       *int
	MinChars       *int
	MaxChars       *int
}

// Step is one plugin run: a 2.2 mainSteps entry, or one properties
// entry of a 1.2 runtimeConfig plugin (named after the plugin).
type Step struct {
	Action       string
	Name         string
	Inputs       map[string]any
	Precondition map[string]any
}

// Plugins the agent knows (appconfig plugin names); the sandbox runs the
// first three and aws:runPatchBaseline (the patch area's), the others fail
// when run.
var knownPlugins = []string{
	"aws:runShellScript", "aws:runPowerShellScript", "aws:runDocument", RunPatchBaselinePlugin,
	"aws:applications", "aws:cloudWatch", "aws:configureDocker", "aws:configurePackage",
	"aws:domainJoin", "aws:downloadContent", "aws:psModule", "aws:refreshAssociation",
	"aws:runDockerAction", "aws:softwareInventory", "aws:updateAgent", "aws:updateSsmAgent",
}

// pluginPlatforms is where a plugin runs, as AWS reports it in the
// PlatformTypes of the AWS documents that use it: AWS-RunShellScript is
// [Linux, MacOS] and AWS-RunPowerShellScript [Windows, Linux] (DescribeDocument
// answers quoted in docs/sandbox-run-command.md).
func pluginPlatforms(action string) []string {
	switch action {
	case "aws:runShellScript":
		return []string{"Linux", "MacOS"}
	case "aws:runPowerShellScript":
		return []string{"Windows", "Linux"}
	}
	return []string{"Windows", "Linux", "MacOS"}
}

func (c *Content) PlatformTypes() []string {
	if c.SessionType != "" || c.Automation != nil {
		// Session documents run on every platform the agent supports,
		// and so do runbooks (AWS lists all three for them).
		return slices.Clone(protocol.PlatformTypes)
	}
	var out []string
	for _, plat := range protocol.PlatformTypes {
		for _, s := range c.Steps {
			if slices.Contains(pluginPlatforms(s.Action), plat) {
				out = append(out, plat)
				break
			}
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
