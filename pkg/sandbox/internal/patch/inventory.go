package patch

import (
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
)

// Each node's patch inventory: the fleet file's (nodes.Node.Patches) or
// one generated for its operating system, the same for every node of that
// system, with release dates counted back from when the area first sees
// the node. Installs change it; the state file keeps it.

// nodeState is what Patch Manager knows of a node.
type nodeState struct {
	Patches []*nodePatch `json:"patches"`
	Last    *operation   `json:"last,omitempty"`
	// Records are the patches' compliance states at the last operation.
	Records []record `json:"records,omitempty"`
}

// nodePatch is one patch on a node.
type nodePatch struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Classification string    `json:"classification"`
	Severity       string    `json:"severity"`
	CVEs           string    `json:"cves,omitempty"`
	Released       time.Time `json:"released"`
	Installed      bool      `json:"installed,omitempty"`
	InstalledTime  time.Time `json:"installedTime,omitzero"`
	PendingReboot  bool      `json:"pendingReboot,omitempty"`
	Failed         bool      `json:"failed,omitempty"`
}

// operatingSystem is a node's OperatingSystem for Patch Manager, from
// its platform name and version.
func operatingSystem(n *nodes.Node) string {
	name := strings.ToLower(n.Platform.Name)
	switch {
	case n.Platform.Type == "Windows":
		return "WINDOWS"
	case n.Platform.Type == "MacOS":
		return "MACOS"
	case strings.Contains(name, "amazon linux"):
		switch {
		case strings.HasPrefix(n.Platform.Version, "2023"):
			return "AMAZON_LINUX_2023"
		case strings.HasPrefix(n.Platform.Version, "2022"):
			return "AMAZON_LINUX_2022"
		case n.Platform.Version == "2" || strings.HasPrefix(n.Platform.Version, "2."):
			return "AMAZON_LINUX_2"
		}
		return "AMAZON_LINUX"
	case strings.Contains(name, "ubuntu"):
		return "UBUNTU"
	case strings.Contains(name, "debian"):
		return "DEBIAN"
	case strings.Contains(name, "raspbian"):
		return "RASPBIAN"
	case strings.Contains(name, "red hat"):
		return "REDHAT_ENTERPRISE_LINUX"
	case strings.Contains(name, "centos"):
		return "CENTOS"
	case strings.Contains(name, "suse"):
		return "SUSE"
	case strings.Contains(name, "oracle"):
		return "ORACLE_LINUX"
	case strings.Contains(name, "rocky"):
		return "ROCKY_LINUX"
	case strings.Contains(name, "alma"):
		return "ALMA_LINUX"
	}
	return "AMAZON_LINUX_2023"
}

// patchGroup is a node's patch group: its tag "Patch Group" or
// "PatchGroup" ("Patch groups", AWS Systems Manager User Guide).
func patchGroup(n *nodes.Node) string {
	if g, ok := n.Tags["Patch Group"]; ok {
		return g
	}
	return n.Tags["PatchGroup"]
}

// genPatch is one patch of a generated inventory.
type genPatch struct {
	id, title, class, sev string
	daysAgo               int
	installed             bool
}

// generated are the inventories per operating-system family. Against
// each family's predefined baseline they give: two or three approved
// patches missing, one installed, one installed that the baseline does
// not approve (InstalledOther), and a security update too recent to be
// approved (AvailableSecurityUpdate on Windows, unreported elsewhere) or
// one the baseline ignores.
var generated = map[string][]genPatch{
	"yum": {
		{"kernel.x86_64", "kernel.x86_64:0:6.1.115-126.197", "Security", "Critical", 21, false},
		{"openssl-libs.x86_64", "openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.18", "Security", "Important", 14, false},
		{"glibc.x86_64", "glibc.x86_64:0:2.34-117.amzn2023.0.1", "Bugfix", "Medium", 30, false},
		{"curl.x86_64", "curl.x86_64:0:8.5.0-1.amzn2023.0.5", "Security", "Important", 2, false},
		{"bash.x86_64", "bash.x86_64:0:5.2.15-1.amzn2023.0.2", "Security", "Medium", 40, true},
		{"tzdata.noarch", "tzdata.noarch:0:2024b-1.amzn2023.0.1", "Bugfix", "Low", 60, true},
		{"vim-minimal.x86_64", "vim-minimal.x86_64:2:9.1.083-1.amzn2023.0.1", "Enhancement", "Low", 20, false},
	},
	"apt": {
		{"linux-image-generic", "linux-image-generic:6.8.0-51.52", "Security", "Important", 10, false},
		{"openssl", "openssl:3.0.13-0ubuntu3.4", "Security", "Required", 5, false},
		{"libc6", "libc6:2.39-0ubuntu8.3", "Security", "Standard", 30, true},
		{"vim", "vim:2:9.1.0016-1ubuntu7.5", "", "Optional", 20, false},
		{"ubuntu-advantage-tools", "ubuntu-advantage-tools:32.3.1", "", "Extra", 15, true},
	},
	"windows": {
		{"KB5048654", "Cumulative Update for Windows Server (KB5048654)", "SecurityUpdates", "Critical", 21, false},
		{"KB5049617", "Security Update for .NET Framework (KB5049617)", "SecurityUpdates", "Important", 14, false},
		{"KB5050009", "Servicing Stack Update (KB5050009)", "CriticalUpdates", "Critical", 3, false},
		{"KB5046540", "Update for Windows Defender (KB5046540)", "Updates", "Moderate", 30, true},
		{"KB5044281", "Security Update (KB5044281)", "SecurityUpdates", "Important", 60, true},
	},
	"macos": {
		{"macOS-Sonoma-14.7.2", "macOS Sonoma 14.7.2", "Security", "", 14, false},
		{"Safari-18.2", "Safari 18.2", "Security", "", 21, false},
		{"XProtect-5284", "XProtectPlistConfigData 5284", "Security", "", 40, true},
	},
}

func family(os string) string {
	switch os {
	case "WINDOWS":
		return "windows"
	case "MACOS":
		return "macos"
	case "UBUNTU", "DEBIAN", "RASPBIAN":
		return "apt"
	}
	return "yum"
}

// inventory is a node's patch inventory when the area first sees it.
func inventory(n *nodes.Node, now time.Time) []*nodePatch {
	day := now.UTC().Truncate(24 * time.Hour)
	var out []*nodePatch
	if len(n.Patches) > 0 {
		for _, p := range n.Patches {
			np := &nodePatch{ID: p.ID, Title: p.Title, Classification: p.Classification, Severity: p.Severity, CVEs: p.CVEs,
				Released: p.ReleaseDate(day), Installed: p.Installed}
			if np.Title == "" {
				np.Title = p.ID
			}
			out = append(out, np)
		}
	} else {
		for _, g := range generated[family(operatingSystem(n))] {
			out = append(out, &nodePatch{ID: g.id, Title: g.title, Classification: g.class, Severity: g.sev,
				Released: day.AddDate(0, 0, -g.daysAgo), Installed: g.installed})
		}
	}
	for _, p := range out {
		if p.Installed {
			p.InstalledTime = p.Released.AddDate(0, 0, 1)
		}
	}
	return out
}

// nodeStateLocked is a node's state, made on first use; st is locked.
func (a *Area) nodeStateLocked(st *state, n *nodes.Node) *nodeState {
	ns := st.Nodes[n.ID]
	if ns == nil {
		ns = &nodeState{Patches: inventory(n, a.h.Clock())}
		st.Nodes[n.ID] = ns
	}
	return ns
}
