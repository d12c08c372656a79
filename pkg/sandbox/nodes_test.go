package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// describeIDs pages through DescribeInstanceInformation with the SDK's
// paginator and returns the node IDs in order.
func describeIDs(t *testing.T, c *ssm.Client, in *ssm.DescribeInstanceInformationInput) ([]string, error) {
	t.Helper()
	var ids []string
	p := ssm.NewDescribeInstanceInformationPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			return ids, err
		}
		for _, info := range out.InstanceInformationList {
			ids = append(ids, aws.ToString(info.InstanceId))
		}
	}
	return ids, nil
}

func TestDescribeInstanceInformationFilters(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: &Fleet{Nodes: []*Node{
		{ID: "i-00000000000000001", Name: "web-1", Tags: map[string]string{"Environment": "Dev", "Role": "web"}, AgentVersion: "3.2.1.0", AssociationStatus: "Success"},
		{ID: "i-00000000000000002", Name: "web-2", Tags: map[string]string{"Environment": "Prod", "Role": "web"}, AssociationStatus: "Failed"},
		{ID: "i-00000000000000003", Name: "db-1", Tags: map[string]string{"Environment": "Prod", "Role": "db"}, Ping: "ConnectionLost"},
		{ID: "mi-00000000000000004", Name: "onprem", Tags: map[string]string{"Environment": "Dev"}, ActivationID: "4f2b8d3a-1c5e-4a7b-9d0e-6f1a2b3c4d5e", IAMRole: "SSMServiceRole"},
		{ID: "i-0000000a", Name: "win", Platform: Platform{Type: "Windows"}, Tags: map[string]string{"Owner": "ops"}, Ping: "Inactive"},
		{ID: "i-00000000000000006", Platform: Platform{Type: "MacOS"}},
	}}})
	c := ssmClient(s)
	f := func(key string, values ...string) types.InstanceInformationStringFilter {
		return types.InstanceInformationStringFilter{Key: aws.String(key), Values: values}
	}
	lf := func(key types.InstanceInformationFilterKey, values ...string) types.InstanceInformationFilter {
		return types.InstanceInformationFilter{Key: key, ValueSet: values}
	}
	tests := []struct {
		name    string
		in      ssm.DescribeInstanceInformationInput
		want    []string
		errCode string
	}{
		{name: "all", want: []string{"i-00000000000000001", "i-00000000000000002", "i-00000000000000003", "mi-00000000000000004", "i-0000000a", "i-00000000000000006"}},
		{name: "InstanceIds", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("InstanceIds", "i-0000000a", "mi-00000000000000004")}}, want: []string{"mi-00000000000000004", "i-0000000a"}},
		{name: "AgentVersion", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("AgentVersion", "3.2.1.0")}}, want: []string{"i-00000000000000001"}},
		{name: "PingStatus", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("PingStatus", "ConnectionLost", "Inactive")}}, want: []string{"i-00000000000000003", "i-0000000a"}},
		{name: "PlatformType", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("PlatformType", "Windows", "MacOS")}}, want: []string{"i-0000000a", "i-00000000000000006"}},
		{name: "ResourceType", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("ResourceType", "ManagedInstance")}}, want: []string{"mi-00000000000000004"}},
		{name: "ActivationIds", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("ActivationIds", "4f2b8d3a-1c5e-4a7b-9d0e-6f1a2b3c4d5e")}}, want: []string{"mi-00000000000000004"}},
		{name: "IamRole", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("IamRole", "SSMServiceRole")}}, want: []string{"mi-00000000000000004"}},
		{name: "AssociationStatus", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("AssociationStatus", "Failed")}}, want: []string{"i-00000000000000002"}},
		{name: "SourceIds", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("SourceIds", "i-00000000000000003")}}, want: []string{"i-00000000000000003"}},
		{name: "SourceTypes", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("SourceTypes", "AWS::SSM::ManagedInstance")}}, want: []string{"mi-00000000000000004"}},
		{name: "tag-key", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag-key", "Owner", "Nope")}}, want: []string{"i-0000000a"}},
		{name: "tag Name sees EC2 Name tag", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Name", "db-1")}}, want: []string{"i-00000000000000003"}},
		{name: "tag values OR", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Environment", "Dev", "Staging")}}, want: []string{"i-00000000000000001", "mi-00000000000000004"}},
		{name: "tag filters AND", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Environment", "Prod"), f("tag:Role", "web")}}, want: []string{"i-00000000000000002"}},
		{name: "non-tag filters AND", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("PingStatus", "Online"), f("ResourceType", "EC2Instance"), f("PlatformType", "Linux")}}, want: []string{"i-00000000000000001", "i-00000000000000002"}},
		{name: "no match", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Environment", "Nowhere")}}, want: nil},
		{name: "legacy list", in: ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []types.InstanceInformationFilter{lf("PlatformTypes", "Windows"), lf("PingStatus", "Inactive")}}, want: []string{"i-0000000a"}},
		{name: "legacy InstanceIds", in: ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []types.InstanceInformationFilter{lf("InstanceIds", "i-00000000000000001")}}, want: []string{"i-00000000000000001"}},
		{name: "both lists", in: ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []types.InstanceInformationFilter{lf("PingStatus", "Online")}, Filters: []types.InstanceInformationStringFilter{f("PingStatus", "Online")}}, errCode: "InvalidFilterKey"},
		{name: "tag with other filter", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Role", "web"), f("PingStatus", "Online")}}, errCode: "InvalidFilterKey"},
		{name: "bad key", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("Color", "blue")}}, errCode: "InvalidFilterKey"},
		{name: "legacy key in Filters", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("PlatformTypes", "Linux")}}, errCode: "InvalidFilterKey"},
		{name: "empty tag key", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:", "x")}}, errCode: "InvalidFilterKey"},
		{name: "bad legacy key", in: ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []types.InstanceInformationFilter{lf("Color", "blue")}}, errCode: "ValidationException"},
		{name: "bad PingStatus", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("PingStatus", "Sleeping")}}, errCode: "InvalidInstanceInformationFilterValue"},
		{name: "bad PlatformType", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("PlatformType", "Solaris")}}, errCode: "InvalidInstanceInformationFilterValue"},
		{name: "bad ResourceType", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("ResourceType", "Lambda")}}, errCode: "InvalidInstanceInformationFilterValue"},
		{name: "bad AssociationStatus", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("AssociationStatus", "Maybe")}}, errCode: "InvalidInstanceInformationFilterValue"},
		{name: "bad SourceTypes", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("SourceTypes", "AWS::S3::Bucket")}}, errCode: "InvalidInstanceInformationFilterValue"},
		{name: "unknown instance ID", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("InstanceIds", "i-00000000000000001", "i-0123456789abcdef0")}}, errCode: "InvalidInstanceId"},
		{name: "malformed instance ID", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("InstanceIds", "web-1")}}, errCode: "InvalidInstanceId"},
		{name: "too many values", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Role", make101()...)}}, errCode: "ValidationException"},
		{name: "empty value", in: ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{f("tag:Role", "")}}, errCode: "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := describeIDs(t, c, &tc.in)
			if tc.errCode != "" {
				if code := errorCode(err); code != tc.errCode {
					t.Fatalf("error %v (code %q), want %s", err, code, tc.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func make101() []string {
	v := make([]string, 101)
	for i := range v {
		v[i] = fmt.Sprint("v", i)
	}
	return v
}

func TestDescribeInstanceInformationFields(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	out, err := ssmClient(s).DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]types.InstanceInformation{}
	for _, info := range out.InstanceInformationList {
		byID[aws.ToString(info.InstanceId)] = info
	}
	ec2 := byID["i-0a1b2c3d4e5f60001"]
	if ec2.ResourceType != "EC2Instance" || ec2.PingStatus != types.PingStatusOnline || ec2.PlatformType != types.PlatformTypeLinux ||
		aws.ToString(ec2.IPAddress) != "10.0.1.11" || aws.ToString(ec2.ComputerName) != "ip-10-0-1-11.ec2.internal" ||
		aws.ToString(ec2.SourceId) != "i-0a1b2c3d4e5f60001" || ec2.SourceType != types.SourceTypeAwsEc2Instance ||
		!aws.ToBool(ec2.IsLatestVersion) || ec2.LastPingDateTime == nil || aws.ToString(ec2.Name) != "" {
		t.Errorf("EC2 node: %+v", ec2)
	}
	mi := byID["mi-0a1b2c3d4e5f60004"]
	if mi.ResourceType != "ManagedInstance" || aws.ToString(mi.Name) != "onprem-build-1" || aws.ToString(mi.ActivationId) == "" ||
		aws.ToString(mi.IamRole) != "SSMServiceRole" || mi.RegistrationDate == nil || mi.SourceType != types.SourceTypeAwsSsmManagedinstance {
		t.Errorf("hybrid node: %+v", mi)
	}
	if win := byID["i-0a1b2c3d4e5f60005"]; win.PlatformType != types.PlatformTypeWindows || !strings.HasPrefix(aws.ToString(win.PlatformName), "Microsoft Windows") {
		t.Errorf("windows node: %+v", win)
	}
	if lost := byID["i-0a1b2c3d4e5f60006"]; lost.PingStatus != types.PingStatusConnectionLost {
		t.Errorf("lost node: %+v", lost)
	}
}

func TestDescribeInstanceInformationPagination(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Nodes: 1000, Seed: 7})
	// The SDK may resend a call whose 200 answer it failed to read (`use of
	// closed network connection`, aws/aws-sdk-go-v2#2737): the sandbox then
	// counts it twice. Count the resends to tell them from extra pages.
	attempts := &attemptCounter{}
	c := ssm.NewFromConfig(s.AWSConfig(), func(o *ssm.Options) {
		o.Retryer = transportRetryer()
		o.HTTPClient = attempts
	})
	ids, err := describeIDs(t, c, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1000 {
		t.Fatalf("paged %d nodes, want 1000", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s returned twice", id)
		}
		seen[id] = true
	}
	calls := s.Stats().Operations["ssm.DescribeInstanceInformation"].Calls
	if first, resent := attempts.counts(); first != 20 || calls != first+resent {
		t.Errorf("%d calls (%d first attempts, %d resent) for 1000 nodes at 50 per page, want 20 first attempts", calls, first, resent)
	}

	// Default page size is 10 (the model's documentation).
	out, err := c.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.InstanceInformationList) != 10 || out.NextToken == nil {
		t.Errorf("default page: %d nodes, next token %v", len(out.InstanceInformationList), out.NextToken)
	}

	for _, n := range []int32{4, 51} {
		_, err := c.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(n)})
		if code := errorCode(err); code != "ValidationException" {
			t.Errorf("MaxResults %d: %v, want ValidationException", n, err)
		}
	}
	for _, tok := range []string{"garbage", "AQAAAAAAAAAAAAAAAAAAAAAA", *out.NextToken + "x"} {
		_, err := c.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{NextToken: aws.String(tok)})
		if code := errorCode(err); code != "InvalidNextToken" {
			t.Errorf("NextToken %q: %v, want InvalidNextToken", tok, err)
		}
	}
	// A token from one listing is refused by another.
	_, err = c.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{NextToken: out.NextToken,
		Filters: []types.InstanceInformationStringFilter{{Key: aws.String("PingStatus"), Values: []string{"Online"}}}})
	if code := errorCode(err); code != "InvalidNextToken" {
		t.Errorf("token of another listing: %v, want InvalidNextToken", err)
	}
}

