package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
)

// Patch Manager through the SDK: baselines, patch groups, defaults, and
// AWS-RunPatchBaseline's scan and install on the nodes.

const (
	al2023Baseline = "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-05c9c9bf778d4c4d0"
	patchNode1     = "i-0000000000000aa01"
	patchNode2     = "i-0000000000000aa02"
	patchWin       = "i-0000000000000aa03"
)

func patchFleet() *Fleet {
	return &Fleet{Nodes: []*Node{
		{ID: patchNode1, Name: "app-1", Tags: map[string]string{"Patch Group": "prod"}},
		{ID: patchNode2, Name: "app-2", FailPatches: []string{"openssl-libs.x86_64"}},
		{ID: patchWin, Name: "win-1", Platform: Platform{Type: "Windows"}, Patches: []nodes.Patch{
			{ID: "KB1", Classification: "SecurityUpdates", Severity: "Critical", DaysAgo: 30},
			{ID: "KB2", Classification: "Updates", Severity: "Low", DaysAgo: 30, Installed: true},
		}},
	}}
}

func runPatch(t *testing.T, c *ssm.Client, params map[string][]string, ids ...string) types.Command {
	t.Helper()
	id := send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunPatchBaseline"), InstanceIds: ids, Parameters: params})
	return waitCommand(t, c, id)
}

func patchState(t *testing.T, c *ssm.Client, id string) types.InstancePatchState {
	t.Helper()
	out, err := c.DescribeInstancePatchStates(ctx(), &ssm.DescribeInstancePatchStatesInput{InstanceIds: []string{id}})
	if err != nil || len(out.InstancePatchStates) != 1 {
		t.Fatalf("DescribeInstancePatchStates %s: %v %+v", id, err, out)
	}
	return out.InstancePatchStates[0]
}

