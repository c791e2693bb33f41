package dl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingWriter passes n bytes through, then fails.
type failingWriter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device (simulated)")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return f.w.Write(p)
	}
	k, _ := f.w.Write(p[:f.n])
	f.n = 0
	return k, errDiskFull
}

// bytesWriter returns a write function for writeFileAtomic that writes data.
func bytesWriter(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.godl")
	if err := writeFileAtomic(path, bytesWriter([]byte("old content"))); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("stat: %v, mode %v; want 0644", err, st.Mode())
	}

	// A write that fails part way leaves the old file and no temporary file.
	writeHook = func(w io.Writer) io.Writer { return &failingWriter{w: w, n: 5} }
	err = writeFileAtomic(path, bytesWriter(bytes.Repeat([]byte("new"), 100)))
	writeHook = nil
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("failing write: got %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old content" {
		t.Fatalf("after a failed write the file holds %q", got)
	}
	if l := leftovers(t, dir); l != nil {
		t.Fatalf("temporary files left: %v", l)
	}

	// A rename that fails (the destination is a folder) leaves no temporary file either.
	sub := filepath.Join(dir, "folder")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(sub, bytesWriter([]byte("x"))); err == nil {
		t.Fatal("writing over a folder succeeded")
	}
	if l := leftovers(t, dir); l != nil {
		t.Fatalf("temporary files left: %v", l)
	}
	// A missing folder is an error naming the path.
	if err := writeFileAtomic(filepath.Join(dir, "no", "m.godl"), bytesWriter([]byte("x"))); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "no")) {
		t.Fatalf("missing folder: %v", err)
	}
}
