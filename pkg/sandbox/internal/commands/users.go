package commands

import (
	"os"
	"path/filepath"
)

// A sandbox node's users. Every user name exists on every node, with the
// sandbox's own uid and gid and its home at NODE_DIR/home/NAME (created on
// first use), as a node's /etc/passwd would say: Run Command processes
// find a getent first on their PATH that answers `getent passwd NAME` so
// (and hands every other question to the system's getent). A script that
// places a key in a user's ~/.ssh/authorized_keys (ssmctl ssh
// --ephemeral-key) then writes inside the node's directory, where the
// test SSH server (pkg/sandbox/sshtest) reads it.

// usersBinDir is where the node's getent lives, under the node directory.
const usersBinDir = ".sandbox-bin"

const getentShim = `#!/bin/sh
# The sandbox node's user database (pkg/sandbox/internal/commands/users.go).
if [ "$1" = passwd ] && [ $# -eq 2 ]; then
	case $2 in
	''|*/*|*:*|.|..) exit 2 ;;
	esac
	home="$(cd "$(dirname "$0")/.." && pwd)/home/$2"
	printf '%s:x:%s:%s::%s:/bin/sh\n' "$2" "$(id -u)" "$(id -g)" "$home"
	exit 0
fi
PATH=$(printf %s "$PATH" | sed 's|^[^:]*:||') exec getent "$@"
`

// nodeUsersPath writes the node's getent (once) and returns the PATH its
// processes get: that directory first.
func nodeUsersPath(nodeDir string) string {
	bin := filepath.Join(nodeDir, usersBinDir)
	shim := filepath.Join(bin, "getent")
	if _, err := os.Stat(shim); err != nil {
		if os.MkdirAll(bin, 0o755) == nil {
			forkLock.Lock()
			tmp := shim + ".tmp"
			if os.WriteFile(tmp, []byte(getentShim), 0o755) == nil {
				os.Rename(tmp, shim)
			}
			forkLock.Unlock()
		}
	}
	return "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
}
