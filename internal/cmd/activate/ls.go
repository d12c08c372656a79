package activate

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// ListOptions is what activate ls uses.
type ListOptions struct {
	Printer func() *output.Printer
	Now     func() time.Time
	Client  clientFunc

	Name    string
	Role    string
	Expired bool
}

// NewCmdList is `ssmctl activate ls`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer, Now: f.Now, Client: f.Clients().Activations}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List activations",
		Long: `List the activations of the account and region (DescribeActivations): ID,
default instance name, IAM role, registrations out of the limit, when created,
when it expires and whether it has. --name and --role keep those with that
default instance name or role; --expired only the expired ones.`,
		Example: `  ssmctl activate ls
  ssmctl activate ls --name DevOnPrem
  ssmctl activate ls --expired -o json --query '[].activationId'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Name, "name", "", "only activations with this default instance `name`")
	fl.StringVar(&opts.Role, "role", "", "only activations with this IAM `role`")
	fl.BoolVar(&opts.Expired, "expired", false, "only expired activations")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	acts, err := c.List(ctx, activations.Filter{Name: opts.Name, Role: opts.Role})
	if err != nil {
		return err
	}
	views := []activationView{}
	for _, a := range acts {
		if opts.Expired && !a.Expired {
			continue
		}
		views = append(views, newActivationView(a))
	}
	printer := opts.Printer()
	now, tty := opts.Now(), printer.TerminalTable()
	return printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"ID", "NAME", "ROLE", "REGISTERED", "CREATED", "EXPIRES", "EXPIRED"},
			NoTruncate: []int{0, 3, 4, 5}, DropOrder: []int{4, 2}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.ActivationID, v.Name, v.Role, fmt.Sprintf("%d/%d", v.Registrations, v.Limit),
				output.TimeLabel(v.Created, now, tty), output.DueLabel(v.Expires, now, tty), yesNo(v.Expired)})
		}
		return t
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
