// Package patch is `ssmctl patch`: Patch Manager's baselines and patch
// groups, the fleet's patch compliance, a node's patches, and scan and
// install with AWS-RunPatchBaseline, sent and waited for as `run` does.
package patch

import (
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
)

// NewCmdPatch is the `ssmctl patch` group.
func NewCmdPatch(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patch",
		Short: "Check patch compliance and install patches with Patch Manager",
		Long: `Answer "which nodes are missing patches?" and patch a fleet with
AWS-RunPatchBaseline.

baselines, baseline show and groups show what decides which patches a node
gets; compliance shows each node's patch state after its last scan or
install, and a fleet summary (--fail-on-noncompliant makes it a CI gate);
list shows one node's patches. scan and install run AWS-RunPatchBaseline
through Run Command exactly as 'ssmctl run' does (live results, Ctrl-C,
exit codes), then print the refreshed compliance of the nodes. After an
install with --reboot NoReboot, nodes left with patches pending a reboot
make ssmctl exit 194 (3010 on Windows).`,
		Example: `  # Which nodes are missing patches?
  ssmctl patch compliance

  # Scan production, then install without rebooting
  ssmctl patch scan tag:Env=prod
  ssmctl patch install tag:Env=prod --reboot NoReboot --max-concurrency 10%

  # A CI gate
  ssmctl patch compliance tag:Role=web --fail-on-noncompliant`,
	}
	cmd.AddCommand(NewCmdBaselines(f, nil), NewCmdBaseline(f), NewCmdGroups(f, nil), NewCmdCompliance(f, nil),
		NewCmdList(f, nil), NewCmdScan(f, nil), NewCmdInstall(f, nil))
	return cmd
}

// baselineView is a baseline as `patch baselines` prints it. The JSON
// names are a stable contract (docs/patch.md).
type baselineView struct {
	ID              string `json:"baselineId"`
	Name            string `json:"name"`
	OperatingSystem string `json:"operatingSystem"`
	Owner           string `json:"owner"`
	Default         bool   `json:"default"`
	Description     string `json:"description,omitempty"`
}

func newBaselineView(b patch.Baseline) baselineView {
	return baselineView{ID: b.ID, Name: b.Name, OperatingSystem: b.OperatingSystem, Owner: b.Owner, Default: b.Default, Description: b.Description}
}

// ruleView is an approval rule.
type ruleView struct {
	Filters          map[string][]string `json:"filters"`
	ApproveAfterDays *int32              `json:"approveAfterDays,omitempty"`
	ApproveUntilDate string              `json:"approveUntilDate,omitempty"`
	ComplianceLevel  string              `json:"complianceLevel,omitempty"`
	EnableNonSecure  bool                `json:"enableNonSecurity"`
}

// baselineDetailView is what `patch baseline show` prints.
type baselineDetailView struct {
	baselineView
	GlobalFilters                  map[string][]string `json:"globalFilters"`
	Rules                          []ruleView          `json:"approvalRules"`
	ApprovedPatches                []string            `json:"approvedPatches"`
	ApprovedPatchesComplianceLevel string              `json:"approvedPatchesComplianceLevel,omitempty"`
	RejectedPatches                []string            `json:"rejectedPatches"`
	RejectedPatchesAction          string              `json:"rejectedPatchesAction,omitempty"`
	PatchGroups                    []string            `json:"patchGroups"`
	Created                        *output.Time        `json:"created,omitempty"`
	Modified                       *output.Time        `json:"modified,omitempty"`
}

// groupView is a patch group and its baseline.
type groupView struct {
	PatchGroup string       `json:"patchGroup"`
	Baseline   baselineView `json:"baseline"`
}

// nodeComplianceView is one node's row of `patch compliance`.
type nodeComplianceView struct {
	NodeID                 string       `json:"nodeId"`
	Name                   string       `json:"name"`
	Status                 string       `json:"status"` // COMPLIANT, NON_COMPLIANT, NOT_SCANNED
	PatchGroup             string       `json:"patchGroup,omitempty"`
	BaselineID             string       `json:"baselineId,omitempty"`
	Baseline               string       `json:"baseline,omitempty"`
	Installed              int          `json:"installed"`
	InstalledOther         int          `json:"installedOther"`
	InstalledPendingReboot int          `json:"installedPendingReboot"`
	InstalledRejected      int          `json:"installedRejected"`
	Missing                int          `json:"missing"`
	Failed                 int          `json:"failed"`
	NotApplicable          int          `json:"notApplicable"`
	CriticalNonCompliant   int          `json:"criticalNonCompliant"`
	SecurityNonCompliant   int          `json:"securityNonCompliant"`
	LastOperation          string       `json:"lastOperation,omitempty"`
	LastOperationTime      *output.Time `json:"lastOperationTime,omitempty"`
}

// summaryView is the fleet summary.
type summaryView struct {
	Compliant    int `json:"compliant"`
	NonCompliant int `json:"nonCompliant"`
	NeverScanned int `json:"neverScanned"`
}

// complianceView is what `patch compliance` prints.
type complianceView struct {
	Nodes   []nodeComplianceView `json:"nodes"`
	Summary summaryView          `json:"summary"`
}

// patchView is one patch of `patch list`.
type patchView struct {
	KBID           string       `json:"kbId"`
	Title          string       `json:"title"`
	Classification string       `json:"classification"`
	Severity       string       `json:"severity"`
	State          string       `json:"state"`
	InstalledTime  *output.Time `json:"installedTime,omitempty"`
	CVEs           string       `json:"cveIds,omitempty"`
}
