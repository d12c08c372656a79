package session

import (
	"context"
	"errors"
	"io"
	"syscall"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// SSHDocument is the AWS-owned Session document ssh's ProxyCommand
// uses: a Port session whose one connection (basic mode) goes to
// portNumber on the node.
const SSHDocument = "AWS-StartSSHSession"

// SSHProxy starts AWS-StartSSHSession to port on node and copies in to
// the session's one connection and that connection to out (stdout:
// data only), until in ends (ssh is done), the node closes the
// connection or ctx ends. The session is terminated on return.
func (c *Client) SSHProxy(ctx context.Context, node target.Node, port int, reason string, conn Connection, in io.Reader, out io.Writer, warn func(format string, args ...any)) error {
	p, err := c.StartPort(ctx, PortRequest{Node: node, Port: port, SSH: true, Reason: reason, Warn: warn}, conn)
	if err != nil {
		return err
	}
	err = p.Proxy(ctx, in, out)
	if cerr := p.Close(); err == nil && cerr != nil && ctx.Err() == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		if exitcode.SignalOf(ctx).Signal == syscall.SIGHUP {
			// OpenSSH ends its ProxyCommand with SIGHUP when it is done:
			// a normal end, once the session is terminated.
			return nil
		}
		return exitcode.Interruptedf(ctx, "session %s terminated", p.ID())
	}
	return err
}

// Proxy copies in to one connection of the session and the connection
// to out, until in ends, the far end closes the connection or ctx ends.
// A session that failed (a data channel that could not be resumed, the
// agent's error) is the error; the far end closing is not.
func (p *PortSession) Proxy(ctx context.Context, in io.Reader, out io.Writer) error {
	c, err := p.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	inDone := make(chan struct{})
	go func() {
		// A failed write means the connection is gone; the other copy
		// sees it too.
		_, _ = io.Copy(c, in)
		close(inDone)
	}()
	outDone := make(chan error, 1)
	go func() {
		_, err := io.Copy(out, c)
		outDone <- err
	}()
	select {
	case <-inDone:
		return nil
	case err := <-outDone:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-p.Done():
		if err := p.ch.Err(); err != nil {
			return err
		}
		var ne *NodeError
		if err := p.Err(); errors.As(err, &ne) {
			return exitcode.Wrap(exitcode.Other, err)
		}
	default:
	}
	return nil
}
