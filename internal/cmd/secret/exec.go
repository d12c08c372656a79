package secret

import (
	"context"
	"os"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/envexec"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// execProcess replaces ssmctl with the program (envexec.Replace); a
// variable so in-process tests can capture the call instead.
var execProcess = envexec.Replace

// ExecOptions is what secret exec uses.
type ExecOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*secrets.Client, error)

	IDs      []string
	Command  []string
	environ  func() []string
	lookPath func(string) (string, error)
}

// NewCmdExec is `ssmctl secret exec`.
func NewCmdExec(f *cmdutil.Factory, runF func(*ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{IO: f.IO, Client: f.Clients().Secrets, environ: os.Environ, lookPath: exec.LookPath}
	cmd := &cobra.Command{
		Use:   "exec NAME... -- COMMAND [ARGS...]",
		Short: "Run a command with secrets as environment variables",
		Long: `Read each secret's AWSCURRENT value and set environment variables from it,
then replace ssmctl with COMMAND, with the same semantics as param exec:
a JSON secret's keys become variables in upper-snake case (db-host is
DB_HOST; nested objects and arrays as their JSON); a secret that is not a
JSON object becomes one variable named after the last part of its name
(prod/api-key is API_KEY).

Later secrets override earlier ones, with a warning naming the variable
(never the value). The variables override the same names in ssmctl's own
environment. On Unix ssmctl replaces its own process (execve), so COMMAND
keeps the PID, receives signals directly and its exit status is the exit
status; values travel only in the environment, never in arguments.`,
		Example: `  ssmctl secret exec prod/db -- ./server
  ssmctl secret exec prod/common prod/db -- env`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 || dash == len(args) {
				return cmdutil.FlagErrorf("no command: give one after --, e.g. ssmctl secret exec prod/db -- ./server")
			}
			if dash == 0 {
				return cmdutil.FlagErrorf("no secret: give at least one NAME before --")
			}
			opts.IDs, opts.Command = args[:dash], args[dash:]
			for _, id := range opts.IDs {
				if err := checkID(id); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return execRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 0),
	}
	return cmd
}

func execRun(ctx context.Context, opts *ExecOptions) error {
	prog, err := opts.lookPath(opts.Command[0])
	if err != nil {
		return cmdutil.FlagErrorf("%s: command not found", opts.Command[0])
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	vars, overrides, err := c.Env(ctx, opts.IDs)
	if err != nil {
		return err
	}
	for _, w := range envexec.OverrideWarnings(overrides) {
		opts.IO.Warnf("%s", w)
	}
	opts.IO.StopProgress()
	return envexec.Run(prog, opts.Command, opts.environ(), vars, execProcess)
}
