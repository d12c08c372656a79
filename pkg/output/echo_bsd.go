//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package output

import "golang.org/x/sys/unix"

const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
