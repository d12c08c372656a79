package cmdutil

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// SessionClient is the session client and connection of the command's
// account, with a node picker when stdin and stderr are a terminal.
func SessionClient(f *Factory) func(ctx context.Context) (*session.Client, session.Connection, error) {
	return func(ctx context.Context) (*session.Client, session.Connection, error) {
		c, conn, err := f.Clients().Sessions(ctx)
		if err != nil {
			return nil, conn, err
		}
		if f.IO.IsStdinTTY() && f.IO.IsStderrTTY() && f.IO.CanPrompt() {
			c.Pick = func(nodes []target.Node) (target.Node, error) { return PickNode(f.IO.In, f.IO.ErrOut, nodes) }
		}
		return c, conn, nil
	}
}

// PickNode asks on stderr which node to open, reading the answer from
// stdin.
func PickNode(in io.Reader, out io.Writer, nodes []target.Node) (target.Node, error) {
	fmt.Fprintf(out, "%d nodes match:\n", len(nodes))
	for i, n := range nodes {
		fmt.Fprintf(out, "  %2d) %s [%s]\n", i+1, session.NodeLabel(n), n.PingStatus)
	}
	r := bufio.NewReader(in)
	for {
		fmt.Fprintf(out, "Open a session on which one? [1-%d] ", len(nodes))
		line, err := r.ReadString('\n')
		line = strings.TrimSpace(line)
		if k, perr := strconv.Atoi(line); perr == nil && k >= 1 && k <= len(nodes) {
			return nodes[k-1], nil
		}
		if err != nil {
			return target.Node{}, exitcode.New(exitcode.Usage, "no node chosen")
		}
		if line != "" {
			fmt.Fprintf(out, "%q is not a number from 1 to %d\n", line, len(nodes))
		}
	}
}
