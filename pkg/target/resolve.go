package target

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/clock"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Node is a managed node as a target resolves it.
type Node struct {
	ID string
	// Name is the display name: the Name tag, else the managed node's Name,
	// else its ComputerName.
	Name         string
	NameTag      string
	ManagedName  string
	ComputerName string

	PingStatus      string
	PlatformType    string
	PlatformName    string
	PlatformVersion string
	AgentVersion    string
	IPAddress       string
	ResourceType    string
	ActivationID    string
	IAMRole         string

	IsLatestVersion  bool
	LastPing         time.Time
	RegistrationDate time.Time

	// Tags are the node's tags when Query.WithTags was set and they could be
	// read; nil otherwise.
	Tags map[string]string
}

// Query is what to resolve.
type Query struct {
	// Specs, with aliases already expanded (ParseAll). None means all nodes.
	Specs []Spec
	// Ping keeps nodes with one of these ping statuses: Online,
	// ConnectionLost, Inactive (any case). Empty means any.
	Ping []string
	// WithTags reads every tag of the resolved nodes into Node.Tags.
	WithTags bool
	// WithNames reads the Name tag of every resolved node, so Node.Name is
	// what people call the node even when no spec named it (WithTags
	// implies it).
	WithNames bool
	// FilterMayEmpty is a listing's rule: when the specs select nodes but
	// the Ping filter leaves none of them, the result is empty, not an
	// error (a filter matched nothing); specs that select no node at all
	// are still the usage error (a target matched nothing). Telling the
	// two apart costs one more listing, only when the result is empty.
	FilterMayEmpty bool
}

// Resolver resolves target specs against AWS.
type Resolver struct {
	SSM     SSMAPI
	Tagging TaggingAPI // needed for name specs, WithTags and some tag specs
	Groups  GroupsAPI  // needed for group specs

	// Region and AccountID, when both are set, let the resolver read the
	// tags of known nodes by ARN, 100 nodes a call, instead of listing the
	// account's tagged instances. Partition defaults from Region.
	Region, AccountID, Partition string

	// Warn receives one-line warnings, such as tags being unreadable. Nil
	// drops them.
	Warn func(msg string)
	// Clock paces the retries of failed reads; nil is the system clock.
	Clock clock.Clock
}

// NodeResolver turns target specs into managed nodes; *Resolver is one.
// Capability packages take it rather than a *Resolver, so their tests can
// resolve to a fixed fleet.
type NodeResolver interface {
	Resolve(ctx context.Context, q Query) ([]Node, error)
}

var _ NodeResolver = (*Resolver)(nil)

// API limits, from the AWS models (see doc.go).
const (
	describePageSize   = 50  // DescribeInstanceInformation MaxResults: 5..50
	maxFilterValues    = 100 // InstanceInformationFilterValueSet: 1..100
	tagsPageSize       = 100 // GetResources ResourcesPerPage: 1..100
	maxARNsPerCall     = 100 // GetResources ResourceARNList: 1..100
	maxTagFilterValues = 20  // GetResources TagFilter values
	maxTagFilters      = 50  // GetResources TagFilters
	groupPageSize      = 50  // ListGroupResources MaxResults: 1..50

	// Reading tags by ARN costs one call per 100 nodes; past this many nodes
	// a listing filtered by tag is likely cheaper.
	maxNodesByARN = 1000
)

// PingStatuses are the values of DescribeInstanceInformation's PingStatus,
// the ones --ping takes.
var PingStatuses = []string{"Online", "ConnectionLost", "Inactive"}

