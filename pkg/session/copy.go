package session

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/session-manager-plugin/src/message"

	"github.com/ssmctl/ssmctl/pkg/cmdline"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// File copy (ssmctl cp) runs one AWS-StartInteractiveCommand session per
// file: the agent's InteractiveCommands plugin runs `sh -c COMMANDS` in a
// PTY and writes what the client sends to the PTY
// (amazon-ssm-agent agent/session/shell/shell_unix.go:
// StartCommandExecutor, InputStreamMessageHandler), the only session type
// whose command reads the client's input (NonInteractiveCommands has no
// stdin). The script first puts the PTY in raw mode without echo
// (`stty raw -echo`), so bytes pass unchanged both ways, then frames the
// transfer in lines:
//
//	download: SSMCTL-CP-BEGIN <size>, base64 lines, SSMCTL-CP-END <sha256>
//	upload:   SSMCTL-CP-READY; the client sends exactly <n> base64
//	          characters, read by `head -c n | base64 -d`; the node checks
//	          the sha256 the client gave and renames the file into place,
//	          then SSMCTL-CP-END <sha256> <path>
//	failure:  SSMCTL-CP-ERROR <kind> <message>
//
// base64 keeps the PTY's output to ASCII, which the agent sends as is (it
// only holds back incomplete UTF-8 sequences, processStdoutData), and
// keeps control characters out of its input.

// Copy markers, none of which base64 output can contain ('-').
const (
	cpBegin = "SSMCTL-CP-BEGIN"
	cpReady = "SSMCTL-CP-READY"
	cpEnd   = "SSMCTL-CP-END"
	cpError = "SSMCTL-CP-ERROR"
)

// CopyOptions are one file copy's node, remote path and reporting.
type CopyOptions struct {
	Node target.Node
	// Path is the file on the node: absolute, relative to the session's
	// working directory, or starting with "~/" (the session user's $HOME).
	Path   string
	Reason string
	// Progress, when set, is told the bytes copied so far and the size.
	Progress func(done, total int64)
}

// CopyResult is what a finished copy reports.
type CopyResult struct {
	// Size and SHA256 are the file's, as both ends computed them.
	Size   int64
	SHA256 string
	// Path is the remote file as the node named it (an upload to a
	// directory names the file in it).
	Path string
}

// RemoteFileError is a failure the node reported: no such file, a
// directory, permission denied, a checksum mismatch. It exits 1 (the
// remote side ran and failed).
type RemoteFileError struct {
	Node, Path, Kind, Message string
}

func (e *RemoteFileError) Error() string {
	return fmt.Sprintf("%s:%s: %s", e.Node, e.Path, e.Message)
}

// checkCopyNode refuses nodes whose shell is not sh.
func checkCopyNode(n target.Node) error {
	if cmdline.For(n.PlatformType) != cmdline.Sh {
		return exitcode.Usagef("cp needs a Linux or macOS node: %s is %s", NodeLabel(n), n.PlatformType)
	}
	return nil
}

// remotePathExpr is the path as a sh word: "~/x" becomes "$HOME"/'x'.
func remotePathExpr(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if rest == "" {
			return `"$HOME"`
		}
		return `"$HOME"/` + cmdline.Quote(rest, cmdline.Sh)
	}
	if p == "~" {
		return `"$HOME"`
	}
	return cmdline.Quote(p, cmdline.Sh)
}

// copyPrelude is the start of both scripts: raw PTY, the error helper,
// and sum (sha256 of a file, with shasum where sha256sum is missing).
const copyPrelude = `stty raw -echo 2>/dev/null
fail() { printf '\n` + cpError + ` %s %s\n' "$1" "$2"; exit 1; }
sum() { if command -v sha256sum >/dev/null 2>&1; then sha256sum < "$1"; else shasum -a 256 < "$1"; fi | cut -c1-64; }
`

// downloadScript sends the file at p.
func downloadScript(p string) string {
	return copyPrelude + `f=` + remotePathExpr(p) + `
[ -e "$f" ] || fail notfound "No such file or directory"
[ -d "$f" ] && fail isdir "Is a directory"
[ -r "$f" ] || fail denied "Permission denied"
n=$(wc -c < "$f") || fail other "cannot read the file"
printf '` + cpBegin + ` %d\n' $n
base64 < "$f" || fail other "base64 failed"
printf '` + cpEnd + ` %s\n' "$(sum "$f")"
`
}

// uploadScript receives n base64 characters into p (a directory gets
// name in it), checks their sha256 against want and renames into place.
func uploadScript(p, name string, n int64, want string) string {
	return copyPrelude + `d=` + remotePathExpr(p) + `
case $d in */) d="$d"` + cmdline.Quote(name, cmdline.Sh) + `;; esac
[ -d "$d" ] && d="$d/"` + cmdline.Quote(name, cmdline.Sh) + `
t="$d.ssmctl-cp.$$"
e=$( { : > "$t"; } 2>&1 ) || fail write "$(printf %s "$e" | sed 's/.*: //' | head -n 1)"
printf '` + cpReady + `\n'
if ! head -c ` + strconv.FormatInt(n, 10) + ` | base64 -d > "$t" 2>/dev/null; then rm -f "$t"; fail other "base64 -d failed"; fi
h=$(sum "$t")
[ "$h" = ` + want + ` ] || { rm -f "$t"; fail checksum "checksum mismatch on the node: $h"; }
mv -f "$t" "$d" || { rm -f "$t"; fail other "cannot rename into place"; }
printf '` + cpEnd + ` %s %s\n' "$h" "$d"
`
}

