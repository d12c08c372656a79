package nodes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
	"gopkg.in/yaml.v3"
)

// Fleet is the set of simulated managed nodes, as read from a fleet file
// (see docs/sandbox.md) or generated.
type Fleet struct {
	Nodes []*Node `yaml:"nodes" json:"nodes"`
	// Locations are the other accounts and Regions the sandbox serves,
	// each with its own nodes (docs/sandbox.md, "Several accounts and
	// Regions"). Never part of a location's own state.
	Locations []*FleetLocation `yaml:"locations,omitempty" json:"-"`
}

// FleetLocation is one more account and Region and its nodes. An empty
// Account is the sandbox's main account.
type FleetLocation struct {
	Account string  `yaml:"account" json:"account"`
	Region  string  `yaml:"region" json:"region"`
	Nodes   []*Node `yaml:"nodes" json:"nodes"`
}

// Node is one simulated managed node. EC2 nodes have IDs i-…, hybrid
// (on-premises) nodes mi-….
type Node struct {
	ID string `yaml:"id" json:"id"`
	// Name is the EC2 Name tag for i- nodes, and the managed node's own name
	// (InstanceInformation.Name) for mi- nodes.
	Name              string            `yaml:"name,omitempty" json:"name,omitempty"`
	ComputerName      string            `yaml:"computerName,omitempty" json:"computerName,omitempty"`
	Platform          Platform          `yaml:"platform,omitempty" json:"platform"`
	AgentVersion      string            `yaml:"agentVersion,omitempty" json:"agentVersion,omitempty"`
	Ping              string            `yaml:"ping,omitempty" json:"ping,omitempty"`
	IP                string            `yaml:"ip,omitempty" json:"ip,omitempty"`
	Tags              map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	Groups            []string          `yaml:"groups,omitempty" json:"groups,omitempty"`
	Ports             map[string]string `yaml:"ports,omitempty" json:"ports,omitempty"`
	Latency           time.Duration     `yaml:"latency,omitempty" json:"latency,omitempty"`
	LastPing          *time.Time        `yaml:"lastPing,omitempty" json:"lastPing,omitempty"`
	AssociationStatus string            `yaml:"associationStatus,omitempty" json:"associationStatus,omitempty"`
	ActivationID      string            `yaml:"activationId,omitempty" json:"activationId,omitempty"`
	IAMRole           string            `yaml:"iamRole,omitempty" json:"iamRole,omitempty"`
	RegistrationDate  *time.Time        `yaml:"registrationDate,omitempty" json:"registrationDate,omitempty"`
	// Patches replaces the generated patch inventory; FailPatches are the
	// patches an install fails on (patches.go).
	Patches     []Patch  `yaml:"patches,omitempty" json:"patches,omitempty"`
	FailPatches []string `yaml:"failPatches,omitempty" json:"failPatches,omitempty"`
	// InstanceConnect says whether the node runs EC2 Instance Connect
	// (its sshd's AuthorizedKeysCommand honours the keys SendSSHPublicKey
	// pushed). Default: true for EC2 Linux nodes on Amazon Linux or
	// Ubuntu, whose AMIs ship it; false for the others. Hybrid and
	// Windows nodes cannot have it.
	InstanceConnect *bool `yaml:"instanceConnect,omitempty" json:"instanceConnect,omitempty"`

	// TaggedOnce records that SSM tags were added to the node, so that
	// GetResources still lists it (with no tags) after they are removed.
	TaggedOnce bool `yaml:"-" json:"taggedOnce,omitempty"`
	// State is the EC2 instance state Automation set (instance_state.go);
	// empty is running.
	State string `yaml:"-" json:"state,omitempty"`
}

// Platform is a node's operating system as SSM reports it.
type Platform struct {
	Type    string `yaml:"type,omitempty" json:"type,omitempty"` // Linux | Windows | MacOS
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
}

// Hybrid reports whether the node is an on-premises (mi-) managed node.
func (n *Node) Hybrid() bool { return strings.HasPrefix(n.ID, "mi-") }

// LatestAgentVersion is the SSM Agent version the sandbox considers current
// (InstanceInformation.IsLatestVersion compares against it).
const LatestAgentVersion = "3.3.2299.0"

