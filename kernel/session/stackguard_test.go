package session

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestUnboundedRecursionLeavesTheKernelAlive runs a cell that recurses without end. Without
// the guard the process dies of Go's fatal stack overflow (and this test with it); with it
// the cell fails with a RecursionError and the session goes on with its variables.
func TestUnboundedRecursionLeavesTheKernelAlive(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	if _, err, _ := run(t, s, "kept := 41"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := s.Execute(context.Background(), "func down(n int) int { return down(n+1) + 1 }\ndown(0)", newRecorder())
	ce, ok := err.(*CellError)
	if !ok || ce.Name != "RecursionError" || !strings.HasPrefix(ce.Value, "cell2.go:2:1: goroutine stacks passed 256 MB") {
		t.Fatalf("err %v, want a RecursionError at cell2.go:2:1", err)
	}
	t.Logf("stopped after %v", time.Since(start))
	b, err, _ := run(t, s, "kept + 1")
	if err != nil || text(b) != "42" {
		t.Fatalf("after the recursion: %s %v, want 42", text(b), err)
	}
}
