// Package interrupt carries the "stop" request of a notebook user to compiled code.
//
// yaegi stops interpreted loops by itself when a cell is interrupted, but it cannot stop a
// compiled call that is already running. Long compiled work (dl's Fit, Evaluate, Predict, data
// pipelines) therefore polls this package between units of work:
//
//	for batch := range batches {
//		if interrupt.Requested() {
//			return interrupt.ErrInterrupted
//		}
//		...
//	}
//
// The kernel calls Begin before each cell and Request when the user interrupts. Outside a
// kernel nothing calls Request and Requested is always false, unless a program wires it to
// SIGINT with NotifyOnSignal.
package interrupt

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
)

// ErrInterrupted is returned by compiled work that stopped early because the user interrupted
// the cell. Work that stops this way leaves its state (a model's weights, an optimizer's
// slots) consistent: what was done up to the last completed unit is kept.
var ErrInterrupted = errors.New("interrupted by the user")

var (
	requested atomic.Bool

	mu     sync.Mutex
	ctx    = context.Background()
	cancel = context.CancelFunc(func() {})
)

// Requested reports whether the user asked to stop the running cell. It is one atomic load,
// cheap enough to call once per batch or per row of work.
func Requested() bool { return requested.Load() }

// Context returns a context that is cancelled when the running cell is interrupted.
func Context() context.Context {
	mu.Lock()
	defer mu.Unlock()
	return ctx
}

// Begin clears any earlier request and starts a new cancellation scope for the next cell.
// The kernel calls it before evaluating each cell.
func Begin() {
	mu.Lock()
	defer mu.Unlock()
	cancel()
	ctx, cancel = context.WithCancel(context.Background())
	requested.Store(false)
}

// Request asks the running cell to stop: Requested becomes true and Context is cancelled.
// It is safe to call from any goroutine, any number of times.
func Request() {
	requested.Store(true)
	mu.Lock()
	defer mu.Unlock()
	cancel()
}

// NotifyOnSignal makes SIGINT (Ctrl-C) call Request, for programs that run dl outside a
// kernel, such as `godl run`. It returns a function that restores default signal handling.
func NotifyOnSignal() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				Request()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
