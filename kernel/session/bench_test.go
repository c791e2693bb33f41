package session

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkNew measures starting a session (the kernel's start-up and restart cost).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkTrivialCell measures Execute of a one-expression cell, without Jupyter.
func BenchmarkTrivialCell(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec := newRecorder()
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Execute(ctx, "1 + 1", rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrintCell measures a cell that prints a line (the stream round trip included).
func BenchmarkPrintCell(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec := newRecorder()
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Execute(ctx, `fmt.Println("hi")`, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRestartLeaksNoGoroutines creates and closes sessions, as restarts do, and checks that
// none leaves a goroutine behind.
func TestRestartLeaksNoGoroutines(t *testing.T) {
	warm := newSession(t) // the process-wide capture goroutines start once
	run(t, warm, "1")
	before := runtime.NumGoroutine()
	for range 10 {
		s, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		run(t, s, "x := 1\nfmt.Print(x)")
		s.Close()
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before 10 restarts, %d after", before, after)
	}
}

// TestCloseAfterReplacement closes a session after a new one (a restart) started: the new
// session keeps its output.
func TestCloseAfterReplacement(t *testing.T) {
	skipUnderRace(t)
	old := newSession(t)
	run(t, old, "1")
	s := newSession(t)
	rec := newRecorder()
	if _, err := s.Execute(context.Background(), "x := 1", rec); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if _, err := s.Execute(context.Background(), `go func() { time.Sleep(20 * time.Millisecond); fmt.Println("late") }()`, rec); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	s.flushStreams()
	if got := rec.stdout(); got != "late\n" {
		t.Errorf("stdout after closing the old session: %q", got)
	}
	if _, err, _ := run(t, old, "1"); err == nil {
		t.Error("a closed session executed a cell")
	}
}