func TestPatchBaselines(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: patchFleet()})
	c := ssmClient(s)

	out, err := c.DescribePatchBaselines(ctx(), &ssm.DescribePatchBaselinesInput{Filters: []types.PatchOrchestratorFilter{
		{Key: aws.String("OPERATING_SYSTEM"), Values: []string{"AMAZON_LINUX_2023"}}, {Key: aws.String("OWNER"), Values: []string{"AWS"}}}})
	if err != nil || len(out.BaselineIdentities) != 1 || aws.ToString(out.BaselineIdentities[0].BaselineId) != al2023Baseline || !out.BaselineIdentities[0].DefaultBaseline {
		t.Fatalf("DescribePatchBaselines: %v %+v", err, out)
	}
	if _, err := c.DescribePatchBaselines(ctx(), &ssm.DescribePatchBaselinesInput{MaxResults: aws.Int32(101)}); apiCode(err) != "ValidationException" {
		t.Errorf("MaxResults 101: %v", err)
	}
	if _, err := c.GetPatchBaseline(ctx(), &ssm.GetPatchBaselineInput{BaselineId: aws.String("pb-0123456789abcdef0")}); apiCode(err) != "DoesNotExistException" {
		t.Errorf("unknown baseline: %v", err)
	}

	created, err := c.CreatePatchBaseline(ctx(), &ssm.CreatePatchBaselineInput{
		Name: aws.String("prod-al2023"), OperatingSystem: types.OperatingSystemAmazonLinux2023,
		ApprovalRules: &types.PatchRuleGroup{PatchRules: []types.PatchRule{{ApproveAfterDays: aws.Int32(0), ComplianceLevel: types.PatchComplianceLevelCritical,
			PatchFilterGroup: &types.PatchFilterGroup{PatchFilters: []types.PatchFilter{{Key: types.PatchFilterKeyClassification, Values: []string{"Security"}}}}}}},
		RejectedPatches: []string{"kernel.x86_64"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.BaselineId)
	if _, err := c.CreatePatchBaseline(ctx(), &ssm.CreatePatchBaselineInput{Name: aws.String("x"), ApprovalRules: &types.PatchRuleGroup{PatchRules: []types.PatchRule{{
		PatchFilterGroup: &types.PatchFilterGroup{PatchFilters: []types.PatchFilter{}}}}}}); apiCode(err) != "ValidationException" {
		t.Errorf("bad create: %v", err)
	}
	if _, err := c.RegisterPatchBaselineForPatchGroup(ctx(), &ssm.RegisterPatchBaselineForPatchGroupInput{BaselineId: aws.String(id), PatchGroup: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterPatchBaselineForPatchGroup(ctx(), &ssm.RegisterPatchBaselineForPatchGroupInput{BaselineId: aws.String(id), PatchGroup: aws.String("prod")}); apiCode(err) != "AlreadyExistsException" {
		t.Errorf("second registration: %v", err)
	}
	g, err := c.GetPatchBaselineForPatchGroup(ctx(), &ssm.GetPatchBaselineForPatchGroupInput{PatchGroup: aws.String("prod"), OperatingSystem: types.OperatingSystemAmazonLinux2023})
	if err != nil || aws.ToString(g.BaselineId) != id {
		t.Errorf("GetPatchBaselineForPatchGroup: %v %+v", err, g)
	}
	if _, err := c.DeletePatchBaseline(ctx(), &ssm.DeletePatchBaselineInput{BaselineId: aws.String(id)}); apiCode(err) != "ResourceInUseException" {
		t.Errorf("delete in use: %v", err)
	}
	got, err := c.GetPatchBaseline(ctx(), &ssm.GetPatchBaselineInput{BaselineId: aws.String(id)})
	if err != nil || strings.Join(got.PatchGroups, ",") != "prod" || got.OperatingSystem != types.OperatingSystemAmazonLinux2023 {
		t.Errorf("GetPatchBaseline: %v %+v", err, got)
	}
	groups, err := c.DescribePatchGroups(ctx(), &ssm.DescribePatchGroupsInput{})
	if err != nil || len(groups.Mappings) != 1 || aws.ToString(groups.Mappings[0].PatchGroup) != "prod" {
		t.Errorf("DescribePatchGroups: %v %+v", err, groups)
	}
	if _, err := c.RegisterDefaultPatchBaseline(ctx(), &ssm.RegisterDefaultPatchBaselineInput{BaselineId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.GetDefaultPatchBaseline(ctx(), &ssm.GetDefaultPatchBaselineInput{OperatingSystem: types.OperatingSystemAmazonLinux2023})
	if err != nil || aws.ToString(d.BaselineId) != id {
		t.Errorf("GetDefaultPatchBaseline: %v %+v", err, d)
	}
	if _, err := c.RegisterDefaultPatchBaseline(ctx(), &ssm.RegisterDefaultPatchBaselineInput{BaselineId: aws.String(al2023Baseline)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterPatchBaselineForPatchGroup(ctx(), &ssm.DeregisterPatchBaselineForPatchGroupInput{BaselineId: aws.String(id), PatchGroup: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePatchBaseline(ctx(), &ssm.DeletePatchBaselineInput{BaselineId: aws.String(id)}); err != nil {
		t.Errorf("delete: %v", err)
	}
}

func TestPatchScanInstall(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: patchFleet()})
	c := ssmClient(s)

	if _, err := c.DescribeInstancePatches(ctx(), &ssm.DescribeInstancePatchesInput{InstanceId: aws.String(patchNode1), Filters: []types.PatchOrchestratorFilter{{Key: aws.String("Bogus"), Values: []string{"x"}}}}); apiCode(err) != "InvalidFilter" {
		t.Errorf("bad filter: %v", err)
	}
	cmd := runPatch(t, c, map[string][]string{"Operation": {"Scan"}}, patchNode1, patchWin)
	if cmd.Status != types.CommandStatusSuccess {
		t.Fatalf("scan: %s", cmd.Status)
	}
	st := patchState(t, c, patchNode1)
	// AL2023's default approves kernel, openssl-libs and glibc (7 days),
	// tzdata is installed and approved, bash installed and not approved,
	// curl too recent: 2 approved security + 1 bugfix missing. curl is
	// not an AvailableSecurityUpdate: that is Windows' only (the model).
	if st.Operation != types.PatchOperationTypeScan || st.MissingCount != 3 || st.InstalledCount != 1 || st.InstalledOtherCount != 1 ||
		aws.ToInt32(st.AvailableSecurityUpdateCount) != 0 || aws.ToString(st.PatchGroup) != "prod" || aws.ToString(st.BaselineId) != al2023Baseline {
		t.Errorf("scan state: %+v", st)
	}
	missing, err := c.DescribeInstancePatches(ctx(), &ssm.DescribeInstancePatchesInput{InstanceId: aws.String(patchNode1),
		Filters: []types.PatchOrchestratorFilter{{Key: aws.String("State"), Values: []string{"Missing"}}}})
	if err != nil || len(missing.Patches) != 3 || missing.Patches[0].State != types.PatchComplianceDataStateMissing {
		t.Errorf("DescribeInstancePatches: %v %+v", err, missing)
	}
	if w := patchState(t, c, patchWin); w.MissingCount != 1 || w.InstalledOtherCount != 1 {
		t.Errorf("windows scan: %+v", w)
	}

	cmd = runPatch(t, c, map[string][]string{"Operation": {"Install"}, "RebootOption": {"NoReboot"}}, patchNode1)
	if cmd.Status != types.CommandStatusSuccess {
		t.Fatalf("install NoReboot: %s", cmd.Status)
	}
	st = patchState(t, c, patchNode1)
	if aws.ToInt32(st.InstalledPendingRebootCount) != 3 || st.MissingCount != 0 || st.RebootOption != types.RebootOptionNoReboot || st.LastNoRebootInstallOperationTime == nil {
		t.Errorf("install NoReboot state: %+v", st)
	}
	cmd = runPatch(t, c, map[string][]string{"Operation": {"Install"}}, patchNode1)
	st = patchState(t, c, patchNode1)
	if cmd.Status != types.CommandStatusSuccess || aws.ToInt32(st.InstalledPendingRebootCount) != 0 || st.InstalledCount != 4 || st.RebootOption != types.RebootOptionRebootIfNeeded {
		t.Errorf("install RebootIfNeeded: %s %+v", cmd.Status, st)
	}

	cmd = runPatch(t, c, map[string][]string{"Operation": {"Install"}}, patchNode2)
	st = patchState(t, c, patchNode2)
	if cmd.Status != types.CommandStatusFailed || st.FailedCount != 1 || st.InstalledCount != 3 {
		t.Errorf("failing install: %s %+v", cmd.Status, st)
	}
	inv, err := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: cmd.CommandId, InstanceId: aws.String(patchNode2), PluginName: aws.String("PatchLinux")})
	if err != nil || inv.ResponseCode != 1 || !strings.Contains(aws.ToString(inv.StandardErrorContent), "openssl-libs.x86_64") {
		t.Errorf("failed invocation: %v %+v", err, inv)
	}

	// A baseline override from a file approves nothing but one patch; as
	// on AWS, the node's compliance is left as it was and the output names
	// the non-compliant packages.
	override := filepath.Join(t.TempDir(), "override.json")
	os.WriteFile(override, []byte(`[{"OperatingSystem":"WINDOWS","ApprovedPatches":["KB1","KB2"],"ApprovalRules":{"PatchRules":[]}}]`), 0o600)
	cmd = runPatch(t, c, map[string][]string{"Operation": {"Scan"}, "BaselineOverride": {"file://" + override}}, patchWin)
	if w := patchState(t, c, patchWin); w.MissingCount != 1 || w.InstalledOtherCount != 1 {
		t.Errorf("override scan changed compliance: %+v", w)
	}
	inv, err = c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: cmd.CommandId, InstanceId: aws.String(patchWin), PluginName: aws.String("PatchWindows")})
	if err != nil || !strings.Contains(aws.ToString(inv.StandardOutputContent), "non-compliant: KB1 (MISSING)") {
		t.Errorf("override scan output: %v %q", err, aws.ToString(inv.StandardOutputContent))
	}

	groups, err := c.DescribeInstancePatchStatesForPatchGroup(ctx(), &ssm.DescribeInstancePatchStatesForPatchGroupInput{PatchGroup: aws.String("prod"),
		Filters: []types.InstancePatchStateFilter{{Key: aws.String("InstalledCount"), Values: []string{"3"}, Type: types.InstancePatchStateOperatorTypeGreaterThan}}})
	if err != nil || len(groups.InstancePatchStates) != 1 {
		t.Errorf("DescribeInstancePatchStatesForPatchGroup: %v %+v", err, groups)
	}
}

// The AWS CLI reads the baselines and the patch states as the SDK does.
func TestAWSCLIPatch(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: patchFleet()})
	var bl struct {
		BaselineIdentities []struct {
			BaselineId, BaselineName, OperatingSystem string
			DefaultBaseline                           bool
		}
	}
	awsCLI(t, s, &bl, "ssm", "describe-patch-baselines", "--filters", "Key=NAME_PREFIX,Values=AWS-AmazonLinux2023")
	if len(bl.BaselineIdentities) != 1 || bl.BaselineIdentities[0].BaselineId != al2023Baseline || !bl.BaselineIdentities[0].DefaultBaseline {
		t.Errorf("describe-patch-baselines: %+v", bl)
	}
	runPatch(t, ssmClient(s), map[string][]string{"Operation": {"Scan"}}, patchNode1)
	var states struct {
		InstancePatchStates []struct {
			InstanceId, Operation, BaselineId string
			MissingCount                      int
		}
	}
	awsCLI(t, s, &states, "ssm", "describe-instance-patch-states", "--instance-ids", patchNode1)
	if len(states.InstancePatchStates) != 1 || states.InstancePatchStates[0].MissingCount != 3 || states.InstancePatchStates[0].Operation != "Scan" {
		t.Errorf("describe-instance-patch-states: %+v", states)
	}
}

// Baselines, registrations and the nodes' patches survive a restart with
// a state file.
func TestPatchStatePersists(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s1, err := New(Options{StatePath: path, Fleet: patchFleet()})
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	c := ssmClient(s1)
	created, err := c.CreatePatchBaseline(ctx(), &ssm.CreatePatchBaselineInput{Name: aws.String("kept"), OperatingSystem: types.OperatingSystemAmazonLinux2023, ApprovedPatches: []string{"curl.x86_64"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterPatchBaselineForPatchGroup(ctx(), &ssm.RegisterPatchBaselineForPatchGroupInput{BaselineId: created.BaselineId, PatchGroup: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	runPatch(t, c, map[string][]string{"Operation": {"Install"}, "RebootOption": {"NoReboot"}}, patchNode1)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := Start(t, Options{StatePath: path})
	c = ssmClient(s2)
	st := patchState(t, c, patchNode1)
	if aws.ToString(st.BaselineId) != aws.ToString(created.BaselineId) || aws.ToInt32(st.InstalledPendingRebootCount) != 1 {
		t.Errorf("state after restart: %+v", st)
	}
	// The inventory kept the install: a scan finds curl still pending.
	runPatch(t, c, map[string][]string{"Operation": {"Scan"}}, patchNode1)
	if st := patchState(t, c, patchNode1); aws.ToInt32(st.InstalledPendingRebootCount) != 1 || st.Operation != types.PatchOperationTypeScan {
		t.Errorf("scan after restart: %+v", st)
	}
}

// UpdatePatchBaseline: members given replace, Replace resets the others;
// AWS's baselines can't be updated.
func TestUpdatePatchBaseline(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: patchFleet()})
	c := ssmClient(s)
	created, err := c.CreatePatchBaseline(ctx(), &ssm.CreatePatchBaselineInput{Name: aws.String("upd"), OperatingSystem: types.OperatingSystemAmazonLinux2023,
		ApprovedPatches: []string{"curl.x86_64"}, RejectedPatches: []string{"kernel.x86_64"}, Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	id := created.BaselineId
	out, err := c.UpdatePatchBaseline(ctx(), &ssm.UpdatePatchBaselineInput{BaselineId: id, Name: aws.String("upd2"), ApprovedPatches: []string{"bash.x86_64"}})
	if err != nil || aws.ToString(out.Name) != "upd2" || strings.Join(out.ApprovedPatches, ",") != "bash.x86_64" ||
		strings.Join(out.RejectedPatches, ",") != "kernel.x86_64" || aws.ToString(out.Description) != "first" {
		t.Fatalf("update: %v %+v", err, out)
	}
	if _, err := c.UpdatePatchBaseline(ctx(), &ssm.UpdatePatchBaselineInput{BaselineId: id, Replace: aws.Bool(true)}); apiCode(err) != "ValidationException" {
		t.Errorf("Replace without Name: %v", err)
	}
	out, err = c.UpdatePatchBaseline(ctx(), &ssm.UpdatePatchBaselineInput{BaselineId: id, Name: aws.String("upd3"), ApprovedPatches: []string{"glibc.x86_64"}, Replace: aws.Bool(true)})
	if err != nil || len(out.RejectedPatches) != 0 || aws.ToString(out.Description) != "" || out.RejectedPatchesAction != types.PatchActionAllowAsDependency {
		t.Errorf("Replace: %v %+v", err, out)
	}
	if _, err := c.UpdatePatchBaseline(ctx(), &ssm.UpdatePatchBaselineInput{BaselineId: aws.String(al2023Baseline), Name: aws.String("mine")}); apiCode(err) != "DoesNotExistException" {
		t.Errorf("update AWS's: %v", err)
	}
	if _, err := c.UpdatePatchBaseline(ctx(), &ssm.UpdatePatchBaselineInput{BaselineId: id, ApprovalRules: &types.PatchRuleGroup{PatchRules: []types.PatchRule{{
		ApproveAfterDays: aws.Int32(361), PatchFilterGroup: &types.PatchFilterGroup{PatchFilters: []types.PatchFilter{{Key: types.PatchFilterKeyClassification, Values: []string{"Security"}}}}}}}}); apiCode(err) != "ValidationException" {
		t.Errorf("ApproveAfterDays 361: %v", err)
	}
}

// The model's MaxResults bounds (1..100 for baselines and groups, 10..100
// for patch states and patches), at most 5 filters, 50 instance IDs, and
// pages that follow NextToken.
func TestPatchAPIBounds(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: patchFleet()})
	c := ssmClient(s)
	node := aws.String(patchNode1)
	for name, call := range map[string]func(n int32) error{
		"DescribePatchBaselines 1..100": func(n int32) error {
			_, err := c.DescribePatchBaselines(ctx(), &ssm.DescribePatchBaselinesInput{MaxResults: aws.Int32(n)})
			return err
		},
		"DescribePatchGroups 1..100": func(n int32) error {
			_, err := c.DescribePatchGroups(ctx(), &ssm.DescribePatchGroupsInput{MaxResults: aws.Int32(n)})
			return err
		},
		"DescribeInstancePatchStates 10..100": func(n int32) error {
			_, err := c.DescribeInstancePatchStates(ctx(), &ssm.DescribeInstancePatchStatesInput{InstanceIds: []string{patchNode1}, MaxResults: aws.Int32(n)})
			return err
		},
		"DescribeInstancePatchStatesForPatchGroup 10..100": func(n int32) error {
			_, err := c.DescribeInstancePatchStatesForPatchGroup(ctx(), &ssm.DescribeInstancePatchStatesForPatchGroupInput{PatchGroup: aws.String("prod"), MaxResults: aws.Int32(n)})
			return err
		},
		"DescribeInstancePatches 10..100": func(n int32) error {
			_, err := c.DescribeInstancePatches(ctx(), &ssm.DescribeInstancePatchesInput{InstanceId: node, MaxResults: aws.Int32(n)})
			return err
		},
	} {
		lo := int32(10)
		if strings.Contains(name, "1..100") {
			lo = 1
		}
		for _, n := range []int32{lo, 100} {
			if err := call(n); err != nil {
				t.Errorf("%s: MaxResults %d: %v", name, n, err)
			}
		}
		for _, n := range []int32{lo - 1, 101} {
			if err := call(n); apiCode(err) != "ValidationException" {
				t.Errorf("%s: MaxResults %d: %v, want ValidationException", name, n, err)
			}
		}
	}
	six := make([]types.PatchOrchestratorFilter, 6)
	for i := range six {
		six[i] = types.PatchOrchestratorFilter{Key: aws.String("OWNER"), Values: []string{"AWS"}}
	}
	if _, err := c.DescribePatchBaselines(ctx(), &ssm.DescribePatchBaselinesInput{Filters: six}); apiCode(err) != "ValidationException" {
		t.Errorf("6 filters: %v", err)
	}
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = patchNode1
	}
	if _, err := c.DescribeInstancePatchStates(ctx(), &ssm.DescribeInstancePatchStatesInput{InstanceIds: ids}); apiCode(err) != "ValidationException" {
		t.Errorf("51 instance IDs: %v", err)
	}

	// Pages of 4 cover the 14 predefined baselines once each.
	seen := map[string]bool{}
	p := ssm.NewDescribePatchBaselinesPaginator(c, &ssm.DescribePatchBaselinesInput{MaxResults: aws.Int32(4)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range page.BaselineIdentities {
			if seen[aws.ToString(b.BaselineId)] {
				t.Errorf("%s twice", aws.ToString(b.BaselineId))
			}
			seen[aws.ToString(b.BaselineId)] = true
		}
	}
	if len(seen) != 14 || pages != 4 {
		t.Errorf("%d baselines in %d pages, want 14 in 4", len(seen), pages)
	}
	runPatch(t, c, map[string][]string{"Operation": {"Scan"}}, patchNode1)
	var kbs []string
	pp := ssm.NewDescribeInstancePatchesPaginator(c, &ssm.DescribeInstancePatchesInput{InstanceId: node, MaxResults: aws.Int32(10)})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Patches {
			kbs = append(kbs, aws.ToString(x.KBId))
		}
	}
	if len(kbs) != 5 {
		t.Errorf("patches %v", kbs)
	}
}
