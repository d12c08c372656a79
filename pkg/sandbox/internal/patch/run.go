package patch

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
)

// aws:runPatchBaseline, the plugin AWS-RunPatchBaseline's steps run on the
// sandbox's nodes.

// runPatchBaseline scans or installs on one node. Install installs the
// approved patches that are missing (or failed before): a patch the
// fleet file names in failPatches fails; the others are installed and
// pending a reboot until the node reboots, which RebootIfNeeded does once
// after installing (or when patches were already pending). The step then
// scans and records the operation. It fails (exit 1) when a patch failed;
// NoReboot with reboots owed succeeds, as AWS's does.
func (a *Area) runPatchBaseline(ctx context.Context, run commands.PluginRun) commands.PluginResult {
	fail := func(format string, args ...any) commands.PluginResult {
		return commands.PluginResult{Status: "Failed", Code: 1, Stderr: fmt.Sprintf(format, args...)}
	}
	in := func(k string) string { s, _ := run.Inputs[k].(string); return s }
	opName, reboot := in("Operation"), in("RebootOption")
	if reboot == "" {
		reboot = "RebootIfNeeded"
	}
	if opName != "Scan" && opName != "Install" {
		return fail("invalid Operation %q: want Scan or Install", opName)
	}
	if in("InstallOverrideList") != "" {
		return fail("InstallOverrideList %s: the sandbox does not fetch install override lists", in("InstallOverrideList"))
	}
	n, ok := a.nodes.Get(run.InstanceID)
	if !ok {
		return fail("node %s is not in the fleet", run.InstanceID)
	}
	osName := operatingSystem(n)
	var override *baseline
	if u := in("BaselineOverride"); u != "" {
		b, err := loadOverride(u, osName)
		if err != nil {
			return fail("BaselineOverride: %v", err)
		}
		override = b
	}
	start := a.h.Clock()
	group := patchGroup(n)

	var installed, failed []string
	var pending bool
	var baselineID string
	a.update(func(st *state) {
		ns := a.nodeStateLocked(st, n)
		b := a.baselineFor(st, override, group, osName)
		baselineID = b.ID
		if opName != "Install" {
			return
		}
		for _, p := range ns.Patches {
			if p.Installed {
				pending = pending || p.PendingReboot
				continue
			}
			if !b.approve(p, product(n), start).approved {
				continue
			}
			if slices.Contains(n.FailPatches, p.ID) {
				p.Failed = true
				failed = append(failed, p.ID)
				continue
			}
			p.Installed, p.Failed, p.PendingReboot, p.InstalledTime = true, false, true, a.h.Clock()
			installed = append(installed, p.ID)
		}
	})
	rebooted := false
	if opName == "Install" && reboot == "RebootIfNeeded" && (len(installed) > 0 || pending) {
		if err := run.Reboot(); err != nil {
			return fail("cancelled during reboot")
		}
		rebooted = true
	}
	var op operation
	err := a.mutate(func(st *state) error {
		ns := a.nodeStateLocked(st, n)
		b := a.baselineFor(st, override, group, osName)
		if rebooted {
			for _, p := range ns.Patches {
				p.PendingReboot = false
			}
		}
		end := a.h.Clock()
		op = operation{Operation: opName, Start: start, End: end, BaselineID: b.ID, PatchGroup: group,
			SnapshotID: in("SnapshotId"), InstallOverrideList: in("InstallOverrideList")}
		if opName == "Install" {
			op.RebootOption = reboot
		}
		if prev := ns.Last; prev != nil {
			op.LastNoRebootInstall = prev.LastNoRebootInstall
		}
		if opName == "Install" && reboot == "NoReboot" {
			op.LastNoRebootInstall = end
		}
		scan(ns, b, product(n), end, &op)
		ns.Last = &op
		return nil
	})
	if err != nil {
		return fail("%v", err)
	}
	out := summary(run.InstanceID, baselineID, &op, installed, failed, rebooted)
	if len(failed) > 0 {
		return commands.PluginResult{Status: "Failed", Code: 1, Stdout: out, Stderr: fmt.Sprintf("failed to install %d patches: %s", len(failed), strings.Join(failed, ", "))}
	}
	return commands.PluginResult{Status: "Success", Stdout: out}
}

// update changes the state under the lock without saving it (the
// operation's end saves it).
func (a *Area) update(fn func(st *state)) { a.sec.Update(func() { fn(a.st) }) }

// baselineFor is the baseline a node uses: the override, its patch
// group's, or its operating system's default.
func (a *Area) baselineFor(st *state, override *baseline, group, os string) *baseline {
	if override != nil {
		override.ID = a.baselineForGroup(st, group, os).ID
		return override
	}
	return a.baselineForGroup(st, group, os)
}

// product is the node's product for PRODUCT filters: its platform name
// and version.
func product(n *nodes.Node) string {
	return strings.TrimSpace(n.Platform.Name + " " + n.Platform.Version)
}

func summary(id, baselineID string, op *operation, installed, failed []string, rebooted bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Patch %s on %s with baseline %s\n", op.Operation, id, baselineID)
	if op.Operation == "Install" {
		fmt.Fprintf(&b, "Installed %d patches", len(installed))
		if len(installed) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(installed, ", "))
		}
		b.WriteString("\n")
		if len(failed) > 0 {
			fmt.Fprintf(&b, "Failed %d patches: %s\n", len(failed), strings.Join(failed, ", "))
		}
		switch {
		case rebooted:
			b.WriteString("Rebooted\n")
		case op.InstalledPendingReboot > 0:
			fmt.Fprintf(&b, "Reboot required (RebootOption %s)\n", op.RebootOption)
		}
	}
	fmt.Fprintf(&b, "Installed: %d, InstalledOther: %d, InstalledPendingReboot: %d, InstalledRejected: %d, Missing: %d, Failed: %d, NotApplicable: %d\n",
		op.Installed, op.InstalledOther, op.InstalledPendingReboot, op.InstalledRejected, op.Missing, op.Failed, op.NotApplicable)
	return b.String()
}

// overrideDoc is a baseline override: AWS's BaselineOverride JSON, a list
// of baselines (one per operating system) or a single one.
type overrideDoc struct {
	OperatingSystem string `json:"OperatingSystem"`
	baselineFields
}

// loadOverride reads a baseline override from a file:/// URL and returns
// the baseline for os.
func loadOverride(u, os string) (*baseline, error) {
	path, ok := strings.CutPrefix(u, "file://")
	if !ok {
		return nil, fmt.Errorf("%s: the sandbox reads file:/// URLs only (no S3, no HTTPS)", u)
	}
	raw, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var list []overrideDoc
	if err := json.Unmarshal(raw, &list); err != nil {
		var one overrideDoc
		if err2 := json.Unmarshal(raw, &one); err2 != nil {
			return nil, fmt.Errorf("%s is not a baseline override (JSON list of baselines): %v", path, err)
		}
		list = []overrideDoc{one}
	}
	for _, d := range list {
		if d.OperatingSystem == os {
			b := &baseline{OperatingSystem: os}
			b.apply(&d.baselineFields, true)
			b.Name = "BaselineOverride"
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s has no baseline for %s", path, os)
}

var readFile = os.ReadFile
