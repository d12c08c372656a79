//go:build unix

package root

import "golang.org/x/sys/unix"

// outputGone says whether one of the descriptors (stdout's and
// stderr's) is a pipe or socket whose
// reader has gone away: poll reports POLLERR for a pipe without a reader
// and POLLHUP for a closed socket. A terminal or a file never does.
func outputGone(fds ...int) bool {
	for _, fd := range fds {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if n, err := unix.Poll(fds, 0); err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return true
		}
	}
	return false
}
