package patch

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// fakeAPI answers DescribePatchBaselines and GetPatchBaseline from a list,
// and DescribeInstancePatchStates for the IDs it knows, recording the
// batches.
type fakeAPI struct {
	API
	baselines []types.PatchBaselineIdentity
	batches   [][]string
}

func (f *fakeAPI) DescribePatchBaselines(_ context.Context, in *ssm.DescribePatchBaselinesInput, _ ...func(*ssm.Options)) (*ssm.DescribePatchBaselinesOutput, error) {
	out := &ssm.DescribePatchBaselinesOutput{}
	for _, b := range f.baselines {
		keep := true
		for _, fl := range in.Filters {
			if aws.ToString(fl.Key) == "NAME_PREFIX" && !strings.HasPrefix(aws.ToString(b.BaselineName), fl.Values[0]) {
				keep = false
			}
		}
		if keep {
			out.BaselineIdentities = append(out.BaselineIdentities, b)
		}
	}
	return out, nil
}

func (f *fakeAPI) GetPatchBaseline(_ context.Context, in *ssm.GetPatchBaselineInput, _ ...func(*ssm.Options)) (*ssm.GetPatchBaselineOutput, error) {
	for _, b := range f.baselines {
		if aws.ToString(b.BaselineId) == aws.ToString(in.BaselineId) {
			return &ssm.GetPatchBaselineOutput{BaselineId: b.BaselineId, Name: b.BaselineName, OperatingSystem: b.OperatingSystem,
				ApprovalRules: &types.PatchRuleGroup{PatchRules: []types.PatchRule{{ApproveAfterDays: aws.Int32(7),
					PatchFilterGroup: &types.PatchFilterGroup{PatchFilters: []types.PatchFilter{{Key: types.PatchFilterKeyClassification, Values: []string{"Security"}}}}}}}}, nil
		}
	}
	return nil, &types.DoesNotExistException{Message: aws.String("no such baseline")}
}

func (f *fakeAPI) DescribeInstancePatchStates(_ context.Context, in *ssm.DescribeInstancePatchStatesInput, _ ...func(*ssm.Options)) (*ssm.DescribeInstancePatchStatesOutput, error) {
	f.batches = append(f.batches, in.InstanceIds)
	out := &ssm.DescribeInstancePatchStatesOutput{}
	for _, id := range in.InstanceIds {
		if strings.HasSuffix(id, "1") {
			out.InstancePatchStates = append(out.InstancePatchStates, types.InstancePatchState{InstanceId: aws.String(id), MissingCount: 2, InstalledPendingRebootCount: aws.Int32(1)})
		}
	}
	return out, nil
}

func TestBaselineByNameAndID(t *testing.T) {
	f := &fakeAPI{baselines: []types.PatchBaselineIdentity{
		{BaselineId: aws.String("arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0c7e89f711c3095f4"), BaselineName: aws.String("AWS-UbuntuDefaultPatchBaseline"), OperatingSystem: types.OperatingSystemUbuntu, DefaultBaseline: true},
		{BaselineId: aws.String("pb-0123456789abcdef0"), BaselineName: aws.String("AWS-UbuntuDefaultPatchBaselineCopy"), OperatingSystem: types.OperatingSystemUbuntu},
	}}
	c := &Client{API: f}
	d, err := c.Baseline(context.Background(), "AWS-UbuntuDefaultPatchBaseline")
	if err != nil || d.Owner != "AWS" || !d.Default || len(d.Rules) != 1 || d.Rules[0].Filters["CLASSIFICATION"][0] != "Security" {
		t.Fatalf("by name: %v %+v", err, d)
	}
	d, err = c.Baseline(context.Background(), "pb-0123456789abcdef0")
	if err != nil || d.Owner != "Self" || d.Default || d.Name != "AWS-UbuntuDefaultPatchBaselineCopy" {
		t.Fatalf("by ID: %v %+v", err, d)
	}
	if _, err := c.Baseline(context.Background(), "AWS-Ubuntu"); exitcode.Code(err) != exitcode.AWS || exitcode.Message(err) != "patch baseline AWS-Ubuntu not found" {
		t.Errorf("a prefix is not a name: %v", err)
	}
}

