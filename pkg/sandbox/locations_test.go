package sandbox

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Several accounts and Regions behind one listener: credentials and the
// signing scope choose the location, each with its own fleet.

const (
	mgmtAccount  = "111111111111"
	otherAccount = "222222222222"
	thirdAccount = "333333333333"
)

// multiOptions serve the management account in us-east-1 (testFleet) and
// eu-west-1 (2 nodes), the other account in both Regions (3 and 4 nodes),
// and a third account in ap-south-1 only (1 node).
func multiOptions() Options {
	return Options{AccountID: mgmtAccount, Fleet: testFleet(), Locations: []Location{
		{Region: "eu-west-1", Fleet: linuxFleet(2)},
		{AccountID: otherAccount, Region: "us-east-1", Fleet: linuxFleet(3)},
		{AccountID: otherAccount, Region: "eu-west-1", Fleet: linuxFleet(4)},
		{AccountID: thirdAccount, Region: "ap-south-1", Fleet: linuxFleet(1)},
	}}
}

func TestLocationsServeAccountsAndRegions(t *testing.T) {
	t.Parallel()
	s := Start(t, multiOptions())
	if got := strings.Join(s.Locations(), " "); got != "111111111111/us-east-1 111111111111/eu-west-1 222222222222/us-east-1 222222222222/eu-west-1 333333333333/ap-south-1" {
		t.Fatalf("locations: %s", got)
	}
	for _, tc := range []struct {
		account, region string
		nodes           int
	}{{mgmtAccount, "us-east-1", len(testFleet().Nodes)}, {mgmtAccount, "eu-west-1", 2}, {otherAccount, "us-east-1", 3}, {otherAccount, "eu-west-1", 4}, {thirdAccount, "ap-south-1", 1}} {
		cfg := s.AWSConfigFor(tc.account, tc.region)
		out, err := ssm.NewFromConfig(cfg).DescribeInstanceInformation(ctx(), &ssm.DescribeInstanceInformationInput{})
		if err != nil || len(out.InstanceInformationList) != tc.nodes {
			t.Fatalf("%s/%s: %d nodes, want %d (%v)", tc.account, tc.region, len(out.InstanceInformationList), tc.nodes, err)
		}
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(who.Account) != tc.account || aws.ToString(who.Arn) != "arn:aws:iam::"+tc.account+":user/sandbox-user" {
			t.Fatalf("%s/%s: caller %+v %v", tc.account, tc.region, who, err)
		}
	}
	// A parameter written in one location is not in another.
	c1 := ssm.NewFromConfig(s.AWSConfigFor(mgmtAccount, "us-east-1"))
	if _, err := c1.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/only/here"), Value: aws.String("v"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	_, err := ssm.NewFromConfig(s.AWSConfigFor(otherAccount, "us-east-1")).GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/only/here")})
	if errorCode(err) != "ParameterNotFound" {
		t.Fatalf("parameter of another account: %v", err)
	}

	noRetry := func(o *ssm.Options) { o.RetryMaxAttempts = 1 }
	for _, tc := range []struct {
		name            string
		account, region string
		want, msg       string
	}{
		// A Region served for other accounts, not this one: the key is
		// not valid there (AWS's answer for a Region the account has not
		// enabled).
		{"region of other accounts", otherAccount, "ap-south-1", "UnrecognizedClientException", "The security token included in the request is invalid."},
		// A Region served for no account: as before, the credential scope.
		{"region served nowhere", otherAccount, "us-west-2", "InvalidSignatureException", "Credential should be scoped to a valid region, not 'us-west-2'."},
		// An account the sandbox does not serve has no key.
		{"unknown account", "999999999999", "us-east-1", "UnrecognizedClientException", "The security token included in the request is invalid."},
	} {
		cfg := s.AWSConfigFor(tc.account, tc.region)
		if tc.account == "999999999999" {
			cfg = s.AWSConfigFor(mgmtAccount, tc.region)
			cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "x"}, nil
			}))
		}
		_, err := ssm.NewFromConfig(cfg, noRetry).DescribeInstanceInformation(ctx(), &ssm.DescribeInstanceInformationInput{})
		if errorCode(err) != tc.want || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.want, tc.msg)
		}
		// STS names an unknown key InvalidClientTokenId.
		if tc.want == "UnrecognizedClientException" {
			_, err = sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
			if errorCode(err) != "InvalidClientTokenId" || !strings.Contains(err.Error(), "StatusCode: 403") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s: sts: %v", tc.name, err)
			}
		}
	}
	if p := s.Profiles(); strings.Count(p, "[profile sandbox-") != 3 || !strings.Contains(p, "[profile sandbox-222222222222]\naws_access_key_id = ") || !strings.Contains(p, "region = ap-south-1\nendpoint_url = "+s.URL()) {
		t.Fatalf("profiles:\n%s", p)
	}
}

