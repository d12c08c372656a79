package opsitem

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// CreateOptions is what opsitem create uses.
type CreateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*opsitems.Client, error)

	Item opsitems.NewItem
}

// createdView is what create prints with -o json/yaml.
type createdView struct {
	ID       string `json:"id"`
	ARN      string `json:"arn"`
	Existing bool   `json:"existing"`
}

// NewCmdCreate is `ssmctl opsitem create`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().OpsItems}
	var data, tags []string
	cmd := &cobra.Command{
		Use:   "create --title T --source S --description D|-",
		Short: "Create an OpsItem (or find the open one with the same --dedup string)",
		Long: `Create an OpsItem and print its ID. AWS requires a title (one line, at most
1,024 characters), a source (at most 128 characters, without aws, amazon
or amzn) and a description (at most 2,048 characters; - reads it from
stdin).

With --dedup STRING, OpsCenter does not create a second OpsItem while one
with the same deduplication string is Open or InProgress: it answers with
that one's ID, which create prints, saying on stderr that nothing was
created. After the first is resolved, the same string creates a new one.

--data key=value adds operational data, key=value:searchable searchable
data (shown by ls, matched by ls --data). --resource ARN lists a related
resource (in /aws/resources); --related-item links another OpsItem (at
most 10); --notify names an SNS topic told of changes.`,
		Example: `  ssmctl opsitem create --title "EC2 instance disk full" --source ec2 \
      --description "Log clean up may have failed due to full disk" --priority 2 \
      --data EC2=1:searchable --notify arn:aws:sns:us-east-1:123456789012:ops --tag EC2=Prod
  journalctl -n 50 | ssmctl opsitem create --title "nginx down on web-1" --source monitor --description - --dedup nginx-web-1`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n := &opts.Item
			if !cmd.Flags().Changed("title") || !cmd.Flags().Changed("source") || !cmd.Flags().Changed("description") {
				return cmdutil.FlagErrorf("create needs --title, --source and --description (AWS requires all three)")
			}
			if err := checkNumbers(cmd, n.Priority, n.Severity); err != nil {
				return err
			}
			// A script's --dedup "$KEY" with KEY unset would otherwise
			// create the duplicates it was written to avoid.
			if cmd.Flags().Changed("dedup") && strings.TrimSpace(n.Dedup) == "" {
				return cmdutil.FlagErrorf("--dedup needs a deduplication string that is not blank")
			}
			var err error
			if n.Data, err = parseDataFlags(data); err != nil {
				return err
			}
			if n.Tags, err = parseTags(tags); err != nil {
				return err
			}
			if n.Description != "-" {
				if err := n.Check(); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Item.Title, "title", "", "the OpsItem's `title` (required)")
	fl.StringVar(&opts.Item.Source, "source", "", "where it comes from, e.g. ec2 or monitor (required)")
	fl.StringVar(&opts.Item.Description, "description", "", "what happened, in Markdown; - reads stdin (required)")
	fl.IntVar(&opts.Item.Priority, "priority", 0, "priority `N`: 1 (highest) to 5")
	fl.IntVar(&opts.Item.Severity, "severity", 0, "severity `N`: 1 (critical) to 4")
	fl.StringVar(&opts.Item.Category, "category", "", "e.g. Availability, Cost, Performance, Recovery, Security")
	fl.StringVar(&opts.Item.Type, "type", "", "OpsItem `type`: /aws/issue (AWS's default), /aws/insight, /aws/changerequest")
	fl.StringArrayVar(&data, "data", nil, "operational data `key=value[:searchable]` (repeatable)")
	fl.StringArrayVar(&opts.Item.Notify, "notify", nil, "SNS topic `ARN` to notify of changes (repeatable)")
	fl.StringArrayVar(&tags, "tag", nil, "tag `key=value` (repeatable)")
	fl.StringArrayVar(&opts.Item.Related, "related-item", nil, "related OpsItem `ID` (repeatable, at most 10)")
	fl.StringArrayVar(&opts.Item.Resources, "resource", nil, "related resource `ARN` (repeatable)")
	fl.StringVar(&opts.Item.Dedup, "dedup", "", "deduplication `string`: an open OpsItem with it is returned instead")
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	n := opts.Item
	if n.Description == "-" {
		var err error
		if n.Description, err = readDescription(opts.IO.In); err != nil {
			return err
		}
		if err := n.Check(); err != nil {
			return err
		}
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	created, err := c.Create(ctx, n)
	if err != nil {
		return err
	}
	if created.Unchecked != nil {
		opts.IO.Warnf("could not tell whether %s was already open with deduplication string %q: %v", created.ID, n.Dedup, created.Unchecked)
	}
	if created.Existing {
		opts.IO.Warnf("%s is already open with deduplication string %q; no OpsItem was created", created.ID, n.Dedup)
	}
	return printID(opts.IO, opts.Printer(), createdView{ID: created.ID, ARN: created.ARN, Existing: created.Existing})
}

// readDescription reads --description - from stdin, without one trailing
// newline.
func readDescription(in io.Reader) (string, error) {
	b, err := io.ReadAll(in)
	if err != nil {
		return "", fmt.Errorf("read the description from stdin: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

// printID prints an ID alone on a line, or the view with -o json, yaml or
// --query.
func printID(s *output.Streams, p *output.Printer, v createdView) error {
	if p.Structured() {
		return p.Print(v, nil)
	}
	if _, err := fmt.Fprintln(s.Out, v.ID); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// checkNumbers checks --priority and --severity when they were given.
func checkNumbers(cmd *cobra.Command, priority, severity int) error {
	if cmd.Flags().Changed("priority") {
		if err := opsitems.CheckPriority(priority); err != nil {
			return err
		}
	}
	if cmd.Flags().Changed("severity") {
		if err := opsitems.CheckSeverity(severity); err != nil {
			return err
		}
	}
	return nil
}

// parseDataFlags reads the --data flags.
func parseDataFlags(flags []string) (map[string]opsitems.Data, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]opsitems.Data{}
	for _, s := range flags {
		k, d, err := opsitems.ParseData(s)
		if err != nil {
			return nil, err
		}
		out[k] = d
	}
	return out, nil
}

// parseTags reads the --tag flags: key=value, with SSM's tag lengths and
// the aws: prefix AWS keeps.
func parseTags(flags []string) ([]opsitems.Tag, error) {
	var out []opsitems.Tag
	for _, s := range flags {
		k, v, ok := strings.Cut(s, "=")
		switch {
		case !ok || k == "":
			return nil, cmdutil.FlagValueErrorf("tag", s, "want key=value")
		case len([]rune(k)) > 128 || len([]rune(v)) > 256:
			return nil, cmdutil.FlagValueErrorf("tag", s, "keys have at most 128 characters, values 256")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return nil, cmdutil.FlagValueErrorf("tag", s, "keys beginning with aws: are reserved")
		}
		out = append(out, opsitems.Tag{Key: k, Value: v})
	}
	return out, nil
}
