package param

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// writeView is one parameter of an import, cp, mv or rm: what was (or, in
// a dry run, would be) done.
type writeView struct {
	Name     string `json:"name"`
	Action   string `json:"action"`
	Version  int64  `json:"version,omitempty"`
	Verified bool   `json:"verified,omitempty"`
	Error    string `json:"error,omitempty"`
}

func printWrites(printer *output.Printer, views []writeView) error {
	anyFailed := false
	for _, v := range views {
		anyFailed = anyFailed || v.Error != ""
	}
	return printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "ACTION", "VERSION"}, NoTruncate: []int{0, 1}}
		if anyFailed {
			t.Headers = append(t.Headers, "ERROR")
		}
		for _, v := range views {
			ver := ""
			if v.Version > 0 {
				ver = strconv.FormatInt(v.Version, 10)
			}
			row := []string{v.Name, v.Action, ver}
			if anyFailed {
				row = append(row, v.Error)
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	})
}

// applyPlan writes a plan with a progress line, says on stderr what it
// did in one summary line, and returns the views and the exit error
// (cmdutil.ItemsError: one line per parameter that failed).
func applyPlan(ctx context.Context, streams *output.Streams, c *params.Client, items []params.PlanItem, verb string) ([]writeView, error) {
	var st params.Stats
	total := 0
	for _, it := range items {
		if it.Action != params.Unchanged {
			total++
		}
	}
	streams.StartProgress(fmt.Sprintf("%s: 0/%d done", verb, total))
	results := c.Apply(ctx, items, &st, func(done, failed int) {
		label := fmt.Sprintf("%s: %d/%d done", verb, done, total)
		if failed > 0 {
			label += fmt.Sprintf(", %d failed", failed)
		}
		streams.UpdateProgress(label)
	})
	streams.StopProgress()
	counts := map[params.Action]int{}
	var failures []cmdutil.Failure
	views := make([]writeView, 0, len(results))
	for _, r := range results {
		v := writeView{Name: r.Name, Action: string(r.Action), Version: r.Version, Verified: r.Verified}
		if r.Err != nil {
			fail := cmdutil.Failure{Item: r.Name, Err: r.Err}
			v.Error = fail.Message()
			failures = append(failures, fail)
		} else {
			counts[r.Action]++
		}
		views = append(views, v)
	}
	summary := fmt.Sprintf("%d created, %d updated, %d unchanged, %d failed", counts[params.Create], counts[params.Update], counts[params.Unchanged], len(failures))
	if n := st.Throttled.Load(); n > 0 {
		summary += fmt.Sprintf(" (%d throttled calls retried)", n)
	}
	streams.Infof("%s", summary)
	return views, cmdutil.ItemsError(failures, "")
}

func planViews(items []params.PlanItem) []writeView {
	views := make([]writeView, 0, len(items))
	for _, it := range items {
		views = append(views, writeView{Name: it.Name, Action: string(it.Action), Version: it.OldVersion})
	}
	return views
}

// refuseUpdates fails a plan that would change existing parameters
// without --overwrite, before anything is written.
func refuseUpdates(items []params.PlanItem, overwrite bool) error {
	if overwrite {
		return nil
	}
	var names []string
	for _, it := range items {
		if it.Action == params.Update {
			names = append(names, it.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return exitcode.New(exitcode.AWS, "%d parameters exist with other values (%s): nothing was written; pass --overwrite to replace them", len(names), output.FewNames(names))
}
