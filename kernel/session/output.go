package session

import (
	"fmt"
	"strings"

	"godl.dev/godl/display"
)

// Output receives everything a running cell emits besides its result. The Jupyter kernel
// implements it by publishing stream, display_data and update_display_data messages on IOPub
// and input_request messages on stdin; tests implement it with a recorder.
//
// Implementations must be safe for concurrent use: compiled code and goroutines started by a
// cell may write at any time while the cell runs.
type Output interface {
	// Stream sends text written to "stdout" or "stderr".
	Stream(name, text string)
	// Displays go to the embedded sink.
	display.Sink
	// Input asks the user for one line of text (input_request). It returns an error when the
	// frontend does not allow input or the cell was interrupted.
	Input(prompt string, password bool) (string, error)
}

// CellError is what a failed cell returns: a compile error, a runtime panic, or an
// interruption. Its fields map onto Jupyter's error message.
type CellError struct {
	// Name is the kind of error, such as "CompileError", "panic", "Interrupted".
	Name string
	// Value is the one-line message, with the cell position first when there is one,
	// such as "cell3.go:2:5: undefined: foo".
	Value string
	// Traceback lists the lines a frontend shows, the user's frames only.
	Traceback []string
}

func (e *CellError) Error() string {
	if len(e.Traceback) == 0 {
		return fmt.Sprintf("%s: %s", e.Name, e.Value)
	}
	return fmt.Sprintf("%s: %s\n%s", e.Name, e.Value, strings.Join(e.Traceback, "\n"))
}