// Resolve returns the managed nodes the query selects, sorted by display
// name and then ID. See the package documentation for the semantics.
func (r *Resolver) Resolve(ctx context.Context, q Query) ([]Node, error) {
	ping, err := normalizePing(q.Ping)
	if err != nil {
		return nil, err
	}
	specs, err := classify(q.Specs)
	if err != nil {
		return nil, err
	}
	r = r.retrying()
	members, err := r.commonMembers(ctx, specs.groups)
	if err != nil {
		return nil, err
	}
	scope, strict := specs.scope(members)
	if members != nil && len(scope) == 0 {
		return nil, noMatch(q.Specs, ping)
	}
	l := planListing(scope, strict, specs.tags, ping)
	tr := planTagRead(q.WithTags, q.WithNames, l.clientTags, specs.names, specs.nameLits, specs.allLiteral)
	nodes, got, tagErr, err := r.listNodesAndTags(ctx, l, tr)
	if err != nil {
		return nil, err
	}
	tags, err := r.interpretTags(nodes, got, tagErr, tr, l.clientTags)
	if err != nil {
		return nil, err
	}
	if tags.all != nil && len(l.clientTags) > 0 {
		nodes = slices.DeleteFunc(nodes, func(n Node) bool { return !hasTags(tags.all[n.ID], l.clientTags) })
	}
	nodes = specs.keepMatching(nodes, tags.name)
	if (len(specs.names) > 0 || q.WithNames) && !tags.denied {
		if err := r.readMissingNames(ctx, nodes, &tags); err != nil {
			return nil, err
		}
	}
	label(nodes, tags, q.WithTags)
	sortNodes(nodes)
	if len(nodes) == 0 && len(q.Specs) > 0 {
		if len(ping) > 0 && q.FilterMayEmpty {
			// The specs alone: an error if they select nothing.
			if _, err := r.Resolve(ctx, Query{Specs: q.Specs}); err != nil {
				return nil, err
			}
			return []Node{}, nil
		}
		return nil, noMatch(q.Specs, ping)
	}
	return nodes, nil
}

// specSet is a query's specs sorted by kind.
type specSet struct {
	ids   []string // node IDs, each once, in the order given
	idSet map[string]bool
	// names are the name and glob specs; nameLits their literal
	// (non-glob) patterns, each once; allLiteral says no name is a glob.
	names      []Spec
	nameLits   []string
	allLiteral bool
	tags       []Spec
	groups     []Spec
	// alternatives is set when an ID or name spec is given: a node must
	// then match one of those (tag and group specs narrow further).
	alternatives bool
}

// classify sorts specs by kind, refusing those the resolver cannot take.
func classify(specs []Spec) (specSet, error) {
	s := specSet{idSet: map[string]bool{}, allLiteral: true}
	for _, sp := range specs {
		switch sp.Kind {
		case KindID:
			s.alternatives = true
			if !s.idSet[sp.ID] {
				s.idSet[sp.ID] = true
				s.ids = append(s.ids, sp.ID)
			}
		case KindName:
			s.alternatives = true
			s.names = append(s.names, sp)
			if isGlob(sp.Pattern) {
				s.allLiteral = false
			} else if !slices.Contains(s.nameLits, sp.Pattern) {
				s.nameLits = append(s.nameLits, sp.Pattern)
			}
		case KindTag:
			if sp.TagKey == "" || len(sp.TagValues) == 0 {
				return specSet{}, exitcode.Usagef("target %q: tag spec without key or value", sp.Raw)
			}
			s.tags = append(s.tags, sp)
		case KindGroup:
			s.groups = append(s.groups, sp)
		case KindAlias:
			return specSet{}, exitcode.Usagef("target %q: alias not expanded", sp.Raw)
		default:
			return specSet{}, exitcode.Usagef("target %q: unknown kind of spec", sp.Raw)
		}
	}
	return s, nil
}

// commonMembers returns the nodes in every one of the groups, nil when
// there are no groups. Group members are a known candidate set, which lets
// the node listing ask for just those IDs.
func (r *Resolver) commonMembers(ctx context.Context, groups []Spec) (map[string]bool, error) {
	var members map[string]bool
	for _, g := range groups {
		m, err := r.groupMembers(ctx, g)
		if err != nil {
			return nil, err
		}
		if members == nil {
			members = m
			continue
		}
		for id := range members {
			if !m[id] {
				delete(members, id)
			}
		}
	}
	return members, nil
}

