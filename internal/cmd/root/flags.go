package root

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// addGlobalFlags binds the flags every command has to g.
func addGlobalFlags(root *cobra.Command, g *cmdutil.GlobalOptions) {
	fl := root.PersistentFlags()
	fl.StringVar(&g.Profile, "profile", "", "AWS shared config `profile` to use")
	fl.StringVar(&g.Region, "region", "", "AWS `region` (e.g. eu-west-1)")
	fl.StringVar(&g.EndpointURL, "endpoint-url", "", "send AWS API calls to this `URL` (e.g. a sandbox)")
	fl.StringVar(&g.CABundle, "ca-bundle", "", "PEM `file` of CA certificates to trust for AWS endpoints (as AWS_CA_BUNDLE)")
	fl.StringVarP(&g.Output, "output", "o", "", "output `format`: "+strings.Join(output.Formats(), "|")+" (default table on a terminal, text otherwise)")
	fl.StringVar(&g.Query, "query", "", "JMESPath `expression` applied to the JSON document before rendering")
	fl.BoolVar(&g.NoColor, "no-color", false, "never colour the output (NO_COLOR does the same)")
	fl.BoolVarP(&g.Quiet, "quiet", "q", false, "no progress or status messages on stderr")
	fl.BoolVar(&g.Debug, "debug", false, "log each AWS request (operation, status, retries, latency) to stderr")
	fl.StringVar(&g.ConfigFile, "config", "", "ssmctl config `file` (default $XDG_CONFIG_HOME/ssmctl/config.yaml)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats(), cobra.ShellCompDirectiveNoFileComp))
}
