package cmdutil

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2instanceconnect"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/awsretry"
	"github.com/ssmctl/ssmctl/pkg/calendar"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/params"
	"github.com/ssmctl/ssmctl/pkg/patch"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/secrets"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Clients hands out the AWS clients of one account and region, each built
// on first use and kept: the SDK clients per service, and the capability
// clients (Run Command, Parameter Store, sessions, target resolution)
// built on them. A new service is one more memoised SDK client here and,
// where it has one, its capability client.
type Clients struct {
	config  func(ctx context.Context) (aws.Config, error)
	ssm     func(ctx context.Context) (*ssm.Client, error)
	tagging func(ctx context.Context) (*resourcegroupstaggingapi.Client, error)
	groups  func(ctx context.Context) (*resourcegroups.Client, error)
	secrets func(ctx context.Context) (*secretsmanager.Client, error)
	eic     func(ctx context.Context) (*ec2instanceconnect.Client, error)

	f *Factory
}

func (f *Factory) newClients(cfg func(ctx context.Context) (aws.Config, error)) *Clients {
	c := &Clients{config: cfg, f: f}
	c.ssm = sdkClient(cfg, func(cfg aws.Config) *ssm.Client { return ssm.NewFromConfig(cfg) })
	c.tagging = sdkClient(cfg, func(cfg aws.Config) *resourcegroupstaggingapi.Client {
		return resourcegroupstaggingapi.NewFromConfig(cfg)
	})
	c.groups = sdkClient(cfg, func(cfg aws.Config) *resourcegroups.Client { return resourcegroups.NewFromConfig(cfg) })
	c.secrets = sdkClient(cfg, func(cfg aws.Config) *secretsmanager.Client { return secretsmanager.NewFromConfig(cfg) })
	c.eic = sdkClient(cfg, func(cfg aws.Config) *ec2instanceconnect.Client { return ec2instanceconnect.NewFromConfig(cfg) })
	return c
}

// sdkClient builds an SDK client on the configuration the first time it is
// asked for, and hands out that one client from then on.
func sdkClient[T any](config func(ctx context.Context) (aws.Config, error), build func(aws.Config) T) func(ctx context.Context) (T, error) {
	return memo(func(ctx context.Context) (T, error) {
		cfg, err := config(ctx)
		if err != nil {
			var none T
			return none, err
		}
		return build(cfg), nil
	})
}

// Config is the AWS configuration these clients use.
func (c *Clients) Config(ctx context.Context) (aws.Config, error) { return c.config(ctx) }

// SSM is the Systems Manager client.
func (c *Clients) SSM(ctx context.Context) (*ssm.Client, error) { return c.ssm(ctx) }

// InstanceConnect is the EC2 Instance Connect client (ssmctl ssh's
// one-time keys).
func (c *Clients) InstanceConnect(ctx context.Context) (*ec2instanceconnect.Client, error) {
	return c.eic(ctx)
}

// Tagging is the Resource Groups Tagging API client.
func (c *Clients) Tagging(ctx context.Context) (*resourcegroupstaggingapi.Client, error) {
	return c.tagging(ctx)
}

// ResourceGroups is the Resource Groups client.
func (c *Clients) ResourceGroups(ctx context.Context) (*resourcegroups.Client, error) {
	return c.groups(ctx)
}

// Resolver returns a target resolver backed by SSM, the tagging API and
// Resource Groups; its warnings go to stderr.
func (c *Clients) Resolver(ctx context.Context) (*target.Resolver, error) {
	cfg, err := c.config(ctx)
	if err != nil {
		return nil, err
	}
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	tg, err := c.Tagging(ctx)
	if err != nil {
		return nil, err
	}
	g, err := c.ResourceGroups(ctx)
	if err != nil {
		return nil, err
	}
	return &target.Resolver{
		SSM:     s,
		Tagging: tg,
		Groups:  g,
		Region:  cfg.Region,
		Warn:    c.warnf,
	}, nil
}

func (c *Clients) warnf(msg string) { c.f.IO.Warnf("%s", msg) }

// RunCommand is the Run Command client.
func (c *Clients) RunCommand(ctx context.Context) (*runcmd.Client, error) {
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.Resolver(ctx)
	if err != nil {
		return nil, err
	}
	return &runcmd.Client{API: s, Nodes: r, Warn: c.warnf}, nil
}

// Params is the Parameter Store client.
func (c *Clients) Params(ctx context.Context) (*params.Client, error) {
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	return &params.Client{API: s, Breaker: &awsretry.Breaker{}}, nil
}

// Sessions is the Session Manager client and what its data channels
// connect with (region, credentials, the --debug log).
func (c *Clients) Sessions(ctx context.Context) (*session.Client, session.Connection, error) {
	cfg, err := c.config(ctx)
	if err != nil {
		return nil, session.Connection{}, err
	}
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, session.Connection{}, err
	}
	r, err := c.Resolver(ctx)
	if err != nil {
		return nil, session.Connection{}, err
	}
	conn := session.Connection{Region: cfg.Region, Credentials: cfg.Credentials}
	if c.f.Global.Debug {
		conn.Debug = c.f.IO.ErrOut
	}
	return &session.Client{API: s, Nodes: r}, conn, nil
}

// Calendar is the Change Calendar client.
func (c *Clients) Calendar(ctx context.Context) (*calendar.Client, error) {
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	return &calendar.Client{API: s}, nil
}

// Secrets is the Secrets Manager client.
func (c *Clients) Secrets(ctx context.Context) (*secrets.Client, error) {
	s, err := c.secrets(ctx)
	if err != nil {
		return nil, err
	}
	return &secrets.Client{API: s}, nil
}

// OpsItems is the OpsCenter client.
func (c *Clients) OpsItems(ctx context.Context) (*opsitems.Client, error) {
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	return &opsitems.Client{API: s}, nil
}

// Activations is the hybrid activations client (its region fills in the
// registration commands).
func (c *Clients) Activations(ctx context.Context) (*activations.Client, error) {
	cfg, err := c.config(ctx)
	if err != nil {
		return nil, err
	}
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	return &activations.Client{API: s, Region: cfg.Region}, nil
}

// Patch is the Patch Manager client.
func (c *Clients) Patch(ctx context.Context) (*patch.Client, error) {
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	return &patch.Client{API: s}, nil
}

// Automation is the Automation client.
func (c *Clients) Automation(ctx context.Context) (*automation.Client, error) {
	s, err := c.SSM(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.Resolver(ctx)
	if err != nil {
		return nil, err
	}
	return &automation.Client{API: s, Nodes: r, Warn: c.warnf}, nil
}
