package sandbox

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
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

type tagWire struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

type addTagsToResourceInput struct {
	ResourceType *string   `json:"ResourceType"`
	ResourceId   *string   `json:"ResourceId"`
	Tags         []tagWire `json:"Tags"`
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

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type listTagsForResourceOutput struct {
	TagList []tag `json:"TagList"`
}

type emptyOutput struct{}

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
	platformTypes    = []string{"Windows", "Linux", "MacOS"}
	resourceTypes    = []string{"ManagedInstance", "EC2Instance"}
	// InstanceInformationStringFilter.Key documentation: "Valid values for
	// the AssociationStatus filter key: Success | Pending | Failed".
	associationStatuses = []string{"Success", "Pending", "Failed"}
	sourceTypes         = []string{"AWS::EC2::Instance", "AWS::IoT::Thing", "AWS::SSM::ManagedInstance"}
	// ResourceTypeForTagging enum.
	taggableResourceTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}
	// TagKey / TagValue patterns.
	tagKeyPattern   = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	tagValuePattern = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
)

const (
	// AddTagsToResource documentation: "Most resources can have a maximum
	// of 50 tags."
	maxTagsPerResource = 50
	// MaxResultsEC2Compatible: 5..50; the documentation gives 10 as the
	// default page size.
	defaultInstanceInfoPage = 10
)

// checkTag applies the SSM tag rules (TagKey 1..128, TagValue 0..256, the
// model's patterns, and the reserved aws: prefix) to a fleet file's tags.
func checkTag(k, v string) error {
	var vd protocol.Validator
	vd.Length("key", k, 1, 128)
	vd.Pattern("key", k, tagKeyPattern)
	vd.Length("value", v, 0, 256)
	vd.Pattern("value", v, tagValuePattern)
	if e := vd.Err(); e != nil {
		return fmt.Errorf("tag %q=%q: %s", k, v, e.Message)
	}
	if hasReservedPrefix(k) {
		return fmt.Errorf("tag %q: keys beginning with aws: are reserved for AWS", k)
	}
	return nil
}

func hasReservedPrefix(k string) bool { return strings.HasPrefix(strings.ToLower(k), "aws:") }

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
			allowed = platformTypes
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

// taggedResource is what the tag operations change: a resource's tags
// and what to record when they are changed.
type taggedResource struct {
	tags     *map[string]string
	onChange func()
}

// tagTarget finds the resource the tag operations name. For a Parameter
// the ResourceId is the parameter's name (AddTagsToResource
// documentation).
func (s *Server) tagTarget(st *state, resourceType, id string) (taggedResource, error) {
	if resourceType == "Parameter" {
		p := st.liveParam(cleanName(id), s.clock())
		if p == nil {
			return taggedResource{}, protocol.ErrInvalidResourceID()
		}
		return taggedResource{tags: &p.Tags, onChange: func() {}}, nil
	}
	n, err := managedInstance(st, id)
	if err != nil {
		return taggedResource{}, err
	}
	return taggedResource{tags: &n.Tags, onChange: func() { n.TaggedOnce = true }}, nil
}

// managedInstance finds a hybrid node for the tag APIs. The documentation
// of AddTagsToResource: "The ManagedInstance type for this API operation is
// only for on-premises managed nodes" -- an EC2 instance's tags are EC2's.
func managedInstance(st *state, id string) (*Node, error) {
	n := st.byID[id]
	if n == nil || !n.Hybrid() {
		return nil, protocol.ErrInvalidResourceID()
	}
	return n, nil
}

// validateTagList applies the model's rules to a TagList (AddTagsToResource,
// PutParameter, CreateDocument).
func validateTagList(v *protocol.Validator, tags []tagWire) {
	v.Count("tags", len(tags), 0, 1000)
	for i, t := range tags {
		p := fmt.Sprintf("tags.%d.member", i+1)
		if v.Required(p+".key", t.Key != nil) {
			v.Length(p+".key", *t.Key, 1, 128)
			v.Pattern(p+".key", *t.Key, tagKeyPattern)
		}
		if v.Required(p+".value", t.Value != nil) {
			v.Length(p+".value", *t.Value, 0, 256)
			v.Pattern(p+".value", *t.Value, tagValuePattern)
		}
	}
}

func (s *Server) addTagsToResource(in *addTagsToResourceInput) (*emptyOutput, error) {
	var v protocol.Validator
	if v.Required("tags", in.Tags != nil) {
		validateTagList(&v, in.Tags)
	}
	if err := s.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		// AWS tagging rules: the aws: prefix is reserved for AWS. The model
		// names no exception for it; the sandbox answers ValidationException.
		if hasReservedPrefix(*t.Key) {
			return nil, protocol.ErrValidation(fmt.Sprintf("Tag key %q is invalid: keys beginning with aws: are reserved for AWS use.", *t.Key))
		}
	}
	err := s.mutate(func(st *state) error {
		r, err := s.tagTarget(st, *in.ResourceType, *in.ResourceId)
		if err != nil {
			return err
		}
		merged := make(map[string]string, len(*r.tags)+len(in.Tags))
		for k, val := range *r.tags {
			merged[k] = val
		}
		for _, t := range in.Tags {
			merged[*t.Key] = *t.Value
		}
		if len(merged) > maxTagsPerResource {
			return protocol.ErrTooManyTags()
		}
		*r.tags = merged
		r.onChange()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &emptyOutput{}, nil
}

func (s *Server) removeTagsFromResource(in *removeTagsFromResourceInput) (*emptyOutput, error) {
	var v protocol.Validator
	if v.Required("tagKeys", in.TagKeys != nil) {
		for _, k := range in.TagKeys {
			v.Length("tagKeys.member", k, 1, 128)
			v.Pattern("tagKeys.member", k, tagKeyPattern)
		}
	}
	if err := s.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	err := s.mutate(func(st *state) error {
		r, err := s.tagTarget(st, *in.ResourceType, *in.ResourceId)
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(*r.tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &emptyOutput{}, nil
}

func (s *Server) listTagsForResource(in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	var v protocol.Validator
	if err := s.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	var out listTagsForResourceOutput
	var err error
	s.view(func(st *state) {
		var r taggedResource
		if r, err = s.tagTarget(st, *in.ResourceType, *in.ResourceId); err != nil {
			return
		}
		out.TagList = tagList(*r.tags)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func tagList(tags map[string]string) []tag {
	out := make([]tag, 0, len(tags))
	for _, k := range sortedTagKeys(tags) {
		out = append(out, tag{Key: k, Value: tags[k]})
	}
	return out
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
