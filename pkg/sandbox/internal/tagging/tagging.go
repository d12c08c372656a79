package tagging

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// The Resource Groups Tagging API's GetResources (JSON 1.1, signing name
// "tagging", botocore model resourcegroupstaggingapi/2017-01-26) and
// Resource Groups' ListGroupResources (REST-JSON, signing name
// "resource-groups", model resource-groups/2017-11-27), over the fleet's
// nodes: EC2 nodes as ec2:instance, hybrid nodes as ssm:managed-instance.

type tagFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type getResourcesInput struct {
	PaginationToken           *string     `json:"PaginationToken"`
	TagFilters                []tagFilter `json:"TagFilters"`
	ResourcesPerPage          *int32      `json:"ResourcesPerPage"`
	TagsPerPage               *int32      `json:"TagsPerPage"`
	ResourceTypeFilters       []string    `json:"ResourceTypeFilters"`
	IncludeComplianceDetails  *bool       `json:"IncludeComplianceDetails"`
	ExcludeCompliantResources *bool       `json:"ExcludeCompliantResources"`
	ResourceARNList           []string    `json:"ResourceARNList"`
}

type complianceDetails struct {
	NoncompliantKeys           []string `json:"NoncompliantKeys"`
	KeysWithNoncompliantValues []string `json:"KeysWithNoncompliantValues"`
	ComplianceStatus           bool     `json:"ComplianceStatus"`
}

type resourceTagMapping struct {
	ResourceARN       string             `json:"ResourceARN"`
	Tags              []tags.Tag         `json:"Tags"`
	ComplianceDetails *complianceDetails `json:"ComplianceDetails,omitempty"`
}

type getResourcesOutput struct {
	PaginationToken        string               `json:"PaginationToken,omitempty"`
	ResourceTagMappingList []resourceTagMapping `json:"ResourceTagMappingList"`
}

type resourceFilter struct {
	Name   *string  `json:"Name"`
	Values []string `json:"Values"`
}

type listGroupResourcesInput struct {
	GroupName  *string          `json:"GroupName"`
	Group      *string          `json:"Group"`
	Filters    []resourceFilter `json:"Filters"`
	MaxResults *int32           `json:"MaxResults"`
	NextToken  *string          `json:"NextToken"`
}

type resourceIdentifier struct {
	ResourceArn  string `json:"ResourceArn"`
	ResourceType string `json:"ResourceType"`
}

type listGroupResourcesItem struct {
	Identifier resourceIdentifier `json:"Identifier"`
}

type listGroupResourcesOutput struct {
	Resources           []listGroupResourcesItem `json:"Resources"`
	ResourceIdentifiers []resourceIdentifier     `json:"ResourceIdentifiers"`
	NextToken           string                   `json:"NextToken,omitempty"`
}

var (
	// resource-groups model patterns.
	rgGroupNamePattern   = lazyre.New(`^([a-zA-Z0-9_\.-]{1,300}|[a-zA-Z0-9_\.-]{1,150}/[a-z0-9]{26})$`)
	rgGroupStringPattern = lazyre.New(`^([a-zA-Z0-9_\.-]{1,300}|[a-zA-Z0-9_\.-]{1,150}/[a-z0-9]{26}|arn:aws(-[a-z]+)*:resource-groups:[a-z]{2}(-[a-z]+)+-\d{1}:[0-9]{12}:group/([a-zA-Z0-9_\.-]{1,300}|[a-zA-Z0-9_\.-]{1,150}/[a-z0-9]{26}))$`)
	rgFilterValuePattern = lazyre.New(`^AWS::[a-zA-Z0-9]+::[a-zA-Z0-9]+$`)
	rgNextTokenPattern   = lazyre.New(`^[a-zA-Z0-9+/]*={0,2}$`)
)

const (
	// GetResources: ResourcesPerPage "a minimum of 1 and a maximum value of
	// 100", TagsPerPage "a minimum of 100 items up to a maximum of 500"
	// (documentation; the model gives no bounds, so violations are the
	// service's InvalidParameterException, not ValidationException). The
	// default page size is not documented; the sandbox uses 50.
	defaultResourcesPerPage = 50
	// ListGroupResources: MaxResults 1..50 (model); default undocumented,
	// the sandbox uses 50.
	defaultGroupResourcesPage = 50
)

func errInvalidParameter(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidParameterException", "%s", msg)
}

func errNotFound(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusNotFound, "NotFoundException", "%s", msg)
}

func errBadRequest(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "BadRequestException", "%s", msg)
}

