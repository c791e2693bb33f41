package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"godl.dev/godl/display"
)

// recorder is an Output that keeps everything a cell emits.
type recorder struct {
	mu       sync.Mutex
	streams  map[string]*strings.Builder
	order    []string // "stdout:text" per Stream call
	displays []display.Bundle
	updates  []display.Bundle
	inputs   []string // answers to give, in order
	prompts  int
}

func newRecorder() *recorder {
	return &recorder{streams: map[string]*strings.Builder{"stdout": {}, "stderr": {}}}
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[name].WriteString(text)
	r.order = append(r.order, name+":"+text)
}

func (r *recorder) Display(b display.Bundle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, b)
}

func (r *recorder) Update(b display.Bundle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, b)
}

func (r *recorder) ClearOutput(bool) {}

func (r *recorder) Input(prompt string, password bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prompts++
	if len(r.inputs) == 0 {
		return "", errors.New("no input allowed")
	}
	s := r.inputs[0]
	r.inputs = r.inputs[1:]
	return s, nil
}

func (r *recorder) stdout() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams["stdout"].String()
}

func (r *recorder) stderr() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams["stderr"].String()
}

// newSession returns a session closed at the end of the test.
func newSession(t testing.TB) *Session {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// run executes code with a fresh recorder and a generous timeout.
func run(t testing.TB, s *Session, code string) (*display.Bundle, error, *recorder) {
	t.Helper()
	rec := newRecorder()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := s.Execute(ctx, code, rec)
	return b, err, rec
}

func text(b *display.Bundle) string {
	if b == nil {
		return "<no result>"
	}
	s, _ := b.Data[display.MIMEText].(string)
	return s
}

// skipUnderRace skips tests whose cells leave goroutines running into later evaluations:
// the race detector flags yaegi's own unsynchronised frame accesses there (see raceEnabled).
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("yaegi races with goroutines of earlier evaluations; see raceEnabled")
	}
}
