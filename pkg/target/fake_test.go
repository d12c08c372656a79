package target

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	rgtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroups/types"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// fakeNode is a managed node of the fake fleet, with its tags.
type fakeNode struct {
	info ssmtypes.InstanceInformation
	tags map[string]string
}

// fakeAWS fakes the three APIs over one fleet, enforcing the limits of the
// AWS models and counting calls.
type fakeAWS struct {
	mu        sync.Mutex
	nodes     []fakeNode
	unmanaged map[string]map[string]string // EC2 instances that are not managed nodes: ID → tags
	groups    map[string][]string          // group name → member ARNs
	denyTags  bool
	// lenientIDs makes unknown InstanceIds filter values match nothing
	// instead of failing with InvalidInstanceId.
	lenientIDs bool
	ssmErr     error
	// beforeDescribe and beforeTags, if set, run at the start of every
	// DescribeInstanceInformation and GetResources call, outside the lock;
	// an error is the call's.
	beforeDescribe, beforeTags func(ctx context.Context) error

	describeCalls, tagCalls, groupCalls int
	describeInputs                      []ssm.DescribeInstanceInformationInput
	tagInputs                           []resourcegroupstaggingapi.GetResourcesInput
}

const fakeAccount, fakeRegion = "123456789012", "eu-west-1"

