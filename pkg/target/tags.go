// Reading tags (the Resource Groups Tagging API), ARNs, resource group
// members, and the AWS error codes that decide how a failed read degrades.

package target

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	rgtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroups/types"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// errNoTagging stands for a denied GetResources when the Resolver has no
// tagging client.
var errNoTagging = errors.New("no tagging client")

// tagRead is the first tag read of a query: every tag (Query.WithTags), the
// keys of tag specs checked on the client, or the Name tags of name specs.
type tagRead struct {
	filters []tagtypes.TagFilter
	// names: the read is for name specs only. lookup: it lists the nodes
	// tagged with one of the literal names, by ARN never, so a node it leaves
	// out may still have another Name tag.
	names, lookup bool
	// required: client-side tag specs cannot be checked without the tags.
	// Otherwise a denied read degrades, with a warning.
	required bool
}

func planTagRead(withTags, withNames bool, clientTags, names []Spec, nameLits []string, allLiteral bool) *tagRead {
	switch {
	case withTags:
		return &tagRead{required: len(clientTags) > 0}
	case len(clientTags) > 0:
		return &tagRead{filters: tagFilters(clientTags), required: true}
	case len(names) == 0 && withNames:
		return &tagRead{filters: []tagtypes.TagFilter{{Key: aws.String("Name")}}, names: true}
	case len(names) == 0:
		return nil
	case allLiteral && len(nameLits) <= maxTagFilterValues:
		// Only nodes tagged with one of the names can match by tag.
		return &tagRead{filters: []tagtypes.TagFilter{{Key: aws.String("Name"), Values: nameLits}}, names: true, lookup: true}
	default:
		return &tagRead{filters: []tagtypes.TagFilter{{Key: aws.String("Name")}}, names: true}
	}
}

// degrades reports whether the query can go on without the tags after err.
func (t *tagRead) degrades(err error) bool { return !t.required && isAccessDenied(err) }

// listWithTags lists the nodes and, at the same time, makes the tag read t
// as a listing, which does not depend on the nodes (the account is not
// known, or t is a lookup by Name value).
//
// The calls and the results are those of the two reads one after the other,
// and so are the errors: a listing error comes first, a tag error is
// returned as tagErr, for Resolve to degrade or wrap. A failure of either
// stops the other, errgroup-style. A listing error cancels the tag read; a
// tag error that does not degrade stops the listing after the call under
// way (at least one), so that when every call fails the listing error is
// still the one reported. When the listing finds no node, the tag read is
// cancelled and its result dropped, since it would not have been made (a
// call or so may have been).
func (r *Resolver) listWithTags(ctx context.Context, listNodes func(context.Context, <-chan struct{}) ([]Node, error), t *tagRead) (nodes []Node, tags map[string]map[string]string, tagErr, err error) {
	tagCtx, stopTags := context.WithCancel(ctx)
	defer stopTags()
	stopList := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tags, tagErr = r.tagsByListing(tagCtx, t.filters, nil)
		if tagErr != nil && !t.degrades(tagErr) && tagCtx.Err() == nil {
			close(stopList)
		}
	}()
	nodes, err = listNodes(ctx, stopList)
	if err != nil || len(nodes) == 0 {
		stopTags()
	}
	<-done
	switch {
	case err != nil && !errors.Is(err, errListStopped):
		return nil, nil, nil, err
	case err == nil && len(nodes) == 0:
		return nodes, map[string]map[string]string{}, nil, nil
	}
	return nodes, tags, tagErr, nil
}

// knowsARNs reports whether the resolver can make the ARNs of nodes.
func (r *Resolver) knowsARNs() bool { return r.AccountID != "" && r.Region != "" }

