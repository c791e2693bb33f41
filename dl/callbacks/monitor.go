// Package callbacks provides Keras's built-in training callbacks for dl's Fit:
// EarlyStopping, ModelCheckpoint, TensorBoard, ReduceLROnPlateau, LearningRateScheduler,
// TerminateOnNaN and CSVLogger.
//
// Each constructor takes the arguments a notebook usually gives and returns a pointer whose
// exported fields hold the other options with TF 2.0's defaults:
//
//	es := callbacks.EarlyStopping("val_acc", 8)
//	es.RestoreBestWeights = true
//	model.Fit(x, y, dl.Epochs(80), dl.Callbacks([]dl.Callback{es}))
//
// Messages (Verbose > 0) go to Out, standard output when nil.
package callbacks

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"godl.dev/godl/dl"
)

// Mode says whether a monitored quantity should fall or rise.
type Mode string

const (
	// Auto watches a quantity whose name contains "acc" for a rise, any other for a fall,
	// as Keras's mode='auto'.
	Auto Mode = "auto"
	// Min watches for a fall (losses).
	Min Mode = "min"
	// Max watches for a rise (accuracies).
	Max Mode = "max"
)

// monitor is the logic EarlyStopping and ReduceLROnPlateau share (Keras's monitor_op and
// best value): whether a new value of the monitored quantity improves on the best by more
// than a margin.
type monitor struct {
	key    string
	rising bool
	best   float64
}

// reset starts watching key in mode, with no best value yet (or baseline if not NaN).
func (m *monitor) reset(op, key string, mode Mode, baseline float64) {
	m.key = key
	switch mode {
	case Max:
		m.rising = true
	case Min:
		m.rising = false
	case Auto, "":
		m.rising = strings.Contains(key, "acc")
	default:
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("unknown mode %q: use callbacks.Auto, Min or Max", mode)})
	}
	switch {
	case !math.IsNaN(baseline):
		m.best = baseline
	case m.rising:
		m.best = math.Inf(-1)
	default:
		m.best = math.Inf(1)
	}
}

// improves reports whether v beats the best value by more than delta (≥ 0).
func (m *monitor) improves(v, delta float64) bool {
	if m.rising {
		return v-delta > m.best
	}
	return v+delta < m.best
}

// value returns the monitored value in logs, warning once on out when it is missing, as
// Keras does.
func (m *monitor) value(out io.Writer, who string, logs dl.Logs) (float64, bool) {
	v, ok := logs[m.key]
	if !ok {
		keys := dl.LogKeys(nil, logs)
		fmt.Fprintf(writer(out), "%s conditioned on metric `%s` which is not available. Available metrics are: %s\n",
			who, m.key, strings.Join(keys, ","))
	}
	return v, ok
}

func writer(w io.Writer) io.Writer {
	if w == nil {
		return os.Stdout
	}
	return w
}

// learningRater returns the model's optimizer as a dl.LearningRater, or panics naming op.
func learningRater(op string, m dl.Network) dl.LearningRater {
	if m == nil || m.Optimizer() == nil {
		panic(&dl.Error{Op: op, Msg: "the model must be compiled with an optimizer"})
	}
	lr, ok := m.Optimizer().(dl.LearningRater)
	if !ok {
		panic(&dl.Error{Op: op, Msg: "optimizer " + m.Optimizer().Name() +
			" has no settable learning rate (it must implement dl.LearningRater)"})
	}
	return lr
}
