package callbacks

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"godl.dev/godl/dl"
)

// ModelCheckpointCallback saves the model during training, as TF 2.0's
// tf.keras.callbacks.ModelCheckpoint. Make one with ModelCheckpoint.
//
// Every Period epochs it saves the whole model (dl.SaveCheckpoint: architecture, weights,
// optimizer state and the epoch count, so training can resume) or, with SaveWeightsOnly,
// the weights (dl.SaveWeights), to the file Filepath names. Filepath is a template filled
// as Python's str.format with the 1-based epoch and the epoch's logs:
// "weights-epoch{epoch:02d}-loss{val_loss:.2f}.godl" becomes
// "weights-epoch05-loss1.23.godl" after the fifth epoch. The format specification
// mini-language of Python 3 applies ({val_acc:.3f}, {epoch:03d}, {loss:.2e}, ...); a name
// absent from the logs is an error.
//
// With SaveBestOnly it saves only when Monitor beats its best value so far (compared as
// EarlyStopping compares, by Mode). Missing folders are created. A failed save panics
// with a *dl.Error naming the file, which stops Fit.
type ModelCheckpointCallback struct {
	dl.CallbackBase
	// Filepath is the file name template.
	Filepath string
	// Monitor is the logs key SaveBestOnly watches (default "val_loss").
	Monitor string
	// Verbose > 0 prints a line for each save (and each skipped one with SaveBestOnly).
	Verbose int
	// SaveBestOnly saves only when Monitor improves (default false: every Period epochs).
	SaveBestOnly bool
	// SaveWeightsOnly saves the weights only (default false: the whole model).
	SaveWeightsOnly bool
	// Mode says whether Monitor should fall or rise (default Auto).
	Mode Mode
	// Period is the number of epochs between saves (default 1), as Keras's period.
	Period int
	// Out receives the messages (default standard output).
	Out io.Writer

	// Saved lists the files written, in order.
	Saved []string

	model     dl.Network
	mon       monitor
	watching  bool
	sinceLast int
}

// ModelCheckpoint returns a callback that saves the whole model to filepath (a template,
// see ModelCheckpointCallback) after every epoch, with TF 2.0's other defaults: set Period,
// SaveBestOnly, Monitor or SaveWeightsOnly on the result. Keras's
// ModelCheckpoint('weights-epoch{epoch:02d}-loss{val_loss:.2f}.h5', period=5) is
//
//	ck := callbacks.ModelCheckpoint("weights-epoch{epoch:02d}-loss{val_loss:.2f}.godl")
//	ck.Period = 5
func ModelCheckpoint(filepath string) *ModelCheckpointCallback {
	return &ModelCheckpointCallback{Filepath: filepath, Monitor: "val_loss", Mode: Auto, Period: 1}
}

// SetModel keeps the model to save.
func (c *ModelCheckpointCallback) SetModel(m dl.Network) { c.model = m }

// OnEpochEnd saves the model when Period epochs have passed since the last save (and,
// with SaveBestOnly, Monitor improved).
func (c *ModelCheckpointCallback) OnEpochEnd(epoch int, logs dl.Logs) {
	if c.Period < 1 {
		c.Period = 1
	}
	c.sinceLast++
	if c.sinceLast < c.Period {
		return
	}
	c.sinceLast = 0
	path := c.path(epoch, logs)
	out := writer(c.Out)
	if !c.SaveBestOnly {
		if c.Verbose > 0 {
			fmt.Fprintf(out, "\nEpoch %05d: saving model to %s\n", epoch+1, path)
		}
		c.save(path, epoch)
		return
	}
	if c.Monitor == "" {
		c.Monitor = "val_loss"
	}
	if !c.watching || c.mon.key != c.Monitor {
		c.mon.reset("ModelCheckpoint", c.Monitor, c.Mode, math.NaN())
		c.watching = true
	}
	v, ok := logs[c.Monitor]
	if !ok {
		fmt.Fprintf(out, "Can save best model only with %s available, skipping.\n", c.Monitor)
		return
	}
	if !c.mon.improves(v, 0) {
		if c.Verbose > 0 {
			fmt.Fprintf(out, "\nEpoch %05d: %s did not improve from %s\n", epoch+1, c.Monitor, pyFixed5(c.mon.best))
		}
		return
	}
	if c.Verbose > 0 {
		fmt.Fprintf(out, "\nEpoch %05d: %s improved from %s to %s, saving model to %s\n",
			epoch+1, c.Monitor, pyFixed5(c.mon.best), pyFixed5(v), path)
	}
	c.mon.best = v
	c.save(path, epoch)
}

// Best returns the best value of Monitor seen with SaveBestOnly (±Inf before any).
func (c *ModelCheckpointCallback) Best() float64 { return c.mon.best }

// path fills the template for epoch (0-based) and logs, panicking with a *dl.Error when it
// cannot.
func (c *ModelCheckpointCallback) path(epoch int, logs dl.Logs) string {
	p, err := formatTemplate(c.Filepath, map[string]int{"epoch": epoch + 1}, logs)
	if err != nil {
		panic(&dl.Error{Op: "ModelCheckpoint", Msg: "file name template: " + err.Error()})
	}
	return p
}

func (c *ModelCheckpointCallback) save(path string, epoch int) {
	if c.model == nil {
		panic(&dl.Error{Op: "ModelCheckpoint", Msg: "no model: the callback must be passed to Fit"})
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			panic(&dl.Error{Op: "ModelCheckpoint", Msg: "saving " + path + ": " + err.Error()})
		}
	}
	var err error
	if c.SaveWeightsOnly {
		err = dl.SaveWeights(c.model, path)
	} else {
		err = dl.SaveCheckpoint(c.model, path, epoch+1)
	}
	if err != nil {
		msg := "saving " + path + ": " + strings.TrimPrefix(err.Error(), "dl: ")
		var pe *fs.PathError
		if !c.SaveWeightsOnly && !errors.As(err, &pe) {
			msg += " (set SaveWeightsOnly to checkpoint the weights only)"
		}
		panic(&dl.Error{Op: "ModelCheckpoint", Msg: msg})
	}
	c.Saved = append(c.Saved, path)
}

// pyFixed5 formats v as Python's "%0.5f" (inf for infinities).
func pyFixed5(v float64) string {
	s, _ := formatFloat(v, ".5f")
	return s
}