// scope returns the node IDs to describe when the specs name them (IDs,
// group members), nil when the account's nodes must be listed instead.
// strict says the IDs were given explicitly and must exist.
func (s specSet) scope(members map[string]bool) (scope []string, strict bool) {
	switch {
	case members != nil && len(s.names) == 0 && len(s.ids) > 0:
		for _, id := range s.ids {
			if members[id] {
				scope = append(scope, id)
			}
		}
		return scope, true
	case members != nil:
		scope = make([]string, 0, len(members))
		for id := range members {
			scope = append(scope, id)
		}
		sort.Strings(scope)
		return scope, false
	case len(s.ids) > 0 && len(s.names) == 0:
		return s.ids, true
	}
	return nil, false
}

// listing is how the nodes are listed: by ID (a scope) or with filters,
// and which constraints are left to the client.
type listing struct {
	scope  []string
	strict bool
	// filters apply when there is no scope.
	filters []ssmtypes.InstanceInformationStringFilter
	// clientTags are the tag constraints AWS does not apply.
	clientTags  []Spec
	ping        []string
	pingApplied bool // by AWS
}

func planListing(scope []string, strict bool, tags []Spec, ping []string) listing {
	l := listing{scope: scope, strict: strict, ping: ping, pingApplied: len(ping) == 0}
	if scope != nil {
		l.pingApplied = true
		l.clientTags = tags
		return l
	}
	// Tag filters cannot be combined with other filter types.
	for _, t := range tags {
		if serverSideTag(t) {
			l.filters = append(l.filters, ssmtypes.InstanceInformationStringFilter{
				Key: aws.String("tag:" + t.TagKey), Values: t.TagValues,
			})
		} else {
			l.clientTags = append(l.clientTags, t)
		}
	}
	if len(l.filters) == 0 && len(ping) > 0 {
		l.filters = pingFilter(ping)
		l.pingApplied = true
	}
	return l
}

