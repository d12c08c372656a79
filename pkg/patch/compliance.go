package patch

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// State is a node's patch state after its last Scan or Install
// (InstancePatchState).
type State struct {
	NodeID                 string
	PatchGroup             string
	BaselineID             string
	Installed              int
	InstalledOther         int
	InstalledPendingReboot int
	InstalledRejected      int
	Missing                int
	Failed                 int
	NotApplicable          int
	CriticalNonCompliant   int
	SecurityNonCompliant   int
	OtherNonCompliant      int
	Operation              string // Scan or Install
	OperationEnd           time.Time
	RebootOption           string
}

// Compliant says whether the node has nothing missing, failed, rejected
// and installed, or waiting for a reboot, and no patch counted
// non-compliant (critical, security or other: "The status of these
// managed nodes is NON_COMPLIANT", InstancePatchState's documentation;
// e.g. a Windows security update not yet approved under a baseline whose
// AvailableSecurityUpdatesComplianceStatus is NON_COMPLIANT): what AWS
// reports COMPLIANT.
func (s State) Compliant() bool {
	return s.Missing == 0 && s.Failed == 0 && s.InstalledPendingReboot == 0 && s.InstalledRejected == 0 &&
		s.CriticalNonCompliant == 0 && s.SecurityNonCompliant == 0 && s.OtherNonCompliant == 0
}

// statesBatch is DescribeInstancePatchStates' InstanceIds limit (0..50).
const statesBatch = 50

// States reads the patch state of each node; a node never scanned has
// none (absent from the map).
func (c *Client) States(ctx context.Context, ids []string) (map[string]State, error) {
	out := map[string]State{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), statesBatch)]
		ids = ids[len(batch):]
		p := ssm.NewDescribeInstancePatchStatesPaginator(c.API, &ssm.DescribeInstancePatchStatesInput{InstanceIds: batch, MaxResults: aws.Int32(50)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range page.InstancePatchStates {
				out[aws.ToString(s.InstanceId)] = stateFrom(s)
			}
		}
	}
	return out, nil
}

func stateFrom(s types.InstancePatchState) State {
	n := func(p *int32) int { return int(aws.ToInt32(p)) }
	return State{
		NodeID: aws.ToString(s.InstanceId), PatchGroup: aws.ToString(s.PatchGroup), BaselineID: aws.ToString(s.BaselineId),
		Installed: int(s.InstalledCount), InstalledOther: int(s.InstalledOtherCount), InstalledPendingReboot: n(s.InstalledPendingRebootCount),
		InstalledRejected: n(s.InstalledRejectedCount), Missing: int(s.MissingCount), Failed: int(s.FailedCount),
		NotApplicable: int(s.NotApplicableCount), CriticalNonCompliant: n(s.CriticalNonCompliantCount),
		SecurityNonCompliant: n(s.SecurityNonCompliantCount), OtherNonCompliant: n(s.OtherNonCompliantCount),
		Operation: string(s.Operation), OperationEnd: aws.ToTime(s.OperationEndTime), RebootOption: string(s.RebootOption),
	}
}

// Patch is one patch on a node and its state (PatchComplianceData).
type Patch struct {
	KBID           string
	Title          string
	Classification string
	Severity       string
	State          string // as AWS spells it: INSTALLED, MISSING, ...
	InstalledTime  time.Time
	CVEs           string
}

// PatchStates are the states `patch list --state` takes, as the
// documentation of DescribeInstancePatches' State filter writes them.
var PatchStates = []string{"Installed", "InstalledOther", "InstalledPendingReboot", "InstalledRejected", "Missing", "NotApplicable", "Failed", "AvailableSecurityUpdate"}

// PatchFilter selects a node's patches ("" is any).
type PatchFilter struct {
	State, Severity, Classification string
}

// Patches lists a node's patches from its last operation.
func (c *Client) Patches(ctx context.Context, nodeID string, f PatchFilter) ([]Patch, error) {
	in := &ssm.DescribeInstancePatchesInput{InstanceId: aws.String(nodeID), MaxResults: aws.Int32(100),
		Filters: filters("State", f.State, "Severity", f.Severity, "Classification", f.Classification)}
	var out []Patch
	p := ssm.NewDescribeInstancePatchesPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range page.Patches {
			pt := Patch{KBID: aws.ToString(x.KBId), Title: aws.ToString(x.Title), Classification: aws.ToString(x.Classification),
				Severity: aws.ToString(x.Severity), State: string(x.State), CVEs: aws.ToString(x.CVEIds)}
			if t := aws.ToTime(x.InstalledTime); t.Unix() > 0 {
				pt.InstalledTime = t
			}
			out = append(out, pt)
		}
	}
	return out, nil
}

// StateLabel is a patch state as the documentation writes it
// (INSTALLED_PENDING_REBOOT -> InstalledPendingReboot).
func StateLabel(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(strings.ToLower(s), "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
