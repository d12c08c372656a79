package sandbox

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// SSM's managed-node APIs: DescribeInstanceInformation, GetConnectionStatus
// and the tag APIs for ResourceType ManagedInstance. Rules, limits and error
// names come from botocore's ssm/2014-11-06 model unless a comment says
// otherwise.

// Wire types (AWS member names).

type instanceInformationFilter struct {
	Key      *string  `json:"key"`
	ValueSet []string `json:"valueSet"`
}

type instanceInformationStringFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type describeInstanceInformationInput struct {
	InstanceInformationFilterList []instanceInformationFilter       `json:"InstanceInformationFilterList"`
	Filters                       []instanceInformationStringFilter `json:"Filters"`
	MaxResults                    *int32                            `json:"MaxResults"`
	NextToken                     *string                           `json:"NextToken"`
}

type instanceInformation struct {
	InstanceId        string              `json:"InstanceId"`
	PingStatus        string              `json:"PingStatus,omitempty"`
	LastPingDateTime  *protocol.EpochTime `json:"LastPingDateTime,omitempty"`
	AgentVersion      string              `json:"AgentVersion,omitempty"`
	IsLatestVersion   bool                `json:"IsLatestVersion"`
	PlatformType      string              `json:"PlatformType,omitempty"`
	PlatformName      string              `json:"PlatformName,omitempty"`
	PlatformVersion   string              `json:"PlatformVersion,omitempty"`
	ActivationId      string              `json:"ActivationId,omitempty"`
	IamRole           string              `json:"IamRole,omitempty"`
	RegistrationDate  *protocol.EpochTime `json:"RegistrationDate,omitempty"`
	ResourceType      string              `json:"ResourceType,omitempty"`
	Name              string              `json:"Name,omitempty"`
	IPAddress         string              `json:"IPAddress,omitempty"`
	ComputerName      string              `json:"ComputerName,omitempty"`
	AssociationStatus string              `json:"AssociationStatus,omitempty"`
	SourceId          string              `json:"SourceId,omitempty"`
	SourceType        string              `json:"SourceType,omitempty"`
}

type describeInstanceInformationOutput struct {
	InstanceInformationList []instanceInformation `json:"InstanceInformationList"`
	NextToken               string                `json:"NextToken,omitempty"`
}

type addTagsToResourceInput struct {
	ResourceType *string     `json:"ResourceType"`
	ResourceId   *string     `json:"ResourceId"`
	Tags         []tags.Wire `json:"Tags"`
}

type removeTagsFromResourceInput struct {
	ResourceType *string  `json:"ResourceType"`
	ResourceId   *string  `json:"ResourceId"`
	TagKeys      []string `json:"TagKeys"`
}

type listTagsForResourceInput struct {
	ResourceType *string `json:"ResourceType"`
	ResourceId   *string `json:"ResourceId"`
}

type listTagsForResourceOutput struct {
	TagList []tags.Tag `json:"TagList"`
}

type getConnectionStatusInput struct {
	Target *string `json:"Target"`
}

type getConnectionStatusOutput struct {
	Target string `json:"Target"`
	Status string `json:"Status"`
}

// Enums and limits from the model.
var (
	// InstanceInformationFilterKey enum (the legacy list).
	legacyFilterKeys = []string{"InstanceIds", "AgentVersion", "PingStatus", "PlatformTypes", "ActivationIds", "IamRole", "ResourceType", "AssociationStatus"}
	pingStatuses     = []string{"Online", "ConnectionLost", "Inactive"}

	resourceTypes = []string{"ManagedInstance", "EC2Instance"}
	// InstanceInformationStringFilter.Key documentation: "Valid values for
	// the AssociationStatus filter key: Success | Pending | Failed".
	associationStatuses = []string{"Success", "Pending", "Failed"}
	sourceTypes         = []string{"AWS::EC2::Instance", "AWS::IoT::Thing", "AWS::SSM::ManagedInstance"}
	// ResourceTypeForTagging enum.
	taggableResourceTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}
)

const (
	// MaxResultsEC2Compatible: 5..50; the documentation gives 10 as the
	// default page size.
	defaultInstanceInfoPage = 10
)

