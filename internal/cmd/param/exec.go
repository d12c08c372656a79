package param

import (
	"context"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/envexec"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// execProcess replaces ssmctl with the program (execve on Unix; on Windows
// it runs the program as a child and passes its exit status through). It
// is a variable so in-process tests can capture the call instead.
var execProcess = envexec.Replace

// ExecOptions is what param exec uses.
type ExecOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*params.Client, error)

	Paths      []string
	Command    []string
	Recursive  bool
	AllowEmpty bool
	environ    func() []string
	lookPath   func(string) (string, error)
	exec       func(argv0 string, argv []string, env []string) error
}

// NewCmdExec is `ssmctl param exec`.
func NewCmdExec(f *cmdutil.Factory, runF func(*ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{IO: f.IO, Client: f.Clients().Params, environ: os.Environ, lookPath: exec.LookPath}
	cmd := &cobra.Command{
		Use:   "exec PATH... -- COMMAND [ARGS...]",
		Short: "Run a command with the parameters under paths as environment variables",
		Long: `Read the parameters under each PATH (decrypted; every level with -r), set
each as an environment variable named after its key relative to the path
in upper-snake case (/app/prod/db/url under /app/prod is DB_URL), and
replace ssmctl with COMMAND.

Later paths override earlier ones, with a warning on stderr naming the
variable (never the value). A PATH with no parameters (a typo, or only
deeper levels without -r) is an error, exit 254 naming it, and COMMAND is
not started, unless --allow-empty is given. The variables override the same names in
ssmctl's own environment. On Unix ssmctl replaces its own process
(execve), so COMMAND keeps the PID, receives signals directly and its exit
status is the exit status; values travel only in the environment, never in
arguments.`,
		Example: `  ssmctl param exec /app/common /app/prod -- ./server --port 8080
  ssmctl param exec -r /app/prod -- env`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 || dash == len(args) {
				return cmdutil.FlagErrorf("no command: give one after --, e.g. ssmctl param exec /app -- ./server")
			}
			if dash == 0 {
				return cmdutil.FlagErrorf("no path: give at least one PATH before --")
			}
			opts.Paths, opts.Command = args[:dash], args[dash:]
			for i, p := range opts.Paths {
				clean, err := params.ValidatePath(p)
				if err != nil {
					return err
				}
				opts.Paths[i] = clean
			}
			if runF != nil {
				return runF(opts)
			}
			return execRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	cmd.Flags().BoolVarP(&opts.Recursive, "recursive", "r", false, "every level under each PATH (keys joined with _)")
	cmd.Flags().BoolVar(&opts.AllowEmpty, "allow-empty", false, "run COMMAND even when a PATH holds no parameters")
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
	vars, overrides, empty, err := c.Env(ctx, opts.Paths, opts.Recursive)
	if err != nil {
		return err
	}
	if len(empty) > 0 {
		if !opts.AllowEmpty {
			return params.NothingUnder(empty, opts.Recursive, "--allow-empty runs the command without them")
		}
		opts.IO.Warnf("no parameters under %s", strings.Join(empty, ", "))
	}
	for _, w := range envexec.OverrideWarnings(overrides) {
		opts.IO.Warnf("%s", w)
	}
	opts.IO.StopProgress()
	run := opts.exec
	if run == nil {
		run = execProcess
	}
	return envexec.Run(prog, opts.Command, opts.environ(), vars, run)
}
