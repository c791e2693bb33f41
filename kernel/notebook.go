package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/interrupt"
	"godl.dev/godl/kernel/session"
)

// Notebook is a Jupyter notebook in nbformat 4, read with ReadNotebook. Fields the runner
// does not touch (metadata, attachments, ids) are kept as they were read.
type Notebook struct {
	fields map[string]json.RawMessage
	Cells  []*Cell
}

// Cell is one cell of a notebook.
type Cell struct {
	fields map[string]json.RawMessage
	// Type is "code", "markdown" or "raw".
	Type string
	// Source is the cell's text.
	Source string
	// ExecutionCount is the cell's count after it runs, nil before.
	ExecutionCount *int
	// Outputs are the nbformat output objects of a code cell.
	Outputs []map[string]any
}

// ReadNotebook parses an nbformat 4 notebook.
func ReadNotebook(data []byte) (*Notebook, error) {
	nb := &Notebook{}
	if err := json.Unmarshal(data, &nb.fields); err != nil {
		return nil, fmt.Errorf("kernel: notebook is not JSON: %w", err)
	}
	var major int
	if err := json.Unmarshal(nb.fields["nbformat"], &major); err != nil || major != 4 {
		return nil, fmt.Errorf("kernel: notebook format %s is not supported (want nbformat 4)", nb.fields["nbformat"])
	}
	var cells []map[string]json.RawMessage
	if err := json.Unmarshal(nb.fields["cells"], &cells); err != nil {
		return nil, fmt.Errorf("kernel: notebook cells: %w", err)
	}
	for i, f := range cells {
		c := &Cell{fields: f}
		if err := json.Unmarshal(f["cell_type"], &c.Type); err != nil {
			return nil, fmt.Errorf("kernel: cell %d has no cell_type", i)
		}
		// nbformat allows a source as one string or as a list of lines.
		var lines []string
		if err := json.Unmarshal(f["source"], &c.Source); err != nil {
			if err := json.Unmarshal(f["source"], &lines); err != nil {
				return nil, fmt.Errorf("kernel: cell %d source: %w", i, err)
			}
			c.Source = strings.Join(lines, "")
		}
		nb.Cells = append(nb.Cells, c)
	}
	return nb, nil
}

// MarshalJSON encodes the notebook in nbformat 4, with the cells' new outputs.
func (nb *Notebook) MarshalJSON() ([]byte, error) {
	cells := make([]map[string]json.RawMessage, len(nb.Cells))
	for i, c := range nb.Cells {
		f := map[string]json.RawMessage{}
		for k, v := range c.fields {
			f[k] = v
		}
		if c.Type == "code" {
			outputs := c.Outputs
			if outputs == nil {
				outputs = []map[string]any{}
			}
			var err error
			if f["outputs"], err = json.Marshal(outputs); err != nil {
				return nil, err
			}
			if f["execution_count"], err = json.Marshal(c.ExecutionCount); err != nil {
				return nil, err
			}
		}
		cells[i] = f
	}
	f := map[string]json.RawMessage{}
	for k, v := range nb.fields {
		f[k] = v
	}
	var err error
	if f["cells"], err = json.Marshal(cells); err != nil {
		return nil, err
	}
	return json.Marshal(f)
}

// CellFailedError is RunNotebook's error when a cell fails: Cell is the cell's index in the
// notebook, from 1 (markdown cells counted). Its error has already been written to
// RunOptions.Stderr and saved in the cell's outputs.
type CellFailedError struct {
	Cell int
	Err  error
}

func (e *CellFailedError) Error() string {
	return fmt.Sprintf("kernel: cell %d failed: %v", e.Cell, e.Err)
}

func (e *CellFailedError) Unwrap() error { return e.Err }

// RunOptions configure RunNotebook.
type RunOptions struct {
	// Stdout and Stderr receive the text output of each cell as it runs. Nil discards.
	Stdout, Stderr io.Writer
	// Stdin answers the input requests of cells, one line each. Nil refuses them.
	Stdin io.Reader
	// AllowErrors runs every cell even after one fails.
	AllowErrors bool
}

