package patch

import (
	"slices"
	"strings"
	"time"
)

// Scan: applying a baseline to a node's patches ("How security patches
// are selected" and "Patch compliance state values", AWS Systems Manager
// User Guide).

// Compliance states (PatchComplianceDataState).
const (
	stInstalled         = "INSTALLED"
	stInstalledOther    = "INSTALLED_OTHER"
	stPendingReboot     = "INSTALLED_PENDING_REBOOT"
	stInstalledRejected = "INSTALLED_REJECTED"
	stMissing           = "MISSING"
	stNotApplicable     = "NOT_APPLICABLE"
	stFailed            = "FAILED"
	stAvailableSecurity = "AVAILABLE_SECURITY_UPDATE"
)

// record is one patch's compliance at the last operation.
type record struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	Classification  string    `json:"classification"`
	Severity        string    `json:"severity"`
	State           string    `json:"state"`
	InstalledTime   time.Time `json:"installedTime,omitzero"`
	CVEs            string    `json:"cves,omitempty"`
	ComplianceLevel string    `json:"complianceLevel,omitempty"`
}

// operation is a node's last Scan or Install and its counts
// (InstancePatchState).
type operation struct {
	Operation               string    `json:"operation"`
	Start                   time.Time `json:"start"`
	End                     time.Time `json:"end"`
	BaselineID              string    `json:"baselineId"`
	PatchGroup              string    `json:"patchGroup"`
	RebootOption            string    `json:"rebootOption,omitempty"`
	SnapshotID              string    `json:"snapshotId,omitempty"`
	InstallOverrideList     string    `json:"installOverrideList,omitempty"`
	LastNoRebootInstall     time.Time `json:"lastNoRebootInstall,omitzero"`
	Installed               int       `json:"installed"`
	InstalledOther          int       `json:"installedOther"`
	InstalledPendingReboot  int       `json:"installedPendingReboot"`
	InstalledRejected       int       `json:"installedRejected"`
	Missing                 int       `json:"missing"`
	Failed                  int       `json:"failed"`
	NotApplicable           int       `json:"notApplicable"`
	AvailableSecurityUpdate int       `json:"availableSecurityUpdate"`
	CriticalNonCompliant    int       `json:"criticalNonCompliant"`
	SecurityNonCompliant    int       `json:"securityNonCompliant"`
	OtherNonCompliant       int       `json:"otherNonCompliant"`
}

// approval is what a baseline says of one patch.
type approval struct {
	approved, rejected bool
	level              string // compliance level of an approved patch
}

// approve evaluates b for p on day now: the explicit lists first, then the
// global filters and the approval rules, each rule's release-date delay
// counted in whole UTC days.
func (b *baseline) approve(p *nodePatch, product string, now time.Time) approval {
	var ap approval
	if slices.Contains(b.RejectedPatches, p.ID) {
		ap.rejected = true
		return ap
	}
	if slices.Contains(b.ApprovedPatches, p.ID) {
		ap.approved, ap.level = true, b.ApprovedPatchesComplianceLevel
		return ap
	}
	if b.GlobalFilters != nil && !matchesGroup(b.GlobalFilters, p, product) {
		return ap
	}
	if b.ApprovalRules == nil {
		return ap
	}
	today := now.UTC().Truncate(24 * time.Hour)
	for _, r := range b.ApprovalRules.PatchRules {
		if !matchesGroup(&r.PatchFilterGroup, p, product) {
			continue
		}
		released := p.Released.UTC().Truncate(24 * time.Hour)
		switch {
		case r.ApproveAfterDays != nil:
			if released.AddDate(0, 0, int(*r.ApproveAfterDays)).After(today) {
				continue
			}
		case r.ApproveUntilDate != "":
			until, _ := time.Parse(time.DateOnly, r.ApproveUntilDate)
			if released.After(until) {
				continue
			}
		}
		ap.approved, ap.level = true, r.ComplianceLevel
		return ap
	}
	return ap
}

// matchesGroup: every filter of the group matches. Values match the
// patch's attribute exactly (case-insensitively) or are "*";
// CLASSIFICATION reads the classification, SEVERITY, MSRC_SEVERITY and
// PRIORITY the severity, PATCH_ID and NAME the ID, PRODUCT and
// PRODUCT_FAMILY the node's product; other keys match any patch.
func matchesGroup(g *filterGroup, p *nodePatch, product string) bool {
	for _, f := range g.PatchFilters {
		var attr string
		switch f.Key {
		case "CLASSIFICATION":
			attr = p.Classification
		case "SEVERITY", "MSRC_SEVERITY", "PRIORITY":
			attr = p.Severity
		case "PATCH_ID", "NAME":
			attr = p.ID
		case "PRODUCT", "PRODUCT_FAMILY":
			attr = product
		default:
			continue
		}
		ok := false
		for _, v := range f.Values {
			if v == "*" || strings.EqualFold(v, attr) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func isSecurity(p *nodePatch) bool {
	return strings.EqualFold(p.Classification, "Security") || strings.EqualFold(p.Classification, "SecurityUpdates")
}

// scan records each patch's state under baseline b and returns the
// counts; op gets them.
func scan(ns *nodeState, b *baseline, product string, now time.Time, op *operation) {
	ns.Records = nil
	for _, p := range ns.Patches {
		ap := b.approve(p, product, now)
		r := record{ID: p.ID, Title: p.Title, Classification: p.Classification, Severity: p.Severity, CVEs: p.CVEs, ComplianceLevel: ap.level}
		switch {
		case p.Installed && ap.rejected:
			r.State = stInstalledRejected
			if b.RejectedPatchesAction != "BLOCK" {
				r.State = stInstalledOther
			}
		case p.Installed && p.PendingReboot:
			r.State = stPendingReboot
		case p.Installed && ap.approved:
			r.State = stInstalled
		case p.Installed:
			r.State = stInstalledOther
		case ap.approved && p.Failed:
			r.State = stFailed
		case ap.approved:
			r.State = stMissing
		case isSecurity(p) && !ap.rejected && b.OperatingSystem == "WINDOWS":
			// "Applies to Windows Server managed nodes only" (the
			// model's AvailableSecurityUpdateCount); elsewhere such a
			// patch is not reported.
			r.State = stAvailableSecurity
		default:
			continue // neither installed nor approved: not reported
		}
		if p.Installed {
			r.InstalledTime = p.InstalledTime
		}
		ns.Records = append(ns.Records, r)
		count(op, r, p, b)
	}
}

func count(op *operation, r record, p *nodePatch, b *baseline) {
	nonCompliant := false
	switch r.State {
	case stInstalled:
		op.Installed++
	case stInstalledOther:
		op.InstalledOther++
	case stPendingReboot:
		op.InstalledPendingReboot++
		nonCompliant = true
	case stInstalledRejected:
		op.InstalledRejected++
		nonCompliant = true
	case stMissing:
		op.Missing++
		nonCompliant = true
	case stFailed:
		op.Failed++
		nonCompliant = true
	case stNotApplicable:
		op.NotApplicable++
	case stAvailableSecurity:
		op.AvailableSecurityUpdate++
		nonCompliant = b.AvailableSecurityUpdatesComplianceStatus == "NON_COMPLIANT"
	}
	if !nonCompliant {
		return
	}
	switch {
	case r.ComplianceLevel == "CRITICAL":
		op.CriticalNonCompliant++
	case isSecurity(p):
		op.SecurityNonCompliant++
	default:
		op.OtherNonCompliant++
	}
}
