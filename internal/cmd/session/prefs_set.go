package session

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/session"
)

// PrefsSetOptions is what session prefs set uses: prefs' own, and the
// change.
type PrefsSetOptions struct {
	*PrefsOptions
	Change session.PreferencesChange
}

// NewCmdPrefsSet is `ssmctl session prefs set`.
func NewCmdPrefsSet(parent *PrefsOptions, runF func(*PrefsSetOptions) error) *cobra.Command {
	opts := &PrefsSetOptions{PrefsOptions: parent}
	var (
		idle, maxDur                                int
		runAs, s3Enc, cwEnc, cwStream               bool
		user, linux, windows, bucket, prefix, group string
		kms                                         string
	)
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Change Session Manager preferences",
		Long: `Change the flags given and keep everything else, including settings ssmctl
does not know. The first change creates ` + session.PreferencesDocument + `
(CreateDocument); later ones add a version (UpdateDocument) and make it the
default (UpdateDocumentDefaultVersion), because sessions use the default
version. A change that changes nothing writes nothing.

Limits: idle timeout 1-60 minutes; maximum duration 1-1440 minutes (0 removes
the limit); S3 bucket and CloudWatch log group names as those services name
them; the KMS key as a key ID, key ARN, alias/NAME or alias ARN.`,
		Example: `  ssmctl session prefs set --idle-timeout 15
  ssmctl session prefs set --max-duration 0
  ssmctl session prefs set --s3-bucket my-session-logs --s3-prefix prod/ --kms-key alias/sessions`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := &opts.Change
			fl := cmd.Flags()
			setIf := func(name string, dst **string, v string) {
				if fl.Changed(name) {
					*dst = &v
				}
			}
			setBool := func(name string, dst **bool, v bool) {
				if fl.Changed(name) {
					*dst = &v
				}
			}
			if fl.Changed("idle-timeout") {
				c.IdleTimeout = &idle
			}
			if fl.Changed("max-duration") {
				c.MaxDuration = &maxDur
			}
			setBool("run-as", &c.RunAsEnabled, runAs)
			setIf("run-as-user", &c.RunAsDefaultUser, user)
			setIf("shell-profile-linux", &c.ShellProfileLinux, linux)
			setIf("shell-profile-windows", &c.ShellProfileWindows, windows)
			setIf("s3-bucket", &c.S3Bucket, bucket)
			setIf("s3-prefix", &c.S3KeyPrefix, prefix)
			setBool("s3-encryption", &c.S3Encryption, s3Enc)
			setIf("cloudwatch-log-group", &c.LogGroup, group)
			setBool("cloudwatch-encryption", &c.LogEncryption, cwEnc)
			setBool("cloudwatch-streaming", &c.LogStreaming, cwStream)
			setIf("kms-key", &c.KMSKeyID, kms)
			if c.Empty() {
				return cmdutil.FlagErrorf("nothing to change: give at least one flag, e.g. --idle-timeout 15")
			}
			if err := c.Validate(); err != nil {
				return cmdutil.FlagErrorf("%w", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return prefsSetRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&idle, "idle-timeout", 0, "end sessions idle for this many `minutes` (1-60)")
	fl.IntVar(&maxDur, "max-duration", 0, "end sessions after this many `minutes` (1-1440; 0 = no limit)")
	fl.BoolVar(&runAs, "run-as", false, "run Linux sessions as a named user instead of ssm-user")
	fl.StringVar(&user, "run-as-user", "", "the `user` Linux sessions run as when --run-as is on")
	fl.StringVar(&linux, "shell-profile-linux", "", "`commands` run at the start of Linux sessions")
	fl.StringVar(&windows, "shell-profile-windows", "", "`commands` run at the start of Windows sessions")
	fl.StringVar(&bucket, "s3-bucket", "", "S3 `bucket` for session logs (empty to stop)")
	fl.StringVar(&prefix, "s3-prefix", "", "key `prefix` for session logs in the bucket")
	fl.BoolVar(&s3Enc, "s3-encryption", true, "allow only an encrypted bucket")
	fl.StringVar(&group, "cloudwatch-log-group", "", "CloudWatch Logs `group` for session logs (empty to stop)")
	fl.BoolVar(&cwEnc, "cloudwatch-encryption", true, "allow only an encrypted log group")
	fl.BoolVar(&cwStream, "cloudwatch-streaming", true, "stream session logs as they happen rather than at the end")
	fl.StringVar(&kms, "kms-key", "", "KMS `key` to encrypt session data with (empty for none)")
	return cmd
}

func prefsSetRun(ctx context.Context, opts *PrefsSetOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	p, changed, err := session.SetPreferences(ctx, client, opts.Change)
	if err != nil {
		return err
	}
	if changed {
		opts.IO.Infof("Saved %s version %s.", session.PreferencesDocument, p.Version)
	} else {
		opts.IO.Infof("No change: %s version %s already says this.", session.PreferencesDocument, p.Version)
	}
	return printPreferences(opts.Printer(), p)
}
