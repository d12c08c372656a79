// Package gendocs writes ssmctl's command reference (markdown and man
// pages) from its Cobra tree. It is kept out of the ssmctl binary: the
// man-page renderer (go-md2man, blackfriday) costs every invocation start-up
// time and users never run it. `make docs` runs it through cmd/gen-docs; a
// test in internal/cmd/root fails when docs/ is stale.
package gendocs

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

// Write replaces DIR/reference and DIR/man with the reference of root.
func Write(root *cobra.Command, dir string) error {
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