func TestManagedInstanceTags(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	ctx := context.Background()
	const mi = "mi-0a1b2c3d4e5f60004"
	list := func(t *testing.T) map[string]string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String(mi)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.TagList {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	if got := list(t); got["Environment"] != "Dev" || len(got) != 2 {
		t.Fatalf("fleet tags: %v", got)
	}
	_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String(mi),
		Tags: []types.Tag{{Key: aws.String("Owner"), Value: aws.String("ops")}, {Key: aws.String("Environment"), Value: aws.String("Staging")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := list(t); got["Owner"] != "ops" || got["Environment"] != "Staging" || len(got) != 3 {
		t.Fatalf("after add: %v", got)
	}
	// DescribeInstanceInformation's tag filters see SSM tags on hybrid nodes.
	ids, err := describeIDs(t, c, &ssm.DescribeInstanceInformationInput{Filters: []types.InstanceInformationStringFilter{{Key: aws.String("tag:Owner"), Values: []string{"ops"}}}})
	if err != nil || !slices.Equal(ids, []string{mi}) {
		t.Errorf("tag filter after add: %v %v", ids, err)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String(mi), TagKeys: []string{"Owner", "NotThere"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(t); got["Owner"] != "" || len(got) != 2 {
		t.Fatalf("after remove: %v", got)
	}

	tags := func(n int, prefix string) []types.Tag {
		var out []types.Tag
		for i := range n {
			out = append(out, types.Tag{Key: aws.String(fmt.Sprintf("%s%d", prefix, i)), Value: aws.String("v")})
		}
		return out
	}
	tests := []struct {
		name    string
		call    func() error
		errCode string
	}{
		{"add on EC2 instance", func() error {
			_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String("i-0a1b2c3d4e5f60001"), Tags: tags(1, "k")})
			return err
		}, "InvalidResourceId"},
		{"list on EC2 instance", func() error {
			_, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String("i-0a1b2c3d4e5f60001")})
			return err
		}, "InvalidResourceId"},
		{"remove on unknown mi", func() error {
			_, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String("mi-99999999999999999"), TagKeys: []string{"a"}})
			return err
		}, "InvalidResourceId"},
		{"other resource type", func() error {
			_, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "MaintenanceWindow", ResourceId: aws.String("mw-0123456789abcdef0")})
			return err
		}, "InvalidResourceType"},
		{"unknown parameter", func() error {
			_, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Parameter", ResourceId: aws.String("/x")})
			return err
		}, "InvalidResourceId"},
		{"bad resource type", func() error {
			_, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Bucket", ResourceId: aws.String("x")})
			return err
		}, "ValidationException"},
		{"51 tags", func() error {
			_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String(mi), Tags: tags(49, "k")})
			return err
		}, "TooManyTagsError"},
		{"key too long", func() error {
			_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String(mi), Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}})
			return err
		}, "ValidationException"},
		{"value too long", func() error {
			_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String(mi), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}})
			return err
		}, "ValidationException"},
		{"bad character", func() error {
			_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String(mi), Tags: []types.Tag{{Key: aws.String("a*b"), Value: aws.String("v")}}})
			return err
		}, "ValidationException"},
		{"reserved prefix", func() error {
			_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String(mi), Tags: []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("v")}}})
			return err
		}, "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code := errorCode(tc.call()); code != tc.errCode {
				t.Errorf("got %q, want %s", code, tc.errCode)
			}
		})
	}
	// 48 more tags make 50, the limit: accepted.
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String(mi), Tags: tags(48, "k")}); err != nil {
		t.Errorf("50 tags: %v", err)
	}
	if got := list(t); len(got) != 50 {
		t.Errorf("%d tags, want 50", len(got))
	}
}

func TestGetConnectionStatus(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	for id, want := range map[string]types.ConnectionStatus{
		"i-0a1b2c3d4e5f60001":  types.ConnectionStatusConnected,
		"mi-0a1b2c3d4e5f60004": types.ConnectionStatusConnected,
		"i-0a1b2c3d4e5f60006":  types.ConnectionStatusNotConnected,
		"i-0fffffffffffffff0":  types.ConnectionStatusNotConnected,
	} {
		out, err := c.GetConnectionStatus(context.Background(), &ssm.GetConnectionStatusInput{Target: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != want || aws.ToString(out.Target) != id {
			t.Errorf("%s: %s, want %s", id, out.Status, want)
		}
	}
}

// attemptCounter is an HTTP client that counts the requests an SDK client
// sends, first attempts apart from resends (the amz-sdk-request header's
// attempt number).
type attemptCounter struct {
	mu            sync.Mutex
	first, resent int64
}

func (a *attemptCounter) Do(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	if strings.HasPrefix(req.Header.Get("amz-sdk-request"), "attempt=1;") {
		a.first++
	} else {
		a.resent++
	}
	a.mu.Unlock()
	return http.DefaultClient.Do(req)
}

func (a *attemptCounter) counts() (first, resent int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.first, a.resent
}
