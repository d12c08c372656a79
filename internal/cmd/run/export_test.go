package run

// Internals the external tests of this package use.
var (
	RunRun  = runRun
	RunExit = runExit
)

// The views the external tests decode ssmctl's JSON into.
type (
	RunView        = runView
	CommandView    = commandView
	InvocationView = invocationView
)
