package sandbox

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadFleet(t *testing.T) {
	t.Parallel()
	f, err := LoadFleet("testdata/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Nodes) != 3 {
		t.Fatalf("%d nodes", len(f.Nodes))
	}
	web := f.Nodes[0]
	if web.Tags["Name"] != "web-1" || web.Ports["80"] != "127.0.0.1:8080" || web.Latency != 250*time.Millisecond ||
		web.Platform.Name != "Amazon Linux" || web.AgentVersion != LatestAgentVersion || web.Ping != "Online" ||
		web.ComputerName != "ip-10-0-1-11.ec2.internal" || !reflect.DeepEqual(web.Groups, []string{"web-servers"}) {
		t.Errorf("web-1: %+v", web)
	}
	mi := f.Nodes[1]
	if !mi.Hybrid() || mi.Name != "build-box" || mi.Tags["Name"] != "" || mi.RegistrationDate == nil || mi.IAMRole != "SSMServiceRole" {
		t.Errorf("hybrid: %+v", mi)
	}
	if lost := f.Nodes[2]; lost.Ping != "ConnectionLost" || lost.LastPing == nil || lost.Platform.Type != "Windows" {
		t.Errorf("windows: %+v", lost)
	}
}

func TestParseFleetErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"bad id", "nodes:\n- id: i-1\n- id: x\n", `node 1: id "i-1" is not an EC2 (i-) or hybrid (mi-) node ID`},
		{"bad id second", "nodes:\n- id: i-0123456789abcdef0\n- id: web-1\n", `node 2: id "web-1" is not an EC2 (i-) or hybrid (mi-) node ID`},
		{"mi with 8 digits", "nodes:\n- id: mi-01234567\n", `node 1: id "mi-01234567"`},
		{"duplicate", "nodes:\n- id: i-0123456789abcdef0\n- id: i-01234567\n- id: i-0123456789abcdef0\n", `node 3: id "i-0123456789abcdef0" duplicates node 1`},
		{"unknown key", "nodes:\n- id: i-01234567\n  colour: red\n", "field colour not found"},
		{"unknown top-level key", "node:\n- id: i-01234567\n", "field node not found"},
		{"bad ping", "nodes:\n- id: i-01234567\n  ping: Sleeping\n", `node 1: ping "Sleeping": want Online, ConnectionLost or Inactive`},
		{"bad platform", "nodes:\n- id: i-01234567\n  platform: {type: Solaris}\n", `platform.type "Solaris"`},
		{"bad YAML", "nodes: [\n", "invalid YAML"},
		{"bad latency", "nodes:\n- id: i-01234567\n  latency: soon\n", "invalid YAML"},
		{"empty", "", "no nodes"},
		{"only a comment", "# nothing\n", "no nodes"},
		{"no nodes key", "nodes:\n", "no nodes key"},
		{"bad port", "nodes:\n- id: i-01234567\n  ports: {\"http\": \"127.0.0.1:80\"}\n", `ports: "http" is not a port number`},
		{"non-loopback port target", "nodes:\n- id: i-01234567\n  ports: {\"80\": \"10.0.0.1:80\"}\n", "not on loopback"},
		{"bad ip", "nodes:\n- id: i-01234567\n  ip: 300.1.1.1\n", `ip "300.1.1.1"`},
		{"reserved tag", "nodes:\n- id: i-01234567\n  tags: {\"aws:x\": y}\n", "reserved"},
		{"name and Name tag differ", "nodes:\n- id: i-01234567\n  name: a\n  tags: {Name: b}\n", "differ"},
		{"activation on EC2", "nodes:\n- id: i-01234567\n  activationId: 4f2b8d3a-1c5e-4a7b-9d0e-6f1a2b3c4d5e\n", "hybrid (mi-) nodes only"},
		{"bad agent version", "nodes:\n- id: i-01234567\n  agentVersion: latest\n", `agentVersion "latest"`},
		{"bad group", "nodes:\n- id: i-01234567\n  groups: [\"a b\"]\n", `group "a b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFleet([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseFleet: %v, want error containing %q", err, tc.want)
			}
		})
	}
	// Errors from a file name the file.
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	os.WriteFile(path, []byte("nodes:\n- id: i-01234567\n- id: i-9\n"), 0o600)
	_, err := LoadFleet(path)
	if want := `fleet.yaml: node 2: id "i-9" is not an EC2 (i-) or hybrid (mi-) node ID`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadFleet: %v, want %q", err, want)
	}
	// And New reports them.
	if _, err := New(Options{FleetFile: path}); err == nil || !strings.Contains(err.Error(), "node 2") {
		t.Errorf("New: %v", err)
	}
}

func TestDefaultFleet(t *testing.T) {
	t.Parallel()
	f := DefaultFleet()
	var dev, prod, hybrid, windows, lost int
	for _, n := range f.Nodes {
		if !n.Hybrid() && n.Platform.Type == "Linux" && n.Tags["Name"] != "" {
			switch n.Tags["Environment"] {
			case "Dev":
				dev++
			case "Prod":
				prod++
			}
		}
		if n.Hybrid() && n.Name != "" {
			hybrid++
		}
		if n.Platform.Type == "Windows" && !n.Hybrid() {
			windows++
		}
		if n.Ping == "ConnectionLost" {
			lost++
		}
	}
	if dev < 1 || prod < 2 || hybrid != 1 || windows != 1 || lost != 1 {
		t.Errorf("default fleet: dev %d prod %d hybrid %d windows %d lost %d", dev, prod, hybrid, windows, lost)
	}
}

func TestGenerateFleet(t *testing.T) {
	t.Parallel()
	a, b := GenerateFleet(1000, 9), GenerateFleet(1000, 9)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different fleets")
	}
	if c := GenerateFleet(1000, 10); reflect.DeepEqual(a.Nodes[0].ID, c.Nodes[0].ID) {
		t.Error("different seeds gave the same first node")
	}
	count := map[string]int{}
	for i, n := range a.Nodes {
		if want := "node-" + pad4(i+1); n.Tags["Name"] != want && n.Name != want {
			t.Fatalf("node %d named %q, want %q", i, n.Name, want)
		}
		count["env:"+n.Tags["Environment"]]++
		count["role:"+n.Tags["Role"]]++
		count["ping:"+n.Ping]++
		count["platform:"+n.Platform.Type]++
		if n.Hybrid() {
			count["hybrid"]++
		}
	}
	for _, k := range []string{"env:Dev", "env:Staging", "env:Prod", "role:web", "role:db", "role:worker", "ping:Online", "ping:ConnectionLost", "platform:Windows", "platform:Linux", "hybrid"} {
		if count[k] < 20 {
			t.Errorf("%s: only %d of 1000", k, count[k])
		}
	}
}

func pad4(i int) string {
	s := "0000" + itoa(i)
	return s[len(s)-4:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func BenchmarkGenerateFleet(b *testing.B) {
	for b.Loop() {
		GenerateFleet(1000, 1)
	}
}
