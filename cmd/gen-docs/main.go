// Command gen-docs writes ssmctl's command reference (markdown and man
// pages) to DIR/reference and DIR/man: go run ./cmd/gen-docs docs.
package main

import (
	"fmt"
	"os"

	"github.com/ssmctl/ssmctl/internal/cmd/root"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/internal/gendocs"
	"github.com/ssmctl/ssmctl/pkg/output"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen-docs DIR")
		os.Exit(2)
	}
	if err := gendocs.Write(root.NewCmdRoot(cmdutil.New(output.System(), os.Getenv)), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}
