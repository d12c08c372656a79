// Package cmdutil is what every command group shares: the factory that
// hands out IO streams, the clock, settings and AWS clients; the one usage
// error; confirmation prompts; target flags and completions; and the exit
// error of commands that act on several items.
package cmdutil

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/build"
	"github.com/ssmctl/ssmctl/internal/config"
	"github.com/ssmctl/ssmctl/pkg/awsconf"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// GlobalOptions are the flags every command has; the root command binds
// them.
type GlobalOptions struct {
	Profile     string
	Region      string
	EndpointURL string
	CABundle    string
	Output      string
	Query       string
	NoColor     bool
	Quiet       bool
	Debug       bool
	ConfigFile  string
}

// Factory hands commands their dependencies. Clients and configuration are
// built lazily and once, so a command that needs no AWS client never loads
// AWS configuration. A command's options take the pieces the verb uses,
// never the factory itself.
type Factory struct {
	IO     *output.Streams
	Getenv func(string) string
	Now    func() time.Time
	Global *GlobalOptions

	// AWSConfig loads the command's AWS configuration once; tests replace
	// it before the command runs.
	AWSConfig func(ctx context.Context) (aws.Config, error)

	// settings and printer are what --config, SSMCTL_*, the config file
	// and the output flags said; filled by Prepare before any command runs.
	settings *config.Settings
	printer  *output.Printer
	clients  *Clients
}

// New returns a factory on streams and an environment.
func New(streams *output.Streams, getenv func(string) string) *Factory {
	f := &Factory{
		IO:     streams,
		Getenv: getenv,
		Now:    time.Now,
		Global: &GlobalOptions{},
	}
	f.AWSConfig = memo(func(ctx context.Context) (aws.Config, error) {
		return f.loadAWS(ctx, f.Global.Profile, f.Global.Region)
	})
	// Through f.AWSConfig at call time, so a test's replacement counts.
	f.clients = f.newClients(func(ctx context.Context) (aws.Config, error) { return f.AWSConfig(ctx) })
	return f
}

// memo runs load once and returns its result ever after.
func memo[T any](load func(ctx context.Context) (T, error)) func(ctx context.Context) (T, error) {
	var (
		once sync.Once
		v    T
		err  error
	)
	return func(ctx context.Context) (T, error) {
		once.Do(func() { v, err = load(ctx) })
		return v, err
	}
}

// Prepare runs before every command (and every completion): it loads
// ssmctl's own configuration, applies it to the flags the user did not
// set, and validates the global flags, all before any AWS call.
func (f *Factory) Prepare(cmd *cobra.Command) error {
	s, err := config.Load(f.Global.ConfigFile, f.Getenv)
	if err != nil {
		return err
	}
	f.settings = s
	if err := s.Apply(cmd, f.Getenv); err != nil {
		return err
	}
	f.IO.SetQuiet(f.Global.Quiet)
	f.IO.SetNoColor(f.Global.NoColor)
	format, err := output.ParseFormat(f.Global.Output)
	if err != nil {
		if cerr := s.Invalid("output", f.Global.Output, "want one of "+strings.Join(output.Formats(), ", ")); cerr != nil {
			return cerr
		}
		return FlagErrorf("%w", err)
	}
	if err := output.ValidateQuery(f.Global.Query); err != nil {
		return FlagErrorf("%w", err)
	}
	f.printer, err = output.NewPrinter(f.IO, format, f.Global.Query)
	if err != nil {
		return FlagErrorf("%w", err)
	}
	return nil
}

// Blame turns the usage error of a wrong flag value (FlagValueErrorf) into
// a configuration error (exit 253) naming the config file or SSMCTL_*
// variable, the key and the value, when that is where the value came from:
// the user typed no such flag. Other errors are returned as they are.
func (f *Factory) Blame(err error) error {
	var fe *FlagError
	if !errors.As(err, &fe) || fe.flag == "" {
		return err
	}
	if cerr := f.settings.Invalid(fe.flag, fe.value, fe.reason); cerr != nil {
		return cerr
	}
	return err
}

// Printer renders results in the format the flags chose; it exists once
// Prepare has run.
func (f *Factory) Printer() *output.Printer { return f.printer }

// Aliases are the target aliases from the config file.
func (f *Factory) Aliases() map[string][]string { return f.settings.Aliases() }

// Clients are the clients of the command's own account and region.
func (f *Factory) Clients() *Clients { return f.clients }

// ClientsFor returns clients for another profile and/or region (empty:
// the command's own), for commands that work across accounts or regions
// (param cp --to-region). The endpoint, CA bundle and debug settings are
// the command's.
func (f *Factory) ClientsFor(profile, region string) *Clients {
	if profile == "" && region == "" {
		return f.clients
	}
	return f.newClients(memo(func(ctx context.Context) (aws.Config, error) {
		p, r := profile, region
		if p == "" {
			p = f.Global.Profile
		}
		if r == "" && p == f.Global.Profile {
			r = f.Global.Region
		}
		return f.loadAWS(ctx, p, r)
	}))
}

// loadAWS loads an AWS configuration for a profile and region with the
// global settings: endpoint, CA bundle, --debug, prompting.
func (f *Factory) loadAWS(ctx context.Context, profile, region string) (aws.Config, error) {
	return awsconf.Load(ctx, awsconf.Options{
		Profile:     profile,
		Region:      region,
		EndpointURL: f.Global.EndpointURL,
		CABundle:    f.Global.CABundle,
		Debug:       f.Global.Debug,
		DebugOut:    f.IO.ErrOut,
		Version:     build.Current().Version,
		Stdin:       f.IO.In,
		Stderr:      f.IO.ErrOut,
		CanPrompt:   f.IO.CanPrompt(),
	})
}
