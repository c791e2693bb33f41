package session

import (
	"context"
	"testing"
	"time"

	"godl.dev/godl/interrupt"
)

// TestInterruptLoop interrupts an interpreted infinite loop: the cell must stop within a
// second of the interrupt and the session must stay usable.
func TestInterruptLoop(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.Execute(ctx, "n := 0\nfor {\n\tn++\n}", newRecorder())
	if d := time.Since(start); d > 1200*time.Millisecond {
		t.Errorf("interrupt took %v after the request", d-200*time.Millisecond)
	}
	ce, ok := err.(*CellError)
	if !ok || ce.Name != "Interrupted" || ce.Value != "cell1.go:2:1: interrupted by the user" {
		t.Fatalf("err %v, want Interrupted at cell1.go:2:1", err)
	}
	if !interrupt.Requested() {
		t.Error("interrupt.Requested() is false after an interrupt")
	}
	b, err, _ := run(t, s, "n > 0")
	if err != nil || text(b) != "true" {
		t.Errorf("after interrupt: %s %v", text(b), err)
	}
	if interrupt.Requested() {
		t.Error("interrupt.Requested() still true in the next cell")
	}
}

// TestInterruptCompiledCall interrupts a cell inside a compiled call (time.Sleep): Execute
// returns at once, and the next cell waits until the call has returned.
func TestInterruptCompiledCall(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.Execute(ctx, "time.Sleep(700 * time.Millisecond)\nafter := 1", newRecorder())
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Execute returned %v after the start, want soon after the interrupt", d)
	}
	if ce, ok := err.(*CellError); !ok || ce.Name != "Interrupted" {
		t.Fatalf("err %v, want Interrupted", err)
	}
	b, err, _ := run(t, s, "7")
	if err != nil || text(b) != "7" {
		t.Fatalf("next cell: %s %v", text(b), err)
	}
	if d := time.Since(start); d < 650*time.Millisecond {
		t.Errorf("next cell ran %v after the start, before the compiled call returned", d)
	}
	// The statement after the interrupted call never ran.
	if b, err, _ := run(t, s, "after"); err == nil {
		t.Errorf("the statement after the interrupted call ran: after = %s", text(b))
	}
}

// TestInterruptWhileWaiting interrupts a cell that is still waiting for an earlier
// interrupted compiled call: it gives up with an explanation.
func TestInterruptWhileWaiting(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, _ = s.Execute(ctx, "time.Sleep(600 * time.Millisecond)", newRecorder())
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, err := s.Execute(ctx2, "1", newRecorder())
	if ce, ok := err.(*CellError); !ok || ce.Name != "Interrupted" {
		t.Fatalf("err %v, want Interrupted while waiting", err)
	}
	b, err, _ := run(t, s, "2")
	if err != nil || text(b) != "2" {
		t.Errorf("after waiting: %s %v", text(b), err)
	}
}
