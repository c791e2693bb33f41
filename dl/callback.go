package dl

import (
	"sort"
)

// Logs holds the values a training step or epoch reports to callbacks, by key: "loss", the
// metrics' names, and after an epoch with validation "val_loss" and the "val_" metrics, as
// the logs dict of a Keras callback. A callback may add keys for those that follow it (the
// learning-rate callbacks add "lr", which History then records).
type Logs map[string]float64

// Callback is told about the progress of Fit, as a Keras callback: each hook receives the
// 0-based epoch or batch index and the logs so far. Fit calls SetModel first, then
// OnTrainBegin; for each epoch OnEpochBegin, OnBatchBegin and OnBatchEnd around each step
// (batch logs hold the epoch's running loss and metrics), OnEpochEnd (with the epoch's
// values and the validation values); then OnTrainEnd.
//
// A callback may end training with the model's SetStopTraining(true): Fit stops after the
// current step. Embed CallbackBase to implement only the hooks you need; LambdaCallback
// and EpochEndFunc adapt plain functions.
type Callback interface {
	// SetModel gives the callback the model being trained (a *Sequential, a *Model), before
	// OnTrainBegin.
	SetModel(m Network)
	// OnTrainBegin is called once when Fit starts.
	OnTrainBegin(logs Logs)
	// OnTrainEnd is called once when Fit ends, also after an interrupt or StopTraining.
	OnTrainEnd(logs Logs)
	// OnEpochBegin is called at the start of each epoch.
	OnEpochBegin(epoch int, logs Logs)
	// OnEpochEnd is called at the end of each epoch with the epoch's logs.
	OnEpochEnd(epoch int, logs Logs)
	// OnBatchBegin is called before each training step.
	OnBatchBegin(batch int, logs Logs)
	// OnBatchEnd is called after each training step with the epoch's running logs.
	OnBatchEnd(batch int, logs Logs)
}

// CallbackBase implements every Callback hook as a no-op: embed it (by value) in a callback
// type and declare only the hooks it needs, as a subclass of Keras's Callback does. A
// callback that needs the model (Keras's self.model) declares SetModel and keeps it:
//
//	type stopAt struct {
//		dl.CallbackBase
//		model dl.Network
//	}
//	func (c *stopAt) SetModel(m dl.Network) { c.model = m }
//	func (c *stopAt) OnEpochEnd(epoch int, logs dl.Logs) {
//		if logs["val_accuracy"] > 0.99 {
//			c.model.SetStopTraining(true)
//		}
//	}
//
// NOTE: every method has a value receiver and CallbackBase keeps no model because a type
// declared in a notebook cell gets only the value-receiver methods of a compiled type it
// embeds (an interpreter limit).
type CallbackBase struct{}

var _ Callback = CallbackBase{}

// SetModel does nothing.
func (c CallbackBase) SetModel(m Network) {}

// OnTrainBegin does nothing.
func (c CallbackBase) OnTrainBegin(logs Logs) {}

// OnTrainEnd does nothing.
func (c CallbackBase) OnTrainEnd(logs Logs) {}

// OnEpochBegin does nothing.
func (c CallbackBase) OnEpochBegin(epoch int, logs Logs) {}

// OnEpochEnd does nothing.
func (c CallbackBase) OnEpochEnd(epoch int, logs Logs) {}

// OnBatchBegin does nothing.
func (c CallbackBase) OnBatchBegin(batch int, logs Logs) {}

// OnBatchEnd does nothing.
func (c CallbackBase) OnBatchEnd(batch int, logs Logs) {}

// LambdaCallback is a Callback made of functions, as Keras's LambdaCallback: each non-nil
// field is called for its hook, the others do nothing.
type LambdaCallback struct {
	CallbackBase
	// Model is the model being trained, set by SetModel.
	Model Network

	TrainBegin func(logs Logs)
	TrainEnd   func(logs Logs)
	EpochBegin func(epoch int, logs Logs)
	EpochEnd   func(epoch int, logs Logs)
	BatchBegin func(batch int, logs Logs)
	BatchEnd   func(batch int, logs Logs)
}