var (
	// From the SSM model: InstanceId pattern (^i-(\w{8}|\w{17})$)|(^mi-\w{17}$),
	// narrowed to hex as AWS issues them.
	nodeIDPattern = lazyre.New(`^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$`)
	// From the SSM model: Version pattern.
	agentVersionPattern = lazyre.New(`^[0-9]{1,6}(\.[0-9]{1,6}){2,3}$`)
	// From the SSM model: ActivationId pattern.
	activationIDPattern = lazyre.New(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// Resource group names, from the resource-groups model (GroupName).
	groupNamePattern = lazyre.New(`^[a-zA-Z0-9_.-]{1,300}$`)
)

// LoadFleet reads a fleet file. Errors name the file and the node.
func LoadFleet(path string) (*Fleet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	f, err := parseFleet(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return f, nil
}

// ParseFleet parses and validates fleet YAML. Unknown keys are errors.
func ParseFleet(b []byte) (*Fleet, error) {
	f, err := parseFleet(b)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	return f, nil
}

func parseFleet(b []byte) (*Fleet, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f Fleet
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no nodes: the file is empty")
		}
		return nil, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if f.Nodes == nil {
		return nil, errors.New("no nodes key: want `nodes:` with a list of nodes (`nodes: []` for an empty fleet)")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate checks every node and fills in defaults (computer name, agent
// version, platform names, ping status). It is idempotent.
func (f *Fleet) Validate() error {
	if err := validateNodes(f.Nodes); err != nil {
		return err
	}
	for i, l := range f.Locations {
		if l == nil {
			return fmt.Errorf("location %d: empty location", i+1)
		}
		where := fmt.Sprintf("location %d (%s/%s)", i+1, l.Account, l.Region)
		if l.Region == "" {
			return fmt.Errorf("%s: region is missing", where)
		}
		if l.Nodes == nil {
			return fmt.Errorf("%s: no nodes key: want `nodes:` with a list of nodes (`nodes: []` for an empty fleet)", where)
		}
		if err := validateNodes(l.Nodes); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

func validateNodes(list []*Node) error {
	seen := make(map[string]int, len(list))
	for i, n := range list {
		if n == nil {
			return fmt.Errorf("node %d: empty node", i+1)
		}
		if err := n.validate(); err != nil {
			return fmt.Errorf("node %d: %w", i+1, err)
		}
		if prev, dup := seen[n.ID]; dup {
			return fmt.Errorf("node %d: id %q duplicates node %d", i+1, n.ID, prev)
		}
		seen[n.ID] = i + 1
	}
	return nil
}

func (n *Node) validate() error {
	if n.ID == "" {
		return errors.New("id is missing")
	}
	if !nodeIDPattern.MatchString(n.ID) {
		return fmt.Errorf("id %q is not an EC2 (i-) or hybrid (mi-) node ID: want i- and 8 or 17 hex digits, or mi- and 17 hex digits", n.ID)
	}
	if n.Tags == nil {
		n.Tags = map[string]string{}
	}
	if !n.Hybrid() && n.Name != "" {
		if t, ok := n.Tags["Name"]; ok && t != n.Name {
			return fmt.Errorf("name %q and tag Name %q differ (an EC2 node's name is its Name tag)", n.Name, t)
		}
		n.Tags["Name"] = n.Name
	}
	if !n.Hybrid() && n.Name == "" {
		n.Name = n.Tags["Name"]
	}
	for k, v := range n.Tags {
		if err := tags.Check(k, v); err != nil {
			return err
		}
	}
	if len(n.Tags) > tags.MaxPerResource {
		return fmt.Errorf("%d tags: at most %d per node", len(n.Tags), tags.MaxPerResource)
	}
	switch n.Platform.Type {
	case "":
		n.Platform.Type = "Linux"
	case "Linux", "Windows", "MacOS":
	default:
		return fmt.Errorf("platform.type %q: want Linux, Windows or MacOS", n.Platform.Type)
	}
	if n.Platform.Name == "" {
		n.Platform.Name, n.Platform.Version = defaultPlatform(n.Platform.Type)
	}
	switch n.Ping {
	case "":
		n.Ping = "Online"
	case "Online", "ConnectionLost", "Inactive":
	default:
		return fmt.Errorf("ping %q: want Online, ConnectionLost or Inactive", n.Ping)
	}
	if n.AgentVersion == "" {
		n.AgentVersion = LatestAgentVersion
	} else if !agentVersionPattern.MatchString(n.AgentVersion) {
		return fmt.Errorf("agentVersion %q: want a version such as %s", n.AgentVersion, LatestAgentVersion)
	}
	if n.IP != "" && net.ParseIP(n.IP) == nil {
		return fmt.Errorf("ip %q is not an IP address", n.IP)
	}
	if n.ComputerName == "" {
		n.ComputerName = defaultComputerName(n)
	}
	if len(n.ComputerName) > 255 {
		return errors.New("computerName is longer than 255 characters")
	}
	if n.Latency < 0 {
		return fmt.Errorf("latency %s is negative", n.Latency)
	}
	switch n.AssociationStatus {
	case "", "Success", "Pending", "Failed":
	default:
		return fmt.Errorf("associationStatus %q: want Success, Pending or Failed", n.AssociationStatus)
	}
	for _, g := range n.Groups {
		if !groupNamePattern.MatchString(g) {
			return fmt.Errorf("group %q: a resource group name is 1 to 300 letters, digits, '_', '.' or '-'", g)
		}
	}
	for port, addr := range n.Ports {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("ports: %q is not a port number (1-65535)", port)
		}
		host, hp, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("ports: %q: target %q is not host:port", port, addr)
		}
		if pn, err := strconv.Atoi(hp); err != nil || pn < 1 || pn > 65535 {
			return fmt.Errorf("ports: %q: target %q has no valid port", port, addr)
		}
		if !IsLoopbackHost(host) {
			return fmt.Errorf("ports: %q: target %q is not on loopback (nodes forward only to 127.0.0.0/8, ::1 or localhost)", port, addr)
		}
	}
	if err := n.validatePatches(); err != nil {
		return err
	}
	if err := n.validateInstanceConnect(); err != nil {
		return err
	}
	if n.Hybrid() {
		if n.ActivationID != "" && !activationIDPattern.MatchString(n.ActivationID) {
			return fmt.Errorf("activationId %q is not an activation ID (8-4-4-4-12 hex digits)", n.ActivationID)
		}
		if len(n.IAMRole) > 64 {
			return errors.New("iamRole is longer than 64 characters")
		}
	} else if n.ActivationID != "" || n.RegistrationDate != nil {
		return errors.New("activationId and registrationDate are for hybrid (mi-) nodes only")
	}
	return nil
}

// validateInstanceConnect refuses EC2 Instance Connect where AWS offers
// none (hybrid nodes; Windows, which it does not support) and fills in the
// default.
func (n *Node) validateInstanceConnect() error {
	if n.InstanceConnect != nil {
		if *n.InstanceConnect && (n.Hybrid() || n.Platform.Type == "Windows") {
			return errors.New("instanceConnect: EC2 Instance Connect is for EC2 (i-) Linux and macOS nodes only")
		}
		return nil
	}
	v := !n.Hybrid() && n.Platform.Type == "Linux" &&
		(strings.HasPrefix(n.Platform.Name, "Amazon Linux") || strings.HasPrefix(n.Platform.Name, "Ubuntu"))
	n.InstanceConnect = &v
	return nil
}

// OffersInstanceConnect says whether the node honours keys pushed by EC2
// Instance Connect.
func (n *Node) OffersInstanceConnect() bool { return n.InstanceConnect != nil && *n.InstanceConnect }

func defaultPlatform(typ string) (name, version string) {
	switch typ {
	case "Windows":
		return "Microsoft Windows Server 2022 Datacenter", "10.0.20348"
	case "MacOS":
		return "macOS", "14.6"
	default:
		return "Amazon Linux", "2023"
	}
}

func defaultComputerName(n *Node) string {
	switch {
	case n.Platform.Type == "Windows":
		id := strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(n.ID, "mi-"), "i-"))
		return "EC2AMAZ-" + id[:7]
	case n.IP != "" && !n.Hybrid():
		return "ip-" + strings.NewReplacer(".", "-", ":", "-").Replace(n.IP) + ".ec2.internal"
	case n.Name != "":
		return n.Name
	default:
		return n.ID
	}
}

func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DefaultFleet is the fleet the sandbox starts with when given none: Linux
// web and db nodes in dev and prod, a hybrid node, a Windows node and one
// that has lost its connection.
func DefaultFleet() *Fleet {
	reg := time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)
	lost := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f := &Fleet{Nodes: []*Node{
		{ID: "i-0a1b2c3d4e5f60001", Name: "web-1", IP: "10.0.1.11",
			Tags: map[string]string{"Environment": "Dev", "Role": "web"}, Groups: []string{"web-servers"},
			Ports: map[string]string{"80": "127.0.0.1:8080"}},
		{ID: "i-0a1b2c3d4e5f60002", Name: "web-2", IP: "10.0.2.12",
			Tags: map[string]string{"Environment": "Prod", "Role": "web"}, Groups: []string{"web-servers", "prod"}},
		{ID: "i-0a1b2c3d4e5f60003", Name: "db-1", IP: "10.0.2.21",
			Tags: map[string]string{"Environment": "Prod", "Role": "db"}, Groups: []string{"prod"},
			Platform: Platform{Type: "Linux", Name: "Ubuntu", Version: "22.04"}},
		{ID: "mi-0a1b2c3d4e5f60004", Name: "onprem-build-1", IP: "192.168.10.5",
			Tags:         map[string]string{"Environment": "Dev", "Role": "worker"},
			Platform:     Platform{Type: "Linux", Name: "Debian GNU/Linux", Version: "12"},
			ActivationID: "4f2b8d3a-1c5e-4a7b-9d0e-6f1a2b3c4d5e", IAMRole: "SSMServiceRole", RegistrationDate: &reg},
		{ID: "i-0a1b2c3d4e5f60005", Name: "win-1", IP: "10.0.1.31",
			Tags: map[string]string{"Environment": "Dev", "Role": "worker"}, Platform: Platform{Type: "Windows"}},
		{ID: "i-0a1b2c3d4e5f60006", Name: "web-3", IP: "10.0.2.13", Ping: "ConnectionLost", LastPing: &lost,
			Tags: map[string]string{"Environment": "Prod", "Role": "web"}, Groups: []string{"web-servers", "prod"}},
	}}
	if err := f.Validate(); err != nil {
		panic("sandbox: default fleet is invalid: " + err.Error())
	}
	return f
}

// GenerateFleet makes n varied nodes, the same for the same seed: Name tags
// node-0001…, Environment Dev/Staging/Prod, Role web/db/worker, about one in
// ten hybrid, one in eight Windows, one in twelve ConnectionLost.
func GenerateFleet(n int, seed int64) *Fleet {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	envs := []string{"Dev", "Staging", "Prod"}
	roles := []string{"web", "db", "worker"}
	linux := []Platform{
		{Type: "Linux", Name: "Amazon Linux", Version: "2023"},
		{Type: "Linux", Name: "Ubuntu", Version: "22.04"},
		{Type: "Linux", Name: "Red Hat Enterprise Linux", Version: "9.4"},
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &Fleet{Nodes: make([]*Node, 0, n)}
	seen := make(map[string]bool, n)
	for i := range n {
		node := &Node{
			Name: fmt.Sprintf("node-%04d", i+1),
			IP:   fmt.Sprintf("10.%d.%d.%d", 1+i/65536%200, i/256%256, i%256),
			Tags: map[string]string{
				"Environment": envs[rng.IntN(len(envs))],
				"Role":        roles[rng.IntN(len(roles))],
			},
			Platform: linux[rng.IntN(len(linux))],
		}
		hybrid := rng.IntN(10) == 0
		for {
			id := randomHex(rng, 17)
			if hybrid {
				id = "mi-" + id
			} else {
				id = "i-" + id
			}
			if !seen[id] {
				seen[id] = true
				node.ID = id
				break
			}
		}
		if rng.IntN(8) == 0 {
			node.Platform = Platform{Type: "Windows"}
		}
		if rng.IntN(12) == 0 {
			node.Ping = "ConnectionLost"
			t := base.Add(time.Duration(rng.IntN(90*24)) * time.Hour)
			node.LastPing = &t
		}
		if hybrid {
			t := base.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
			node.RegistrationDate = &t
			node.IAMRole = "SSMServiceRole"
		}
		if node.Tags["Role"] == "web" {
			node.Groups = []string{"web-servers"}
		}
		f.Nodes = append(f.Nodes, node)
	}
	if n > 0 {
		if err := f.Validate(); err != nil {
			panic("sandbox: generated fleet is invalid: " + err.Error())
		}
	}
	return f
}

func randomHex(rng *rand.Rand, n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[rng.IntN(16)]
	}
	return string(b)
}

// Clone deep-copies the fleet so a Server never shares nodes with callers.
func (f *Fleet) Clone() *Fleet {
	out := &Fleet{Nodes: cloneNodes(f.Nodes)}
	for _, l := range f.Locations {
		out.Locations = append(out.Locations, &FleetLocation{Account: l.Account, Region: l.Region, Nodes: cloneNodes(l.Nodes)})
	}
	return out
}

func cloneNodes(list []*Node) []*Node {
	if list == nil {
		return nil
	}
	out := make([]*Node, len(list))
	for i, n := range list {
		out[i] = n.clone()
	}
	return out
}

func (n *Node) clone() *Node {
	c := *n
	c.Tags = make(map[string]string, len(n.Tags))
	for k, v := range n.Tags {
		c.Tags[k] = v
	}
	c.Groups = append([]string(nil), n.Groups...)
	c.Patches = append([]Patch(nil), n.Patches...)
	c.FailPatches = append([]string(nil), n.FailPatches...)
	if n.InstanceConnect != nil {
		v := *n.InstanceConnect
		c.InstanceConnect = &v
	}
	if n.Ports != nil {
		c.Ports = make(map[string]string, len(n.Ports))
		for k, v := range n.Ports {
			c.Ports[k] = v
		}
	}
	return &c
}
