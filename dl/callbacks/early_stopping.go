package callbacks

import (
	"fmt"
	"io"
	"math"

	"godl.dev/godl/dl"
)

// EarlyStoppingCallback stops training when a monitored quantity has stopped improving, as
// TF 2.0's tf.keras.callbacks.EarlyStopping. Make one with EarlyStopping.
//
// After each epoch, a value that beats the best so far by more than MinDelta becomes the
// best and resets the wait; otherwise the wait grows, and when it reaches Patience the
// callback stops training with the model's SetStopTraining (and, with RestoreBestWeights,
// puts the weights of the best epoch back).
type EarlyStoppingCallback struct {
	dl.CallbackBase
	// Monitor is the logs key watched (default "val_loss").
	Monitor string
	// Patience is the number of epochs without improvement after which training stops
	// (default 0: the first epoch that does not improve).
	Patience int
	// MinDelta is the smallest change that counts as an improvement (default 0).
	MinDelta float64
	// Mode says whether Monitor should fall or rise (default Auto).
	Mode Mode
	// Baseline, when not NaN, is the value to beat from the start (default NaN: none).
	Baseline float64
	// RestoreBestWeights puts back the weights of the best epoch when training stops
	// (default false: the weights of the last epoch stay).
	RestoreBestWeights bool
	// Verbose > 0 prints when training stops early.
	Verbose int
	// Out receives the messages (default standard output).
	Out io.Writer

	// StoppedEpoch is the 0-based epoch at which training stopped, 0 if it did not.
	StoppedEpoch int
	// Wait is the number of epochs since the last improvement.
	Wait int

	model dl.Network
	mon   monitor
	best  []*dl.Tensor
}

// EarlyStopping returns a callback that stops training when monitor (such as "val_loss" or
// "val_acc") has not improved for patience epochs, with TF 2.0's other defaults.
func EarlyStopping(monitor string, patience int) *EarlyStoppingCallback {
	return &EarlyStoppingCallback{Monitor: monitor, Patience: patience, Mode: Auto, Baseline: math.NaN()}
}

// SetModel keeps the model to stop and restore.
func (c *EarlyStoppingCallback) SetModel(m dl.Network) { c.model = m }

// OnTrainBegin resets the wait and the best value.
func (c *EarlyStoppingCallback) OnTrainBegin(logs dl.Logs) {
	if c.Monitor == "" {
		c.Monitor = "val_loss"
	}
	c.Wait, c.StoppedEpoch, c.best = 0, 0, nil
	c.mon.reset("EarlyStopping", c.Monitor, c.Mode, c.Baseline)
}

// OnEpochEnd compares the monitored value with the best and stops training when the
// patience is spent.
func (c *EarlyStoppingCallback) OnEpochEnd(epoch int, logs dl.Logs) {
	v, ok := c.mon.value(c.Out, "Early stopping", logs)
	if !ok {
		return
	}
	if c.mon.improves(v, math.Abs(c.MinDelta)) {
		c.mon.best = v
		c.Wait = 0
		if c.RestoreBestWeights {
			c.saveWeights()
		}
		return
	}
	c.Wait++
	if c.Wait >= c.Patience {
		c.StoppedEpoch = epoch
		c.model.SetStopTraining(true)
		if c.RestoreBestWeights && c.best != nil {
			if c.Verbose > 0 {
				fmt.Fprintln(writer(c.Out), "Restoring model weights from the end of the best epoch.")
			}
			for i, w := range c.model.Weights() {
				w.CopyFrom(c.best[i])
			}
		}
	}
}

// OnTrainEnd reports the epoch training stopped at, when Verbose > 0.
func (c *EarlyStoppingCallback) OnTrainEnd(logs dl.Logs) {
	if c.StoppedEpoch > 0 && c.Verbose > 0 {
		fmt.Fprintf(writer(c.Out), "Epoch %05d: early stopping\n", c.StoppedEpoch+1)
	}
}

// Best returns the best monitored value seen in the last Fit.
func (c *EarlyStoppingCallback) Best() float64 { return c.mon.best }

func (c *EarlyStoppingCallback) saveWeights() {
	ws := c.model.Weights()
	if len(c.best) != len(ws) {
		c.best = make([]*dl.Tensor, len(ws))
		for i, w := range ws {
			c.best[i] = w.Detach().Clone()
		}
		return
	}
	for i, w := range ws {
		c.best[i].CopyFrom(w)
	}
}
