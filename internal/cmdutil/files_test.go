//go:build unix

package cmdutil

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// noLeftovers fails when a temporary file is left in dir.
func noLeftovers(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(want) {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %q, want %q", dir, names, want)
	}
}

func TestWriteFileNewIs0600(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.env")
	if err := WriteFile(context.Background(), p, []byte("A='1'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "A='1'\n" {
		t.Errorf("content %q", got)
	}
	if m := mode(t, p); m != 0o600 {
		t.Errorf("mode %v, want 0600", m)
	}
	noLeftovers(t, dir, "app.env")
}

func TestWriteFileKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.env")
	if err := os.WriteFile(p, []byte("old, longer than the new content\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := WriteFile(context.Background(), p, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "new\n" {
		t.Errorf("content %q", got)
	}
	if m := mode(t, p); m != 0o640 {
		t.Errorf("mode %v, want the file's 0640", m)
	}
	noLeftovers(t, dir, "app.env")
}

func TestWriteFileFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "real", "app.env")
	if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o644); err != nil {
		t.Fatal(err)
	}
	// A relative link, and a link to that link.
	link := filepath.Join(dir, "link.env")
	if err := os.Symlink("real/app.env", link); err != nil {
		t.Fatal(err)
	}
	link2 := filepath.Join(dir, "link2.env")
	if err := os.Symlink(link, link2); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, link2} {
		if err := WriteFile(context.Background(), p, []byte("via "+filepath.Base(p)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symlink (%v)", p, err)
		}
		if got := readFile(t, target); got != "via "+filepath.Base(p)+"\n" {
			t.Errorf("target holds %q", got)
		}
		if m := mode(t, target); m != 0o644 {
			t.Errorf("target mode %v, want 0644", m)
		}
	}
	noLeftovers(t, filepath.Join(dir, "real"), "app.env")
}

func TestWriteFileDanglingSymlinkCreatesTarget(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.env")
	if err := os.Symlink("new.env", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(context.Background(), link, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "new.env")); got != "x\n" {
		t.Errorf("target holds %q", got)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
}

func TestWriteFileFIFO(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := WriteFile(context.Background(), p, []byte("through the fifo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the fifo\n" {
		t.Errorf("reader got %q", s)
	}
	if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced (%v, %v)", fi.Mode(), err)
	}
	noLeftovers(t, dir, "fifo")
}

func TestWriteFileDevNull(t *testing.T) {
	if err := WriteFile(context.Background(), "/dev/null", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("/dev/null is %v (%v)", fi.Mode(), err)
	}
}

// A pipe's descriptor by its /dev/fd and /proc/self/fd names, as a
// shell's >(cat) passes one.
func TestWriteFileDescriptorNames(t *testing.T) {
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		p := dir + strconv.Itoa(int(w.Fd()))
		if err := WriteFile(context.Background(), p, []byte("via "+dir+"\n"), 0o600); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		w.Close()
		b, _ := io.ReadAll(r)
		r.Close()
		if string(b) != "via "+dir+"\n" {
			t.Errorf("%s: pipe got %q", p, b)
		}
	}
}

// /dev/stdout is written on descriptor 1 where it is: a regular file
// there is appended to at its offset, not replaced or started over.
func TestWriteFileDevStdoutKeepsOffset(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("before\n"); err != nil {
		t.Fatal(err)
	}
	// Point a spare descriptor's /dev/fd name at the file, as a shell's
	// "> out" does for 1.
	if err := WriteFile(context.Background(), "/dev/fd/"+strconv.Itoa(int(f.Fd())), []byte("after\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, out); got != "before\nafter\n" {
		t.Errorf("file holds %q", got)
	}
	noLeftovers(t, dir, "out")
}

func TestWriteFileFailedWriteLeavesTarget(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.env")
	if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := CreateFile(context.Background(), p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("half")); err != nil {
		t.Fatal(err)
	}
	f.Discard()
	if got := readFile(t, p); got != "old\n" {
		t.Errorf("after Discard the file holds %q", got)
	}
	noLeftovers(t, dir, "app.env")
}

func TestCreateFileCommitWritesOnInPlace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "web.cast")
	f, err := CreateFile(context.Background(), p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("the file exists before Commit")
	}
	f.Write([]byte("header\n"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("event\n"))
	if got := readFile(t, p); got != "header\nevent\n" {
		t.Errorf("before Close: %q", got)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	noLeftovers(t, dir, "web.cast")
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(context.Background(), filepath.Join(dir, "no", "such", "x"), nil, 0o600); err == nil {
		t.Error("a missing directory: no error")
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(context.Background(), loop, nil, 0o600); err == nil {
		t.Error("a symlink loop: no error")
	}
	if err := WriteFile(context.Background(), "/dev/full", []byte("x"), 0o600); err == nil {
		if _, serr := os.Stat("/dev/full"); serr == nil {
			t.Error("/dev/full: no error")
		}
	}
}

// A file ssmctl may write in a directory it may not: written in place.
func TestWriteFileReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes any directory")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "app.env")
	if err := os.WriteFile(p, []byte("old, longer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if err := WriteFile(context.Background(), p, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "new\n" {
		t.Errorf("content %q", got)
	}
}

func TestFileErrorNamesThePathGiven(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "no", "x.env")
	err := WriteFile(context.Background(), p, nil, 0o600)
	if got, want := FileError(p, err).Error(), "write "+p+": no such file or directory"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A FIFO without a reader is waited for, and the wait ends with ctx.
func TestCreateFileFIFOWithoutReaderEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- WriteFile(ctx, p, []byte("x"), 0o600) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
