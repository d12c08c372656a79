package sandbox

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	rgtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroups/types"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tgtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func taggingClient(s *Server) *resourcegroupstaggingapi.Client {
	return resourcegroupstaggingapi.NewFromConfig(s.AWSConfig(), func(o *resourcegroupstaggingapi.Options) { o.Retryer = transportRetryer() })
}

func groupsClient(s *Server) *resourcegroups.Client {
	return resourcegroups.NewFromConfig(s.AWSConfig(), func(o *resourcegroups.Options) { o.Retryer = transportRetryer() })
}

// getResources pages through GetResources and returns ARN -> tags.
func getResources(t *testing.T, c *resourcegroupstaggingapi.Client, in *resourcegroupstaggingapi.GetResourcesInput) (map[string]map[string]string, []string, error) {
	t.Helper()
	out := map[string]map[string]string{}
	var order []string
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			return nil, nil, err
		}
		for _, m := range page.ResourceTagMappingList {
			arn := aws.ToString(m.ResourceARN)
			if _, dup := out[arn]; dup {
				t.Errorf("%s returned twice", arn)
			}
			order = append(order, arn)
			out[arn] = map[string]string{}
			for _, tg := range m.Tags {
				out[arn][aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
		}
	}
	return out, order, nil
}

const (
	arnWeb1 = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60001"
	arnWeb2 = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60002"
	arnDB1  = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60003"
	arnMI   = "arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-0a1b2c3d4e5f60004"
	arnWin  = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60005"
	arnWeb3 = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60006"
)

