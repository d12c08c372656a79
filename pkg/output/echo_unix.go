//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package output

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off before ReadSecret prints its
// prompt, so that nothing typed (or pasted) right after the prompt
// appears, and returns the function that puts the terminal back as it
// was. term.ReadPassword turns echo off only once it starts reading,
// after the prompt: a fast typist's first characters were echoed.
func echoOff(fd int) (restore func(), err error) {
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, old) }, nil
}