// listNodes lists the nodes as l says, each once, keeping only those with
// a wanted ping status when AWS did not filter on it.
func (r *Resolver) listNodes(ctx context.Context, l listing, stop <-chan struct{}) ([]Node, error) {
	var infos []ssmtypes.InstanceInformation
	var err error
	if l.scope != nil {
		infos, err = r.describeIDs(ctx, l.scope, l.ping, l.strict, stop)
	} else {
		infos, err = r.describe(ctx, l.filters, stop)
	}
	if err != nil {
		return nil, err
	}
	nodes := make([]Node, 0, len(infos))
	seen := map[string]bool{}
	for _, info := range infos {
		n := nodeFrom(info)
		if seen[n.ID] || (!l.pingApplied && !slices.Contains(l.ping, n.PingStatus)) {
			continue
		}
		seen[n.ID] = true
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// listNodesAndTags lists the nodes and reads their tags, only as far as tr
// needs (tr nil: none). The first tag read is known before the nodes are:
// when it is a listing it does not depend on them, and runs at the same
// time as the node listing. A tag read that failed is tagErr, for
// interpretTags to judge; err is the node listing's.
func (r *Resolver) listNodesAndTags(ctx context.Context, l listing, tr *tagRead) (nodes []Node, got map[string]map[string]string, tagErr, err error) {
	listNodes := func(ctx context.Context, stop <-chan struct{}) ([]Node, error) {
		return r.listNodes(ctx, l, stop)
	}
	if tr != nil && (tr.lookup || !r.knowsARNs()) {
		return r.listWithTags(ctx, listNodes, tr)
	}
	nodes, err = listNodes(ctx, nil)
	if err == nil && tr != nil {
		got, tagErr = r.readTags(ctx, nodeIDs(nodes), tr.filters)
	}
	return nodes, got, tagErr, err
}

// nodeTags is what the resolver knows of the nodes' tags.
type nodeTags struct {
	// all holds every tag of the nodes read in full; nil when they were
	// not read.
	all map[string]map[string]string
	// name is the Name tag by node ID, for the IDs in nameKnown.
	name      map[string]string
	nameKnown map[string]bool
	// denied says tags could not be read and the resolver does without.
	denied bool
}

// interpretTags turns the tag read into what is known of the nodes' tags,
// warning when a denied read degrades the answer and failing when it
// cannot.
func (r *Resolver) interpretTags(nodes []Node, got map[string]map[string]string, tagErr error, tr *tagRead, clientTags []Spec) (nodeTags, error) {
	t := nodeTags{name: map[string]string{}, nameKnown: map[string]bool{}}
	switch {
	case tr == nil:
	case tagErr == nil && !tr.names:
		t.all = map[string]map[string]string{}
		// TagFilters select resources; each comes back with all its tags.
		for _, n := range nodes {
			tags := got[n.ID]
			if tags == nil {
				tags = map[string]string{}
			}
			t.all[n.ID] = tags
			t.name[n.ID], t.nameKnown[n.ID] = tags["Name"], true
		}
	case tagErr == nil:
		for _, n := range nodes {
			// A lookup by Name value leaves out nodes with other names.
			if tags, ok := got[n.ID]; ok || !tr.lookup {
				t.name[n.ID], t.nameKnown[n.ID] = tags["Name"], true
			}
		}
	case tr.degrades(tagErr) && tr.names:
		r.warn("cannot read Name tags (%s); names match managed-node names and computer names only", errorCode(tagErr))
		t.denied = true
	case tr.degrades(tagErr):
		r.warn("cannot read tags (%s); tags are not shown", errorCode(tagErr))
		t.denied = true
	case tr.names:
		return nodeTags{}, fmt.Errorf("read Name tags: %w", tagErr)
	default:
		if len(clientTags) == 0 {
			return nodeTags{}, fmt.Errorf("read tags: %w", tagErr)
		}
		return nodeTags{}, fmt.Errorf("read tags for %s: %w", specList(clientTags), tagErr)
	}
	return t, nil
}

// keepMatching keeps the nodes that an ID or name spec selects, when there
// are such specs.
func (s specSet) keepMatching(nodes []Node, nameTag map[string]string) []Node {
	if !s.alternatives {
		return nodes
	}
	return slices.DeleteFunc(nodes, func(n Node) bool {
		if s.idSet[n.ID] {
			return false
		}
		for _, sp := range s.names {
			if match(sp.Pattern, nameTag[n.ID]) || match(sp.Pattern, n.ManagedName) || match(sp.Pattern, n.ComputerName) {
				return false
			}
		}
		return true
	})
}

// readMissingNames reads the Name tag of the nodes whose Name tag is not
// known yet: nodes selected by ID or by another name may still lack it for
// display after a lookup by name or a read of tag-spec keys.
func (r *Resolver) readMissingNames(ctx context.Context, nodes []Node, t *nodeTags) error {
	var missing []string
	for _, n := range nodes {
		if !t.nameKnown[n.ID] {
			missing = append(missing, n.ID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	got, err := r.readTags(ctx, missing, []tagtypes.TagFilter{{Key: aws.String("Name")}})
	switch {
	case err == nil:
		for _, id := range missing {
			t.name[id] = got[id]["Name"]
		}
	case isAccessDenied(err):
		r.warn("cannot read Name tags (%s)", errorCode(err))
	default:
		return fmt.Errorf("read Name tags: %w", err)
	}
	return nil
}

// label gives each node its Name tag, display name and, when asked for
// and read, its tags.
func label(nodes []Node, t nodeTags, withTags bool) {
	for i := range nodes {
		n := &nodes[i]
		n.NameTag = t.name[n.ID]
		n.Name = firstNonEmpty(n.NameTag, n.ManagedName, n.ComputerName)
		if withTags && t.all != nil {
			n.Tags = t.all[n.ID]
		}
	}
}

// sortNodes sorts by display name, then ID.
func sortNodes(nodes []Node) {
	sort.Slice(nodes, func(i, j int) bool {
		if nodes[i].Name != nodes[j].Name {
			return nodes[i].Name < nodes[j].Name
		}
		return nodes[i].ID < nodes[j].ID
	})
}

func (r *Resolver) warn(format string, args ...any) {
	if r.Warn != nil {
		r.Warn(fmt.Sprintf(format, args...))
	}
}

func normalizePing(in []string) ([]string, error) {
	var out []string
	for _, p := range in {
		i := slices.IndexFunc(PingStatuses, func(s string) bool { return strings.EqualFold(s, p) })
		if i < 0 {
			return nil, exitcode.Usagef("unknown ping status %q: want %s", p, strings.Join(PingStatuses, ", "))
		}
		if !slices.Contains(out, PingStatuses[i]) {
			out = append(out, PingStatuses[i])
		}
	}
	return out, nil
}

func pingFilter(ping []string) []ssmtypes.InstanceInformationStringFilter {
	return []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("PingStatus"), Values: ping}}
}

// serverSideTag reports whether a DescribeInstanceInformation tag filter can
// express t: filter values are 1..100 non-empty strings.
func serverSideTag(t Spec) bool {
	if len(t.TagValues) == 0 || len(t.TagValues) > maxFilterValues {
		return false
	}
	return !slices.Contains(t.TagValues, "")
}

// tagFilters narrows a GetResources listing to resources that can satisfy
// every tag spec; the values are checked again on the client.
func tagFilters(specs []Spec) []tagtypes.TagFilter {
	var out []tagtypes.TagFilter
	for _, t := range specs {
		if len(out) == maxTagFilters {
			break
		}
		f := tagtypes.TagFilter{Key: aws.String(t.TagKey)}
		if len(t.TagValues) <= maxTagFilterValues && !slices.Contains(t.TagValues, "") {
			f.Values = t.TagValues
		}
		out = append(out, f)
	}
	return out
}

func hasTags(tags map[string]string, specs []Spec) bool {
	for _, t := range specs {
		v, ok := tags[t.TagKey]
		if !ok || !slices.Contains(t.TagValues, v) {
			return false
		}
	}
	return true
}

func noMatch(specs []Spec, ping []string) error {
	if len(ping) > 0 {
		return exitcode.Usagef("no managed node matches %s with ping status %s", specList(specs), strings.Join(ping, " or "))
	}
	return exitcode.Usagef("no managed node matches %s", specList(specs))
}

func specList(specs []Spec) string {
	raws := make([]string, len(specs))
	for i, s := range specs {
		raws[i] = s.Raw
	}
	return strings.Join(raws, " ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func nodeIDs(nodes []Node) []string {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

func nodeFrom(i ssmtypes.InstanceInformation) Node {
	return Node{
		ID:               aws.ToString(i.InstanceId),
		ManagedName:      aws.ToString(i.Name),
		ComputerName:     aws.ToString(i.ComputerName),
		PingStatus:       string(i.PingStatus),
		PlatformType:     string(i.PlatformType),
		PlatformName:     aws.ToString(i.PlatformName),
		PlatformVersion:  aws.ToString(i.PlatformVersion),
		AgentVersion:     aws.ToString(i.AgentVersion),
		IPAddress:        aws.ToString(i.IPAddress),
		ResourceType:     string(i.ResourceType),
		ActivationID:     aws.ToString(i.ActivationId),
		IAMRole:          aws.ToString(i.IamRole),
		IsLatestVersion:  aws.ToBool(i.IsLatestVersion),
		LastPing:         aws.ToTime(i.LastPingDateTime),
		RegistrationDate: aws.ToTime(i.RegistrationDate),
	}
}

// NormalizePing checks ping statuses without I/O and returns AWS's
// spelling (Online, ConnectionLost, Inactive; any case accepted).
func NormalizePing(in []string) ([]string, error) { return normalizePing(in) }
