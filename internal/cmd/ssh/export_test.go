package ssh

// SSHRun is sshRun, for tests that replace Options.Exec.
var SSHRun = sshRun
