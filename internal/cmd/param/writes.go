package param

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/awsretry"
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

// applyPlan runs apply, a bulk write of items, with a progress line, says
// on stderr what it did in one summary line, and returns a row per
// parameter and the exit error (one line per parameter that failed).
func applyPlan(streams *output.Streams, items []params.PlanItem, verb string,
	apply func(st *params.Stats, progress func(done, failed int)) []params.WriteResult) ([]writeView, error) {
	var st params.Stats
	total := params.Pending(items)
	streams.StartProgress(fmt.Sprintf("%s: 0/%d done", verb, total))
	results := apply(&st, func(done, failed int) {
		label := fmt.Sprintf("%s: %d/%d done", verb, done, total)
		if failed > 0 {
			label += fmt.Sprintf(", %d failed", failed)
		}
		streams.UpdateProgress(label)
	})
	streams.StopProgress()
	var failures []cmdutil.Failure
	var notAttempted error
	skipped := 0
	views := make([]writeView, 0, len(results))
	for _, r := range results {
		v := writeView{Name: r.Name, Action: string(r.Action), Version: r.Version, Verified: r.Verified}
		if r.Err != nil {
			fail := cmdutil.Failure{Item: r.Name, Err: r.Err}
			v.Error = fail.Message()
			if errors.Is(r.Err, awsretry.ErrBreakerOpen) {
				// One line for all of them, not one per parameter.
				notAttempted = r.Err
				skipped++
			} else {
				failures = append(failures, fail)
			}
		}
		views = append(views, v)
	}
	if skipped > 0 {
		failures = append(failures, cmdutil.Failure{Item: fmt.Sprintf("%d parameters", skipped), Err: notAttempted})
	}
	streams.Infof("%s", params.TallyResults(results, &st))
	return views, cmdutil.ItemsError(failures, "")
}

// printWritesThen prints the rows of a bulk write, then returns its exit
// error.
func printWritesThen(printer *output.Printer, views []writeView, err error) error {
	if perr := printWrites(printer, views); perr != nil {
		return perr
	}
	return err
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
