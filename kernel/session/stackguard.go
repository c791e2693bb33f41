package session

import (
	"context"
	"errors"
	"runtime/metrics"
	"time"
)

// Guarding against unbounded recursion.
//
// A cell whose function calls itself without end grows the evaluation goroutine's stack
// until Go's limit (1 GB), and exceeding it is a fatal error that no recover catches: the
// kernel process would end and the session's variables with it. yaegi's interpreted calls
// take kilobytes of Go stack each, so this happens within a second or two. While a cell
// runs, a watchdog reads how much memory goroutine stacks hold; past stackLimit it stops
// the cell as an interrupt does (interpreted code unwinds within a fraction of a second)
// and the cell fails with errRecursion, leaving the session usable. Goroutines that a cell
// starts are watched only while a cell runs.

// stackLimit is the stack memory, over all goroutines, at which a cell is stopped: a
// quarter of the fatal limit of one goroutine's stack, and far above what a program that is
// not recursing without end holds (8 KB per goroutine to start with).
const stackLimit = 256 << 20

// stackCheckEvery is how often the watchdog looks. A stack grows by doubling, and from
// stackLimit to the fatal limit it must double twice more, which takes a runaway recursion
// far longer than this.
const stackCheckEvery = 10 * time.Millisecond

// errRecursion is the cause of a cell stopped by the watchdog.
var errRecursion = errors.New("goroutine stacks passed 256 MB (unbounded recursion?): the cell was stopped before Go's fatal stack limit; the session and its variables are kept")

// stackMetric is the runtime/metrics name of the memory held by goroutine stacks.
const stackMetric = "/memory/classes/heap/stacks:bytes"

// guardStack watches the stack memory of the process until the returned function is
// called, and calls stop(errRecursion) if it passes stackLimit.
func guardStack(stop context.CancelCauseFunc) (done func()) {
	quit := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: stackMetric}}
		tick := time.NewTicker(stackCheckEvery)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > stackLimit {
					stop(errRecursion)
					return
				}
			}
		}
	}()
	return func() { close(quit) }
}
