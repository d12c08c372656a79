//go:build !unix

package cmdutil

import (
	"io/fs"
	"os"
)

// openDescriptor: names of open descriptors are Unix's.
func openDescriptor(string) (*os.File, bool, error) { return nil, false, nil }

// keepOwner: ownership is not carried over outside Unix.
func keepOwner(*os.File, fs.FileInfo) {}