// A TargetLocations parent in the management account runs each child in
// its location, on that location's fleet; a location the sandbox does not
// serve fails (its role cannot be assumed) and counts against
// TargetLocationMaxErrors.
func TestAutomationTargetLocations(t *testing.T) {
	t.Parallel()
	s := Start(t, multiOptions())
	c := ssm.NewFromConfig(s.AWSConfig())
	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StopEC2Instance"),
		Parameters: map[string][]string{"InstanceId": {linux1}},
		TargetLocations: []types.TargetLocation{{Accounts: []string{mgmtAccount, otherAccount, "999999999999"}, Regions: []string{"us-east-1", "eu-west-1"},
			TargetLocationMaxConcurrency: aws.String("2"), TargetLocationMaxErrors: aws.String("2")}}})
	e := waitAutomation(t, c, id)
	want := "111111111111/us-east-1=Success 111111111111/eu-west-1=Success 222222222222/us-east-1=Success 222222222222/eu-west-1=Success 999999999999/us-east-1=Failed 999999999999/eu-west-1=Failed"
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != want {
		t.Fatalf("locations: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if msg := aws.ToString(e.StepExecutions[4].FailureMessage); msg != "The provided role: arn:aws:iam::999999999999:role/AWS-SystemsManager-AutomationExecutionRole can't be assumed." {
		t.Fatalf("unserved location: %q", msg)
	}
	for _, loc := range s.locs {
		n, ok := loc.nodes.Get(linux1)
		stopped := ok && n.InstanceState() == "stopped"
		if stopped != (loc.account != thirdAccount) {
			t.Fatalf("%s: node %s stopped %v", loc.name(), linux1, stopped)
		}
		if n, _ := loc.nodes.Get("i-00000000000000002"); n != nil && n.InstanceState() == "stopped" {
			t.Fatalf("%s: another node stopped", loc.name())
		}
	}

	// The management account sees its children in its own location only;
	// each target account sees its child, with the parent's ID.
	out, err := c.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{Filters: []types.AutomationExecutionFilter{
		{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}})
	if err != nil || len(out.AutomationExecutionMetadataList) != 1 || out.AutomationExecutionMetadataList[0].AutomationType != types.AutomationTypeCrossAccount {
		t.Fatalf("management account's children: %+v %v", out, err)
	}
	c2 := ssm.NewFromConfig(s.AWSConfigFor(otherAccount, "eu-west-1"))
	out, err = c2.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{})
	if err != nil || len(out.AutomationExecutionMetadataList) != 1 {
		t.Fatalf("target account's executions: %+v %v", out, err)
	}
	child := out.AutomationExecutionMetadataList[0]
	if aws.ToString(child.ParentAutomationExecutionId) != id || child.AutomationType != types.AutomationTypeCrossAccount ||
		aws.ToString(child.ExecutedBy) != "arn:aws:sts::222222222222:assumed-role/AWS-SystemsManager-AutomationExecutionRole/"+id {
		t.Fatalf("target account's child: %+v", child)
	}
	if got := e.StepExecutions[3].Outputs["ExecutionId"][0]; got != aws.ToString(child.AutomationExecutionId) {
		t.Fatalf("parent step's ExecutionId %s, child %s", got, aws.ToString(child.AutomationExecutionId))
	}

	// TargetLocationMaxErrors 0 (the default): the first unserved
	// location fails the parent, and no location starts after it.
	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StartEC2Instance"),
		Parameters:      map[string][]string{"InstanceId": {linux1}},
		TargetLocations: []types.TargetLocation{{Accounts: []string{"999999999999", otherAccount}, Regions: []string{"us-east-1"}}}})
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || stepStatuses(e) != "999999999999/us-east-1=Failed" {
		t.Fatalf("max errors 0: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}

	// An organizational unit: no AWS Organizations to expand it.
	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StartEC2Instance"),
		Parameters:      map[string][]string{"InstanceId": {linux1}},
		TargetLocations: []types.TargetLocation{{Accounts: []string{"ou-ab12-abcd1234"}, Regions: []string{"us-east-1"}}}})
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || !strings.Contains(aws.ToString(e.StepExecutions[0].FailureMessage), "no AWS Organizations") {
		t.Fatalf("OU: %s %s", e.AutomationExecutionStatus, aws.ToString(e.StepExecutions[0].FailureMessage))
	}
}

