//go:build unix

package param

import "golang.org/x/sys/unix"

// replaceProcess replaces ssmctl with argv0 (execve): the program keeps
// the PID, signals and exit status. It returns only on failure.
func replaceProcess(argv0 string, argv []string, env []string) error {
	return unix.Exec(argv0, argv, env)
}
