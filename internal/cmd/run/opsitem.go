package run

import (
	"context"
	"sort"

	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// openOpsItem is --opsitem-on-failure: after a run's results, a run with
// failed nodes (Failed, timed out or undeliverable; not those cancelled or
// not run because of --max-errors) opens one OpsItem, said on stderr. A
// failure to open it is a warning: the run's exit code stays the run's.
func openOpsItem(ctx context.Context, streams *output.Streams, client func(context.Context) (*opsitems.Client, error),
	ids []string, doc string, res *runcmd.Result) {
	var failed []string
	for _, inv := range res.Invocations {
		switch inv.State() {
		case runcmd.StateFailed, runcmd.StateExecutionTimedOut, runcmd.StateDeliveryTimedOut, runcmd.StateUndeliverable:
			failed = append(failed, inv.NodeID)
		}
	}
	if len(failed) == 0 || len(ids) == 0 {
		return
	}
	sort.Strings(failed)
	c, err := client(ctx)
	if err == nil {
		var created opsitems.Created
		created, err = c.OpenForRun(ctx, opsitems.RunFailure{CommandIDs: ids, Document: doc, FailedNodes: failed})
		if err == nil {
			if created.Existing {
				streams.Warnf("OpsItem %s is already open for command %s", created.ID, ids[0])
			} else {
				streams.Warnf("opened OpsItem %s for %d failed node(s) of command %s", created.ID, len(failed), ids[0])
			}
			return
		}
	}
	streams.Warnf("could not open an OpsItem for command %s: %v", ids[0], err)
}
