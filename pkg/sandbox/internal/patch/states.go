package patch

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Patch states: DescribeInstancePatchStates,
// DescribeInstancePatchStatesForPatchGroup and DescribeInstancePatches.
// A node never scanned has no patch state.

type instancePatchState struct {
	InstanceId                       string              `json:"InstanceId"`
	PatchGroup                       string              `json:"PatchGroup"`
	BaselineId                       string              `json:"BaselineId"`
	SnapshotId                       string              `json:"SnapshotId,omitempty"`
	InstallOverrideList              string              `json:"InstallOverrideList,omitempty"`
	InstalledCount                   int                 `json:"InstalledCount"`
	InstalledOtherCount              int                 `json:"InstalledOtherCount"`
	InstalledPendingRebootCount      int                 `json:"InstalledPendingRebootCount"`
	InstalledRejectedCount           int                 `json:"InstalledRejectedCount"`
	MissingCount                     int                 `json:"MissingCount"`
	FailedCount                      int                 `json:"FailedCount"`
	UnreportedNotApplicableCount     int                 `json:"UnreportedNotApplicableCount"`
	NotApplicableCount               int                 `json:"NotApplicableCount"`
	AvailableSecurityUpdateCount     int                 `json:"AvailableSecurityUpdateCount"`
	OperationStartTime               *protocol.EpochTime `json:"OperationStartTime"`
	OperationEndTime                 *protocol.EpochTime `json:"OperationEndTime"`
	Operation                        string              `json:"Operation"`
	LastNoRebootInstallOperationTime *protocol.EpochTime `json:"LastNoRebootInstallOperationTime,omitempty"`
	RebootOption                     string              `json:"RebootOption,omitempty"`
	CriticalNonCompliantCount        int                 `json:"CriticalNonCompliantCount"`
	SecurityNonCompliantCount        int                 `json:"SecurityNonCompliantCount"`
	OtherNonCompliantCount           int                 `json:"OtherNonCompliantCount"`
}

type describeInstancePatchStatesInput struct {
	InstanceIds []string `json:"InstanceIds"`
	MaxResults  *int32   `json:"MaxResults"`
	NextToken   *string  `json:"NextToken"`
}

type instancePatchStatesOutput struct {
	InstancePatchStates []instancePatchState `json:"InstancePatchStates"`
	NextToken           string               `json:"NextToken,omitempty"`
}

type stateFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
	Type   *string  `json:"Type"`
}

type statesForGroupInput struct {
	PatchGroup *string       `json:"PatchGroup"`
	Filters    []stateFilter `json:"Filters"`
	MaxResults *int32        `json:"MaxResults"`
	NextToken  *string       `json:"NextToken"`
}

type describeInstancePatchesInput struct {
	InstanceId *string              `json:"InstanceId"`
	Filters    []orchestratorFilter `json:"Filters"`
	MaxResults *int32               `json:"MaxResults"`
	NextToken  *string              `json:"NextToken"`
}

type patchComplianceData struct {
	Title          string              `json:"Title"`
	KBId           string              `json:"KBId"`
	Classification string              `json:"Classification"`
	Severity       string              `json:"Severity"`
	State          string              `json:"State"`
	InstalledTime  *protocol.EpochTime `json:"InstalledTime"`
	CVEIds         string              `json:"CVEIds,omitempty"`
}

type describeInstancePatchesOutput struct {
	Patches   []patchComplianceData `json:"Patches"`
	NextToken string                `json:"NextToken,omitempty"`
}

// instanceIDPattern is the model's InstanceId pattern.
var instanceIDPattern = lazyre.New(`(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)`)

// defaultStatesPage is the page when MaxResults is missing: the model's
// PatchComplianceMaxResults is 10..100 with no default; the sandbox
// answers 50.
const defaultStatesPage = 50

var (
	stateFilterKeys  = []string{"InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount", "MissingCount", "FailedCount", "UnreportedNotApplicableCount", "NotApplicableCount"}
	stateFilterTypes = []string{"Equal", "NotEqual", "LessThan", "GreaterThan"}
	patchFilterKeys  = []string{"Classification", "KBId", "Severity", "State"}
)

func errInvalidFilter(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidFilter", "%s", msg)
}

