package session

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"
)

// The capture of standard output and standard error.
//
// Interpreted code writes through the interpreter's Options.Stdout/Stderr, and compiled
// packages (dl, accel, cgo) write to file descriptors 1 and 2 directly. Both go into one pipe
// per stream, so their order is kept: the interpreter gets the pipes' *os.File write ends
// (yaegi then also points os.Stdout/os.Stderr of cells at them), and with Options.CaptureFDs
// fds 1 and 2 themselves are duplicated onto the same pipes. One goroutine per pipe forwards
// what it reads to the Output of the running cell, or of the most recent one once it has
// ended (goroutines started by a cell may print later).
//
// The pipes are process-wide (file descriptors are), and shared by every Session: a restart
// makes a new Session that reuses them.

// flushMark is written into a pipe to learn when everything written before it has been
// forwarded. It cannot be confused with UTF-8 text a user prints in practice.
const flushMark = "\x00\x1bgodl-flush\x1b\x00"

// stream is one captured pipe.
type stream struct {
	name string // "stdout" or "stderr"
	r, w *os.File

	mu      sync.Mutex
	target  func(name, text string) // where text goes; nil: the original descriptor
	owner   *Session                // the session that set target
	orig    io.Writer               // the descriptor's original destination
	flushed chan struct{}           // one value per flushMark seen
}

var (
	captureOnce sync.Once
	captureErr  error
	stdoutPipe  *stream
	stderrPipe  *stream

	redirectMu sync.Mutex
	redirected bool
	logFile    = os.Stderr // the kernel's log destination; see LogWriter
)

// pipes returns the process-wide stdout and stderr streams, creating them on first use.
func pipes() (out, errs *stream, err error) {
	captureOnce.Do(func() {
		stdoutPipe, captureErr = newStream("stdout", os.Stdout)
		if captureErr != nil {
			return
		}
		stderrPipe, captureErr = newStream("stderr", os.Stderr)
	})
	return stdoutPipe, stderrPipe, captureErr
}

func newStream(name string, orig io.Writer) (*stream, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("session: creating the %s pipe: %w", name, err)
	}
	s := &stream{name: name, r: r, w: w, orig: orig, flushed: make(chan struct{}, 16)}
	go s.forward()
	return s, nil
}

// setTarget routes the stream's text to f from now on, on behalf of owner.
func (s *stream) setTarget(owner *Session, f func(name, text string)) {
	s.mu.Lock()
	s.target, s.owner = f, owner
	s.mu.Unlock()
}

// release sends the stream back to the original descriptor if owner still holds it (a
// closed session must not take the stream from the session that replaced it).
func (s *stream) release(owner *Session) {
	s.mu.Lock()
	if s.owner == owner {
		s.target, s.owner = nil, nil
	}
	s.mu.Unlock()
}

func (s *stream) emit(text []byte) {
	if len(text) == 0 {
		return
	}
	s.mu.Lock()
	f := s.target
	s.mu.Unlock()
	if f == nil {
		_, _ = s.orig.Write(text)
		return
	}
	// A panicking Output must not stop the forwarding: the pipe would fill up and every
	// writer, the kernel included, would block.
	defer func() {
		if r := recover(); r != nil {
			_, _ = fmt.Fprintf(LogWriter(), "session: Output.Stream panicked: %v\n", r)
		}
	}()
	f(s.name, string(text))
}

// forward copies the pipe to the target until the pipe is closed, holding back an
// incomplete UTF-8 sequence or a partial flush mark at the end of a read until the next.
func (s *stream) forward() {
	buf := make([]byte, 32<<10)
	var pending []byte
	mark := []byte(flushMark)
	for {
		n, err := s.r.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			i := bytes.Index(pending, mark)
			if i < 0 {
				break
			}
			s.emit(pending[:i])
			pending = pending[i+len(mark):]
			s.flushed <- struct{}{}
		}
		keep := holdBack(pending, mark)
		s.emit(pending[:len(pending)-keep])
		pending = append(pending[:0], pending[len(pending)-keep:]...)
		if err != nil {
			s.emit(pending)
			return
		}
	}
}

