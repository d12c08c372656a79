package patch

import (
	"slices"
	"testing"
	"time"
)

// The approval rules against release dates, the lists, and the counts a
// scan records.
func TestApprove(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return time.Date(2026, 3, 10-n, 23, 59, 0, 0, time.UTC) }
	seven := int32(7)
	b := &baseline{
		OperatingSystem: "WINDOWS",
		ApprovalRules: &ruleGroup{PatchRules: []rule{
			{ApproveAfterDays: &seven, ComplianceLevel: "CRITICAL", PatchFilterGroup: filterGroup{PatchFilters: []patchFilter{
				{Key: "CLASSIFICATION", Values: []string{"Security"}}, {Key: "SEVERITY", Values: []string{"critical"}}}}},
			{ApproveUntilDate: "2026-01-31", ComplianceLevel: "LOW", PatchFilterGroup: filterGroup{PatchFilters: []patchFilter{
				{Key: "CLASSIFICATION", Values: []string{"Bugfix"}}}}},
		}},
		ApprovedPatches: []string{"listed"}, ApprovedPatchesComplianceLevel: "HIGH",
		RejectedPatches: []string{"rejected"},
	}
	for _, tc := range []struct {
		p     nodePatch
		ok    bool
		level string
	}{
		// Seven whole UTC days after release, whatever the hour.
		{nodePatch{ID: "a", Classification: "Security", Severity: "Critical", Released: day(7)}, true, "CRITICAL"},
		{nodePatch{ID: "b", Classification: "Security", Severity: "Critical", Released: day(6)}, false, ""},
		{nodePatch{ID: "c", Classification: "Security", Severity: "Medium", Released: day(30)}, false, ""},
		{nodePatch{ID: "d", Classification: "Bugfix", Released: time.Date(2026, 1, 31, 22, 0, 0, 0, time.UTC)}, true, "LOW"},
		{nodePatch{ID: "e", Classification: "Bugfix", Released: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, false, ""},
		{nodePatch{ID: "listed", Classification: "Enhancement", Released: day(0)}, true, "HIGH"},
		{nodePatch{ID: "rejected", Classification: "Security", Severity: "Critical", Released: day(30)}, false, ""},
	} {
		ap := b.approve(&tc.p, "Amazon Linux 2023", now)
		if ap.approved != tc.ok || ap.level != tc.level {
			t.Errorf("%s: approved %v level %q, want %v %q", tc.p.ID, ap.approved, ap.level, tc.ok, tc.level)
		}
	}

	// A scan's states and counts.
	ns := &nodeState{Patches: []*nodePatch{
		{ID: "a", Classification: "Security", Severity: "Critical", Released: day(7)},                            // missing, critical
		{ID: "b", Classification: "Security", Severity: "Critical", Released: day(6)},                            // available security update
		{ID: "listed", Classification: "Enhancement", Released: day(9), Installed: true, PendingReboot: true},    // pending reboot, other
		{ID: "rejected", Classification: "Security", Severity: "Critical", Released: day(30), Installed: true},   // installed other (ALLOW_AS_DEPENDENCY)
		{ID: "c", Classification: "Security", Severity: "Medium", Released: day(30), Installed: true},            // installed other
		{ID: "d", Classification: "Bugfix", Released: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Failed: true}, // failed, other
		{ID: "z", Classification: "Enhancement", Released: day(30)},                                              // not reported
	}}
	var op operation
	scan(ns, b, "Amazon Linux 2023", now, &op)
	if op.Missing != 1 || op.AvailableSecurityUpdate != 1 || op.InstalledPendingReboot != 1 || op.InstalledOther != 2 || op.Failed != 1 ||
		op.CriticalNonCompliant != 1 || op.SecurityNonCompliant != 0 || op.OtherNonCompliant != 2 || len(ns.Records) != 6 {
		t.Errorf("scan: %+v, %d records", op, len(ns.Records))
	}
	// AvailableSecurityUpdate is Windows' only: on Linux the security
	// patch too recent to be approved is not reported.
	b.OperatingSystem = "AMAZON_LINUX_2023"
	op = operation{}
	scan(ns, b, "Amazon Linux 2023", now, &op)
	if op.AvailableSecurityUpdate != 0 || op.Missing != 1 || len(ns.Records) != 5 || slices.ContainsFunc(ns.Records, func(r record) bool { return r.ID == "b" }) {
		t.Errorf("Linux: %+v, %d records", op, len(ns.Records))
	}
	b.OperatingSystem = "WINDOWS"

	// BLOCK makes an installed rejected patch InstalledRejected.
	b.RejectedPatchesAction = "BLOCK"
	op = operation{}
	scan(ns, b, "Amazon Linux 2023", now, &op)
	if op.InstalledRejected != 1 || op.InstalledOther != 1 || op.SecurityNonCompliant != 1 {
		t.Errorf("BLOCK: %+v", op)
	}
}