func stateWire(id string, op *operation) instancePatchState {
	return instancePatchState{
		InstanceId: id, PatchGroup: op.PatchGroup, BaselineId: op.BaselineID,
		SnapshotId: op.SnapshotID, InstallOverrideList: op.InstallOverrideList,
		InstalledCount: op.Installed, InstalledOtherCount: op.InstalledOther, InstalledPendingRebootCount: op.InstalledPendingReboot,
		InstalledRejectedCount: op.InstalledRejected, MissingCount: op.Missing, FailedCount: op.Failed,
		NotApplicableCount: op.NotApplicable, AvailableSecurityUpdateCount: op.AvailableSecurityUpdate,
		OperationStartTime: protocol.Epoch(op.Start), OperationEndTime: protocol.Epoch(op.End), Operation: op.Operation,
		LastNoRebootInstallOperationTime: protocol.Epoch(op.LastNoRebootInstall), RebootOption: op.RebootOption,
		CriticalNonCompliantCount: op.CriticalNonCompliant, SecurityNonCompliantCount: op.SecurityNonCompliant, OtherNonCompliantCount: op.OtherNonCompliant,
	}
}

func (op *operation) countOf(key string) int {
	switch key {
	case "InstalledCount":
		return op.Installed
	case "InstalledOtherCount":
		return op.InstalledOther
	case "InstalledPendingRebootCount":
		return op.InstalledPendingReboot
	case "InstalledRejectedCount":
		return op.InstalledRejected
	case "MissingCount":
		return op.Missing
	case "FailedCount":
		return op.Failed
	case "NotApplicableCount":
		return op.NotApplicable
	}
	return 0 // UnreportedNotApplicableCount: the sandbox has none
}

type idState struct {
	id string
	op *operation
}

func pageSize(n *int32) int {
	if n == nil {
		return defaultStatesPage
	}
	return int(*n)
}

// page answers the page of list that token points at.
func (out *instancePatchStatesOutput) page(list []idState, token *string, fp uint64, size *int32) error {
	var ok bool
	out.InstancePatchStates, out.NextToken, ok = protocol.PageOf(list, protocol.Deref(token), fp, pageSize(size), func(s idState) instancePatchState { return stateWire(s.id, s.op) })
	if !ok {
		return protocol.ErrInvalidNextToken()
	}
	if out.InstancePatchStates == nil {
		out.InstancePatchStates = []instancePatchState{}
	}
	return nil
}

