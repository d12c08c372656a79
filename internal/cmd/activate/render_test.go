package activate_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/activate"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
)

// fakeAPI answers DescribeActivations and DescribeInstanceInformation
// with fixed records, relative to cmdtest.Now.
type fakeAPI struct{ activations.API }

func (fakeAPI) DescribeActivations(context.Context, *ssm.DescribeActivationsInput, ...func(*ssm.Options)) (*ssm.DescribeActivationsOutput, error) {
	at := func(d time.Duration) *time.Time { t := cmdtest.Now.Add(d); return &t }
	return &ssm.DescribeActivationsOutput{ActivationList: []types.Activation{
		{ActivationId: aws.String("0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"), DefaultInstanceName: aws.String("DevOnPrem"),
			IamRole: aws.String("SSMServiceRole"), RegistrationLimit: aws.Int32(10), RegistrationsCount: aws.Int32(3),
			CreatedDate: at(-2 * time.Hour), ExpirationDate: at(22 * time.Hour)},
		{ActivationId: aws.String("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), DefaultInstanceName: aws.String("ProdOnPrem"),
			IamRole: aws.String("service-role/AmazonEC2RunCommandRoleForManagedInstances"), RegistrationLimit: aws.Int32(10),
			RegistrationsCount: aws.Int32(10), CreatedDate: at(-49 * time.Hour), ExpirationDate: at(-time.Hour), Expired: true},
	}}, nil
}

func (fakeAPI) DescribeInstanceInformation(context.Context, *ssm.DescribeInstanceInformationInput, ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	reg := cmdtest.Now.Add(-90 * time.Minute)
	return &ssm.DescribeInstanceInformationOutput{InstanceInformationList: []types.InstanceInformation{
		{InstanceId: aws.String("mi-0123456789abcdef0"), Name: aws.String("DevOnPrem"), PingStatus: types.PingStatusOnline,
			PlatformType: types.PlatformTypeLinux, PlatformName: aws.String("Ubuntu"), AgentVersion: aws.String("3.3.2299.0"),
			IPAddress: aws.String("192.168.10.21"), RegistrationDate: &reg, ActivationId: aws.String("0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f")},
		{InstanceId: aws.String("mi-0fedcba9876543210"), Name: aws.String("prod-db-1"), PingStatus: types.PingStatusConnectionLost,
			PlatformType: types.PlatformTypeWindows, PlatformName: aws.String("Microsoft Windows Server 2022 Datacenter"),
			AgentVersion: aws.String("3.3.1957.0"), IPAddress: aws.String("10.20.0.7"), RegistrationDate: &reg,
			ActivationId: aws.String("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")},
	}}, nil
}

func fakeClient(context.Context) (*activations.Client, error) {
	return &activations.Client{API: fakeAPI{}, Region: "eu-west-3"}, nil
}

func TestRendering(t *testing.T) {
	list := func(f *cmdutil.Factory) *cobra.Command {
		return activate.NewCmdList(f, func(o *activate.ListOptions) error {
			o.Client = fakeClient
			return activate.ListRun(context.Background(), o)
		})
	}
	nodes := func(f *cmdutil.Factory) *cobra.Command {
		return activate.NewCmdNodes(f, func(o *activate.NodesOptions) error {
			o.Client = fakeClient
			return activate.NodesRun(context.Background(), o)
		})
	}
	for _, tt := range []struct {
		name   string
		cmd    func(f *cmdutil.Factory) *cobra.Command
		tty    bool
		width  int
		args   []string
		golden string
	}{
		{"ls tty", list, true, 160, []string{"activate", "ls", "--no-color"}, "ls_tty.golden"},
		{"ls tty narrow", list, true, 70, []string{"activate", "ls", "--no-color"}, "ls_tty_narrow.golden"},
		{"ls pipe", list, false, 0, []string{"activate", "ls"}, "ls_pipe.golden"},
		{"ls expired", list, false, 0, []string{"activate", "ls", "--expired"}, "ls_expired.golden"},
		{"nodes tty", nodes, true, 160, []string{"activate", "nodes", "--no-color"}, "nodes_tty.golden"},
		{"nodes tty narrow", nodes, true, 70, []string{"activate", "nodes", "--no-color"}, "nodes_tty_narrow.golden"},
		{"nodes pipe", nodes, false, 0, []string{"activate", "nodes"}, "nodes_pipe.golden"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			c := cmdtest.New(t, nil)
			c.Streams.SetStdoutTTY(tt.tty)
			if tt.width > 0 {
				c.Streams.SetTerminalWidth(tt.width)
			}
			if code := c.RunWith(context.Background(), tt.cmd, []string{"activate"}, tt.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, c.ErrOut)
			}
			cmdtest.Golden(t, tt.golden, c.Out.Bytes())
		})
	}
}
