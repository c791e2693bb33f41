package callbacks

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/tensorboard"
)

// TensorBoardCallback writes the training run to TensorBoard event files, as TF 2.0's
// tf.keras.callbacks.TensorBoard: one event file per Fit in LogDir/train and, when Fit
// validates, one in LogDir/validation, so that
//
//	tensorboard --logdir <LogDir>
//
// shows the run's curves, training and validation as two runs of one chart (point it at a
// folder holding several LogDirs to compare trainings). Make one with TensorBoard.
//
// At each epoch's end it logs the epoch's values as scalars at step = epoch (from 0), named
// "epoch_" and the log key: epoch_loss and epoch_accuracy in train, the validation values
// (val_loss, val_accuracy) as epoch_loss and epoch_accuracy in validation. Keys added by
// other callbacks, such as "lr", are logged in train as epoch_lr.
type TensorBoardCallback struct {
	dl.CallbackBase
	// LogDir is the folder of the run's event files (default "logs").
	LogDir string
	// HistogramFreq is the number of epochs between two histograms of every layer's
	// weights (0, the default, writes none). Histograms are written in train at the
	// epochs divisible by HistogramFreq (epoch 0 included), tagged as Keras tags them:
	// the weight's name and "_0" ("dense/kernel_0", from TensorFlow's "dense/kernel:0").
	HistogramFreq int
	// WriteGraph (default true) writes the model's summary, the text of Summary, in train
	// at step 0 for TensorBoard's text dashboard. TensorFlow writes the model's graph
	// instead, which godl models do not have.
	WriteGraph bool
	// UpdateFreq is how often the scalars are written: 0 (the default, Keras's
	// update_freq="epoch") at each epoch's end only; n > 0 also every n training steps
	// (1 is Keras's "batch"; TF 2.0 counts an integer update_freq in samples, later
	// versions in steps, as here): the epoch's running loss and metrics tagged "batch_"
	// and the key (batch_loss), at step = the number of steps done since Fit began.
	UpdateFreq int

	// Err is the first error creating or writing an event file, nil if none. Fit does
	// not stop on it; the callback writes nothing more after it.
	Err error

	model       dl.Network
	train, val  *tensorboard.Writer
	steps       int64 // training steps since OnTrainBegin
	lastWritten int64 // steps at the last batch_ write
}

// summarizer is a model with a text summary, for WriteGraph.
type summarizer interface{ SummaryString() string }

// TensorBoard returns a callback that logs the run to TensorBoard event files under
// logDir, with TF 2.0's defaults: scalars each epoch, no histograms, the model's summary.
func TensorBoard(logDir string) *TensorBoardCallback {
	return &TensorBoardCallback{LogDir: logDir, WriteGraph: true}
}

// SetModel keeps the model whose weights are logged.
func (c *TensorBoardCallback) SetModel(m dl.Network) { c.model = m }

// OnTrainBegin starts this run's train event file (the validation one starts with the
// first validation values) and writes the model's summary when WriteGraph is set.
func (c *TensorBoardCallback) OnTrainBegin(logs dl.Logs) {
	c.closeWriters()
	c.Err, c.steps, c.lastWritten = nil, 0, 0
	if c.UpdateFreq < 0 {
		c.fail(fmt.Errorf("UpdateFreq is %d; use 0 for each epoch or n > 0 for every n steps", c.UpdateFreq))
		return
	}
	if c.HistogramFreq < 0 {
		c.fail(fmt.Errorf("HistogramFreq is %d; use 0 for none or n > 0 for every n epochs", c.HistogramFreq))
		return
	}
	w, err := tensorboard.NewWriter(filepath.Join(c.logDir(), "train"))
	if err != nil {
		c.fail(err)
		return
	}
	c.train = w
	if s, ok := c.model.(summarizer); ok && c.WriteGraph {
		c.check(w.Text("keras_model_summary", indentCode(s.SummaryString()), 0))
		if c.train != nil {
			c.check(c.train.Flush())
		}
	}
}

// OnBatchEnd writes the running values every UpdateFreq steps.
func (c *TensorBoardCallback) OnBatchEnd(batch int, logs dl.Logs) {
	c.steps++
	if c.UpdateFreq <= 0 || c.train == nil || c.steps-c.lastWritten < int64(c.UpdateFreq) {
		return
	}
	c.lastWritten = c.steps
	values := map[string]float64{}
	for k, v := range logs {
		if !strings.HasPrefix(k, "val_") {
			values["batch_"+k] = v
		}
	}
	c.check(c.train.Scalars(values, c.steps))
}

// OnEpochEnd writes the epoch's scalars, and the weight histograms at the epochs
// HistogramFreq asks for, then flushes the files so that a running TensorBoard sees them.
func (c *TensorBoardCallback) OnEpochEnd(epoch int, logs dl.Logs) {
	if c.train == nil {
		return
	}
	train, val := map[string]float64{}, map[string]float64{}
	for k, v := range logs {
		if name, ok := strings.CutPrefix(k, "val_"); ok {
			val["epoch_"+name] = v
		} else {
			train["epoch_"+k] = v
		}
	}
	c.check(c.train.Scalars(train, int64(epoch)))
	if len(val) > 0 && c.Err == nil {
		if c.val == nil {
			w, err := tensorboard.NewWriter(filepath.Join(c.logDir(), "validation"))
			if err != nil {
				c.fail(err)
				return
			}
			c.val = w
		}
		c.check(c.val.Scalars(val, int64(epoch)))
		if c.val != nil {
			c.check(c.val.Flush())
		}
	}
	if c.HistogramFreq > 0 && epoch%c.HistogramFreq == 0 && c.model != nil {
		c.logWeights(int64(epoch))
	}
	if c.train != nil {
		c.check(c.train.Flush())
	}
}

// OnTrainEnd closes the event files.
func (c *TensorBoardCallback) OnTrainEnd(logs dl.Logs) { c.closeWriters() }

// logWeights writes a histogram of each weight of each layer.
func (c *TensorBoardCallback) logWeights(step int64) {
	for _, l := range c.model.Layers() {
		for i, w := range l.Weights() {
			if w == nil || w.Size() == 0 || c.train == nil {
				continue
			}
			name := w.Name()
			if name == "" {
				name = fmt.Sprintf("%s/weight_%d", l.Name(), i)
			}
			c.check(c.train.HistogramFloat32(strings.ReplaceAll(name, ":", "_")+"_0", w.Float32s(), step))
		}
	}
}

func (c *TensorBoardCallback) logDir() string {
	if c.LogDir == "" {
		return "logs"
	}
	return c.LogDir
}

// check records err as the callback's error and stops writing.
func (c *TensorBoardCallback) check(err error) {
	if err != nil {
		c.fail(err)
	}
}

func (c *TensorBoardCallback) fail(err error) {
	if c.Err == nil {
		if !strings.HasPrefix(err.Error(), "tensorboard: ") {
			err = fmt.Errorf("callbacks: TensorBoard: %w", err)
		}
		c.Err = err
	}
	c.closeWriters()
}

func (c *TensorBoardCallback) closeWriters() {
	for _, w := range []**tensorboard.Writer{&c.train, &c.val} {
		if *w != nil {
			if err := (*w).Close(); err != nil && !errors.Is(err, tensorboard.ErrClosed) && c.Err == nil {
				c.Err = err
			}
			*w = nil
		}
	}
}

// indentCode indents each line by four spaces, so that the text dashboard, which reads
// Markdown, shows the summary as a code block.
func indentCode(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