func TestGetResources(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := taggingClient(s)
	tf := func(key string, values ...string) tgtypes.TagFilter {
		return tgtypes.TagFilter{Key: aws.String(key), Values: values}
	}
	tests := []struct {
		name    string
		in      resourcegroupstaggingapi.GetResourcesInput
		want    []string
		errCode string
	}{
		{name: "all", want: []string{arnWeb1, arnWeb2, arnDB1, arnMI, arnWin, arnWeb3}},
		{name: "ec2", in: resourcegroupstaggingapi.GetResourcesInput{ResourceTypeFilters: []string{"ec2"}}, want: []string{arnWeb1, arnWeb2, arnDB1, arnWin, arnWeb3}},
		{name: "ec2:instance", in: resourcegroupstaggingapi.GetResourcesInput{ResourceTypeFilters: []string{"ec2:instance"}}, want: []string{arnWeb1, arnWeb2, arnDB1, arnWin, arnWeb3}},
		{name: "ssm:managed-instance", in: resourcegroupstaggingapi.GetResourcesInput{ResourceTypeFilters: []string{"ssm:managed-instance"}}, want: []string{arnMI}},
		{name: "other types", in: resourcegroupstaggingapi.GetResourcesInput{ResourceTypeFilters: []string{"s3", "ec2:volume"}}, want: nil},
		{name: "tag key only", in: resourcegroupstaggingapi.GetResourcesInput{TagFilters: []tgtypes.TagFilter{tf("Role")}}, want: []string{arnWeb1, arnWeb2, arnDB1, arnMI, arnWin, arnWeb3}},
		{name: "tag values OR, filters AND", in: resourcegroupstaggingapi.GetResourcesInput{TagFilters: []tgtypes.TagFilter{tf("Environment", "Prod"), tf("Role", "web", "db")}}, want: []string{arnWeb2, arnDB1, arnWeb3}},
		{name: "Name tag", in: resourcegroupstaggingapi.GetResourcesInput{TagFilters: []tgtypes.TagFilter{tf("Name", "db-1")}}, want: []string{arnDB1}},
		{name: "ARN list", in: resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: []string{arnMI, arnWin, "arn:aws:ec2:us-east-1:123456789012:instance/i-0fffffffffffffff0"}}, want: []string{arnMI, arnWin}},
		{name: "ARN list with tag filter", in: resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: []string{arnMI}, TagFilters: []tgtypes.TagFilter{tf("Role")}}, errCode: "InvalidParameterException"},
		{name: "ARN list with type filter", in: resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: []string{arnMI}, ResourceTypeFilters: []string{"ec2"}}, errCode: "InvalidParameterException"},
		{name: "ARN list with page size", in: resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: []string{arnMI}, ResourcesPerPage: aws.Int32(10)}, errCode: "InvalidParameterException"},
		{name: "101 ARNs", in: resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: slices.Repeat([]string{arnMI}, 101)}, errCode: "ValidationException"},
		{name: "page size 0", in: resourcegroupstaggingapi.GetResourcesInput{ResourcesPerPage: aws.Int32(0)}, errCode: "InvalidParameterException"},
		{name: "page size 101", in: resourcegroupstaggingapi.GetResourcesInput{ResourcesPerPage: aws.Int32(101)}, errCode: "InvalidParameterException"},
		{name: "tags per page 99", in: resourcegroupstaggingapi.GetResourcesInput{TagsPerPage: aws.Int32(99)}, errCode: "InvalidParameterException"},
		{name: "tag filter without key", in: resourcegroupstaggingapi.GetResourcesInput{TagFilters: []tgtypes.TagFilter{{Values: []string{"x"}}}}, errCode: "InvalidParameterException"},
		{name: "21 values", in: resourcegroupstaggingapi.GetResourcesInput{TagFilters: []tgtypes.TagFilter{tf("Role", slices.Repeat([]string{"x"}, 21)...)}}, errCode: "ValidationException"},
		{name: "bad token", in: resourcegroupstaggingapi.GetResourcesInput{PaginationToken: aws.String("nope")}, errCode: "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.errCode != "" {
				// One direct call: the SDK paginator drops a zero page size.
				_, err := c.GetResources(context.Background(), &tc.in)
				if code := errorCode(err); code != tc.errCode {
					t.Fatalf("error %v, want %s", err, tc.errCode)
				}
				return
			}
			_, order, err := getResources(t, c, &tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(order, tc.want) {
				t.Errorf("got %v, want %v", order, tc.want)
			}
		})
	}
	all, _, err := getResources(t, c, &resourcegroupstaggingapi.GetResourcesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if tags := all[arnWeb2]; tags["Name"] != "web-2" || tags["Environment"] != "Prod" || tags["Role"] != "web" || len(tags) != 3 {
		t.Errorf("web-2 tags: %v", tags)
	}
	if tags := all[arnMI]; tags["Environment"] != "Dev" || tags["Name"] != "" {
		t.Errorf("hybrid node tags (its Name is no tag): %v", tags)
	}
}

func TestGetResourcesUntaggedAndRetagged(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: &Fleet{Nodes: []*Node{
		{ID: "i-00000000000000001"},
		{ID: "mi-00000000000000002"},
	}}})
	c := taggingClient(s)
	got, _, err := getResources(t, c, &resourcegroupstaggingapi.GetResourcesInput{})
	if err != nil || len(got) != 0 {
		t.Fatalf("untagged nodes listed: %v %v", got, err)
	}
	sc := ssmClient(s)
	ctx := context.Background()
	if _, err := sc.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String("mi-00000000000000002"),
		Tags: []ssmtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: "ManagedInstance", ResourceId: aws.String("mi-00000000000000002"), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	// "Resources that were previously tagged, but do not currently have
	// tags, are shown with an empty tag set."
	got, _, err = getResources(t, c, &resourcegroupstaggingapi.GetResourcesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if tags, ok := got["arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-00000000000000002"]; !ok || len(tags) != 0 || len(got) != 1 {
		t.Errorf("after untagging: %v", got)
	}
}

