package runcmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Platforms are the values of --platform, in AWS's spelling (PlatformType).
var Platforms = []string{"Linux", "Windows", "MacOS"}

// NormalizePlatform returns AWS's spelling of a platform given in any case.
func NormalizePlatform(p string) (string, error) {
	i := slices.IndexFunc(Platforms, func(s string) bool { return strings.EqualFold(s, p) })
	if i < 0 {
		return "", exitcode.Usagef("invalid --platform %q: want one of %s", p, strings.Join(Platforms, ", "))
	}
	return Platforms[i], nil
}

// narrowed says the request keeps only some of the nodes its specs match
// (by ping status or platform): AWS cannot be given the specs as Targets
// then, only the node IDs that remain.
func (r *Request) narrowed() bool { return len(r.Ping) > 0 || r.Platform != "" }

// selectNodes resolves the request's targets, keeps the ping statuses and
// platform asked for, and warns about nodes that are not Online: AWS holds
// their command until it expires, so the run waits for them.
func (c *Client) selectNodes(ctx context.Context, req Request) ([]target.Node, error) {
	nodes, err := c.Nodes.Resolve(ctx, target.Query{Specs: req.Specs, Ping: req.Ping, WithNames: true})
	if err != nil {
		return nil, err
	}
	if req.Platform != "" {
		nodes = slices.DeleteFunc(nodes, func(n target.Node) bool { return !strings.EqualFold(n.PlatformType, req.Platform) })
		if len(nodes) == 0 {
			return nil, exitcode.Usagef("no managed node matches %s with platform %s", specList(req.Specs), req.Platform)
		}
	}
	if len(nodes) == 0 {
		return nil, exitcode.Usagef("no managed node matches %s", specList(req.Specs))
	}
	var off []string
	for _, n := range nodes {
		if n.PingStatus != "" && n.PingStatus != "Online" {
			off = append(off, fmt.Sprintf("%s (%s)", nodeLabel(n), n.PingStatus))
		}
	}
	if len(off) > 0 {
		subject := fmt.Sprintf("%d of %d nodes are not Online: %s", len(off), len(nodes), few(off))
		if len(off) == 1 {
			subject = off[0] + " is not Online"
		}
		c.warn("%s; a node not Online gets the command only if its agent connects within the delivery timeout, and the run waits for it until AWS gives up (delivery + execution timeout: %s); --ping Online leaves such nodes out",
			subject, shortDuration(orDuration(req.DeliveryTimeout, defaultDelivery)+orDuration(req.ExecutionTimeout, defaultExecute)))
	}
	return nodes, nil
}

func nodeLabel(n target.Node) string {
	if n.Name != "" && n.Name != n.ID {
		return n.Name
	}
	return n.ID
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// shortDuration drops the zero units of a time.Duration's string: 1h0m30s
// is 1h0m30s, 2h0m0s is 2h, 1m30s stays.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
