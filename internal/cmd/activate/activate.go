// Package activate is `ssmctl activate`: hybrid activations (create, ls,
// nodes, rm), deregistering on-premises nodes, and the managed-instance
// activation tier.
package activate

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// NewCmdActivate is the `activate` group.
func NewCmdActivate(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "activate",
		Short: "Create hybrid activations and register on-premises servers as mi- nodes",
		Long: `Create hybrid activations, hand their code and ID to whoever installs the SSM
Agent on on-premises servers and VMs, watch the machines arrive as mi- nodes,
and clean up. Session Manager reaches on-premises nodes only in the
advanced-instances tier: ssmctl activate tier set advanced.`,
		Example: `  ssmctl activate create --role SSMServiceRole --name DevOnPrem --limit 10
  ssmctl activate ls
  ssmctl activate nodes
  ssmctl activate tier set advanced
  ssmctl activate deregister mi-0123456789abcdef0 --yes`,
	}
	cmd.AddCommand(NewCmdCreate(f, nil), NewCmdList(f, nil), NewCmdNodes(f, nil), NewCmdRm(f, nil),
		NewCmdDeregister(f, nil), NewCmdTier(f, nil))
	return cmd
}

// clientFunc is how a verb gets its client.
type clientFunc func(ctx context.Context) (*activations.Client, error)

// activationView is an activation as ls prints it. The JSON names are a
// stable contract (docs/activate.md).
type activationView struct {
	ActivationID  string            `json:"activationId"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Role          string            `json:"iamRole"`
	Registrations int               `json:"registrations"`
	Limit         int               `json:"registrationLimit"`
	Created       *output.Time      `json:"created"`
	Expires       *output.Time      `json:"expires"`
	Expired       bool              `json:"expired"`
	Tags          map[string]string `json:"tags"`
}

func newActivationView(a activations.Activation) activationView {
	return activationView{ActivationID: a.ID, Name: a.Name, Description: a.Description, Role: a.Role,
		Registrations: a.Registrations, Limit: a.Limit, Created: output.NewTime(a.Created), Expires: output.NewTime(a.Expires),
		Expired: a.Expired, Tags: a.Tags}
}

// nodeView is an on-premises node as `activate nodes` prints it.
type nodeView struct {
	NodeID       string       `json:"nodeId"`
	Name         string       `json:"name"`
	ActivationID string       `json:"activationId"`
	PingStatus   string       `json:"pingStatus"`
	Platform     string       `json:"platform"`
	PlatformName string       `json:"platformName"`
	AgentVersion string       `json:"agentVersion"`
	IPAddress    string       `json:"ipAddress"`
	ComputerName string       `json:"computerName"`
	Registered   *output.Time `json:"registered"`
}
