// Package session evaluates notebook cells of Go with the yaegi interpreter: one Session is
// one notebook's state (its variables, functions, types and imports).
//
// The kernel creates a Session, calls Execute for each cell with an Output that publishes
// what the cell prints and displays, and answers completion, inspection and is_complete
// requests with Complete, Inspect and IsComplete. A restart is a new Session (about 5 ms).
//
//	s, err := session.New(session.Options{CaptureFDs: true})
//	res, err := s.Execute(ctx, "x := 6 * 7\nx", out) // res.Data["text/plain"] == "42"
//
// # Cells
//
// A cell is any mix of imports, declarations and statements. State persists from cell to
// cell, and running a cell again works as a notebook user expects: `x := 1` may run twice,
// and a redefined function or type replaces the old one for later cells. The standard
// library (Go 1.22's API, from yaegi's tables) and the godl packages (package stdlib) need
// no import line: the first use of a package name imports it, as goimports would.
//
// When the last statement is an expression with one value, Execute returns it rendered by
// display.Render (text/plain always, and the rich forms the value offers, including
// methods of types declared in cells). Declarations, assignments and calls without a
// result give no result. A call with (T, error) results shows T when the error is nil and
// fails with the error otherwise, so that `os.ReadFile(name)` or `plots.X(...)` can end a
// cell; writers' (n, err) results (fmt.Println, w.Write) are not shown.
//
// Errors are *CellError values naming the cell, line and column ("cell3.go:2:5: ..."):
// SyntaxError, CompileError, panic (with a traceback of the user's functions), Exit
// (os.Exit in a cell, which does not end the process), Interrupted and RecursionError (a
// cell stopped before unbounded recursion reached Go's fatal stack limit, see
// stackguard.go). A panic in a
// goroutine started by a cell is recovered and reported on the cell's stderr.
//
// See split.go and rewrite.go for how a cell is cut and rewritten before yaegi sees it,
// and capture.go for output capture.
//
// # Output, input and interruption
//
// With Options.CaptureFDs, file descriptors 1 and 2 of the process are redirected into the
// running cell's Output, so that compiled code (dl, cgo) is captured too; the kernel's own
// log must then go to LogWriter. A cell reading standard input (fmt.Scan, os.Stdin) asks
// Output.Input for each line. Cancelling Execute's context stops interpreted code within a
// fraction of a second and sets interrupt.Requested for compiled code; the next cell waits
// until an interrupted compiled call has returned.
//
// # Limitations
//
//   - Standard library APIs newer than Go 1.22 are missing (yaegi's tables).
//   - A redeclared type, or a type one of whose methods is redefined, gets a fresh identity
//     (yaegi ignores both redeclarations): later cells use the new one, while values,
//     functions and variables made earlier keep the old type and its old methods.
//   - A redefined function is seen by the functions that call it (they are evaluated
//     again), but not by methods declared in earlier cells.
//   - A type parameter named like a session type (T, after `type T ...`) resolves to that
//     type (a yaegi bug); min and max use unusual names to escape it.
//   - Top-level `x := f(...)` with a generic f goes through an interface: x gets the
//     value's dynamic type when it can be written in Go (not for types declared in
//     cells, where x is an any).
//   - min and max are generic functions: yaegi infers their type from the first argument
//     (the session moves a variable first, and makes float constants float64), so
//     min(x, y) with x an int32 and y an int does not convert y as Go would.
//   - Top-level `v, ok := <-ch` works for a channel variable of the session whose element
//     type can be written in Go (not a struct type declared in a cell).
//   - Loop variables are shared between iterations (pre-Go 1.22 semantics) in closures.
//   - A top-level defer runs when the cell ends, with its arguments evaluated then.
//   - A panic's position is the top-level statement that was running plus the functions it
//     went through (yaegi reports functions, not their lines).
//   - A method call on an interface value that compiled code returns and that holds a type
//     declared in a cell (m.Layers()[0].Name()) fails in yaegi; compiled code itself calls
//     such methods fine.
//   - A compiled call cannot be interrupted; the next cell waits for it to return.
//   - A stack overflow or a concurrent map write is fatal to the process, as in Go.
//   - The race detector reports races inside yaegi between an evaluation and goroutines
//     still running from earlier cells or interrupts.
package session
