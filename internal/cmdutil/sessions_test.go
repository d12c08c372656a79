package cmdutil

import (
	"strings"
	"testing"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

func TestPickNode(t *testing.T) {
	nodes := []target.Node{{ID: "i-0000000000000000a", Name: "web-1", PingStatus: "Online"}, {ID: "i-0000000000000000b", Name: "web-2", PingStatus: "Online"}}
	var out strings.Builder
	n, err := PickNode(strings.NewReader("x\n9\n2\n"), &out, nodes)
	if err != nil || n.ID != "i-0000000000000000b" {
		t.Fatalf("picked %v %v", n, err)
	}
	for _, want := range []string{"2 nodes match", "1) web-1 (i-0000000000000000a) [Online]", `"x" is not a number`, "[1-2]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("prompt lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := PickNode(strings.NewReader(""), &out, nodes); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("no answer: %v", err)
	}
}
