package run

import "github.com/ssmctl/ssmctl/internal/cmdutil"

// Internals the external tests of this package use.
var (
	RunRun  = runRun
	RunExit = cmdutil.RunExit
)

// The views the external tests decode ssmctl's JSON into.
type (
	RunView        = runView
	CommandView    = commandView
	InvocationView = invocationView
)