func TestGetResourcesPagination(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Nodes: 1000, Seed: 3})
	c := taggingClient(s)
	got, _, err := getResources(t, c, &resourcegroupstaggingapi.GetResourcesInput{ResourcesPerPage: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 {
		t.Errorf("%d resources, want 1000", len(got))
	}
	// The client may retry a call on a connection the Go SDK closed under
	// itself (transportRetryer); the sandbox counts that call too.
	if n := s.Stats().Operations["tagging.GetResources"].Calls; n < 10 || n > 12 {
		t.Errorf("%d calls, want 10 (at most 2 transport retries)", n)
	}
	// TagsPerPage: generated nodes have 2 or 3 tags; a page holds at most
	// 100 tags, and no resource is split across pages.
	out, err := c.GetResources(context.Background(), &resourcegroupstaggingapi.GetResourcesInput{TagsPerPage: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	tags := 0
	for _, m := range out.ResourceTagMappingList {
		tags += len(m.Tags)
	}
	if tags > 100 || tags < 98 || aws.ToString(out.PaginationToken) == "" {
		t.Errorf("TagsPerPage 100: %d resources with %d tags, token %q", len(out.ResourceTagMappingList), tags, aws.ToString(out.PaginationToken))
	}
}

func TestListGroupResources(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := groupsClient(s)
	ctx := context.Background()
	list := func(in *resourcegroups.ListGroupResourcesInput) ([]string, error) {
		var arns []string
		p := resourcegroups.NewListGroupResourcesPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, r := range out.Resources {
				arns = append(arns, aws.ToString(r.Identifier.ResourceArn))
				if want := "AWS::EC2::Instance"; strings.Contains(aws.ToString(r.Identifier.ResourceArn), ":ec2:") && aws.ToString(r.Identifier.ResourceType) != want {
					t.Errorf("resource type %q", aws.ToString(r.Identifier.ResourceType))
				}
			}
		}
		return arns, nil
	}
	got, err := list(&resourcegroups.ListGroupResourcesInput{Group: aws.String("web-servers")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{arnWeb1, arnWeb2, arnWeb3}; !slices.Equal(got, want) {
		t.Errorf("web-servers: %v, want %v", got, want)
	}
	got, err = list(&resourcegroups.ListGroupResourcesInput{Group: aws.String("arn:aws:resource-groups:us-east-1:123456789012:group/prod"), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{arnWeb2, arnDB1, arnWeb3}; !slices.Equal(got, want) {
		t.Errorf("prod by ARN, one per page: %v, want %v", got, want)
	}
	//lint:ignore SA1019 the deprecated GroupName member is still served, as AWS does.
	got, err = list(&resourcegroups.ListGroupResourcesInput{GroupName: aws.String("prod"), Filters: []rgtypes.ResourceFilter{{Name: "resource-type", Values: []string{"AWS::SSM::ManagedInstance"}}}})
	if err != nil || len(got) != 0 {
		t.Errorf("type filter: %v %v", got, err)
	}

	_, err = c.ListGroupResources(ctx, &resourcegroups.ListGroupResourcesInput{Group: aws.String("nope")})
	if code := errorCode(err); code != "NotFoundException" {
		t.Errorf("unknown group: %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
		t.Errorf("unknown group status: %v", err)
	}
	_, err = c.ListGroupResources(ctx, &resourcegroups.ListGroupResourcesInput{Group: aws.String("prod"), MaxResults: aws.Int32(51)})
	if code := errorCode(err); code != "BadRequestException" {
		t.Errorf("MaxResults 51: %v", err)
	}
	_, err = c.ListGroupResources(ctx, &resourcegroups.ListGroupResourcesInput{})
	if code := errorCode(err); code != "BadRequestException" {
		t.Errorf("no group: %v", err)
	}
	_, err = c.ListGroupResources(ctx, &resourcegroups.ListGroupResourcesInput{Group: aws.String("prod"), NextToken: aws.String("AAAA")})
	if code := errorCode(err); code != "BadRequestException" {
		t.Errorf("bad token: %v", err)
	}
}
