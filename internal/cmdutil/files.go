package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is a file ssmctl writes (param export -f, session --record,
// sandbox --env-file): every file ssmctl writes goes through CreateFile or
// WriteFile, which decide by what the path is:
//
//   - a new path, or a regular file, is replaced atomically: the data goes
//     to a temporary file in the target's directory, which Close (or
//     Commit) renames over the target, so a reader sees the old file or
//     the new one, never half of one. A symlink is followed to its target
//     (the link stays a link, the target is replaced). An existing file
//     keeps its mode; a new one gets the mode the caller gives (0600 for
//     anything that may hold secrets).
//   - anything else is opened and written through, never replaced: a
//     device (/dev/null, a terminal), a FIFO, a socket, and the names of
//     open descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
//     /proc/self/fd/N, which is what a shell's >(cmd) passes), which are
//     written on the descriptor itself, at its offset.
//   - a regular file whose directory ssmctl cannot write (so no temporary
//     file can be made beside it) is truncated and written in place.
type File struct {
	f    *os.File
	name string // as the caller gave it, for errors
	// target is the file the temporary file replaces; "" when written
	// through, or once committed.
	target string
	err    error // the first write error
	closed bool
}

// CreateFile opens path for writing as File describes; perm is the mode of
// a new file. Opening a FIFO waits for its reader, as a shell's > does,
// until ctx is cancelled (then the error is ctx's).
func CreateFile(ctx context.Context, path string, perm os.FileMode) (*File, error) {
	if path == "" {
		return nil, errors.New("no file name")
	}
	if f, ok, err := openDescriptor(path); ok {
		if err != nil {
			return nil, err
		}
		return &File{f: f, name: path}, nil
	}
	real, fi, through, err := resolveTarget(path)
	if err != nil {
		return nil, err
	}
	if through {
		if fi != nil && fi.Mode()&fs.ModeNamedPipe != 0 {
			f, err := openFIFO(ctx, path)
			if err != nil {
				return nil, err
			}
			return &File{f: f, name: path}, nil
		}
		flag := os.O_WRONLY
		if fi != nil && fi.Mode().IsRegular() {
			flag |= os.O_TRUNC
		}
		f, err := os.OpenFile(path, flag, 0)
		if err != nil {
			return nil, err
		}
		return &File{f: f, name: path}, nil
	}
	mode := perm
	if fi != nil {
		mode = fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	}
	tmp, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".tmp*")
	if err != nil {
		if fi != nil && errors.Is(err, fs.ErrPermission) {
			// A file we may write in a directory we may not: in place.
			f, oerr := os.OpenFile(real, os.O_WRONLY|os.O_TRUNC, 0)
			if oerr != nil {
				return nil, oerr
			}
			return &File{f: f, name: path}, nil
		}
		return nil, err
	}
	// The mode from the first byte: the data may be a secret.
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	if fi != nil {
		keepOwner(tmp, fi)
	}
	return &File{f: tmp, name: path, target: real}, nil
}

// resolveTarget follows path's symlinks to the file they name: real is
// that file's path, fi what it is (nil: it does not exist yet), and
// through says it is to be written through rather than replaced: it is
// not a regular file, or a link on the way is a /proc name of an open
// descriptor (whose target is not a path).
func resolveTarget(path string) (real string, fi fs.FileInfo, through bool, err error) {
	real = path
	for range 40 {
		fi, err = os.Lstat(real)
		if errors.Is(err, fs.ErrNotExist) {
			return real, nil, false, nil
		}
		if err != nil {
			return "", nil, false, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return real, fi, !fi.Mode().IsRegular(), nil
		}
		dir, err := filepath.EvalSymlinks(filepath.Dir(real))
		if err != nil {
			return "", nil, false, err
		}
		if dir == "/proc" || strings.HasPrefix(dir, "/proc/") {
			fi, err := os.Stat(path)
			return path, fi, true, err
		}
		link, err := os.Readlink(real)
		if err != nil {
			return "", nil, false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		real = link
	}
	return "", nil, false, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// WriteFile writes data to path as File describes, with mode perm if the
// file is new.
func WriteFile(ctx context.Context, path string, data []byte, perm os.FileMode) error {
	f, err := CreateFile(ctx, path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Discard()
		return err
	}
	return f.Close()
}

// Name is the path the file was created with.
func (f *File) Name() string { return f.name }

// Write writes to the file (the temporary file until Commit).
func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.f.Write(p)
	if err != nil {
		f.err = err
	}
	return n, err
}

// Commit puts what was written so far in place of the target: the
// temporary file is synced and renamed over it. Later writes go on in the
// file at its name (a recording commits once the session has started, so
// a crash keeps what was recorded). A file written through has nothing to
// commit.
func (f *File) Commit() error {
	if f.err != nil {
		return f.err
	}
	if f.target == "" {
		return nil
	}
	if err := f.f.Sync(); err != nil {
		f.err = err
		return err
	}
	if err := os.Rename(f.f.Name(), f.target); err != nil {
		f.err = err
		return err
	}
	f.target = ""
	return nil
}

// Close commits and closes the file. After a failed write it replaces
// nothing and returns that error.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	if f.err != nil {
		err := f.err
		f.Discard()
		return err
	}
	err := f.Commit()
	if err != nil {
		f.Discard()
		return err
	}
	f.closed = true
	return f.f.Close()
}

// Discard closes the file and leaves the target as it was (when it is
// replaced, not written through, and not committed yet).
func (f *File) Discard() {
	if f.closed {
		return
	}
	f.closed = true
	f.f.Close()
	if f.target != "" {
		os.Remove(f.f.Name())
	}
}

// FileError is err from writing path as one line, "write PATH: REASON",
// naming the path given, not the temporary file or link target an
// *fs.PathError or *os.LinkError names.
func FileError(path string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("write %s: %w", path, err)
}

// ReadFileOrStdin reads path, or all of stdin when path is "-", as every
// flag that takes a FILE|- does (--script, --value-file, import's FILE).
func ReadFileOrStdin(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}
