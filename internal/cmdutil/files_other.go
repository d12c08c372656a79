//go:build !unix

package cmdutil

import (
	"context"
	"io/fs"
	"os"
)

// openDescriptor: names of open descriptors are Unix's.
func openDescriptor(string) (*os.File, bool, error) { return nil, false, nil }

// keepOwner: ownership is not carried over outside Unix.
func keepOwner(*os.File, fs.FileInfo) {}

// openFIFO: FIFOs are Unix's; a plain open.
func openFIFO(_ context.Context, path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY, 0)
}
