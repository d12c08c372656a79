package cp_test

import (
	"testing"

	"github.com/ssmctl/ssmctl/internal/cmd/cp"
)

func TestSplitRemote(t *testing.T) {
	for _, c := range []struct {
		arg, spec, path string
		remote          bool
	}{
		{"web-1:/tmp/x", "web-1", "/tmp/x", true},
		{"i-0123456789abcdef0:a:b", "i-0123456789abcdef0", "a:b", true},
		{"tag:Role=web:/tmp/x", "tag:Role=web", "/tmp/x", true},
		{"group:prod:~/x", "group:prod", "~/x", true},
		{"@db:/etc/app.conf", "@db", "/etc/app.conf", true},
		{"web-1:", "web-1", "", true},
		{"./a:b", "", "./a:b", false},
		{"/abs/a:b", "", "/abs/a:b", false},
		{"~/a:b", "", "~/a:b", false},
		{"dir/a:b", "", "dir/a:b", false},
		{"plain", "", "plain", false},
		{":x", "", ":x", false},
		{"", "", "", false},
	} {
		spec, path, remote := cp.SplitRemote(c.arg)
		if spec != c.spec || path != c.path || remote != c.remote {
			t.Errorf("SplitRemote(%q) = %q, %q, %v; want %q, %q, %v", c.arg, spec, path, remote, c.spec, c.path, c.remote)
		}
	}
}
