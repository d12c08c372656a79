// Package param is `ssmctl param` and its subcommands: Parameter Store
// values, hierarchies, versions and labels, bulk import, export, copy and
// delete, and environments for a child process.
package param

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// masked stands for a SecureString value that was not decrypted.
const masked = "********"

// parameterView is one parameter with its value, as get prints it. The
// JSON names are a stable contract (docs/params.md).
type parameterView struct {
	Name         string       `json:"name"`
	Selector     string       `json:"selector"`
	Type         string       `json:"type"`
	Value        string       `json:"value"`
	Version      int64        `json:"version"`
	DataType     string       `json:"dataType"`
	LastModified *output.Time `json:"lastModified,omitempty"`
	ARN          string       `json:"arn"`
}

func newParameterView(p params.Parameter) parameterView {
	return parameterView{Name: p.Name, Selector: p.Selector, Type: p.Type, Value: p.Value, Version: p.Version,
		DataType: p.DataType, LastModified: output.NewTime(p.LastModified), ARN: p.ARN}
}

// metadataView is one parameter without its value, as ls prints it.
type metadataView struct {
	Name             string           `json:"name"`
	Type             string           `json:"type"`
	Tier             string           `json:"tier"`
	Version          int64            `json:"version"`
	LastModified     *output.Time     `json:"lastModified,omitempty"`
	LastModifiedUser string           `json:"lastModifiedUser"`
	DataType         string           `json:"dataType"`
	KeyID            string           `json:"keyId,omitempty"`
	Description      string           `json:"description,omitempty"`
	AllowedPattern   string           `json:"allowedPattern,omitempty"`
	Policies         []string         `json:"policies,omitempty"`
	Labels           map[string]int64 `json:"labels,omitempty"`
}

func newMetadataView(m params.Metadata) metadataView {
	return metadataView{Name: m.Name, Type: m.Type, Tier: m.Tier, Version: m.Version, LastModified: output.NewTime(m.LastModified),
		LastModifiedUser: m.LastModifiedUser, DataType: m.DataType, KeyID: m.KeyID, Description: m.Description,
		AllowedPattern: m.AllowedPattern, Policies: m.Policies, Labels: m.Labels}
}

// versionView is one version of a parameter, as history prints it.
type versionView struct {
	Name             string       `json:"name"`
	Version          int64        `json:"version"`
	Type             string       `json:"type"`
	Value            string       `json:"value"`
	Tier             string       `json:"tier"`
	Labels           []string     `json:"labels"`
	LastModified     *output.Time `json:"lastModified,omitempty"`
	LastModifiedUser string       `json:"lastModifiedUser"`
	Description      string       `json:"description,omitempty"`
	DataType         string       `json:"dataType"`
}

// NewCmdParam is `ssmctl param` with its subcommands.
// NewCmdParam is `ssmctl param param`.
func NewCmdParam(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "param",
		Aliases: []string{"params", "parameter"},
		Short:   "Read and write Parameter Store parameters",
		Long: `Read and write configuration and secrets kept in Parameter Store: single
values, whole hierarchies as trees, versions and labels, bulk import, export,
copy and delete, and environments for a child process.

Names are case sensitive and use a-z A-Z 0-9 _ . - with / between levels
(at most 15 levels, 1,011 characters); names beginning with aws or ssm are
reserved. A selector NAME:VERSION or NAME:LABEL picks a version.

SecureString values are decrypted only with --decrypt (exec always
decrypts: the child needs them). Bulk commands (import, cp, mv, rm -r) pace
their writes to stay under the account's request quota and never fail on
throttling. See docs/params.md.`,
		Example: `  ssmctl param put /app/prod/db/url 'postgres://db:5432/app'
  ssmctl param put /app/prod/db/password --type SecureString --value-file pw.txt
  ssmctl param get /app/prod/db/url /app/prod/db/password --decrypt
  ssmctl param tree /app --values
  ssmctl param export /app/prod -r --format dotenv --decrypt -f .env
  ssmctl param exec /app/common /app/prod -- ./server`,
	}
	cmd.AddCommand(
		NewCmdGet(f, nil), NewCmdLs(f, nil), NewCmdTree(f, nil), NewCmdPut(f, nil),
		NewCmdHistory(f, nil), NewCmdLabel(f, nil), NewCmdUnlabel(f, nil), NewCmdRm(f, nil),
		NewCmdCp(f, nil, false), NewCmdCp(f, nil, true), NewCmdExport(f, nil), NewCmdImport(f, nil),
		NewCmdExec(f, nil), NewCmdDiff(f, nil),
	)
	return cmd
}

// completeParams completes parameter names one level at a time: the
// parameters and sub-paths directly under what has been typed, from one
// DescribeParameters listing (Name BeginsWith, at most 200 names), with a
// short deadline. paths offers only sub-paths.
func completeParams(f *cmdutil.Factory, paths bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := f.Prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		c, err := f.Clients().Params(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		prefix := toComplete
		if prefix == "" {
			prefix = "/"
		}
		md, err := c.DescribePrefix(ctx, prefix, 200)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completionsUnder(toComplete, md, paths)
	}
}

// completionsUnder turns names beginning with typed into the next level:
// "/app/p" and /app/prod/db/url give /app/prod/.
func completionsUnder(typed string, md []params.Metadata, paths bool) ([]cobra.Completion, cobra.ShellCompDirective) {
	seen := map[string]bool{}
	var out []string
	dirs := false
	base := strings.LastIndex(typed, "/") + 1
	for _, m := range md {
		if !strings.HasPrefix(m.Name, typed) {
			continue
		}
		rest := m.Name[base:]
		word := m.Name
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			word = m.Name[:base+i+1]
			dirs = true
		} else if paths {
			continue
		}
		if !seen[word] {
			seen[word] = true
			if strings.HasSuffix(word, "/") {
				out = append(out, word)
			} else {
				out = append(out, word+"\t"+m.Type)
			}
		}
	}
	sort.Strings(out)
	d := cobra.ShellCompDirectiveNoFileComp
	if dirs {
		d |= cobra.ShellCompDirectiveNoSpace
	}
	return out, d
}
