package root

// Internals the external tests of this package call.
var (
	PrintError   = printError
	IsPluginName = isPluginName
)
