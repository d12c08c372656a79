package root

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// docsDate is the date stamped into man pages. It is fixed so that the
// generated reference only changes when the commands do.
var docsDate = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// newGenDocsCmd writes the command reference (markdown and man pages) from
// the Cobra tree. `make docs` runs it; a test fails when docs/ is stale.
func newGenDocsCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "gen-docs DIR",
		Short:  "Write the markdown and man-page command reference to DIR/reference and DIR/man",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeReference(cmd.Root(), args[0])
		},
	}
}

func writeReference(root *cobra.Command, dir string) error {
	md := filepath.Join(dir, "reference")
	man := filepath.Join(dir, "man")
	for _, d := range []string{md, man} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	root.DisableAutoGenTag = true
	if err := doc.GenMarkdownTree(root, md); err != nil {
		return fmt.Errorf("markdown reference: %w", err)
	}
	header := &doc.GenManHeader{Title: "SSMCTL", Section: "1", Source: "ssmctl", Manual: "ssmctl manual", Date: &docsDate}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}
