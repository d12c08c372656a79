package commands

// What other areas ask of Run Command: the automation area's aws:runCommand
// sends a command as SendCommand does (same validation, same agent, so node
// output and exit codes are real), follows it and cancels it.

// SendRequest is a SendCommand request from another area.
type SendRequest struct {
	DocumentName    string
	DocumentVersion string
	InstanceIDs     []string
	Targets         []Target
	Parameters      map[string][]string
	TimeoutSeconds  int
	Comment         string
	MaxConcurrency  string
	MaxErrors       string
}

// Target is a SendCommand target.
type Target struct {
	Key    string
	Values []string
}

// Send sends a command; the error is SendCommand's.
func (a *Area) Send(r SendRequest) (string, error) {
	in := &sendCommandInput{DocumentName: &r.DocumentName, InstanceIds: r.InstanceIDs, Parameters: r.Parameters}
	for _, t := range r.Targets {
		in.Targets = append(in.Targets, targetWire{Key: &t.Key, Values: t.Values})
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	in.DocumentVersion, in.Comment, in.MaxConcurrency, in.MaxErrors = opt(r.DocumentVersion), opt(r.Comment), opt(r.MaxConcurrency), opt(r.MaxErrors)
	if r.TimeoutSeconds > 0 {
		t := int32(r.TimeoutSeconds)
		in.TimeoutSeconds = &t
	}
	out, err := a.sendCommand(in)
	if err != nil {
		return "", err
	}
	return out.Command.CommandId, nil
}

// CommandResult is a command's state as GetCommandInvocation and
// ListCommands tell it.
type CommandResult struct {
	Status, StatusDetails string
	Done                  bool
	Invocations           []InvocationResult
}

// InvocationResult is the command on one node: its status, the response
// code and output of its last plugin that ran.
type InvocationResult struct {
	InstanceID   string
	Status       string
	ResponseCode int
	Output       string
}

// Result is a command's state; ok is false for an unknown command.
func (a *Area) Result(id string) (r CommandResult, ok bool) {
	a.view(func(st *state) {
		c := st.commandByID[id]
		if c == nil {
			return
		}
		ok = true
		r.Status, r.StatusDetails = c.status()
		r.Done = true
		for _, inv := range c.Invocations {
			if !inv.terminal() {
				r.Done = false
			}
			ir := InvocationResult{InstanceID: inv.InstanceID, Status: inv.Status, ResponseCode: -1}
			for _, p := range inv.Plugins {
				if !p.Start.IsZero() || p.ResponseCode >= 0 {
					ir.ResponseCode, ir.Output = p.ResponseCode, p.Stdout+p.Stderr
				}
			}
			r.Invocations = append(r.Invocations, ir)
		}
	})
	return r, ok
}

// Cancel cancels a command as CancelCommand does.
func (a *Area) Cancel(id string) error {
	_, err := a.cancelCommand(&cancelCommandInput{CommandId: &id})
	return err
}

// ResolveRate turns a MaxConcurrency (roundUp) or MaxErrors "N" or "N%"
// into a count of targets, as Run Command does; Automation's rate
// control resolves its own the same way.
func ResolveRate(spec string, targets int, roundUp bool) int {
	return resolveRate(spec, targets, roundUp)
}

// The model's patterns for MaxConcurrency, MaxErrors and a Target's Key,
// which StartAutomationExecution shares with SendCommand.
var (
	MaxConcurrencyPattern = maxConcurrencyPattern
	MaxErrorsPattern      = maxErrorsPattern
	TargetKeyPattern      = targetKeyPattern
)