func (a *Area) describeInstancePatchStates(in *describeInstancePatchStatesInput) (*instancePatchStatesOutput, error) {
	var v protocol.Validator
	if v.Required("instanceIds", in.InstanceIds != nil) {
		v.Count("instanceIds", len(in.InstanceIds), 0, 50)
		for _, id := range in.InstanceIds {
			v.Pattern("instanceIds.member", id, instanceIDPattern)
		}
	}
	v.IntRange("maxResults", in.MaxResults, 10, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	fp := protocol.PageFingerprint("DescribeInstancePatchStates", in.InstanceIds)
	var out instancePatchStatesOutput
	var err error
	a.view(func(st *state) {
		var list []idState
		seen := map[string]bool{}
		for _, id := range in.InstanceIds {
			if ns := st.Nodes[id]; ns != nil && ns.Last != nil && !seen[id] {
				seen[id] = true
				list = append(list, idState{id, ns.Last})
			}
		}
		err = out.page(list, in.NextToken, fp, in.MaxResults)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) describeInstancePatchStatesForPatchGroup(in *statesForGroupInput) (*instancePatchStatesOutput, error) {
	var v protocol.Validator
	validatePatchGroup(&v, in.PatchGroup)
	v.Count("filters", len(in.Filters), 0, 4)
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Length(p+".key", *f.Key, 1, 200)
		}
		if v.Required(p+".values", f.Values != nil) {
			v.Count(p+".values", len(f.Values), 1, 1)
		}
		if v.Required(p+".type", f.Type != nil) {
			v.Enum(p+".type", *f.Type, stateFilterTypes...)
		}
	}
	v.IntRange("maxResults", in.MaxResults, 10, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	type cond struct {
		key, typ string
		n        int
	}
	var conds []cond
	for _, f := range in.Filters {
		if !slices.Contains(stateFilterKeys, *f.Key) {
			return nil, errInvalidFilter(fmt.Sprintf("Invalid filter key %s. Valid keys: %s.", *f.Key, strings.Join(stateFilterKeys, ", ")))
		}
		n, err := strconv.Atoi(f.Values[0])
		if err != nil {
			return nil, errInvalidFilter(fmt.Sprintf("Filter %s: value %q is not a number.", *f.Key, f.Values[0]))
		}
		conds = append(conds, cond{*f.Key, *f.Type, n})
	}
	fp := protocol.PageFingerprint("DescribeInstancePatchStatesForPatchGroup", *in.PatchGroup, in.Filters)
	var out instancePatchStatesOutput
	var err error
	fleet := a.nodes.All() // before taking the lock (pkg/sandbox/doc.go)
	a.view(func(st *state) {
		var list []idState
		for _, n := range fleet {
			ns := st.Nodes[n.ID]
			if ns == nil || ns.Last == nil || ns.Last.PatchGroup != *in.PatchGroup {
				continue
			}
			ok := true
			for _, c := range conds {
				x := ns.Last.countOf(c.key)
				switch c.typ {
				case "Equal":
					ok = ok && x == c.n
				case "NotEqual":
					ok = ok && x != c.n
				case "LessThan":
					ok = ok && x < c.n
				case "GreaterThan":
					ok = ok && x > c.n
				}
			}
			if ok {
				list = append(list, idState{n.ID, ns.Last})
			}
		}
		err = out.page(list, in.NextToken, fp, in.MaxResults)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// stateName folds a State filter value ("InstalledPendingReboot" as the
// documentation writes it, or the enum's INSTALLED_PENDING_REBOOT) to
// compare.
func stateName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "_", "")) }

func (a *Area) describeInstancePatches(in *describeInstancePatchesInput) (*describeInstancePatchesOutput, error) {
	var v protocol.Validator
	if v.Required("instanceId", in.InstanceId != nil) {
		v.Pattern("instanceId", *in.InstanceId, instanceIDPattern)
	}
	validateOrchestratorFilters(&v, in.Filters)
	v.IntRange("maxResults", in.MaxResults, 10, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, f := range in.Filters {
		if k := protocol.Deref(f.Key); !slices.Contains(patchFilterKeys, k) {
			return nil, errInvalidFilter(fmt.Sprintf("Invalid filter key %s. Valid keys: %s.", k, strings.Join(patchFilterKeys, ", ")))
		}
	}
	id := *in.InstanceId
	if _, ok := a.nodes.Get(id); !ok {
		return nil, protocol.ErrInvalidInstanceID("Instance Id " + id + " is not a managed node.")
	}
	keep := func(r record) bool {
		for _, f := range in.Filters {
			ok := false
			for _, val := range f.Values {
				switch *f.Key {
				case "Classification":
					ok = ok || strings.EqualFold(val, r.Classification)
				case "KBId":
					ok = ok || val == r.ID
				case "Severity":
					ok = ok || strings.EqualFold(val, r.Severity)
				case "State":
					ok = ok || stateName(val) == stateName(r.State)
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	fp := protocol.PageFingerprint("DescribeInstancePatches", id, in.Filters)
	var out describeInstancePatchesOutput
	var err error
	a.view(func(st *state) {
		var list []record
		if ns := st.Nodes[id]; ns != nil {
			for _, r := range ns.Records {
				if keep(r) {
					list = append(list, r)
				}
			}
		}
		var ok bool
		if out.Patches, out.NextToken, ok = protocol.PageOf(list, protocol.Deref(in.NextToken), fp, pageSize(in.MaxResults), recordWire); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	if out.Patches == nil {
		out.Patches = []patchComplianceData{}
	}
	return &out, nil
}

// recordWire answers a record; a patch not installed has InstalledTime 0
// (the epoch), as AWS reports it.
func recordWire(r record) patchComplianceData {
	t := protocol.EpochTime(r.InstalledTime)
	if r.InstalledTime.IsZero() {
		t = protocol.EpochTime(time.Unix(0, 0).UTC())
	}
	return patchComplianceData{Title: r.Title, KBId: r.ID, Classification: r.Classification, Severity: r.Severity, State: r.State, InstalledTime: &t, CVEIds: r.CVEs}
}