func resourceTypeMatches(n *nodes.Node, filter string) bool {
	svc, typ := "ec2", "instance"
	if n.Hybrid() {
		svc, typ = "ssm", "managed-instance"
	}
	fs, ft, hasType := strings.Cut(filter, ":")
	if fs != svc {
		return false
	}
	return !hasType || ft == typ
}

func (a *Area) getResources(in *getResourcesInput) (*getResourcesOutput, error) {
	var v protocol.Validator
	if in.PaginationToken != nil {
		v.Length("paginationToken", *in.PaginationToken, 0, 2048)
	}
	v.Count("tagFilters", len(in.TagFilters), 0, 50)
	for i, f := range in.TagFilters {
		p := fmt.Sprintf("tagFilters.%d.member", i+1)
		if f.Key != nil {
			v.Length(p+".key", *f.Key, 1, 128)
		}
		v.Count(p+".values", len(f.Values), 0, 20)
		for _, val := range f.Values {
			v.Length(p+".values.member", val, 0, 256)
		}
	}
	for _, t := range in.ResourceTypeFilters {
		v.Length("resourceTypeFilters.member", t, 0, 256)
	}
	if in.ResourceARNList != nil {
		v.Count("resourceARNList", len(in.ResourceARNList), 1, 100)
		for _, a := range in.ResourceARNList {
			v.Length("resourceARNList.member", a, 1, 1011)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	// Service rules from the GetResources documentation.
	if in.ResourceARNList != nil {
		switch {
		case len(in.TagFilters) > 0:
			return nil, errInvalidParameter("You can't specify both TagFilters and ResourceARNList in the same request.")
		case len(in.ResourceTypeFilters) > 0:
			return nil, errInvalidParameter("You can't specify both ResourceTypeFilters and ResourceARNList in the same request.")
		case in.ResourcesPerPage != nil || in.TagsPerPage != nil || in.PaginationToken != nil && *in.PaginationToken != "":
			return nil, errInvalidParameter("You can't specify pagination parameters (ResourcesPerPage, TagsPerPage, PaginationToken) with ResourceARNList.")
		}
	}
	for _, f := range in.TagFilters {
		if f.Key == nil {
			return nil, errInvalidParameter("Each TagFilter must contain a key.")
		}
	}
	if len(in.ResourceTypeFilters) > 100 {
		return nil, errInvalidParameter("ResourceTypeFilters can include up to 100 items.")
	}
	if in.ResourcesPerPage != nil && (*in.ResourcesPerPage < 1 || *in.ResourcesPerPage > 100) {
		return nil, errInvalidParameter(fmt.Sprintf("ResourcesPerPage must be between 1 and 100, not %d.", *in.ResourcesPerPage))
	}
	if in.TagsPerPage != nil && (*in.TagsPerPage < 100 || *in.TagsPerPage > 500) {
		return nil, errInvalidParameter(fmt.Sprintf("TagsPerPage must be between 100 and 500, not %d.", *in.TagsPerPage))
	}
	compliance := in.IncludeComplianceDetails != nil && *in.IncludeComplianceDetails
	excludeCompliant := in.ExcludeCompliantResources != nil && *in.ExcludeCompliantResources
	if excludeCompliant && !compliance {
		return nil, errInvalidParameter("ExcludeCompliantResources can be used only if IncludeComplianceDetails is true.")
	}

	perPage := defaultResourcesPerPage
	if in.ResourcesPerPage != nil {
		perPage = int(*in.ResourcesPerPage)
	}
	fp := protocol.PageFingerprint("GetResources", in.TagFilters, in.ResourceTypeFilters, compliance, excludeCompliant)

	var out getResourcesOutput
	var apiError error
	func() {
		var matched []*nodes.Node
		for _, n := range a.nodes.All() {
			if a.resourceSelected(n, in) {
				matched = append(matched, n)
			}
		}
		if excludeCompliant {
			// The sandbox has no tag policy: every resource complies.
			matched = nil
		}
		token := ""
		if in.PaginationToken != nil {
			token = *in.PaginationToken
		}
		off, ok := protocol.DecodePageToken(token, fp, len(matched))
		if !ok {
			apiError = errInvalidParameter("The specified PaginationToken is not valid.")
			return
		}
		from, to, next := protocol.Page(len(matched), off, perPage, fp)
		if in.TagsPerPage != nil {
			// "GetResources does not split a resource and its associated
			// tags across pages"; an untagged resource counts as one tag.
			budget := int(*in.TagsPerPage)
			for i := from; i < to; i++ {
				budget -= max(1, len(matched[i].Tags))
				if budget < 0 && i > from {
					to = i
					next = protocol.EncodePageToken(fp, to)
					break
				}
			}
		}
		out.ResourceTagMappingList = make([]resourceTagMapping, 0, to-from)
		for _, n := range matched[from:to] {
			m := resourceTagMapping{ResourceARN: a.nodes.ARN(n.ID), Tags: tags.List(n.Tags)}
			if compliance {
				m.ComplianceDetails = &complianceDetails{NoncompliantKeys: []string{}, KeysWithNoncompliantValues: []string{}, ComplianceStatus: true}
			}
			out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
		}
		out.PaginationToken = next
	}()
	if apiError != nil {
		return nil, apiError
	}
	return &out, nil
}

// resourceSelected applies GetResources' selection to one node. "GetResources
// does not return untagged resources", but does return resources that were
// tagged once, with an empty tag set.
func (a *Area) resourceSelected(n *nodes.Node, in *getResourcesInput) bool {
	if len(n.Tags) == 0 && !n.TaggedOnce {
		return false
	}
	if in.ResourceARNList != nil {
		return slices.Contains(in.ResourceARNList, a.nodes.ARN(n.ID))
	}
	if len(in.ResourceTypeFilters) > 0 {
		ok := false
		for _, f := range in.ResourceTypeFilters {
			if resourceTypeMatches(n, f) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	// Filters AND together; a filter's values OR; a filter without values
	// matches any value of its key.
	for _, f := range in.TagFilters {
		val, has := n.Tags[*f.Key]
		if !has || len(f.Values) > 0 && !slices.Contains(f.Values, val) {
			return false
		}
	}
	return true
}

func resourceGroupsType(n *nodes.Node) string {
	if n.Hybrid() {
		return "AWS::SSM::ManagedInstance"
	}
	return "AWS::EC2::Instance"
}

func (a *Area) listGroupResources(in *listGroupResourcesInput) (*listGroupResourcesOutput, error) {
	var v protocol.Validator
	if in.GroupName != nil {
		v.Length("groupName", *in.GroupName, 1, 300)
		v.Pattern("groupName", *in.GroupName, rgGroupNamePattern)
	}
	if in.Group != nil {
		v.Length("group", *in.Group, 1, 1600)
		v.Pattern("group", *in.Group, rgGroupStringPattern)
	}
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".name", f.Name != nil) {
			v.Enum(p+".name", *f.Name, "resource-type")
		}
		if v.Required(p+".values", f.Values != nil) {
			v.Count(p+".values", len(f.Values), 1, 5)
			for _, val := range f.Values {
				v.Length(p+".values.member", val, 1, 128)
				v.Pattern(p+".values.member", val, rgFilterValuePattern)
			}
		}
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if in.NextToken != nil {
		v.Length("nextToken", *in.NextToken, 0, 8192)
		v.Pattern("nextToken", *in.NextToken, rgNextTokenPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	name := ""
	switch {
	case in.Group != nil:
		name = *in.Group
	case in.GroupName != nil:
		name = *in.GroupName
	default:
		return nil, errBadRequest("You must specify either Group or GroupName.")
	}
	if strings.HasPrefix(name, "arn:") {
		prefix := a.h.ARN("resource-groups", a.h.Region, "group/")
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			return nil, errNotFound(fmt.Sprintf("Cannot find group %s.", name))
		}
		name = rest
	}
	var types []string
	for _, f := range in.Filters {
		types = append(types, f.Values...)
	}
	size := defaultGroupResourcesPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListGroupResources", name, types)

	var out listGroupResourcesOutput
	var apiError error
	func() {
		found := false
		var members []*nodes.Node
		for _, n := range a.nodes.All() {
			if !slices.Contains(n.Groups, name) {
				continue
			}
			found = true
			if len(types) == 0 || slices.Contains(types, resourceGroupsType(n)) {
				members = append(members, n)
			}
		}
		if !found {
			apiError = errNotFound(fmt.Sprintf("Cannot find group %s.", name))
			return
		}
		token := ""
		if in.NextToken != nil {
			token = *in.NextToken
		}
		off, ok := protocol.DecodePageToken(token, fp, len(members))
		if !ok {
			apiError = errBadRequest("The specified NextToken is not valid.")
			return
		}
		from, to, next := protocol.Page(len(members), off, size, fp)
		out.Resources = make([]listGroupResourcesItem, 0, to-from)
		out.ResourceIdentifiers = make([]resourceIdentifier, 0, to-from)
		for _, n := range members[from:to] {
			id := resourceIdentifier{ResourceArn: a.nodes.ARN(n.ID), ResourceType: resourceGroupsType(n)}
			out.Resources = append(out.Resources, listGroupResourcesItem{Identifier: id})
			out.ResourceIdentifiers = append(out.ResourceIdentifiers, id)
		}
		out.NextToken = next
	}()
	if apiError != nil {
		return nil, apiError
	}
	return &out, nil
}