// RunNotebook runs the code cells of nb in order with ev, replacing their outputs and
// execution counts, printing their text output as it comes. It stops at the first
// failing cell, unless opts.AllowErrors, and returns that cell's error; the outputs of
// the cells run so far are kept in nb. The evaluator's outputs reach the notebook and
// the display package as they reach a frontend in a kernel.
func RunNotebook(ctx context.Context, ev Evaluator, nb *Notebook, opts RunOptions) error {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	var stdin *lineReader
	if opts.Stdin != nil {
		stdin = &lineReader{r: opts.Stdin}
	}
	count := 0
	var firstErr error
	ids := map[string][]map[string]any{}
	for i, c := range nb.Cells {
		if c.Type != "code" {
			continue
		}
		count++
		n := count
		c.ExecutionCount = &n
		out := &notebookOutput{cell: c, stdout: opts.Stdout, stderr: opts.Stderr, stdin: stdin, ids: ids}
		result, err := runInterruptible(ctx, ev, c.Source, out)
		out.printUpdated()
		if result != nil {
			out.add(map[string]any{"output_type": "execute_result", "execution_count": count,
				"data": nonNilMap(result.Data), "metadata": nonNilMap(result.Metadata)})
			out.printText(result.Data)
		}
		if err != nil {
			ce := asCellError(err)
			out.add(map[string]any{"output_type": "error", "ename": ce.Name, "evalue": ce.Value,
				"traceback": nonNil(ce.Traceback)})
			fmt.Fprintf(opts.Stderr, "cell %d (code cell %d): %s: %s\n", i+1, count, ce.Name, ce.Value)
			for _, l := range ce.Traceback {
				fmt.Fprintln(opts.Stderr, l)
			}
			if firstErr == nil {
				firstErr = &CellFailedError{Cell: i + 1, Err: err}
			}
			if !opts.AllowErrors {
				return firstErr
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if opts.AllowErrors {
		return nil
	}
	return firstErr
}

// interruptPoll is how often RunNotebook looks for an interrupt request.
const interruptPoll = 25 * time.Millisecond

// runInterruptible runs one cell with a context that is cancelled when the user
// interrupts (interrupt.Request, called on Ctrl-C by interrupt.NotifyOnSignal), as the
// kernel cancels a cell on interrupt_request. The request is polled rather than watched
// through interrupt.Context, because an evaluator may begin its own interrupt scope.
func runInterruptible(ctx context.Context, ev Evaluator, code string, out *notebookOutput) (*display.Bundle, error) {
	interrupt.Begin()
	cellCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(interruptPoll)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if interrupt.Requested() {
					cancel()
					return
				}
			}
		}
	}()
	return runInSink(cellCtx, ev, code, out)
}

func runInSink(ctx context.Context, ev Evaluator, code string, out *notebookOutput) (result *display.Bundle, err error) {
	previous := display.SetSink(out)
	defer display.SetSink(previous)
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, &session.CellError{Name: "KernelPanic", Value: fmt.Sprintf("the evaluator panicked: %v", p)}
		}
	}()
	return ev.Execute(ctx, code, out)
}

// notebookOutput is the session.Output of one cell run by RunNotebook: it appends
// nbformat outputs to the cell and prints text as it comes.
type notebookOutput struct {
	mu        sync.Mutex
	cell      *Cell
	stdout    io.Writer
	stderr    io.Writer
	stdin     *lineReader
	clearNext bool
	// ids maps display ids to the outputs shown with them, in any cell of the run.
	// nbformat has no place for display ids, so they are kept here.
	ids map[string][]map[string]any
	// updated holds, in order, the ids of the displays this cell updated, whose final
	// text is printed when the cell ends (a terminal shows no update in place).
	updated []string
	final   map[string]map[string]any
}

var _ session.Output = (*notebookOutput)(nil)

func (o *notebookOutput) add(output map[string]any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.addLocked(output)
}

