// Package secret is `ssmctl secret` and its subcommands: Secrets Manager
// values and their JSON fields, versions and staging labels, rotation,
// safe deletion and restore, environments for a child process and random
// passwords.
package secret

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// NewCmdSecret is `ssmctl secret` with its subcommands.
func NewCmdSecret(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "secret",
		Aliases: []string{"secrets"},
		Short:   "Read and write Secrets Manager secrets",
		Long: `Read and write secrets kept in AWS Secrets Manager: one field of a JSON
secret without jq, versions and staging labels (AWSCURRENT, AWSPREVIOUS,
AWSPENDING), rotation, deletion with a recovery window and restore, and
environments for a child process.

A secret is named by its name or ARN. Values are never printed by ls,
describe or history, never in --debug output and never in error messages.
Every write carries one ClientRequestToken, so a retry after a lost answer
never makes a second version. See docs/secrets.md.`,
		Example: `  ssmctl secret create prod/db --json username=app --json password="$(ssmctl secret password)"
  ssmctl secret get prod/db --field password
  ssmctl secret describe prod/db
  ssmctl secret rotate prod/db --lambda arn:aws:lambda:us-east-1:123456789012:function:rotate --every 30d
  ssmctl secret exec prod/db -- ./server
  ssmctl secret rm prod/db --recovery-window 7 --yes`,
	}
	cmd.AddCommand(
		NewCmdGet(f, nil), NewCmdLs(f, nil), NewCmdDescribe(f, nil), NewCmdCreate(f, nil), NewCmdPut(f, nil),
		NewCmdUpdate(f, nil), NewCmdSetField(f, nil), NewCmdHistory(f, nil), NewCmdRm(f, nil), NewCmdRestore(f, nil),
		NewCmdRotate(f, nil), NewCmdExec(f, nil), NewCmdPassword(f, nil),
	)
	return cmd
}

// completeSecrets completes secret names from one ListSecrets listing
// (name prefix), with a short deadline; max is how many names a command
// takes (0: any number).
func completeSecrets(f *cmdutil.Factory, max int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if err := f.Prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		c, err := f.Clients().Secrets(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, err := c.Names(ctx, toComplete)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// checkID refuses a secret ID Secrets Manager would (SecretIdType: 1..2048
// characters) before any call.
func checkID(id string) error {
	if id == "" || len(id) > 2048 {
		return cmdutil.FlagErrorf("a secret name or ARN is 1 to 2048 characters")
	}
	return nil
}

// readValue is a value given as an argument, - (stdin) or --from-file
// (binary kept as bytes when it is not UTF-8 text).
func readValue(args []string, fromFile string, stdin io.Reader) (*secrets.NewValue, error) {
	switch {
	case fromFile != "" && len(args) > 0:
		return nil, cmdutil.FlagErrorf("give the value as an argument or with --from-file, not both")
	case fromFile != "":
		b, err := cmdutil.ReadFileOrStdin(fromFile, stdin)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, err)
		}
		if err := secrets.CheckValue(b); err != nil {
			return nil, err
		}
		if isText(b) {
			s := string(b)
			return &secrets.NewValue{String: &s}, nil
		}
		return &secrets.NewValue{Binary: b}, nil
	case len(args) > 0 && args[0] == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, err
		}
		s := strings.TrimSuffix(string(b), "\n")
		if err := secrets.CheckValue([]byte(s)); err != nil {
			return nil, err
		}
		return &secrets.NewValue{String: &s}, nil
	case len(args) > 0:
		if err := secrets.CheckValue([]byte(args[0])); err != nil {
			return nil, err
		}
		v := secrets.Text(args[0])
		return &v, nil
	}
	return nil, nil
}

func isText(b []byte) bool {
	for _, c := range string(b) {
		if c == '\uFFFD' || c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// jsonValue builds a JSON object from key=value pairs.
func jsonValue(pairs []string) (*secrets.NewValue, error) {
	obj := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, cmdutil.FlagErrorf("--json %q: want KEY=VALUE", strings.SplitN(p, "=", 2)[0])
		}
		obj[k] = v
	}
	b, _ := json.Marshal(obj)
	if err := secrets.CheckValue(b); err != nil {
		return nil, err
	}
	v := secrets.Text(string(b))
	return &v, nil
}

// parseTags reads --tag k=v.
func parseTags(raw []string) (map[string]string, error) {
	tags := map[string]string{}
	for _, t := range raw {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, cmdutil.FlagErrorf("--tag %q: want KEY=VALUE", t)
		}
		tags[k] = v
	}
	return tags, nil
}

// writeView is what a write answers.
type writeView struct {
	Name      string   `json:"name"`
	ARN       string   `json:"arn"`
	VersionID string   `json:"versionId,omitempty"`
	Stages    []string `json:"stages,omitempty"`
}

func printWrite(p *output.Printer, r secrets.Result) error {
	v := writeView{Name: r.Name, ARN: r.ARN, VersionID: r.VersionID, Stages: r.Stages}
	return p.Print(v, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "VERSION", "STAGES", "ARN"}, NoTruncate: []int{0, 1, 3}}
		t.Rows = append(t.Rows, []string{v.Name, v.VersionID, strings.Join(v.Stages, ","), v.ARN})
		return t
	})
}

// dateLabel shows a LastAccessedDate, which Secrets Manager keeps as a
// date (midnight UTC): at a terminal the date itself ("today" for
// today), since "16h ago" would claim a time nobody recorded.
func dateLabel(t *output.Time, now time.Time, tty bool) string {
	if t == nil || !tty {
		return output.TimeLabel(t, now, tty)
	}
	d := t.UTC().Format(time.DateOnly)
	if d == now.UTC().Format(time.DateOnly) {
		return "today"
	}
	return d
}

// stagesText lists a secret's versions and stages, current first.
func stagesText(versions map[string][]string) []string {
	ids := make([]string, 0, len(versions))
	for id := range versions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		ri, rj := stageRank(versions[ids[i]]), stageRank(versions[ids[j]])
		if ri != rj {
			return ri < rj
		}
		return ids[i] < ids[j]
	})
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%s %s", id, strings.Join(versions[id], ",")))
	}
	return out
}

func stageRank(stages []string) int {
	for i, s := range []string{"AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"} {
		for _, x := range stages {
			if x == s {
				return i
			}
		}
	}
	return 3
}
