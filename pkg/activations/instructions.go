package activations

import (
	"strings"

	"github.com/ssmctl/ssmctl/pkg/cmdline"
)

// Install is one way to install the agent and register a node: a title
// and the lines to paste, as AWS's hybrid set-up documentation gives them
// ("Install SSM Agent on hybrid Linux nodes", "... Windows Server nodes").
type Install struct {
	Title string
	Shell string // sh or powershell
	Lines []string
}

// Secret is how instructions name the code when it is not printed (it
// went to a file): the variable the code file sets.
const Secret = `$ACTIVATION_CODE`

// Instructions are the registration commands for an activation, with the
// region filled in. code may be Secret, for a code kept in a file.
func Instructions(id, code, region string) []Install {
	sh := func(w string) string { return cmdline.Quote(w, cmdline.Sh) }
	// A PowerShell assignment needs a quoted string, plain or not.
	ps := func(w string) string { return "'" + strings.ReplaceAll(w, "'", "''") + "'" }
	q := func(s string) string {
		if s == Secret {
			return `"` + s + `"`
		}
		return sh(s)
	}
	register := "-register -code " + q(code) + " -id " + sh(id) + " -region " + sh(region)
	bucket := "https://amazon-ssm-" + region + ".s3." + region + ".amazonaws.com/latest"
	psCode := ps(code)
	if code == Secret {
		psCode = `'<ACTIVATION_CODE from the code file>'`
	}
	return []Install{
		{Title: "Linux, deb (Debian, Ubuntu)", Shell: "sh", Lines: []string{
			"mkdir -p /tmp/ssm",
			"curl -fsSL " + bucket + "/debian_amd64/amazon-ssm-agent.deb -o /tmp/ssm/amazon-ssm-agent.deb",
			"sudo dpkg -i /tmp/ssm/amazon-ssm-agent.deb",
			"sudo systemctl stop amazon-ssm-agent",
			"sudo -E amazon-ssm-agent " + register,
			"sudo systemctl restart amazon-ssm-agent",
		}},
		{Title: "Linux, rpm (Amazon Linux, RHEL, Rocky, SUSE)", Shell: "sh", Lines: []string{
			"sudo dnf install -y " + bucket + "/linux_amd64/amazon-ssm-agent.rpm",
			"sudo systemctl stop amazon-ssm-agent",
			"sudo -E amazon-ssm-agent " + register,
			"sudo systemctl restart amazon-ssm-agent",
		}},
		{Title: "Linux, snap (Ubuntu)", Shell: "sh", Lines: []string{
			"sudo snap install amazon-ssm-agent --classic",
			"sudo systemctl stop snap.amazon-ssm-agent.amazon-ssm-agent.service",
			"sudo /snap/amazon-ssm-agent/current/amazon-ssm-agent " + register,
			"sudo systemctl restart snap.amazon-ssm-agent.amazon-ssm-agent.service",
		}},
		{Title: "Windows (PowerShell as Administrator)", Shell: "powershell", Lines: []string{
			"$code = " + psCode,
			"$id = " + ps(id),
			"$region = " + ps(region),
			`$dir = $env:TEMP + "\ssm"`,
			"New-Item -ItemType directory -Path $dir -Force | Out-Null",
			`(New-Object System.Net.WebClient).DownloadFile("https://amazon-ssm-$region.s3.$region.amazonaws.com/latest/windows_amd64/AmazonSSMAgentSetup.exe", "$dir\AmazonSSMAgentSetup.exe")`,
			`Start-Process "$dir\AmazonSSMAgentSetup.exe" -ArgumentList @("/q", "/log", "$dir\install.log", "CODE=$code", "ID=$id", "REGION=$region") -Wait`,
			"Restart-Service AmazonSSMAgent",
			`Get-Content ($env:ProgramData + "\Amazon\SSM\InstanceData\registration")`,
		}},
	}
}
