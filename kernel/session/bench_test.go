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