func (s *Server) describeInstanceInformation(in *describeInstanceInformationInput) (*describeInstanceInformationOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 5, 50)
	for i, f := range in.InstanceInformationFilterList {
		p := fmt.Sprintf("instanceInformationFilterList.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, legacyFilterKeys...)
		}
		if v.Required(p+".valueSet", f.ValueSet != nil) {
			v.Count(p+".valueSet", len(f.ValueSet), 1, 100)
			for _, val := range f.ValueSet {
				v.Length(p+".valueSet.member", val, 1, -1)
			}
		}
	}
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Length(p+".key", *f.Key, 1, -1)
		}
		if v.Required(p+".values", f.Values != nil) {
			v.Count(p+".values", len(f.Values), 1, 100)
			for _, val := range f.Values {
				v.Length(p+".values.member", val, 1, -1)
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// The Filters documentation: "Attempting to use
	// InstanceInformationFilterList and Filters leads to an exception
	// error." The model does not name the exception; InvalidFilterKey is
	// the sandbox's choice among the operation's errors.
	if len(in.InstanceInformationFilterList) > 0 && len(in.Filters) > 0 {
		return nil, protocol.ErrInvalidFilterKey("InstanceInformationFilterList and Filters can't be used in the same request: use Filters.")
	}

	type filter struct {
		key    string
		values []string
	}
	var filters []filter
	for _, f := range in.InstanceInformationFilterList {
		filters = append(filters, filter{*f.Key, f.ValueSet})
	}
	tagFilters, otherFilters := 0, 0
	for _, f := range in.Filters {
		key := *f.Key
		switch {
		case key == "tag-key" || strings.HasPrefix(key, "tag:") && len(key) > len("tag:"):
			tagFilters++
		case key == "InstanceIds", key == "AgentVersion", key == "PingStatus", key == "PlatformType",
			key == "ResourceType", key == "ActivationIds", key == "IamRole", key == "AssociationStatus",
			key == "SourceIds", key == "SourceTypes":
			otherFilters++
		default:
			return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("The filter key %q isn't valid. Valid keys: ActivationIds, AgentVersion, AssociationStatus, IamRole, InstanceIds, PingStatus, PlatformType, ResourceType, SourceIds, SourceTypes, tag-key, tag:{keyname}.", key))
		}
		filters = append(filters, filter{key, f.Values})
	}
	// The Filters documentation: "Tag filters can't be combined with other
	// filter types."
	if tagFilters > 0 && otherFilters > 0 {
		return nil, protocol.ErrInvalidFilterKey("Tag filters can't be combined with other filter types.")
	}
	for _, f := range filters {
		var allowed []string
		switch f.key {
		case "PingStatus":
			allowed = pingStatuses
		case "PlatformTypes", "PlatformType":
			allowed = protocol.PlatformTypes
		case "ResourceType":
			allowed = resourceTypes
		case "AssociationStatus":
			allowed = associationStatuses
		case "SourceTypes":
			allowed = sourceTypes
		}
		for _, val := range f.values {
			if allowed != nil && !contains(allowed, val) {
				return nil, protocol.ErrInvalidFilterValue(fmt.Sprintf("%s is not a valid value for the %s filter. Valid values: %s.", val, f.key, strings.Join(allowed, " | ")))
			}
		}
	}

	size := defaultInstanceInfoPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeInstanceInformation", in.InstanceInformationFilterList, in.Filters)

	var out describeInstanceInformationOutput
	var apiError error
	s.view(func(st *state) {
		// The operation documentation: "If you specify a node ID that isn't
		// valid or a node that you don't own, you receive an error."
		for _, f := range filters {
			if f.key != "InstanceIds" {
				continue
			}
			var bad []string
			for _, id := range f.values {
				if st.byID[id] == nil {
					bad = append(bad, id)
				}
			}
			if len(bad) > 0 {
				apiError = protocol.ErrInvalidInstanceID(fmt.Sprintf("Instances [%s] not in a valid state for account %s", strings.Join(bad, ", "), s.accountID))
				return
			}
		}
		var matched []*Node
		for _, n := range st.Nodes {
			ok := true
			for _, f := range filters {
				if !nodeMatches(n, f.key, f.values) {
					ok = false
					break
				}
			}
			if ok {
				matched = append(matched, n)
			}
		}
		token := ""
		if in.NextToken != nil {
			token = *in.NextToken
		}
		off, ok := protocol.DecodePageToken(token, fp, len(matched))
		if !ok {
			apiError = protocol.ErrInvalidNextToken()
			return
		}
		from, to, next := protocol.Page(len(matched), off, size, fp)
		out.InstanceInformationList = make([]instanceInformation, 0, to-from)
		for _, n := range matched[from:to] {
			out.InstanceInformationList = append(out.InstanceInformationList, s.instanceInformation(n))
		}
		out.NextToken = next
	})
	if apiError != nil {
		return nil, apiError
	}
	return &out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func resourceTypeOf(n *Node) string {
	if n.Hybrid() {
		return "ManagedInstance"
	}
	return "EC2Instance"
}

func sourceTypeOf(n *Node) string {
	if n.Hybrid() {
		return "AWS::SSM::ManagedInstance"
	}
	return "AWS::EC2::Instance"
}

func nodeMatches(n *Node, key string, values []string) bool {
	switch key {
	case "InstanceIds", "SourceIds":
		return contains(values, n.ID)
	case "AgentVersion":
		return contains(values, n.AgentVersion)
	case "PingStatus":
		return contains(values, n.Ping)
	case "PlatformTypes", "PlatformType":
		return contains(values, n.Platform.Type)
	case "ResourceType":
		return contains(values, resourceTypeOf(n))
	case "ActivationIds":
		return n.ActivationID != "" && contains(values, n.ActivationID)
	case "IamRole":
		return n.IAMRole != "" && contains(values, n.IAMRole)
	case "AssociationStatus":
		return n.AssociationStatus != "" && contains(values, n.AssociationStatus)
	case "SourceTypes":
		return contains(values, sourceTypeOf(n))
	case "tag-key":
		for _, k := range values {
			if _, ok := n.Tags[k]; ok {
				return true
			}
		}
		return false
	}
	if k, ok := strings.CutPrefix(key, "tag:"); ok {
		v, has := n.Tags[k]
		return has && contains(values, v)
	}
	return false
}

// lastPing is when the node last reached SSM: now for an online node, the
// fleet's lastPing (or a day / a week before the sandbox started) for the
// others.
func (s *Server) lastPing(n *Node) time.Time {
	if n.LastPing != nil {
		return *n.LastPing
	}
	switch n.Ping {
	case "Online":
		return s.clock().Truncate(time.Second)
	case "Inactive":
		return s.started.Add(-7 * 24 * time.Hour).Truncate(time.Second)
	default:
		return s.started.Add(-24 * time.Hour).Truncate(time.Second)
	}
}

func (s *Server) instanceInformation(n *Node) instanceInformation {
	info := instanceInformation{
		InstanceId:        n.ID,
		PingStatus:        n.Ping,
		LastPingDateTime:  protocol.Epoch(s.lastPing(n)),
		AgentVersion:      n.AgentVersion,
		IsLatestVersion:   n.AgentVersion == LatestAgentVersion,
		PlatformType:      n.Platform.Type,
		PlatformName:      n.Platform.Name,
		PlatformVersion:   n.Platform.Version,
		IamRole:           n.IAMRole,
		ResourceType:      resourceTypeOf(n),
		IPAddress:         n.IP,
		ComputerName:      n.ComputerName,
		AssociationStatus: n.AssociationStatus,
		SourceId:          n.ID,
		SourceType:        sourceTypeOf(n),
	}
	// Name is the managed node's own name, which only hybrid nodes have; an
	// EC2 node's name is its Name tag, which DescribeInstanceInformation
	// does not report.
	if n.Hybrid() {
		info.Name = n.Name
		info.ActivationId = n.ActivationID
		reg := s.started.Add(-30 * 24 * time.Hour).Truncate(time.Second)
		if n.RegistrationDate != nil {
			reg = *n.RegistrationDate
		}
		info.RegistrationDate = protocol.Epoch(reg)
	}
	return info
}

// validateTagTarget applies the model's rules shared by the three tag
// operations. ManagedInstance and Parameter are served; the other
// taggable types arrive with their API areas.
func (s *Server) validateTagTarget(v *protocol.Validator, resourceType, resourceID *string) error {
	if v.Required("resourceType", resourceType != nil) {
		v.Enum("resourceType", *resourceType, taggableResourceTypes...)
	}
	v.Required("resourceId", resourceID != nil)
	if err := v.Err(); err != nil {
		return err
	}
	if *resourceType != "ManagedInstance" && *resourceType != "Parameter" {
		return protocol.ErrInvalidResourceType()
	}
	return nil
}

// taggable is an area that owns resources the SSM tag operations name.
type taggable interface {
	// AddTags runs merge on a resource's tags under the area's lock and
	// saves the tags it returns.
	AddTags(id string, merge func(tags map[string]string) (map[string]string, error)) error
	// RemoveTags deletes tags by key and saves.
	RemoveTags(id string, keys []string) error
	// Tags are a copy of a resource's tags.
	Tags(id string) (map[string]string, error)
}

// tagTarget finds the area that owns the resource type the tag operations
// name. For a Parameter the ResourceId is the parameter's name
// (AddTagsToResource documentation).
func (s *Server) tagTarget(resourceType string) taggable {
	if resourceType == "Parameter" {
		return s.params
	}
	return managedInstances{s}
}

// managedInstances are the hybrid nodes, for the tag APIs. The
// documentation of AddTagsToResource: "The ManagedInstance type for this
// API operation is only for on-premises managed nodes" -- an EC2
// instance's tags are EC2's.
type managedInstances struct{ s *Server }

func (m managedInstances) AddTags(id string, merge func(map[string]string) (map[string]string, error)) error {
	return m.s.mutate(func(st *state) error {
		n, err := managedInstance(st, id)
		if err != nil {
			return err
		}
		t, err := merge(n.Tags)
		if err != nil {
			return err
		}
		n.Tags, n.TaggedOnce = t, true
		return nil
	})
}

func (m managedInstances) RemoveTags(id string, keys []string) error {
	return m.s.mutate(func(st *state) error {
		n, err := managedInstance(st, id)
		if err != nil {
			return err
		}
		for _, k := range keys {
			delete(n.Tags, k)
		}
		return nil
	})
}

func (m managedInstances) Tags(id string) (map[string]string, error) {
	var out map[string]string
	var err error
	m.s.view(func(st *state) {
		var n *Node
		if n, err = managedInstance(st, id); err == nil {
			out = maps.Clone(n.Tags)
		}
	})
	return out, err
}

func managedInstance(st *state, id string) (*Node, error) {
	n := st.byID[id]
	if n == nil || !n.Hybrid() {
		return nil, protocol.ErrInvalidResourceID()
	}
	return n, nil
}

func (s *Server) addTagsToResource(in *addTagsToResourceInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("tags", in.Tags != nil) {
		tags.ValidateList(&v, in.Tags)
	}
	if err := s.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		// AWS tagging rules: the aws: prefix is reserved for AWS. The model
		// names no exception for it; the sandbox answers ValidationException.
		if tags.Reserved(*t.Key) {
			return nil, protocol.ErrValidation(fmt.Sprintf("Tag key %q is invalid: keys beginning with aws: are reserved for AWS use.", *t.Key))
		}
	}
	err := s.tagTarget(*in.ResourceType).AddTags(*in.ResourceId, func(old map[string]string) (map[string]string, error) {
		merged := make(map[string]string, len(old)+len(in.Tags))
		for k, val := range old {
			merged[k] = val
		}
		for _, t := range in.Tags {
			merged[*t.Key] = *t.Value
		}
		if len(merged) > tags.MaxPerResource {
			return nil, protocol.ErrTooManyTags()
		}
		return merged, nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (s *Server) removeTagsFromResource(in *removeTagsFromResourceInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("tagKeys", in.TagKeys != nil) {
		for _, k := range in.TagKeys {
			v.Length("tagKeys.member", k, 1, 128)
			v.Pattern("tagKeys.member", k, tags.KeyPattern)
		}
	}
	if err := s.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	if err := s.tagTarget(*in.ResourceType).RemoveTags(*in.ResourceId, in.TagKeys); err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (s *Server) listTagsForResource(in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	var v protocol.Validator
	if err := s.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	t, err := s.tagTarget(*in.ResourceType).Tags(*in.ResourceId)
	if err != nil {
		return nil, err
	}
	return &listTagsForResourceOutput{TagList: tags.List(t)}, nil
}

func (s *Server) getConnectionStatus(in *getConnectionStatusInput) (*getConnectionStatusOutput, error) {
	var v protocol.Validator
	if v.Required("target", in.Target != nil) {
		v.Length("target", *in.Target, 1, 400)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &getConnectionStatusOutput{Target: *in.Target, Status: "notconnected"}
	s.view(func(st *state) {
		if n := st.byID[*in.Target]; n != nil && n.Ping == "Online" {
			out.Status = "connected"
		}
	})
	return out, nil
}