func TestStatesBatchesOf50(t *testing.T) {
	f := &fakeAPI{}
	var ids []string
	for i := range 120 {
		ids = append(ids, "i-"+strings.Repeat("0", 16)+string(rune('0'+i%10)))
	}
	states, err := (&Client{API: f}).States(context.Background(), ids)
	if err != nil || len(f.batches) != 3 || len(f.batches[0]) != 50 || len(f.batches[2]) != 20 {
		t.Fatalf("batches %v: %v", len(f.batches), err)
	}
	s := states[ids[1]]
	if s.Missing != 2 || s.InstalledPendingReboot != 1 || s.Compliant() {
		t.Errorf("state %+v", s)
	}
	if (State{Installed: 3, InstalledOther: 1}).Compliant() != true {
		t.Error("installed only is compliant")
	}
	// A patch counted non-compliant makes the node so, whatever its state
	// (a Windows available security update under a NON_COMPLIANT setting).
	for _, s := range []State{{Installed: 3, SecurityNonCompliant: 1}, {CriticalNonCompliant: 1}, {OtherNonCompliant: 2}} {
		if s.Compliant() {
			t.Errorf("%+v is compliant", s)
		}
	}
}

func TestCheckOverride(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[{"OperatingSystem":"UBUNTU","ApprovedPatches":["x"]}]`, ""},
		{`{"OperatingSystem":"WINDOWS","ApprovalRules":{"PatchRules":[]}}`, ""},
		{`{"BaselineId":"pb-0123456789abcdef0","Name":"x","OperatingSystem":"WINDOWS","ApprovalRules":{"PatchRules":[]},"PatchGroups":[]}`, ""},
		{`{"commands":["echo"]}`, `unknown field "commands"`},
		{`not json`, "not a patch baseline: invalid JSON"},
		{`[]`, "no baseline in the list"},
		{`[{"ApprovedPatches":["x"]}]`, "baseline 1 has no OperatingSystem"},
		{`[{"OperatingSystem":"BEOS","ApprovedPatches":["x"]}]`, `OperatingSystem "BEOS" is not one of`},
		{`[{"OperatingSystem":"UBUNTU","ApprovedPatches":["x"]},{"OperatingSystem":"UBUNTU","ApprovedPatches":["y"]}]`, "two baselines for UBUNTU"},
		{`[{"OperatingSystem":"UBUNTU"}]`, "neither ApprovalRules nor ApprovedPatches"},
		{`[{"OperatingSystem":"UBUNTU","ApprovedPatches":["x"],"RejectedPatchesAction":"MAYBE"}]`, "RejectedPatchesAction"},
	} {
		err := CheckOverride("f.json", []byte(tc.in))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Code(err) != exitcode.Usage):
			t.Errorf("%s: %v, want %q (252)", tc.in, err, tc.want)
		}
	}
}

func TestRequest(t *testing.T) {
	specs, _ := target.ParseAll([]string{"web-1"}, nil)
	req, err := RunRequest{Specs: specs, Operation: "Install", RebootOption: "NoReboot", Override: "s3://b/k.json", MaxConcurrency: "10%", MaxErrors: "1"}.Request()
	if err != nil || req.Document != Document || req.Parameters["BaselineOverride"][0] != "s3://b/k.json" || req.Parameters["RebootOption"][0] != "NoReboot" {
		t.Fatalf("%v %+v", err, req)
	}
	if u, _ := OverrideURL("/tmp/o.json"); u != "file:///tmp/o.json" {
		t.Errorf("local file: %s", u)
	}
	if got := StateLabel("INSTALLED_PENDING_REBOOT"); got != "InstalledPendingReboot" {
		t.Errorf("StateLabel: %s", got)
	}
}
