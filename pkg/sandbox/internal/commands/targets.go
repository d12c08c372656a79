package commands

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Resolving SendCommand's InstanceIds and Targets to nodes.

// nodeSet is a copy of the fleet, taken before a command is stored.
type nodeSet struct {
	list []*nodes.Node
	byID map[string]*nodes.Node
}

func newNodeSet(list []*nodes.Node) nodeSet {
	set := nodeSet{list: list, byID: make(map[string]*nodes.Node, len(list))}
	for _, n := range list {
		set.byID[n.ID] = n
	}
	return set
}

// resolveTargets turns InstanceIds or Targets into node IDs, in fleet
// order for Targets.
func (a *Area) resolveTargets(st nodeSet, ids []string, targets []targetWire, platforms []string) ([]string, *protocol.APIError) {
	if len(ids) > 0 {
		// InstanceIds must all be managed nodes that can receive commands;
		// AWS answers InvalidInstanceId for the others, naming them in
		// double brackets.
		var bad []string
		for _, id := range ids {
			if n := st.byID[id]; n == nil || n.Ping == "Inactive" {
				bad = append(bad, id)
			}
		}
		if len(bad) > 0 {
			return nil, protocol.ErrInvalidInstanceID(fmt.Sprintf("Instances [[%s]] not in a valid state for account %s", strings.Join(bad, ", "), a.h.AccountID))
		}
		// A node whose platform the document does not support is refused
		// (UnsupportedPlatformType, as AWS answers AWS-RunShellScript sent
		// to a Windows instance).
		for _, id := range ids {
			if n := st.byID[id]; !slices.Contains(platforms, n.Platform.Type) {
				return nil, protocol.Errorf(http.StatusBadRequest, "UnsupportedPlatformType", "Cannot perform operation for instance id %s of platform type %s", id, n.Platform.Type)
			}
		}
		return ids, nil
	}
	// Targets AND together; the values of one target OR.
	var explicit []string
	hasExplicit := false
	var rtFilters []string
	for _, t := range targets {
		if strings.EqualFold(*t.Key, "InstanceIds") {
			hasExplicit = true
			for _, id := range t.Values {
				if !slices.Contains(explicit, id) {
					explicit = append(explicit, id)
				}
			}
		}
		if *t.Key == "resource-groups:ResourceTypeFilters" {
			rtFilters = append(rtFilters, t.Values...)
		}
	}
	match := func(n *nodes.Node) bool {
		for _, t := range targets {
			key := *t.Key
			switch {
			case strings.EqualFold(key, "InstanceIds"):
				if !slices.Contains(t.Values, n.ID) {
					return false
				}
			case key == "resource-groups:Name":
				in := false
				for _, g := range t.Values {
					if slices.Contains(n.Groups, g) {
						in = true
					}
				}
				if !in {
					return false
				}
			case key == "resource-groups:ResourceTypeFilters":
				ok := len(rtFilters) == 0
				for _, f := range rtFilters {
					if f == "AWS::EC2::Instance" && !n.Hybrid() || f == "AWS::SSM::ManagedInstance" && n.Hybrid() {
						ok = true
					}
				}
				if !ok {
					return false
				}
			default:
				if !nodes.Matches(n, key, t.Values) {
					return false
				}
			}
		}
		return true
	}
	var out []string
	for _, n := range st.list {
		if match(n) {
			out = append(out, n.ID)
		}
	}
	// IDs named in an InstanceIds target that are not managed nodes still
	// get an invocation, which is Undeliverable ("The managed node might
	// not exist").
	if hasExplicit && len(targets) == 1 {
		for _, id := range explicit {
			if st.byID[id] == nil {
				out = append(out, id)
			}
		}
	}
	return out, nil
}
