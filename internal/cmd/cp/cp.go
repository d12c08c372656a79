// Package cp is `ssmctl cp`: one file copied to or from a managed node
// through Session Manager, with no S3 bucket and no SSH key.
package cp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Options is what cp uses.
type Options struct {
	IO      *output.Streams
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*session.Client, session.Connection, error)

	Pick   string
	Reason string

	// Built by complete from the arguments: the node's side (Target,
	// RemotePath), the local path, and the direction.
	Target     string
	RemotePath string
	LocalPath  string
	Upload     bool
	Request    session.Request
}

// NewCmdCp is `ssmctl cp`.
func NewCmdCp(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Aliases: f.Aliases, Client: cmdutil.SessionClient(f)}
	cmd := &cobra.Command{
		Use:   "cp SRC DST",
		Short: "Copy a file to or from a managed node through Session Manager",
		Long: `Copy one file between this machine and a managed node through Session
Manager, with no S3 bucket, no SSH key and no open inbound port. One of
SRC and DST is TARGET:PATH, the other a local path:

  ssmctl cp ./app.conf web-1:/etc/app/app.conf    upload
  ssmctl cp web-1:/var/log/app.log .              download

TARGET must select one node, as for 'ssmctl session'. PATH on the node is
absolute, relative to the session's working directory, or ~/... (the
session user's home). A destination that is a directory, or ends in "/",
gets the source's file name in it.

The file travels base64-encoded through an AWS-StartInteractiveCommand
session (sh, stty, base64, head, wc and sha256sum or shasum on the node:
Linux and macOS nodes). Its SHA-256 is computed on both ends and
compared; the destination is replaced only once the whole file has
arrived and matched, never left half-written. A progress bar shows on a
terminal. See docs/cp.md.`,
		Example: `  # Upload a file into a directory on the node
  ssmctl cp ./app.conf web-1:/tmp/

  # Download a log, by instance ID
  ssmctl cp i-0123456789abcdef0:/var/log/cloud-init.log ./cloud-init.log`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cpRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Pick, "pick", "", `"any": take a random online node when TARGET matches several`)
	fl.StringVar(&opts.Reason, "reason", "", "why the session is opened, recorded by AWS (at most 256 characters)")
	_ = cmd.RegisterFlagCompletionFunc("pick", cobra.FixedCompletions([]string{"any"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// SplitRemote reads TARGET:PATH. A path that starts with "/", ".", or
// "~", or has a "/" before its first ":", is local (write ./a:b for a
// local file with a colon). TARGET ends at the first ":", or at the first
// ":" after "tag:" or "group:" for those target specs.
func SplitRemote(arg string) (spec, path string, remote bool) {
	if arg == "" || strings.ContainsRune("/.~", rune(arg[0])) {
		return "", arg, false
	}
	skip := 0
	for _, p := range []string{"tag:", "group:"} {
		if strings.HasPrefix(arg, p) {
			skip = len(p)
		}
	}
	i := strings.IndexByte(arg[skip:], ':')
	if i < 0 {
		return "", arg, false
	}
	i += skip
	spec = arg[:i]
	if spec == "" || strings.Contains(spec, "/") {
		return "", arg, false
	}
	return spec, arg[i+1:], true
}

// complete checks the arguments and flags without I/O.
func (o *Options) complete(args []string) error {
	if len(args) != 2 {
		return cmdutil.FlagErrorf("cp takes SRC and DST, one of them TARGET:PATH, e.g. ssmctl cp ./f web-1:/tmp/")
	}
	if o.Pick != "" && o.Pick != "any" {
		return cmdutil.FlagValueErrorf("pick", o.Pick, "the only choice is any")
	}
	srcSpec, srcPath, srcRemote := SplitRemote(args[0])
	dstSpec, dstPath, dstRemote := SplitRemote(args[1])
	switch {
	case srcRemote && dstRemote:
		return cmdutil.FlagErrorf("both SRC and DST are on nodes: one of them must be a local path")
	case !srcRemote && !dstRemote:
		return cmdutil.FlagErrorf("neither SRC nor DST is TARGET:PATH: one of them must be on a node, e.g. web-1:/tmp/")
	case srcRemote:
		o.Target, o.RemotePath, o.LocalPath = srcSpec, srcPath, dstPath
	default:
		o.Target, o.RemotePath, o.LocalPath, o.Upload = dstSpec, dstPath, srcPath, true
	}
	if o.RemotePath == "" {
		return cmdutil.FlagErrorf("no PATH after %s: (give the file's path on the node)", o.Target)
	}
	if o.LocalPath == "" {
		return cmdutil.FlagErrorf("empty local path")
	}
	if !o.Upload && (strings.HasSuffix(o.RemotePath, "/") || o.RemotePath == "~") {
		return cmdutil.FlagErrorf("%s:%s names a directory: cp copies one file", o.Target, o.RemotePath)
	}
	if strings.ContainsAny(o.RemotePath, "\x00\n\r") {
		return cmdutil.FlagErrorf("the path on the node contains a NUL or line break")
	}
	specs, err := target.ParseAll([]string{o.Target}, o.Aliases())
	if err != nil {
		return err
	}
	o.Request = session.Request{Specs: specs, Reason: o.Reason, PickAny: o.Pick == "any"}
	return o.Request.Validate()
}

func cpRun(ctx context.Context, opts *Options) error {
	var src *os.File
	var size int64
	var sum string
	if opts.Upload {
		// The local file is checked before any AWS call.
		f, err := os.Open(opts.LocalPath)
		if err != nil {
			return exitcode.New(exitcode.Usage, "%s: %v", opts.LocalPath, pathErr(err))
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return exitcode.New(exitcode.Usage, "%s: %v", opts.LocalPath, pathErr(err))
		}
		if !fi.Mode().IsRegular() {
			return exitcode.New(exitcode.Usage, "%s is not a regular file: cp copies one file", opts.LocalPath)
		}
		if size, sum, err = session.FileDigest(f); err != nil {
			return exitcode.New(exitcode.Other, "reading %s: %v", opts.LocalPath, pathErr(err))
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return exitcode.New(exitcode.Other, "reading %s: %v", opts.LocalPath, pathErr(err))
		}
		src = f
	}
	client, conn, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	node, err := client.ResolveNode(ctx, opts.Request)
	if err != nil {
		return err
	}
	remote := nodeName(node) + ":" + opts.RemotePath
	co := session.CopyOptions{Node: node, Path: opts.RemotePath, Reason: opts.Reason, Progress: progress(opts.IO, remote)}
	defer opts.IO.StopProgress()
	if opts.Upload {
		res, err := client.Upload(ctx, co, conn, src, size, sum, filepath.Base(opts.LocalPath))
		opts.IO.StopProgress()
		if err != nil {
			return err
		}
		opts.IO.Infof("%s -> %s:%s (%s, sha256 %s)", opts.LocalPath, nodeName(node), res.Path, humanSize(res.Size), res.SHA256)
		return nil
	}
	local := opts.LocalPath
	if fi, err := os.Stat(local); err == nil && fi.IsDir() || strings.HasSuffix(local, "/") {
		local = filepath.Join(local, baseName(opts.RemotePath))
	}
	out, err := cmdutil.CreateFile(ctx, local, 0o600)
	if err != nil {
		return exitcode.Wrap(exitcode.Other, cmdutil.FileError(local, err))
	}
	res, err := client.Download(ctx, co, conn, out)
	opts.IO.StopProgress()
	if err != nil {
		out.Discard()
		var fe *os.PathError
		if errors.As(err, &fe) {
			return exitcode.Wrap(exitcode.Other, cmdutil.FileError(local, err))
		}
		return err
	}
	if err := out.Close(); err != nil {
		return exitcode.Wrap(exitcode.Other, cmdutil.FileError(local, err))
	}
	opts.IO.Infof("%s -> %s (%s, sha256 %s)", remote, local, humanSize(res.Size), res.SHA256)
	return nil
}

// pathErr is an *os.PathError's reason alone (the caller names the path).
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// baseName is the last element of a node's path.
func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if p == "" || p == "~" || p == "." || p == ".." {
		return "file"
	}
	return p
}

// nodeName is the node's name, or its ID.
func nodeName(n target.Node) string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// progress shows "NODE:PATH  [#####.....]  5.0/20.0 MiB  25%" on a
// terminal (StartProgress does nothing elsewhere or under --quiet),
// updated at most every percent.
func progress(io *output.Streams, label string) func(done, total int64) {
	last := int64(-1)
	return func(done, total int64) {
		pct := int64(100)
		if total > 0 {
			pct = done * 100 / total
		}
		if pct == last {
			return
		}
		last = pct
		const width = 20
		bar := strings.Repeat("#", int(pct)*width/100) + strings.Repeat(".", width-int(pct)*width/100)
		line := fmt.Sprintf("%s  [%s]  %s/%s  %d%%", label, bar, humanSize(done), humanSize(total), pct)
		if done == 0 {
			io.StartProgress(line)
			return
		}
		io.UpdateProgress(line)
	}
}

// humanSize is n bytes in B, KiB, MiB or GiB.
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
