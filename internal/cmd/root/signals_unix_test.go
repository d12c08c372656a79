//go:build unix

package root

import (
	"net"
	"os"
	"testing"
)

// outputGone tells a pipe or socket whose reader left from one still read,
// and from a file, which never loses its reader.
func TestOutputGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fd := int(w.Fd())
	if outputGone(fd) {
		t.Error("a pipe with its reader: gone")
	}
	r.Close()
	if !outputGone(fd) {
		t.Error("a pipe without its reader: not gone")
	}

	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if outputGone(int(f.Fd())) {
		t.Error("a file: gone")
	}

	ln, err := net.Listen("unix", t.TempDir()+"/s")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := c.(*net.UnixConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	if outputGone(int(cf.Fd())) {
		t.Error("a connected socket: gone")
	}
	s.Close()
	if !outputGone(int(cf.Fd())) {
		t.Error("a socket whose peer closed: not gone")
	}
}
