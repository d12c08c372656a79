package param

import (
	"context"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// treeNode is one level of `param tree -o json|yaml`: a path with
// children, or a parameter (type and version set; value with --values).
type treeNode struct {
	Name     string      `json:"name"`
	Path     string      `json:"path"`
	Type     string      `json:"type,omitempty"`
	Version  int64       `json:"version,omitempty"`
	Value    *string     `json:"value,omitempty"`
	Children []*treeNode `json:"children,omitempty"`
}

// TreeOptions is what param tree uses.
type TreeOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	Path    string
	Values  bool
	Decrypt bool
}

// NewCmdTree is `ssmctl param tree`.
func NewCmdTree(f *cmdutil.Factory, runF func(*TreeOptions) error) *cobra.Command {
	opts := &TreeOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Params, Path: "/"}
	cmd := &cobra.Command{
		Use:   "tree [PATH]",
		Short: "Draw the hierarchy under a path as a tree",
		Long: `Draw every parameter under PATH (default /) as a tree, read with
GetParametersByPath. --values adds the values; SecureString values are
masked unless --decrypt is given too. -o json|yaml prints the tree as
nested nodes.`,
		Example: `  ssmctl param tree /app
  ssmctl param tree /app/prod --values --decrypt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p, err := params.ValidatePath(args[0])
				if err != nil {
					return err
				}
				opts.Path = p
			}
			if opts.Decrypt && !opts.Values {
				return errDecryptNeedsValues()
			}
			if runF != nil {
				return runF(opts)
			}
			return treeRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	cmd.Flags().BoolVar(&opts.Values, "values", false, "show the values")
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "show SecureString values decrypted (with --values)")
	return cmd
}

// errDecryptNeedsValues is tree's and diff's --decrypt without --values.
func errDecryptNeedsValues() error { return cmdutil.FlagErrorf("--decrypt shows values: add --values") }

func treeRun(ctx context.Context, opts *TreeOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading parameters")
	ps, err := c.ByPath(ctx, opts.Path, true, opts.Decrypt)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	root := buildTree(opts.Path, ps, opts.Values, opts.Decrypt)
	return opts.Printer().Print(root, func() output.Table {
		t := output.Table{NoTruncate: []int{0}}
		t.Rows = append(t.Rows, []string{root.Path})
		drawTree(&t, root.Children, "", opts.Values)
		return t
	})
}

func buildTree(path string, ps []params.Parameter, values, decrypt bool) *treeNode {
	root := &treeNode{Name: path, Path: path}
	index := map[string]*treeNode{path: root}
	for _, p := range ps {
		rel := params.Relative(path, p.Name)
		parts := strings.Split(rel, "/")
		parent := root
		for i, part := range parts {
			full := params.Join(path, strings.Join(parts[:i+1], "/"))
			n, ok := index[full]
			if !ok {
				n = &treeNode{Name: part, Path: full}
				index[full] = n
				parent.Children = append(parent.Children, n)
			}
			parent = n
		}
		parent.Type, parent.Version = p.Type, p.Version
		if values {
			v := p.Value
			if p.Secure() && !decrypt {
				v = masked
			}
			parent.Value = &v
		}
	}
	var sortAll func(n *treeNode)
	sortAll = func(n *treeNode) {
		sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
		for _, c := range n.Children {
			sortAll(c)
		}
	}
	sortAll(root)
	return root
}

func drawTree(t *output.Table, nodes []*treeNode, indent string, values bool) {
	for i, n := range nodes {
		branch, next := "├── ", "│   "
		if i == len(nodes)-1 {
			branch, next = "└── ", "    "
		}
		row := []string{indent + branch + n.Name}
		if n.Type == "" {
			row[0] += "/"
		}
		if values && n.Value != nil {
			row = append(row, *n.Value)
		}
		t.Rows = append(t.Rows, row)
		drawTree(t, n.Children, indent+next, values)
	}
}
