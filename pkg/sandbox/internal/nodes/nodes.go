package nodes

import (
	"fmt"
	"maps"
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
)

const (
	// MaxResultsEC2Compatible: 5..50; the documentation gives 10 as the
	// default page size.
	defaultInstanceInfoPage = 10
)

// describeInstanceInformation validates the request, parses its filters,
// and answers one page of the nodes that match them.
func (a *Area) describeInstanceInformation(in *describeInstanceInformationInput) (*describeInstanceInformationOutput, error) {
	if err := validateInstanceInformation(in); err != nil {
		return nil, err
	}
	filters, err := instanceFilters(in)
	if err != nil {
		return nil, err
	}
	size := defaultInstanceInfoPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeInstanceInformation", in.InstanceInformationFilterList, in.Filters)

	var out describeInstanceInformationOutput
	var apiError error
	a.view(func(st *state) {
		if apiError = a.checkFilteredIDs(st, filters); apiError != nil {
			return
		}
		var ok bool
		if out.InstanceInformationList, out.NextToken, ok = protocol.PageOf(st.matching(filters), protocol.Deref(in.NextToken), fp, size, a.instanceInformation); !ok {
			apiError = protocol.ErrInvalidNextToken()
		}
	})
	if apiError != nil {
		return nil, apiError
	}
	return &out, nil
}

// validateInstanceInformation applies the model's rules to the request.
func validateInstanceInformation(in *describeInstanceInformationInput) error {
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
		return err
	}
	return nil
}

// instanceFilter is one filter of either list, by key.
type instanceFilter struct {
	key    string
	values []string
}

// instanceFilters merges InstanceInformationFilterList and Filters into
// one list and checks the keys, their combinations and their values.
func instanceFilters(in *describeInstanceInformationInput) ([]instanceFilter, error) {
	// The Filters documentation: "Attempting to use
	// InstanceInformationFilterList and Filters leads to an exception
	// error." The model does not name the exception; InvalidFilterKey is
	// the sandbox's choice among the operation's errors.
	if len(in.InstanceInformationFilterList) > 0 && len(in.Filters) > 0 {
		return nil, protocol.ErrInvalidFilterKey("InstanceInformationFilterList and Filters can't be used in the same request: use Filters.")
	}

	var filters []instanceFilter
	for _, f := range in.InstanceInformationFilterList {
		filters = append(filters, instanceFilter{*f.Key, f.ValueSet})
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
		filters = append(filters, instanceFilter{key, f.Values})
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
	return filters, nil
}

// checkFilteredIDs refuses an InstanceIds filter naming an unknown node.
// The operation documentation: "If you specify a node ID that isn't valid
// or a node that you don't own, you receive an error."
func (a *Area) checkFilteredIDs(st *state, filters []instanceFilter) error {
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
			return protocol.ErrInvalidInstanceID(fmt.Sprintf("Instances [%s] not in a valid state for account %s", strings.Join(bad, ", "), a.h.AccountID))
		}
	}
	return nil
}

// matching are the nodes every filter matches, in fleet order.
func (st *state) matching(filters []instanceFilter) []*Node {
	var matched []*Node
	for _, n := range st.Nodes {
		ok := true
		for _, f := range filters {
			if !Matches(n, f.key, f.values) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, n)
		}
	}
	return matched
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

// Matches says whether a node matches one instance-information filter
// (the keys of DescribeInstanceInformation and Run Command targets).
func Matches(n *Node, key string, values []string) bool {
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
func (a *Area) lastPing(n *Node) time.Time {
	if n.LastPing != nil {
		return *n.LastPing
	}
	switch n.Ping {
	case "Online":
		return a.h.Clock().Truncate(time.Second)
	case "Inactive":
		return a.started.Add(-7 * 24 * time.Hour).Truncate(time.Second)
	default:
		return a.started.Add(-24 * time.Hour).Truncate(time.Second)
	}
}

func (a *Area) instanceInformation(n *Node) instanceInformation {
	info := instanceInformation{
		InstanceId:        n.ID,
		PingStatus:        n.Ping,
		LastPingDateTime:  protocol.Epoch(a.lastPing(n)),
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
		reg := a.started.Add(-30 * 24 * time.Hour).Truncate(time.Second)
		if n.RegistrationDate != nil {
			reg = *n.RegistrationDate
		}
		info.RegistrationDate = protocol.Epoch(reg)
	}
	return info
}

func (a *Area) getConnectionStatus(in *getConnectionStatusInput) (*getConnectionStatusOutput, error) {
	var v protocol.Validator
	if v.Required("target", in.Target != nil) {
		v.Length("target", *in.Target, 1, 400)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &getConnectionStatusOutput{Target: *in.Target, Status: "notconnected"}
	a.view(func(st *state) {
		if n := st.byID[*in.Target]; n != nil && n.Ping == "Online" {
			out.Status = "connected"
		}
	})
	return out, nil
}

// AddTags, RemoveTags and Tags serve the SSM tag operations for
// ResourceType ManagedInstance: hybrid nodes only. The
// documentation of AddTagsToResource: "The ManagedInstance type for this
// API operation is only for on-premises managed nodes" -- an EC2
// instance's tags are EC2's.
func (a *Area) AddTags(id string, merge func(map[string]string) (map[string]string, error)) error {
	return a.mutate(func(st *state) error {
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

func (a *Area) RemoveTags(id string, keys []string) error {
	return a.mutate(func(st *state) error {
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

func (a *Area) Tags(id string) (map[string]string, error) {
	var out map[string]string
	var err error
	a.view(func(st *state) {
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
