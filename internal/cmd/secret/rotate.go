package secret

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// RotateOptions is what secret rotate uses.
type RotateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	Rotate secrets.Rotate
	Cancel bool
}

// rotationView is how a rotation ended.
type rotationView struct {
	Name      string              `json:"name"`
	ARN       string              `json:"arn"`
	VersionID string              `json:"versionId,omitempty"`
	Result    string              `json:"result"`
	Versions  map[string][]string `json:"versions,omitempty"`
}

var everyPattern = lazyre.New(`^([0-9]+)([dh])$`)

// NewCmdRotate is `ssmctl secret rotate`.
func NewCmdRotate(f *cmdutil.Factory, runF func(*RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	var every string
	cmd := &cobra.Command{
		Use:   "rotate NAME|ARN [--lambda ARN] [--every 30d | --schedule EXPR] [--window 2h] [--no-immediate] | --cancel",
		Short: "Rotate a secret, set its rotation schedule, or turn rotation off",
		Long: `Rotate a secret now with its rotation Lambda (--lambda sets or changes it),
and set its schedule: --every Nd (every N days, 1..1000) or Nh (rate(N
hours), at least 4), or --schedule with a rate() or cron() expression;
--window the rotation window (Duration, e.g. 2h). --no-immediate sets the
schedule without rotating now (Secrets Manager only tests the function).

Rotation runs in the background in Secrets Manager: ssmctl waits (--wait,
default 30s) until AWSCURRENT is on the new version. A rotation that has
not finished then, a failed one, is reported with the state it left (the
version AWSPENDING is on, where AWSCURRENT still is) and exits 1.

--cancel turns rotation off (CancelRotateSecret) and names the version a
rotation in progress left AWSPENDING on.`,
		Example: `  ssmctl secret rotate prod/db --lambda arn:aws:lambda:us-east-1:123456789012:function:rotate --every 30d
  ssmctl secret rotate prod/db --schedule 'cron(0 4 ? * SUN *)' --window 2h --no-immediate
  ssmctl secret rotate prod/db
  ssmctl secret rotate prod/db --cancel`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Rotate.ID = args[0]
			if err := checkID(opts.Rotate.ID); err != nil {
				return err
			}
			if opts.Cancel {
				for _, fl := range []string{"lambda", "every", "schedule", "window", "no-immediate"} {
					if cmd.Flags().Changed(fl) {
						return cmdutil.FlagErrorf("--cancel turns rotation off: it takes no --%s", fl)
					}
				}
			}
			if every != "" && opts.Rotate.Schedule != "" {
				return cmdutil.FlagErrorf("give --every or --schedule, not both")
			}
			if every != "" {
				m := everyPattern.FindStringSubmatch(every)
				if m == nil {
					return cmdutil.FlagValueErrorf("every", every, "want N days (30d) or N hours (12h)")
				}
				n, err := strconv.ParseInt(m[1], 10, 64)
				switch {
				case err != nil:
					return cmdutil.FlagValueErrorf("every", every, "want N days (30d) or N hours (12h)")
				case m[2] == "d" && (n < 1 || n > 1000):
					return cmdutil.FlagValueErrorf("every", every, "1 to 1000 days")
				case m[2] == "h" && n < 4:
					return cmdutil.FlagValueErrorf("every", every, "at least every 4 hours")
				case m[2] == "d":
					opts.Rotate.Days = n
				default:
					opts.Rotate.Schedule = fmt.Sprintf("rate(%d hours)", n)
				}
			}
			if w := opts.Rotate.Window; w != "" && !regexp.MustCompile(`^[0-9]{1,2}h$`).MatchString(w) {
				return cmdutil.FlagValueErrorf("window", w, "whole hours, e.g. 2h")
			}
			if opts.Rotate.Wait < 0 {
				return cmdutil.FlagErrorf("--wait: a duration of 0 or more")
			}
			if runF != nil {
				return runF(opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	cmd.Flags().StringVar(&opts.Rotate.Lambda, "lambda", "", "the rotation Lambda function's `ARN`")
	cmd.Flags().StringVar(&every, "every", "", "rotate every `N`d (days) or Nh (hours)")
	cmd.Flags().StringVar(&opts.Rotate.Schedule, "schedule", "", "a rate() or cron() schedule `EXPR`ession")
	cmd.Flags().StringVar(&opts.Rotate.Window, "window", "", "the rotation window, whole hours (`2h`)")
	cmd.Flags().BoolVar(&opts.Rotate.NoImmediate, "no-immediate", false, "set the schedule without rotating now")
	cmd.Flags().BoolVar(&opts.Cancel, "cancel", false, "turn rotation off")
	cmd.Flags().DurationVar(&opts.Rotate.Wait, "wait", 30*time.Second, "how long to wait for the rotation to finish")
	opts.Rotate.Poll = time.Second
	return cmd
}

func rotateRun(ctx context.Context, opts *RotateOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if opts.Cancel {
		r, err := c.CancelRotation(ctx, opts.Rotate.ID)
		if err != nil {
			return err
		}
		v := rotationView{Name: r.Name, ARN: r.ARN, VersionID: r.VersionID, Result: "cancelled"}
		return opts.Printer().Print(v, func() output.Table {
			msg := fmt.Sprintf("rotation of %s is off", r.Name)
			if r.VersionID != "" {
				msg += fmt.Sprintf("; a rotation in progress left AWSPENDING on %s (remove it or rotate again)", r.VersionID)
			}
			return output.Table{Rows: [][]string{{msg}}, NoTruncate: []int{0}}
		})
	}
	if opts.Rotate.Poll == 0 {
		opts.Rotate.Poll = time.Second
	}
	opts.IO.StartProgress("Rotating " + opts.Rotate.ID)
	r, err := c.Rotate(ctx, opts.Rotate)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	v := rotationView{Name: r.Name, ARN: r.ARN, VersionID: r.VersionID, Versions: r.Stages}
	switch {
	case opts.Rotate.NoImmediate && !r.Retried:
		v.Result = "scheduled"
	case r.Done:
		v.Result = "rotated"
	default:
		v.Result = "incomplete"
	}
	if r.Retried && r.Done {
		opts.IO.Warnf("a previous rotation of %s had not finished: Secrets Manager reattempted it", r.Name)
	}
	if err := opts.Printer().Print(v, func() output.Table {
		var msg string
		switch v.Result {
		case "scheduled":
			msg = fmt.Sprintf("rotation of %s is scheduled; not rotated now", r.Name)
		case "rotated":
			msg = fmt.Sprintf("rotated %s: AWSCURRENT is version %s", r.Name, r.VersionID)
		default:
			msg = fmt.Sprintf("rotation of %s did not finish", r.Name)
		}
		rows := [][]string{{msg}}
		for _, line := range stagesText(r.Stages) {
			rows = append(rows, []string{"  " + line})
		}
		return output.Table{Rows: rows, NoTruncate: []int{0}}
	}); err != nil {
		return err
	}
	if v.Result == "incomplete" {
		cur := ""
		for id, st := range r.Stages {
			if slices.Contains(st, "AWSCURRENT") {
				cur = id
			}
		}
		state := fmt.Sprintf("AWSPENDING is on version %s, AWSCURRENT still on %s", r.VersionID, cur)
		if !r.Pending {
			state = "no version has AWSPENDING, AWSCURRENT still on " + cur
		}
		return exitcode.New(exitcode.Failed, "rotation of %s failed or did not finish within %s: %s; see the rotation function's logs, then rotate again (Secrets Manager reattempts it) or cancel with --cancel", r.Name, opts.Rotate.Wait, strings.TrimSpace(state))
	}
	return nil
}
