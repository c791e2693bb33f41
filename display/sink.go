package display

import (
	"fmt"
	"os"
	"sync"
)

// Bundle is one rich output: the same content in one or more MIME types, as Jupyter's
// display_data and execute_result messages carry it.
//
// Data maps a MIME type to its content: a string for text types ("text/plain", "text/html",
// "image/svg+xml", "text/markdown"), base64 text for binary images ("image/png",
// "image/jpeg"), and any JSON-encodable value for "application/json". "text/plain" should
// always be present: it is what terminals, `godl run` and plain clients show.
type Bundle struct {
	Data     map[string]any
	Metadata map[string]any
	// ID is the display id. A bundle shown with an ID can later be replaced in place by
	// Update with the same ID. Empty means the display cannot be updated.
	ID string
}

// Sink receives displays. A Jupyter kernel installs one that publishes display_data and
// update_display_data messages; outside a kernel the default sink prints text/plain to
// standard output.
//
// Implementations must be safe for concurrent use.
type Sink interface {
	// Display shows b as a new output of the running cell.
	Display(b Bundle)
	// Update replaces every earlier output shown with b.ID by b.
	Update(b Bundle)
	// ClearOutput clears the running cell's outputs; with wait, the clearing happens when
	// the next output arrives (no flicker for animations).
	ClearOutput(wait bool)
}

var (
	sinkMu sync.RWMutex
	sink   Sink = textSink{}
)

// SetSink installs s as the destination of all displays and returns the previous sink.
// A nil s restores the default text sink.
func SetSink(s Sink) (previous Sink) {
	if s == nil {
		s = textSink{}
	}
	sinkMu.Lock()
	defer sinkMu.Unlock()
	previous, sink = sink, s
	return previous
}

// CurrentSink returns the installed sink.
func CurrentSink() Sink {
	sinkMu.RLock()
	defer sinkMu.RUnlock()
	return sink
}

// Rich reports whether a rich sink is active: one installed with SetSink, such as a Jupyter
// kernel's, rather than the default sink that prints text/plain. Code that can show either a
// live HTML view or a plain text log (a training progress bar, a model summary) uses it to
// choose; under plain Go programs and `godl run` it is false.
func Rich() bool {
	_, plain := CurrentSink().(textSink)
	return !plain
}

// textSink prints the text/plain part of each bundle to standard output. Updates print
// again, since a terminal cannot replace earlier text.
type textSink struct{}

func (textSink) Display(b Bundle) { printText(b) }
func (textSink) Update(b Bundle)  { printText(b) }
func (textSink) ClearOutput(bool) {}

func printText(b Bundle) {
	if s, ok := b.Data["text/plain"].(string); ok {
		fmt.Fprintln(os.Stdout, s)
	}
}