// copySession is one copy's session: its output as lines.
type copySession struct {
	c    *Client
	s    *Started
	ch   *Channel
	pw   *io.PipeWriter
	r    *bufio.Reader
	once sync.Once
	// noise keeps the last lines that were not the protocol's, for an
	// error.
	noise []string
}

func (c *Client) startCopy(ctx context.Context, o CopyOptions, script string, conn Connection) (*copySession, error) {
	if err := checkCopyNode(o.Node); err != nil {
		return nil, err
	}
	s, err := c.StartOn(ctx, o.Node, Request{
		Document:   InteractiveCommandDocument,
		Parameters: map[string][]string{"command": {script}},
		Reason:     o.Reason,
	})
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	cs := &copySession{c: c, s: s, pw: pw, r: bufio.NewReaderSize(pr, 64<<10)}
	ch, err := c.open(ctx, s, conn, func(p Payload) {
		if p.Type == message.Output || p.Type == message.StdErr {
			// Blocking here holds back the acknowledgements: the
			// protocol's only flow control.
			_, _ = pw.Write(p.Data)
		}
	}, func(string) {})
	if err != nil {
		pw.Close()
		if ctx.Err() != nil {
			// open terminated the session.
			return nil, s.Failure(ctx, err)
		}
		return nil, err
	}
	cs.ch = ch
	go func() {
		<-ch.Done()
		pw.Close()
	}()
	return cs, nil
}

// close ends the session (TerminateSession unless the service ended it).
func (cs *copySession) close(ctx context.Context) {
	cs.once.Do(func() {
		cs.pw.Close()
		cs.c.finish(ctx, cs.ch, cs.s.SessionID)
		cs.ch.Close()
	})
}

// line reads the next non-empty line, without its line end.
func (cs *copySession) line() (string, error) {
	for {
		l, err := cs.r.ReadString('\n')
		l = strings.TrimRight(l, "\r\n")
		if l != "" {
			return l, nil
		}
		if err != nil {
			return "", cs.ended(err)
		}
	}
}

// ended is the error of a session whose output stopped before the copy
// was done.
func (cs *copySession) ended(error) error {
	if err := cs.ch.Err(); err != nil {
		return err
	}
	msg := "the session ended before the copy was done"
	if r := strings.TrimSpace(cs.ch.Reason()); r != "" {
		msg += ": " + r
	}
	if len(cs.noise) > 0 {
		msg += ": " + strings.Join(cs.noise, " / ")
	}
	return exitcode.New(exitcode.Other, "session %s: %s", cs.s.SessionID, msg)
}

// other keeps a line that is not the protocol's.
func (cs *copySession) other(l string) {
	cs.noise = append(cs.noise, l)
	if len(cs.noise) > 3 {
		cs.noise = cs.noise[1:]
	}
}

// next reads the next line; the node's SSMCTL-CP-ERROR line about path
// is the error.
func (cs *copySession) next(path string) (string, error) {
	l, err := cs.line()
	if err == nil && strings.HasPrefix(l, cpError+" ") {
		return "", cs.remoteError(l, path)
	}
	return l, err
}

// remoteError reads an SSMCTL-CP-ERROR line.
func (cs *copySession) remoteError(l, p string) error {
	rest := strings.TrimPrefix(l, cpError+" ")
	kind, msg, _ := strings.Cut(rest, " ")
	code := exitcode.Failed
	if kind == "checksum" {
		code = exitcode.Other
	}
	return &exitcode.Error{Code: code, Err: &RemoteFileError{Node: NodeLabel(cs.s.Node), Path: p, Kind: kind, Message: msg}}
}

// Download copies the node's file o.Path to w and checks its sha256
// against the node's. The session is ended on return.
func (c *Client) Download(ctx context.Context, o CopyOptions, conn Connection, w io.Writer) (res CopyResult, err error) {
	cs, err := c.startCopy(ctx, o, downloadScript(o.Path), conn)
	if err != nil {
		return res, err
	}
	return cs.run(ctx, func() (CopyResult, error) { return cs.download(o, w) })
}

