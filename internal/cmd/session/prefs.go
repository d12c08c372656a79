package session

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
)

// preferencesView is what `session prefs` prints; the names are those of
// the preferences document's inputs, which operators already know.
type preferencesView struct {
	Document            string             `json:"document"`
	Exists              bool               `json:"exists"`
	Version             string             `json:"version"`
	IdleSessionTimeout  int                `json:"idleSessionTimeout"`
	MaxSessionDuration  int                `json:"maxSessionDuration"`
	RunAsEnabled        bool               `json:"runAsEnabled"`
	RunAsDefaultUser    string             `json:"runAsDefaultUser"`
	ShellProfile        shellProfileView   `json:"shellProfile"`
	S3BucketName        string             `json:"s3BucketName"`
	S3KeyPrefix         string             `json:"s3KeyPrefix"`
	S3EncryptionEnabled bool               `json:"s3EncryptionEnabled"`
	CloudWatch          cloudWatchPrefView `json:"cloudWatch"`
	KMSKeyID            string             `json:"kmsKeyId"`
}

type shellProfileView struct {
	Linux   string `json:"linux"`
	Windows string `json:"windows"`
}

type cloudWatchPrefView struct {
	LogGroupName      string `json:"logGroupName"`
	EncryptionEnabled bool   `json:"encryptionEnabled"`
	StreamingEnabled  bool   `json:"streamingEnabled"`
}

func newPreferencesView(p *session.Preferences) preferencesView {
	return preferencesView{
		Document: session.PreferencesDocument, Exists: p.Exists, Version: p.Version,
		IdleSessionTimeout: p.IdleTimeout, MaxSessionDuration: p.MaxDuration,
		RunAsEnabled: p.RunAsEnabled, RunAsDefaultUser: p.RunAsDefaultUser,
		ShellProfile: shellProfileView{Linux: p.ShellProfileLinux, Windows: p.ShellProfileWindows},
		S3BucketName: p.S3Bucket, S3KeyPrefix: p.S3KeyPrefix, S3EncryptionEnabled: p.S3Encryption,
		CloudWatch: cloudWatchPrefView{LogGroupName: p.LogGroup, EncryptionEnabled: p.LogEncryption, StreamingEnabled: p.LogStreaming},
		KMSKeyID:   p.KMSKeyID,
	}
}

func printPreferences(printer *output.Printer, p *session.Preferences) error {
	v := newPreferencesView(p)
	return printer.Print(v, func() output.Table {
		t := output.Table{}
		add := func(k, val string) { t.Rows = append(t.Rows, []string{k, val}) }
		orNone := func(s string) string {
			if s == "" {
				return "(none)"
			}
			return s
		}
		if v.Exists {
			add("Document", fmt.Sprintf("%s (version %s)", v.Document, v.Version))
		} else {
			add("Document", v.Document+" (not created: AWS defaults)")
		}
		add("Idle timeout", fmt.Sprintf("%d min", v.IdleSessionTimeout))
		if v.MaxSessionDuration > 0 {
			add("Max duration", fmt.Sprintf("%d min", v.MaxSessionDuration))
		} else {
			add("Max duration", "(no limit)")
		}
		add("Run As", strconv.FormatBool(v.RunAsEnabled))
		add("Run As user", orNone(v.RunAsDefaultUser))
		add("Shell profile (Linux)", orNone(output.FirstLine(v.ShellProfile.Linux)))
		add("Shell profile (Windows)", orNone(output.FirstLine(v.ShellProfile.Windows)))
		add("S3 bucket", orNone(strings.TrimSuffix(v.S3BucketName+"/"+v.S3KeyPrefix, "/")))
		add("S3 encryption", strconv.FormatBool(v.S3EncryptionEnabled))
		add("CloudWatch log group", orNone(v.CloudWatch.LogGroupName))
		add("CloudWatch encryption", strconv.FormatBool(v.CloudWatch.EncryptionEnabled))
		add("CloudWatch streaming", strconv.FormatBool(v.CloudWatch.StreamingEnabled))
		add("KMS key", orNone(v.KMSKeyID))
		return t
	})
}

// PrefsOptions is what session prefs (and prefs get) uses.
type PrefsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (session.PreferencesAPI, error)
}

// NewCmdPrefs is `ssmctl session prefs` with get and set.
func NewCmdPrefs(f *cmdutil.Factory) *cobra.Command {
	opts := &PrefsOptions{IO: f.IO, Printer: f.Printer,
		Client: func(ctx context.Context) (session.PreferencesAPI, error) { return f.Clients().SSM(ctx) }}
	get := func(cmd *cobra.Command, args []string) error {
		return prefsGetRun(cmd.Context(), opts)
	}
	cmd := &cobra.Command{
		Use:     "prefs",
		Aliases: []string{"preferences"},
		Short:   "Show or change the account's Session Manager preferences",
		Long: `Show or change this account's Session Manager preferences in this region:
idle timeout, maximum session duration, Run As, shell profiles, S3 and
CloudWatch logging and the KMS key. They live in the Session document
` + session.PreferencesDocument + `, which the console creates the first time
preferences are saved; until then AWS's defaults apply (20-minute idle
timeout, no duration limit, no logging).`,
		Example: `  ssmctl session prefs
  ssmctl session prefs set --idle-timeout 15 --max-duration 480
  ssmctl session prefs set --run-as --run-as-user ops --shell-profile-linux 'exec bash -l'`,
		Args: cmdutil.NoArgs,
		RunE: get,
	}
	getCmd := &cobra.Command{
		Use:   "get",
		Short: "Show the Session Manager preferences",
		Example: `  ssmctl session prefs get
  ssmctl session prefs get -o json --query idleSessionTimeout`,
		Args: cmdutil.NoArgs,
		RunE: get,
	}
	cmd.AddCommand(getCmd, NewCmdPrefsSet(opts, nil))
	return cmd
}

func prefsGetRun(ctx context.Context, opts *PrefsOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	p, err := session.GetPreferences(ctx, client)
	if err != nil {
		return err
	}
	return printPreferences(opts.Printer(), p)
}
