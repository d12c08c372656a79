package session

import (
	"io"

	pluginsession "github.com/aws/session-manager-plugin/src/sessionmanagerplugin/session"
	// The plugin's session kinds register themselves with its session
	// package.
	_ "github.com/aws/session-manager-plugin/src/sessionmanagerplugin/session/portsession"
	_ "github.com/aws/session-manager-plugin/src/sessionmanagerplugin/session/shellsession"
)

// PluginName is the name under which ssmctl behaves as the official
// session-manager-plugin binary.
const PluginName = "session-manager-plugin"

// RunPlugin is the official plugin's main: the argv contract the AWS CLI
// uses (response JSON or the name of an AWS_SSM_START_SESSION_RESPONSE*
// variable, region, "StartSession", profile, request JSON, endpoint). It is
// only for a process that is the plugin: the plugin's session handlers own
// the signals and end the process with os.Exit(0). Like the plugin, it
// returns 0 whatever happened.
func RunPlugin(args []string, out io.Writer) int {
	pluginsession.ValidateInputAndStartSession(args, out)
	return 0
}