// run runs the copy f until it ends or ctx does (then the session is
// terminated and the error is the interruption's), and ends the session.
func (cs *copySession) run(ctx context.Context, f func() (CopyResult, error)) (CopyResult, error) {
	defer cs.close(ctx)
	type result struct {
		res CopyResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := f()
		done <- result{r, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
		cs.close(ctx)
		return CopyResult{}, cs.s.Failure(ctx, ctx.Err())
	}
}

func (cs *copySession) download(o CopyOptions, w io.Writer) (res CopyResult, err error) {
	res.Path = o.Path
	for {
		l, err := cs.next(o.Path)
		if err != nil {
			return res, err
		}
		if s, ok := strings.CutPrefix(l, cpBegin+" "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return res, exitcode.New(exitcode.Other, "the node sent a bad size %q", s)
			}
			res.Size = n
			break
		}
		cs.other(l)
	}
	h := sha256.New()
	var got int64
	buf := make([]byte, 0, 4096)
	if o.Progress != nil {
		o.Progress(0, res.Size)
	}
	for {
		l, err := cs.next(o.Path)
		if err != nil {
			return res, err
		}
		if s, ok := strings.CutPrefix(l, cpEnd+" "); ok {
			res.SHA256 = strings.TrimSpace(s)
			break
		}
		buf = buf[:base64.StdEncoding.DecodedLen(len(l))]
		n, err := base64.StdEncoding.Decode(buf, []byte(l))
		if err != nil {
			return res, exitcode.New(exitcode.Other, "the node sent data that is not base64 (%v): %.60q", err, l)
		}
		h.Write(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return res, err
		}
		got += int64(n)
		if o.Progress != nil {
			o.Progress(got, res.Size)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	switch {
	case got != res.Size:
		return res, exitcode.New(exitcode.Other, "received %d bytes of %s, which has %d (the file changed during the copy?)", got, o.Path, res.Size)
	case len(res.SHA256) != 64:
		return res, exitcode.New(exitcode.Other, "the node sent no sha256 for %s (neither sha256sum nor shasum there?): %q", o.Path, res.SHA256)
	case sum != res.SHA256:
		return res, exitcode.New(exitcode.Other, "checksum mismatch: %s has sha256 %s on the node, %s was received (the file changed during the copy?)", o.Path, res.SHA256, sum)
	}
	return res, nil
}

// FileDigest reads r to its end: its size and sha256 (hex).
func FileDigest(r io.Reader) (int64, string, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// Upload copies size bytes from r (whose sha256 is sum, see FileDigest)
// to o.Path on the node: a directory, or a path ending in "/", gets name
// in it. The node writes a temporary file beside the target, checks its
// sha256 and renames it into place, so the target is the old file or the
// whole new one. The session is ended on return.
func (c *Client) Upload(ctx context.Context, o CopyOptions, conn Connection, r io.Reader, size int64, sum, name string) (res CopyResult, err error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return res, fmt.Errorf("upload: bad sha256 %q", sum)
	}
	n := int64(base64.StdEncoding.EncodedLen(int(size)))
	cs, err := c.startCopy(ctx, o, uploadScript(o.Path, path.Base(name), n, sum), conn)
	if err != nil {
		return res, err
	}
	return cs.run(ctx, func() (CopyResult, error) { return cs.upload(o, r, size, sum) })
}

func (cs *copySession) upload(o CopyOptions, r io.Reader, size int64, sum string) (res CopyResult, err error) {
	res.Size, res.SHA256, res.Path = size, sum, o.Path
	for {
		l, err := cs.next(o.Path)
		if err != nil {
			return res, err
		}
		if l == cpReady {
			break
		}
		cs.other(l)
	}
	sendErr := make(chan error, 1)
	go func() { sendErr <- cs.send(o, r, size) }()
	for {
		l, err := cs.line()
		if err != nil {
			select {
			case serr := <-sendErr:
				if serr != nil {
					return res, serr
				}
			default:
			}
			return res, err
		}
		if strings.HasPrefix(l, cpError+" ") {
			return res, cs.remoteError(l, o.Path)
		}
		if s, ok := strings.CutPrefix(l, cpEnd+" "); ok {
			got, p, _ := strings.Cut(s, " ")
			if got != sum {
				return res, exitcode.New(exitcode.Other, "checksum mismatch: the node has %s for %s, %s was sent", got, o.Path, sum)
			}
			if p != "" {
				res.Path = p
			}
			if err := <-sendErr; err != nil {
				return res, err
			}
			return res, nil
		}
		cs.other(l)
	}
}

// send streams r as base64 without line breaks, in messages of at most
// 1024 bytes sent exactly (no newline rewriting).
func (cs *copySession) send(o CopyOptions, r io.Reader, size int64) error {
	var sent int64
	src := make([]byte, 3*4096)
	out := make([]byte, base64.StdEncoding.EncodedLen(len(src)))
	hr := io.LimitReader(r, size)
	if o.Progress != nil {
		o.Progress(0, size)
	}
	for {
		n, err := io.ReadFull(hr, src)
		if n > 0 {
			base64.StdEncoding.Encode(out, src[:n])
			if serr := cs.ch.SendExact(message.Output, out[:base64.StdEncoding.EncodedLen(n)]); serr != nil {
				return serr
			}
			sent += int64(n)
			if o.Progress != nil {
				o.Progress(sent, size)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if sent != size {
				return exitcode.New(exitcode.Other, "the local file ended after %d of %d bytes (it changed during the copy?)", sent, size)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}
