package main

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroups"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/awsconf"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// factory hands commands their dependencies. Clients and configuration are
// built lazily and once, so a command that needs no AWS client never loads
// AWS configuration.
type factory struct {
	streams *output.Streams
	getenv  func(string) string
	now     func() time.Time
	global  *globalOptions

	// settings is what --config, SSMCTL_* and the config file said; filled
	// by prepare before any command runs.
	settings *settings
	printer  *output.Printer

	// awsConfig loads the AWS configuration once; tests replace it.
	awsConfig func(ctx context.Context) (aws.Config, error)
}

func newFactory(streams *output.Streams, getenv func(string) string) *factory {
	f := &factory{
		streams: streams,
		getenv:  getenv,
		now:     time.Now,
		global:  &globalOptions{},
	}
	f.awsConfig = memoConfig(func(ctx context.Context) (aws.Config, error) {
		return f.loadAWS(ctx, f.global.Profile, f.global.Region)
	})
	return f
}

func memoConfig(load func(ctx context.Context) (aws.Config, error)) func(ctx context.Context) (aws.Config, error) {
	var (
		once sync.Once
		cfg  aws.Config
		err  error
	)
	return func(ctx context.Context) (aws.Config, error) {
		once.Do(func() { cfg, err = load(ctx) })
		return cfg, err
	}
}

// prepare runs before every command: it loads ssmctl's own configuration,
// applies it to the flags the user did not set, and validates the global
// flags, all before any AWS call.
func (f *factory) prepare(cmd *cobra.Command) error {
	s, err := loadSettings(f.global.ConfigFile, f.getenv)
	if err != nil {
		return err
	}
	f.settings = s
	if err := s.apply(cmd, f.getenv); err != nil {
		return err
	}
	f.streams.SetQuiet(f.global.Quiet)
	f.streams.SetNoColor(f.global.NoColor)
	format, err := output.ParseFormat(f.global.Output)
	if err != nil {
		return newUsageError(cmd, err)
	}
	if err := output.ValidateQuery(f.global.Query); err != nil {
		return newUsageError(cmd, err)
	}
	f.printer, err = output.NewPrinter(f.streams, format, f.global.Query)
	if err != nil {
		return newUsageError(cmd, err)
	}
	return nil
}

// resolver returns a target resolver backed by SSM, the tagging API and
// Resource Groups.
func (f *factory) resolver(ctx context.Context) (*target.Resolver, error) {
	cfg, err := f.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &target.Resolver{
		SSM:     ssm.NewFromConfig(cfg),
		Tagging: resourcegroupstaggingapi.NewFromConfig(cfg),
		Groups:  resourcegroups.NewFromConfig(cfg),
		Region:  cfg.Region,
		Warn:    func(msg string) { f.streams.Warnf("%s", msg) },
	}, nil
}

// aliases are the target aliases from the config file.
func (f *factory) aliases() map[string][]string {
	if f.settings == nil {
		return nil
	}
	return f.settings.aliases
}

// awsConfigFor loads a second AWS configuration that differs from the
// command's in profile and/or region (empty: the command's own), for
// commands that work across accounts or regions (param cp --to-region).
// The endpoint, CA bundle and debug settings are the command's.
func (f *factory) awsConfigFor(ctx context.Context, profile, region string) (aws.Config, error) {
	if profile == "" && region == "" {
		return f.awsConfig(ctx)
	}
	if profile == "" {
		profile = f.global.Profile
	}
	if region == "" && profile == f.global.Profile {
		region = f.global.Region
	}
	return f.loadAWS(ctx, profile, region)
}

// loadAWS loads an AWS configuration for a profile and region with the
// global settings: endpoint, CA bundle, --debug, prompting.
func (f *factory) loadAWS(ctx context.Context, profile, region string) (aws.Config, error) {
	return awsconf.Load(ctx, awsconf.Options{
		Profile:     profile,
		Region:      region,
		EndpointURL: f.global.EndpointURL,
		CABundle:    f.global.CABundle,
		Debug:       f.global.Debug,
		DebugOut:    f.streams.ErrOut,
		Version:     buildVersion().Version,
		Stdin:       f.streams.In,
		Stderr:      f.streams.ErrOut,
		CanPrompt:   f.streams.CanPrompt(),
	})
}
