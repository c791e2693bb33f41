package callbacks

import (
	"fmt"
	"io"
	"math"

	"godl.dev/godl/dl"
)

// LearningRateSchedulerCallback sets the optimizer's learning rate at the start of each
// epoch from a schedule, as TF 2.0's tf.keras.callbacks.LearningRateScheduler, and records
// it under "lr" in the epoch's logs. Make one with LearningRateScheduler.
type LearningRateSchedulerCallback struct {
	dl.CallbackBase
	// Schedule returns the learning rate for the 0-based epoch, given the current one.
	Schedule func(epoch int, lr float64) float64
	// Verbose > 0 prints each new rate.
	Verbose int
	// Out receives the messages (default standard output).
	Out io.Writer

	model dl.Network
}

// LearningRateScheduler returns a callback that sets the learning rate to schedule(epoch,
// lr) before each epoch. The model's optimizer must implement dl.LearningRater (those of
// dl/optimizers do).
func LearningRateScheduler(schedule func(epoch int, lr float64) float64) *LearningRateSchedulerCallback {
	return &LearningRateSchedulerCallback{Schedule: schedule}
}

// SetModel keeps the model whose optimizer is scheduled.
func (c *LearningRateSchedulerCallback) SetModel(m dl.Network) { c.model = m }

// OnEpochBegin sets the learning rate for epoch. A schedule that returns NaN or infinity
// panics.
func (c *LearningRateSchedulerCallback) OnEpochBegin(epoch int, logs dl.Logs) {
	opt := learningRater("LearningRateScheduler", c.model)
	lr := c.Schedule(epoch, opt.CurrentLearningRate())
	if math.IsNaN(lr) || math.IsInf(lr, 0) {
		panic(&dl.Error{Op: "LearningRateScheduler", Msg: fmt.Sprintf("the schedule returned %v for epoch %d; it must return a finite rate", lr, epoch)})
	}
	opt.SetLearningRate(lr)
	if c.Verbose > 0 {
		fmt.Fprintf(writer(c.Out), "\nEpoch %05d: LearningRateScheduler reducing learning rate to %v.\n", epoch+1, lr)
	}
}

// OnEpochEnd records the learning rate under "lr".
func (c *LearningRateSchedulerCallback) OnEpochEnd(epoch int, logs dl.Logs) {
	logs["lr"] = learningRater("LearningRateScheduler", c.model).CurrentLearningRate()
}

// ReduceLROnPlateauCallback multiplies the learning rate by Factor when a monitored quantity
// has stopped improving, as TF 2.0's tf.keras.callbacks.ReduceLROnPlateau, and records the
// rate under "lr" in each epoch's logs. Make one with ReduceLROnPlateau.
//
// After each epoch: during a cooldown the wait stays 0; a value that beats the best by more
// than MinDelta becomes the best and resets the wait; otherwise (outside a cooldown) the wait
// grows, and when it reaches Patience the rate becomes max(rate·Factor, MinLR), the wait
// restarts and a cooldown of Cooldown epochs begins.
type ReduceLROnPlateauCallback struct {
	dl.CallbackBase
	// Monitor is the logs key watched (default "val_loss").
	Monitor string
	// Factor multiplies the learning rate at each reduction (default 0.1; must be < 1).
	Factor float64
	// Patience is the number of epochs without improvement before a reduction (default 10).
	Patience int
	// MinDelta is the smallest change that counts as an improvement (default 1e-4).
	MinDelta float64
	// Cooldown is the number of epochs after a reduction during which the wait is not
	// counted (default 0).
	Cooldown int
	// MinLR is the lowest learning rate (default 0).
	MinLR float64
	// Mode says whether Monitor should fall or rise (default Auto).
	Mode Mode
	// Verbose > 0 prints each reduction.
	Verbose int
	// Out receives the messages (default standard output).
	Out io.Writer

	model    dl.Network
	mon      monitor
	wait     int
	cooldown int
}

// ReduceLROnPlateau returns a callback that multiplies the learning rate by factor when
// monitor has not improved for patience epochs, with TF 2.0's other defaults (MinDelta 1e-4,
// no cooldown, MinLR 0). Keras's defaults are ReduceLROnPlateau("val_loss", 0.1, 10).
func ReduceLROnPlateau(monitor string, factor float64, patience int) *ReduceLROnPlateauCallback {
	return &ReduceLROnPlateauCallback{Monitor: monitor, Factor: factor, Patience: patience, MinDelta: 1e-4, Mode: Auto}
}

// SetModel keeps the model whose optimizer is adjusted.
func (c *ReduceLROnPlateauCallback) SetModel(m dl.Network) { c.model = m }

// OnTrainBegin resets the wait, the cooldown and the best value. A Factor of 1 or more
// panics, as in Keras.
func (c *ReduceLROnPlateauCallback) OnTrainBegin(logs dl.Logs) {
	if c.Factor >= 1 {
		panic(&dl.Error{Op: "ReduceLROnPlateau", Msg: fmt.Sprintf("factor %v must be below 1: it multiplies the learning rate", c.Factor)})
	}
	if c.Monitor == "" {
		c.Monitor = "val_loss"
	}
	c.wait, c.cooldown = 0, 0
	c.mon.reset("ReduceLROnPlateau", c.Monitor, c.Mode, math.NaN())
}

// OnEpochEnd records "lr" and reduces the learning rate on a plateau.
func (c *ReduceLROnPlateauCallback) OnEpochEnd(epoch int, logs dl.Logs) {
	opt := learningRater("ReduceLROnPlateau", c.model)
	logs["lr"] = opt.CurrentLearningRate()
	v, ok := c.mon.value(c.Out, "Reduce LR on plateau", logs)
	if !ok {
		return
	}
	if c.cooldown > 0 {
		c.cooldown--
		c.wait = 0
	}
	if c.mon.improves(v, math.Abs(c.MinDelta)) {
		c.mon.best = v
		c.wait = 0
		return
	}
	if c.cooldown > 0 {
		return
	}
	c.wait++
	if c.wait < c.Patience {
		return
	}
	if old := opt.CurrentLearningRate(); old > c.MinLR {
		lr := math.Max(old*c.Factor, c.MinLR)
		opt.SetLearningRate(lr)
		if c.Verbose > 0 {
			fmt.Fprintf(writer(c.Out), "\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %v.\n", epoch+1, lr)
		}
		c.cooldown = c.Cooldown
		c.wait = 0
	}
}
