package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzExecute runs arbitrary cells in one session: whatever the cell, Execute must return
// (an error is fine) and the session must keep working. Run with -fuzz; the seeds run in
// the ordinary test run.
func FuzzExecute(f *testing.F) {
	files, _ := filepath.Glob("testdata/errors/*.cells")
	for _, name := range files {
		raw, _ := os.ReadFile(name)
		for _, c := range strings.Split(string(raw), "\n//---\n") {
			f.Add(c)
		}
	}
	f.Add("x := 1\nx + 1")
	f.Add("type T struct{ A int }\nfunc (t T) M() int { return t.A }\nT{2}.M()")
	f.Add("for i := range 3 { go func(n int) { _ = n }(i) }")
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if strings.Contains(code, "os.") || strings.Contains(code, "syscall") || strings.Contains(code, "for") && !strings.Contains(code, "range") {
			t.Skip("cells that touch the process or may loop are not fuzzed")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, _ = s.Execute(ctx, code, newRecorder())
		// The next cell may wait for a compiled call the interrupt could not stop
		// (time.Sleep): that is by design, and gives up with Interrupted.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel2()
		b, err := s.Execute(ctx2, "1 + 1", newRecorder())
		if ce, ok := err.(*CellError); ok && ce.Name == "Interrupted" {
			return
		}
		if err != nil || text(b) != "2" {
			t.Fatalf("after %q the session is broken: %v %v", code, text(b), err)
		}
	})
}