// holdBack returns how many trailing bytes of p must wait for the next read: a prefix of
// the flush mark, or an incomplete UTF-8 sequence.
func holdBack(p, mark []byte) int {
	for k := min(len(mark)-1, len(p)); k > 0; k-- {
		if bytes.HasSuffix(p, mark[:k]) {
			return k
		}
	}
	for k := 1; k <= 3 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(p[len(p)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

// flush waits until everything written to the stream before the call has been forwarded,
// or until timeout.
func (s *stream) flush(timeout time.Duration) {
	// Drop stale signals from an earlier flush that timed out.
	for len(s.flushed) > 0 {
		<-s.flushed
	}
	if _, err := s.w.WriteString(flushMark); err != nil {
		return
	}
	select {
	case <-s.flushed:
	case <-time.After(timeout):
	}
}

// redirectFDs duplicates fds 1 and 2 onto the capture pipes, once per process, keeping a
// duplicate of the original stderr for LogWriter and of the original stdout for text
// printed while no cell is attached.
func redirectFDs(out, errs *stream) error {
	redirectMu.Lock()
	defer redirectMu.Unlock()
	if redirected {
		return nil
	}
	origOut, err := dupFile(1, "original-stdout")
	if err != nil {
		return err
	}
	origErr, err := dupFile(2, "original-stderr")
	if err != nil {
		origOut.Close()
		return err
	}
	if err := dup2(int(out.w.Fd()), 1); err != nil {
		return fmt.Errorf("session: redirecting stdout: %w", err)
	}
	if err := dup2(int(errs.w.Fd()), 2); err != nil {
		_ = dup2(int(origOut.Fd()), 1)
		return fmt.Errorf("session: redirecting stderr: %w", err)
	}
	out.mu.Lock()
	out.orig = origOut
	out.mu.Unlock()
	errs.mu.Lock()
	errs.orig = origErr
	errs.mu.Unlock()
	logFile = origErr
	redirected = true
	return nil
}

// LogWriter returns where the kernel should write its own log: the process's original
// standard error. Once a Session with CaptureFDs has redirected fd 2 into the cells' output,
// os.Stderr writes there, so logging must use this file instead.
func LogWriter() *os.File {
	redirectMu.Lock()
	defer redirectMu.Unlock()
	return logFile
}

// panicFilter is the interpreter's Stderr. yaegi prints one line per interpreted frame while
// a panic unwinds ("cell3.go:2:5: panic: main.f(...)"), from the panicking goroutine; those
// lines are kept, with that goroutine's id, for the error's traceback instead of being shown
// as output. Everything else goes to the stderr pipe.
type panicFilter struct {
	w *os.File

	mu     sync.Mutex
	frames []frameLine
}

type frameLine struct {
	gid  uint64
	at   time.Time
	line string
}

func (p *panicFilter) Write(b []byte) (int, error) {
	line := decodePositions(string(bytes.TrimRight(b, "\n")))
	if framePattern.MatchString(line) && bytes.Count(b, []byte("\n")) <= 1 {
		f := frameLine{gid: goroutineID(), at: time.Now(), line: line}
		p.mu.Lock()
		p.frames = append(p.frames, f)
		p.mu.Unlock()
		return len(b), nil
	}
	if bytes.Contains(b, []byte(":")) {
		// yaegi's own messages carry encoded positions too.
		if _, err := p.w.WriteString(decodePositions(string(b))); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return p.w.Write(b)
}

// take removes and returns the frames that keep says belong to the caller.
func (p *panicFilter) take(keep func(frameLine) bool) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	rest := p.frames[:0]
	for _, f := range p.frames {
		if keep(f) {
			out = append(out, f.line)
		} else {
			rest = append(rest, f)
		}
	}
	p.frames = rest
	return out
}

// prune drops frames nobody took (panics that user code recovered) older than d.
func (p *panicFilter) prune(d time.Duration) {
	cutoff := time.Now().Add(-d)
	p.take(func(f frameLine) bool { return f.at.Before(cutoff) })
}