// SetModel sets Model.
func (c *LambdaCallback) SetModel(m Network) { c.Model = m }

// OnTrainBegin calls TrainBegin.
func (c *LambdaCallback) OnTrainBegin(logs Logs) {
	if c.TrainBegin != nil {
		c.TrainBegin(logs)
	}
}

// OnTrainEnd calls TrainEnd.
func (c *LambdaCallback) OnTrainEnd(logs Logs) {
	if c.TrainEnd != nil {
		c.TrainEnd(logs)
	}
}

// OnEpochBegin calls EpochBegin.
func (c *LambdaCallback) OnEpochBegin(epoch int, logs Logs) {
	if c.EpochBegin != nil {
		c.EpochBegin(epoch, logs)
	}
}

// OnEpochEnd calls EpochEnd.
func (c *LambdaCallback) OnEpochEnd(epoch int, logs Logs) {
	if c.EpochEnd != nil {
		c.EpochEnd(epoch, logs)
	}
}

// OnBatchBegin calls BatchBegin.
func (c *LambdaCallback) OnBatchBegin(batch int, logs Logs) {
	if c.BatchBegin != nil {
		c.BatchBegin(batch, logs)
	}
}

// OnBatchEnd calls BatchEnd.
func (c *LambdaCallback) OnBatchEnd(batch int, logs Logs) {
	if c.BatchEnd != nil {
		c.BatchEnd(batch, logs)
	}
}

// EpochEndFunc adapts a function to a Callback called at the end of each epoch, as
// http.HandlerFunc adapts a function to a Handler:
//
//	dl.WithCallback(dl.EpochEndFunc(func(epoch int, logs dl.Logs) { fmt.Println(logs["loss"]) }))
type EpochEndFunc func(epoch int, logs Logs)

// SetModel does nothing.
func (f EpochEndFunc) SetModel(m Network) {}

// OnTrainBegin does nothing.
func (f EpochEndFunc) OnTrainBegin(logs Logs) {}

// OnTrainEnd does nothing.
func (f EpochEndFunc) OnTrainEnd(logs Logs) {}

// OnEpochBegin does nothing.
func (f EpochEndFunc) OnEpochBegin(epoch int, logs Logs) {}

// OnEpochEnd calls f.
func (f EpochEndFunc) OnEpochEnd(epoch int, logs Logs) { f(epoch, logs) }

// OnBatchBegin does nothing.
func (f EpochEndFunc) OnBatchBegin(batch int, logs Logs) {}

// OnBatchEnd does nothing.
func (f EpochEndFunc) OnBatchEnd(batch int, logs Logs) {}

// Callbacks adds cbs to the callbacks Fit calls, in order, before its own History and
// progress log (Keras's callbacks=[...]). Callbacks and WithCallback accumulate.
func Callbacks(cbs []Callback) Option {
	return func(c *config) { c.callbacks = append(c.callbacks, cbs...) }
}

// WithCallback adds one callback, the one-at-a-time twin of Callbacks.
func WithCallback(cb Callback) Option {
	return func(c *config) { c.callbacks = append(c.callbacks, cb) }
}

// LogKeys returns the keys of logs in the order Keras reports them for model m: "loss",
// m's metrics, "val_loss", the "val_" metrics, then any other keys sorted (m may be nil).
func LogKeys(m Network, logs Logs) []string {
	var keys []string
	seen := map[string]bool{}
	if m != nil {
		names := m.MetricsNames()
		for _, prefix := range []string{"", "val_"} {
			for _, n := range names {
				if _, ok := logs[prefix+n]; ok && !seen[prefix+n] {
					keys = append(keys, prefix+n)
					seen[prefix+n] = true
				}
			}
		}
	}
	var rest []string
	for k := range logs {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}