func arnOf(id string) string {
	if strings.HasPrefix(id, "mi-") {
		return "arn:aws:ssm:" + fakeRegion + ":" + fakeAccount + ":managed-instance/" + id
	}
	return "arn:aws:ec2:" + fakeRegion + ":" + fakeAccount + ":instance/" + id
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func (f *fakeAWS) DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, _ ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	if f.beforeDescribe != nil {
		if err := f.beforeDescribe(ctx); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.describeCalls++
	f.describeInputs = append(f.describeInputs, *in)
	if f.ssmErr != nil {
		return nil, f.ssmErr
	}
	max := int32(10)
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	if max < 5 || max > 50 {
		return nil, apiErr("ValidationException", "MaxResults out of range")
	}
	var tagFilter, otherFilter bool
	for _, fl := range in.Filters {
		if len(fl.Values) < 1 || len(fl.Values) > 100 || slices.Contains(fl.Values, "") {
			return nil, &ssmtypes.InvalidInstanceInformationFilterValue{Message: aws.String("bad filter values")}
		}
		if strings.HasPrefix(aws.ToString(fl.Key), "tag:") {
			tagFilter = true
		} else {
			otherFilter = true
		}
	}
	if tagFilter && otherFilter {
		return nil, &ssmtypes.InvalidFilterKey{Message: aws.String("tag filters cannot be combined with other filters")}
	}
	var matched []ssmtypes.InstanceInformation
	for _, fl := range in.Filters {
		if aws.ToString(fl.Key) == "InstanceIds" && !f.lenientIDs {
			for _, id := range fl.Values {
				if !slices.ContainsFunc(f.nodes, func(n fakeNode) bool { return aws.ToString(n.info.InstanceId) == id }) {
					return nil, &ssmtypes.InvalidInstanceId{Message: aws.String("Instances [[" + id + "]] not in a valid state for account " + fakeAccount)}
				}
			}
		}
	}
	for _, n := range f.nodes {
		ok := true
		for _, fl := range in.Filters {
			key := aws.ToString(fl.Key)
			switch {
			case key == "InstanceIds":
				ok = ok && slices.Contains(fl.Values, aws.ToString(n.info.InstanceId))
			case key == "PingStatus":
				ok = ok && slices.Contains(fl.Values, string(n.info.PingStatus))
			case strings.HasPrefix(key, "tag:"):
				v, has := n.tags[strings.TrimPrefix(key, "tag:")]
				ok = ok && has && slices.Contains(fl.Values, v)
			default:
				return nil, &ssmtypes.InvalidFilterKey{}
			}
		}
		if ok {
			matched = append(matched, n.info)
		}
	}
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+int(max), len(matched))
	out := &ssm.DescribeInstanceInformationOutput{InstanceInformationList: matched[start:end]}
	if end < len(matched) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

type fakeResource struct {
	arn  string
	tags map[string]string
}

func (f *fakeAWS) resources() []fakeResource {
	var out []fakeResource
	for _, n := range f.nodes {
		if len(n.tags) > 0 {
			out = append(out, fakeResource{arnOf(aws.ToString(n.info.InstanceId)), n.tags})
		}
	}
	for id, tags := range f.unmanaged {
		out = append(out, fakeResource{arnOf(id), tags})
	}
	slices.SortFunc(out, func(a, b fakeResource) int { return strings.Compare(a.arn, b.arn) })
	return out
}

func (f *fakeAWS) GetResources(ctx context.Context, in *resourcegroupstaggingapi.GetResourcesInput, _ ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
	if f.beforeTags != nil {
		if err := f.beforeTags(ctx); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tagCalls++
	f.tagInputs = append(f.tagInputs, *in)
	if f.denyTags {
		return nil, apiErr("AccessDeniedException", "User is not authorized to perform: tag:GetResources")
	}
	if len(in.ResourceARNList) > 0 {
		if len(in.ResourceARNList) > 100 || in.TagFilters != nil || in.ResourceTypeFilters != nil || in.ResourcesPerPage != nil || in.PaginationToken != nil {
			return nil, apiErr("InvalidParameterException", "ResourceARNList cannot be combined")
		}
		out := &resourcegroupstaggingapi.GetResourcesOutput{}
		for _, r := range f.resources() {
			if slices.Contains(in.ResourceARNList, r.arn) {
				out.ResourceTagMappingList = append(out.ResourceTagMappingList, mapping(r))
			}
		}
		return out, nil
	}
	per := 50
	if in.ResourcesPerPage != nil {
		per = int(*in.ResourcesPerPage)
	}
	if per < 1 || per > 100 || len(in.TagFilters) > 50 {
		return nil, apiErr("InvalidParameterException", "out of range")
	}
	var matched []fakeResource
	for _, r := range f.resources() {
		ok := true
		for _, tf := range in.TagFilters {
			if len(tf.Values) > 20 {
				return nil, apiErr("InvalidParameterException", "too many values")
			}
			v, has := r.tags[aws.ToString(tf.Key)]
			ok = ok && has && (len(tf.Values) == 0 || slices.Contains(tf.Values, v))
		}
		if ok {
			matched = append(matched, r)
		}
	}
	start := 0
	if in.PaginationToken != nil && *in.PaginationToken != "" {
		start, _ = strconv.Atoi(*in.PaginationToken)
	}
	end := min(start+per, len(matched))
	out := &resourcegroupstaggingapi.GetResourcesOutput{PaginationToken: aws.String("")}
	for _, r := range matched[start:end] {
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, mapping(r))
	}
	if end < len(matched) {
		out.PaginationToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func mapping(r fakeResource) tagtypes.ResourceTagMapping {
	m := tagtypes.ResourceTagMapping{ResourceARN: aws.String(r.arn)}
	for k, v := range r.tags {
		m.Tags = append(m.Tags, tagtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return m
}

func (f *fakeAWS) ListGroupResources(_ context.Context, in *resourcegroups.ListGroupResourcesInput, _ ...func(*resourcegroups.Options)) (*resourcegroups.ListGroupResourcesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groupCalls++
	arns, ok := f.groups[aws.ToString(in.Group)]
	if !ok {
		return nil, &rgtypes.NotFoundException{Message: aws.String("Cannot find group")}
	}
	per := 50
	if in.MaxResults != nil {
		per = int(*in.MaxResults)
	}
	if per < 1 || per > 50 {
		return nil, &rgtypes.BadRequestException{}
	}
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+per, len(arns))
	out := &resourcegroups.ListGroupResourcesOutput{}
	for _, a := range arns[start:end] {
		out.Resources = append(out.Resources, rgtypes.ListGroupResourcesItem{Identifier: &rgtypes.ResourceIdentifier{ResourceArn: aws.String(a)}})
	}
	if end < len(arns) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// fleet builds n nodes: i- nodes named web-NNN (even) or db-NNN (odd) by
// Name tag, with Env prod (every third: dev) and mostly Online, plus the
// given extra nodes.
func fleet(n int, extra ...fakeNode) *fakeAWS {
	f := &fakeAWS{groups: map[string][]string{}}
	for i := range n {
		role := "web"
		if i%2 == 1 {
			role = "db"
		}
		env := "prod"
		if i%3 == 0 {
			env = "dev"
		}
		ping := ssmtypes.PingStatusOnline
		if i%10 == 9 {
			ping = ssmtypes.PingStatusConnectionLost
		}
		id := fmt.Sprintf("i-%017x", i+1)
		f.nodes = append(f.nodes, fakeNode{
			info: ssmtypes.InstanceInformation{
				InstanceId:       aws.String(id),
				PingStatus:       ping,
				ComputerName:     aws.String(fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", i/256, i%256)),
				ResourceType:     ssmtypes.ResourceTypeEc2Instance,
				PlatformType:     ssmtypes.PlatformTypeLinux,
				LastPingDateTime: aws.Time(time.Unix(1700000000, 0)),
			},
			tags: map[string]string{"Name": fmt.Sprintf("%s-%03d", role, i), "Env": env, "Role": role},
		})
	}
	f.nodes = append(f.nodes, extra...)
	return f
}

func hybrid(id, name, computer string, ping ssmtypes.PingStatus, tags map[string]string) fakeNode {
	return fakeNode{
		info: ssmtypes.InstanceInformation{
			InstanceId:   aws.String(id),
			Name:         aws.String(name),
			ComputerName: aws.String(computer),
			PingStatus:   ping,
			ResourceType: ssmtypes.ResourceTypeManagedInstance,
		},
		tags: tags,
	}
}

func (f *fakeAWS) resolver() *Resolver {
	return &Resolver{SSM: f, Tagging: f, Groups: f, Clock: &skipClock{now: time.Unix(1e9, 0)}}
}

// skipClock does not wait: a sleep moves it on, so retries of failed
// reads run at once.
type skipClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *skipClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *skipClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}
