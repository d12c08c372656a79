//go:build unix

package envexec

import "golang.org/x/sys/unix"

// Replace replaces ssmctl with argv0 (execve): the program keeps
// the PID, signals and exit status. It returns only on failure.
func Replace(argv0 string, argv []string, env []string) error {
	return unix.Exec(argv0, argv, env)
}
