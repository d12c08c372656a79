package sandbox

import "path/filepath"

// NodeUserHome is the home directory a user has on a node: every user
// exists on every sandbox node, at NODE_DIR/home/USER (what the getent of
// Run Command's processes answers; see docs/sandbox-run-command.md).
func (s *Server) NodeUserHome(id, user string) (string, error) {
	dir, err := s.NodeDir(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "home", user), nil
}
