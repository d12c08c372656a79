package runcmd

import (
	"strings"

	"github.com/ssmctl/ssmctl/pkg/cmdline"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// given is what the request gives as its command, in whichever form.
func (r *Request) given() []string {
	switch {
	case len(r.Commands) > 0:
		return r.Commands
	case len(r.Args) > 0:
		return []string{strings.Join(r.Args, " ")}
	case r.Script != "":
		return []string{r.Script}
	}
	return nil
}

// commandLine is the command line Args or Script make for the document's
// shell: PowerShell for AWS-RunPowerShellScript (and for another document
// when every node is Windows), sh otherwise. Args follow pkg/cmdline's
// rule; a script with an interpreter line runs with that interpreter on
// sh (cmdline.Script). "" when neither is given.
func (r *Request) commandLine(document string, nodes []target.Node) string {
	sh := cmdline.Sh
	switch {
	case document == PowerShellDocument:
		sh = cmdline.PowerShell
	case document != ShellDocument && allWindows(nodes):
		sh = cmdline.PowerShell
	}
	switch {
	case len(r.Args) > 0:
		return cmdline.Join(r.Args, sh)
	case r.Script != "" && sh == cmdline.Sh:
		return cmdline.Script(r.Script)
	}
	return r.Script
}

func allWindows(nodes []target.Node) bool {
	for _, n := range nodes {
		if cmdline.For(n.PlatformType) != cmdline.PowerShell {
			return false
		}
	}
	return len(nodes) > 0
}
