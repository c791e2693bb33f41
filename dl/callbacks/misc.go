package callbacks

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"godl.dev/godl/dl"
)

// TerminateOnNaNCallback stops training as soon as a step's loss is NaN or infinite, as
// TF 2.0's tf.keras.callbacks.TerminateOnNaN. Make one with TerminateOnNaN.
type TerminateOnNaNCallback struct {
	dl.CallbackBase
	// Out receives the message (default standard output).
	Out io.Writer

	model dl.Network
}

// TerminateOnNaN returns a callback that stops training at the first invalid loss.
func TerminateOnNaN() *TerminateOnNaNCallback { return &TerminateOnNaNCallback{} }

// SetModel keeps the model to stop.
func (c *TerminateOnNaNCallback) SetModel(m dl.Network) { c.model = m }

// OnBatchEnd stops training when the loss in logs is NaN or infinite.
func (c *TerminateOnNaNCallback) OnBatchEnd(batch int, logs dl.Logs) {
	if l, ok := logs["loss"]; ok && (math.IsNaN(l) || math.IsInf(l, 0)) {
		fmt.Fprintf(writer(c.Out), "Batch %d: Invalid loss, terminating training\n", batch)
		c.model.SetStopTraining(true)
	}
}

// CSVLoggerCallback writes each epoch's logs as a row of a CSV file, as TF 2.0's
// tf.keras.callbacks.CSVLogger: a header "epoch" and the keys sorted, then one row per
// epoch with the 0-based epoch and the values ("NA" for a key missing from an epoch). Make
// one with CSVLogger.
type CSVLoggerCallback struct {
	dl.CallbackBase
	// Filename is the file written.
	Filename string
	// Separator separates the fields (default ",").
	Separator string
	// Append adds rows to an existing file instead of replacing it; the header is written
	// only when the file is empty or new.
	Append bool

	// Err is the first error creating or writing the file, nil if none. Fit does not stop
	// on it.
	Err error

	f    *os.File
	w    *bufio.Writer
	keys []string
}

// CSVLogger returns a callback that writes the epochs' logs to filename.
func CSVLogger(filename string) *CSVLoggerCallback {
	return &CSVLoggerCallback{Filename: filename, Separator: ","}
}

// OnTrainBegin creates (or, with Append, opens) the file.
func (c *CSVLoggerCallback) OnTrainBegin(logs dl.Logs) {
	c.keys, c.Err = nil, nil
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if c.Append {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(c.Filename, flag, 0o644)
	if err != nil {
		c.Err = fmt.Errorf("callbacks: CSVLogger: %w", err)
		return
	}
	c.f, c.w = f, bufio.NewWriter(f)
}

// OnEpochEnd writes the epoch's row (and the header before the first).
func (c *CSVLoggerCallback) OnEpochEnd(epoch int, logs dl.Logs) {
	if c.w == nil {
		return
	}
	sep := c.Separator
	if sep == "" {
		sep = ","
	}
	if c.keys == nil {
		for k := range logs {
			c.keys = append(c.keys, k)
		}
		sort.Strings(c.keys)
		if st, err := c.f.Stat(); err != nil || st.Size() == 0 {
			c.w.WriteString("epoch" + sep + strings.Join(c.keys, sep) + "\n")
		}
	}
	c.w.WriteString(strconv.Itoa(epoch))
	for _, k := range c.keys {
		c.w.WriteString(sep)
		if v, ok := logs[k]; ok {
			c.w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		} else {
			c.w.WriteString("NA")
		}
	}
	c.w.WriteString("\n")
	if err := c.w.Flush(); err != nil && c.Err == nil {
		c.Err = fmt.Errorf("callbacks: CSVLogger: writing %s: %w", c.Filename, err)
	}
}

// OnTrainEnd closes the file.
func (c *CSVLoggerCallback) OnTrainEnd(logs dl.Logs) {
	if c.f == nil {
		return
	}
	if err := c.f.Close(); err != nil && c.Err == nil {
		c.Err = fmt.Errorf("callbacks: CSVLogger: closing %s: %w", c.Filename, err)
	}
	c.f, c.w = nil, nil
}
