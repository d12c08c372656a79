package nodes

import (
	"fmt"
	"time"
)

// EC2 instance state, as Automation's aws:changeInstanceState changes it and
// aws:waitForAwsResourceProperty reads it: a stopped instance's agent stops
// reaching SSM, so its ping status becomes ConnectionLost, and Online again
// once it runs.

// InstanceState is the node's EC2 state: running, stopped or terminated.
func (n *Node) InstanceState() string {
	if n.State == "" {
		return "running"
	}
	return n.State
}

// SetInstanceState moves a node to running, stopped or terminated (a
// terminated instance stays so) and its ping status with it.
func (a *Area) SetInstanceState(id, want string) error {
	return a.mutate(func(st *state) error {
		n := st.byID[id]
		if n == nil {
			return fmt.Errorf("no node %s", id)
		}
		if n.InstanceState() == "terminated" || n.InstanceState() == want {
			return nil
		}
		switch want {
		case "running":
			n.State, n.Ping, n.LastPing = "", "Online", nil
		case "stopped", "terminated":
			now := a.h.Clock().UTC().Truncate(time.Second)
			n.State, n.Ping, n.LastPing = want, "ConnectionLost", &now
		default:
			return fmt.Errorf("unknown instance state %s", want)
		}
		return nil
	})
}
