// Command ssmctl puts AWS Systems Manager at an operator's fingertips.
package main

import (
	"os"

	"github.com/ssmctl/ssmctl/internal/cmd/root"
)

func main() { os.Exit(root.Main()) }
