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

// InstanceConnectKeys are the public keys (authorized_keys lines) that EC2
// Instance Connect's SendSSHPublicKey pushed for user on node id in the
// last 60 seconds, if the node honours them (its fleet attribute
// instanceConnect); none otherwise. It is what the node's sshd would get
// from EC2 Instance Connect's AuthorizedKeysCommand (sshtest asks it).
func (s *Server) InstanceConnectKeys(id, user string) []string {
	return s.instanceConnect.ActiveKeys(id, user)
}