// readTags returns the tags of the given nodes, by ARN when the account is
// known and the nodes are few, else by a listing narrowed by filters. Nodes
// without tags (or, in a listing, failing the filters) are absent.
func (r *Resolver) readTags(ctx context.Context, ids []string, filters []tagtypes.TagFilter) (map[string]map[string]string, error) {
	if len(ids) == 0 {
		return map[string]map[string]string{}, nil
	}
	if r.knowsARNs() && len(ids) <= maxNodesByARN {
		return r.tagsByARN(ctx, ids)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	return r.tagsByListing(ctx, filters, want)
}

func (r *Resolver) tagsByARN(ctx context.Context, ids []string) (map[string]map[string]string, error) {
	if r.Tagging == nil {
		return nil, errNoTagging
	}
	out := map[string]map[string]string{}
	for start := 0; start < len(ids); start += maxARNsPerCall {
		batch := ids[start:min(start+maxARNsPerCall, len(ids))]
		arns := make([]string, len(batch))
		for i, id := range batch {
			arns[i] = r.arn(id)
		}
		page, err := r.Tagging.GetResources(ctx, &resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: arns})
		if err != nil {
			return nil, err
		}
		collectTags(out, page.ResourceTagMappingList, nil)
	}
	return out, nil
}

// tagsByListing lists the tagged instances and managed instances that pass
// the filters, and returns the tags of those in want (nil: of all).
func (r *Resolver) tagsByListing(ctx context.Context, filters []tagtypes.TagFilter, want map[string]bool) (map[string]map[string]string, error) {
	if r.Tagging == nil {
		return nil, errNoTagging
	}
	out := map[string]map[string]string{}
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(r.Tagging, &resourcegroupstaggingapi.GetResourcesInput{
		ResourceTypeFilters: []string{"ec2:instance", "ssm:managed-instance"},
		ResourcesPerPage:    aws.Int32(tagsPageSize),
		TagFilters:          filters,
	}, func(o *resourcegroupstaggingapi.GetResourcesPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		collectTags(out, page.ResourceTagMappingList, want)
	}
	return out, nil
}

func collectTags(out map[string]map[string]string, list []tagtypes.ResourceTagMapping, want map[string]bool) {
	for _, m := range list {
		id, ok := nodeIDFromARN(aws.ToString(m.ResourceARN))
		if !ok || (want != nil && !want[id]) {
			continue
		}
		t := map[string]string{}
		for _, tag := range m.Tags {
			t[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		out[id] = t
	}
}

func (r *Resolver) arn(id string) string {
	partition := r.Partition
	if partition == "" {
		partition = partitionOf(r.Region)
	}
	if strings.HasPrefix(id, "mi-") {
		return fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/%s", partition, r.Region, r.AccountID, id)
	}
	return fmt.Sprintf("arn:%s:ec2:%s:%s:instance/%s", partition, r.Region, r.AccountID, id)
}

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}

// nodeIDFromARN returns the node ID of an EC2 instance or SSM managed
// instance ARN.
func nodeIDFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", false
	}
	switch service, res := parts[2], parts[5]; {
	case service == "ec2" && strings.HasPrefix(res, "instance/"):
		return strings.TrimPrefix(res, "instance/"), true
	case service == "ssm" && strings.HasPrefix(res, "managed-instance/"):
		return strings.TrimPrefix(res, "managed-instance/"), true
	}
	return "", false
}

func (r *Resolver) groupMembers(ctx context.Context, g Spec) (map[string]bool, error) {
	if r.Groups == nil {
		return nil, errors.New("target: Resolver has no resource groups client")
	}
	p := resourcegroups.NewListGroupResourcesPaginator(r.Groups, &resourcegroups.ListGroupResourcesInput{
		Group:      aws.String(g.Group),
		MaxResults: aws.Int32(groupPageSize),
	}, func(o *resourcegroups.ListGroupResourcesPaginatorOptions) { o.StopOnDuplicateToken = true })
	members := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			var nf *rgtypes.NotFoundException
			if errors.As(err, &nf) {
				return nil, exitcode.Usagef("target %q: no resource group %s", g.Raw, g.Group)
			}
			return nil, fmt.Errorf("list members of resource group %s: %w", g.Group, err)
		}
		for _, item := range page.Resources {
			if item.Identifier == nil {
				continue
			}
			if id, ok := nodeIDFromARN(aws.ToString(item.Identifier.ResourceArn)); ok {
				members[id] = true
			}
		}
	}
	return members, nil
}

func isAccessDenied(err error) bool {
	if errors.Is(err, errNoTagging) {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnauthorizedException":
		return true
	}
	return false
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return "tag:GetResources: " + api.ErrorCode()
	}
	return err.Error()
}
