//go:build !unix

package envexec

import (
	"errors"
	"os"
	"os/exec"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Replace runs argv0 as a child with ssmctl's stdio, where the
// platform cannot replace a process, and passes its exit status through.
func Replace(argv0 string, argv []string, env []string) error {
	cmd := exec.Command(argv0, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitcode.Silent(ee.ExitCode())
	}
	return err
}
