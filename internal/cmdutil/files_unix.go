//go:build unix

package cmdutil

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// openDescriptor opens a name of one of ssmctl's open descriptors
// (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N) as a duplicate
// of that descriptor, so the data goes where the descriptor goes, at its
// offset (reopening the name would start a regular file over at 0). ok
// is false for any other name.
func openDescriptor(path string) (f *os.File, ok bool, err error) {
	fd := -1
	switch p := filepath.Clean(path); {
	case p == "/dev/stdout":
		fd = 1
	case p == "/dev/stderr":
		fd = 2
	default:
		for _, dir := range []string{"/dev/fd/", "/proc/self/fd/", "/proc/" + strconv.Itoa(os.Getpid()) + "/fd/"} {
			if n, found := strings.CutPrefix(p, dir); found {
				if v, err := strconv.Atoi(n); err == nil && v >= 0 {
					fd = v
				}
			}
		}
	}
	if fd < 0 {
		return nil, false, nil
	}
	nfd, err := unix.Dup(fd)
	if err != nil {
		return nil, true, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	unix.CloseOnExec(nfd)
	return os.NewFile(uintptr(nfd), path), true, nil
}

// keepOwner gives a replacement file the owner and group of the file it
// replaces, where ssmctl may (as root, or for a group it is in); it tries
// and ignores failure.
func keepOwner(f *os.File, fi fs.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(st.Uid), int(st.Gid))
	}
}

// openFIFO opens a FIFO for writing once it has a reader. A plain open
// would block in the kernel, where neither a signal (ssmctl catches them)
// nor ctx could end the wait; so it tries without blocking (ENXIO: no
// reader yet) every 20 ms until a reader comes or ctx is cancelled.
func openFIFO(ctx context.Context, path string) (*os.File, error) {
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			if err := unix.SetNonblock(fd, false); err != nil {
				unix.Close(fd)
				return nil, &fs.PathError{Op: "open", Path: path, Err: err}
			}
			return os.NewFile(uintptr(fd), path), nil
		}
		if !errors.Is(err, unix.ENXIO) && !errors.Is(err, unix.EINTR) {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