// Each location's state is in the state file, under "locations"; a
// restart with the same file serves them again, even without declaring
// them.
func TestLocationsState(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	opts := multiOptions()
	opts.StatePath = path
	s1, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	c := ssm.NewFromConfig(s1.AWSConfigFor(otherAccount, "eu-west-1"))
	if _, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/kept"), Value: aws.String("v"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := Start(t, Options{StatePath: path, AccountID: mgmtAccount})
	if got := len(s2.Locations()); got != 5 {
		t.Fatalf("locations after restart: %v", s2.Locations())
	}
	if n := s2.NodeCountIn(otherAccount, "eu-west-1"); n != 4 {
		t.Fatalf("nodes of 222222222222/eu-west-1 after restart: %d", n)
	}
	c = ssm.NewFromConfig(s2.AWSConfigFor(otherAccount, "eu-west-1"))
	if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/kept")}); err != nil {
		t.Fatalf("parameter after restart: %v", err)
	}
}

// A session opened in a location runs on that location's node, and its
// data channel (one path for every location) reaches it.
func TestLocationsSessions(t *testing.T) {
	t.Parallel()
	const there = "i-0dddddddddddddd01"
	opts := multiOptions()
	opts.NoPacing = true
	opts.Locations[2].Fleet = &Fleet{Nodes: []*Node{{ID: there, Name: "only-there"}}}
	s := Start(t, opts)
	in := &ssm.StartSessionInput{Target: aws.String(there), DocumentName: aws.String("AWS-StartNonInteractiveCommand"),
		Parameters: map[string][]string{"command": {"sh -c 'pwd'"}}}
	_, err := ssm.NewFromConfig(s.AWSConfig()).StartSession(ctx(), in)
	if err == nil {
		t.Fatal("StartSession in the management account found another account's node")
	}
	c := newTestClientFor(t, s.AWSConfigFor(otherAccount, "eu-west-1"), in)
	if out := c.waitClosed(); out != "" {
		t.Fatalf("channel_closed Output %q", out)
	}
	dir, err := s.location(otherAccount, "eu-west-1").nodes.Dir(there)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if got := strings.TrimSpace(c.stdout.String()); got != dir {
		t.Fatalf("session ran in %q, want the node's directory %q", got, dir)
	}
}

// Stopping a TargetLocations parent stops its children in their
// locations; a child waiting for approval there is approved there.
func TestAutomationTargetLocationsStop(t *testing.T) {
	t.Parallel()
	s := Start(t, multiOptions())
	c := ssm.NewFromConfig(s.AWSConfig())
	c2 := ssm.NewFromConfig(s.AWSConfigFor(otherAccount, "us-east-1"))
	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StopEC2InstanceWithApproval"),
		Parameters:      map[string][]string{"InstanceId": {linux1}, "Approvers": {"sandbox-user"}, "SNSTopicArn": {"arn:aws:sns:us-east-1:222222222222:approvals"}},
		TargetLocations: []types.TargetLocation{{Accounts: []string{otherAccount}, Regions: []string{"us-east-1", "eu-west-1"}, TargetLocationMaxConcurrency: aws.String("2")}}})
	var children []string
	for range 500 {
		out, err := c2.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{Filters: []types.AutomationExecutionFilter{
			{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}, {Key: types.AutomationExecutionFilterKeyExecutionStatus, Values: []string{"Waiting"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AutomationExecutionMetadataList) == 1 {
			children = append(children, aws.ToString(out.AutomationExecutionMetadataList[0].AutomationExecutionId))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(children) != 1 {
		t.Fatal("no child waiting for approval in 222222222222/us-east-1")
	}
	if _, err := c.StopAutomationExecution(ctx(), &ssm.StopAutomationExecutionInput{AutomationExecutionId: &id}); err != nil {
		t.Fatal(err)
	}
	if e := waitAutomation(t, c, id); e.AutomationExecutionStatus != types.AutomationExecutionStatusCancelled {
		t.Fatalf("parent: %s", e.AutomationExecutionStatus)
	}
	if e := waitAutomation(t, c2, children[0]); e.AutomationExecutionStatus != types.AutomationExecutionStatusCancelled {
		t.Fatalf("child in 222222222222/us-east-1: %s", e.AutomationExecutionStatus)
	}
	if n, _ := s.location(otherAccount, "us-east-1").nodes.Get(linux1); n.InstanceState() == "stopped" {
		t.Fatal("the cancelled child stopped its node")
	}
}
