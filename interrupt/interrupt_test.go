package interrupt

import "testing"

func TestBeginRequest(t *testing.T) {
	Begin()
	if Requested() {
		t.Fatal("Requested() = true right after Begin")
	}
	ctx := Context()
	if ctx.Err() != nil {
		t.Fatalf("Context().Err() = %v after Begin, want nil", ctx.Err())
	}

	Request()
	Request() // a second request is harmless
	if !Requested() {
		t.Fatal("Requested() = false after Request")
	}
	select {
	case <-ctx.Done():
	default:
		t.Fatal("the cell's context was not cancelled by Request")
	}

	// The next cell starts clean, and the old context stays cancelled.
	Begin()
	if Requested() {
		t.Fatal("Requested() = true after the next Begin")
	}
	if Context().Err() != nil {
		t.Fatal("the next cell's context starts cancelled")
	}
	if ctx.Err() == nil {
		t.Fatal("Begin revived the previous cell's context")
	}
}