func (o *notebookOutput) addLocked(output map[string]any) {
	if o.clearNext {
		o.cell.Outputs, o.clearNext = nil, false
	}
	if output["output_type"] == "stream" {
		if n := len(o.cell.Outputs); n > 0 {
			last := o.cell.Outputs[n-1]
			if last["output_type"] == "stream" && last["name"] == output["name"] {
				last["text"] = collapseCR(last["text"].(string) + output["text"].(string))
				return
			}
		}
	}
	if output["output_type"] == "stream" {
		output["text"] = collapseCR(output["text"].(string))
	}
	o.cell.Outputs = append(o.cell.Outputs, output)
}

// collapseCR applies carriage returns as a terminal (and Jupyter's frontends) would: text
// after a '\r' overwrites the start of its line. A progress bar redrawn hundreds of times
// is then saved as its last state, as the Notebook saves it. A trailing '\r' is kept, so
// that the next chunk of the stream overwrites the line.
func collapseCR(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if !strings.Contains(line, "\r") {
			continue
		}
		pending := strings.HasSuffix(line, "\r")
		var shown []rune
		for _, seg := range strings.Split(strings.TrimRight(line, "\r"), "\r") {
			r := []rune(seg)
			if len(r) >= len(shown) {
				shown = r
			} else {
				shown = append(r, shown[len(r):]...)
			}
		}
		if pending {
			shown = append(shown, '\r')
		}
		lines[i] = string(shown)
	}
	return strings.Join(lines, "\n")
}

func (o *notebookOutput) printText(data map[string]any) {
	if s, ok := data["text/plain"].(string); ok {
		fmt.Fprintln(o.stdout, s)
	}
}

// Stream appends text to the cell's stream output and prints it.
func (o *notebookOutput) Stream(name, text string) {
	w := o.stdout
	if name == "stderr" {
		w = o.stderr
	} else {
		name = "stdout"
	}
	io.WriteString(w, text)
	o.add(map[string]any{"output_type": "stream", "name": name, "text": text})
}

// Display appends a display_data output and prints its text.
func (o *notebookOutput) Display(b display.Bundle) {
	out := map[string]any{"output_type": "display_data", "data": nonNilMap(b.Data), "metadata": nonNilMap(b.Metadata)}
	o.mu.Lock()
	if b.ID != "" {
		o.ids[b.ID] = append(o.ids[b.ID], out)
	}
	o.addLocked(out)
	o.mu.Unlock()
	o.printText(b.Data)
}

// Update replaces the data of the outputs displayed with b.ID.
func (o *notebookOutput) Update(b display.Bundle) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, out := range o.ids[b.ID] {
		out["data"], out["metadata"] = nonNilMap(b.Data), nonNilMap(b.Metadata)
	}
	if o.final == nil {
		o.final = map[string]map[string]any{}
	}
	if _, seen := o.final[b.ID]; !seen {
		o.updated = append(o.updated, b.ID)
	}
	o.final[b.ID] = b.Data
}

// printUpdated prints the final text of each display the cell updated, once.
func (o *notebookOutput) printUpdated() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range o.updated {
		o.printText(o.final[id])
	}
	o.updated, o.final = nil, nil
}

// ClearOutput clears the cell's outputs, at the next output when wait is true.
func (o *notebookOutput) ClearOutput(wait bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if wait {
		o.clearNext = true
		return
	}
	o.cell.Outputs = nil
}

// Input prints the prompt and reads one line from RunOptions.Stdin.
func (o *notebookOutput) Input(prompt string, password bool) (string, error) {
	if o.stdin == nil {
		return "", errors.New("kernel: this notebook run has no standard input for the cell to read")
	}
	io.WriteString(o.stdout, prompt)
	return o.stdin.readLine()
}

// lineReader reads lines without buffering beyond them, so that later readers of the
// same file see the rest.
type lineReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lineReader) readLine() (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := l.r.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimSuffix(string(b), "\r"), nil
			}
			b = append(b, one[0])
		}
		if err != nil {
			if len(b) > 0 && errors.Is(err, io.EOF) {
				return string(b), nil
			}
			return "", fmt.Errorf("kernel: reading input: %w", err)
		}
	}
}

// WriteNotebook writes nb to path in nbformat 4.
func WriteNotebook(path string, nb *Notebook) error {
	data, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return fmt.Errorf("kernel: encoding notebook: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	return nil
}
