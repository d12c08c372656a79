package secret

// ExecProcess lets the external tests capture exec's call.
var ExecProcess = &execProcess
