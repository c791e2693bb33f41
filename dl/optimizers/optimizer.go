// Package optimizers provides the optimizers that update a dl model's weights from their
// gradients, with TensorFlow 2.0's defaults and update formulas:
//
//	optimizer  learning rate  other defaults
//	SGD        0.01           momentum 0, nesterov false
//	Adagrad    0.001          initial accumulator 0.1, epsilon 1e-7
//	Adadelta   0.001          rho 0.95, epsilon 1e-7
//	RMSprop    0.001          rho 0.9, momentum 0, epsilon 1e-7, not centered
//	Adam       0.001          beta1 0.9, beta2 0.999, epsilon 1e-7
//
// Each constructor returns a pointer whose exported fields may be changed before training
// (opt := optimizers.Adam(); opt.LearningRate = 1e-4). Get returns one by its Keras name,
// as the strings of model.compile(optimizer='adam') name them.
//
// An optimizer keeps its per-weight state (momentum, accumulators: Keras's slots) keyed by
// the weight tensor, created at the weight's first update; later steps allocate nothing.
// Every optimizer implements dl.LearningRater, so callbacks can change the learning rate
// while training.
package optimizers

import (
	"godl.dev/godl/dl"
)

// slots holds one float32 slice per variable: an optimizer's per-weight state.
type slots map[*dl.Tensor][]float32

// get returns v's slot of n elements, made and filled with init at first use.
func (s slots) get(v *dl.Tensor, n int, init float32) []float32 {
	b, ok := s[v]
	if !ok || len(b) != n {
		b = make([]float32, n)
		if init != 0 {
			for i := range b {
				b[i] = init
			}
		}
		s[v] = b
	}
	return b
}

// pairs checks grads against vars and calls fn with the data of each variable that has a
// gradient. It panics, naming op, when the counts or a pair's sizes differ.
func pairs(op string, grads, vars []*dl.Tensor, fn func(v *dl.Tensor, w, g []float32)) {
	if len(grads) != len(vars) {
		panic(&dl.Error{Op: op, Msg: "needs one gradient per variable"})
	}
	for i, v := range vars {
		g := grads[i]
		if g == nil {
			continue
		}
		w, gv := v.Data(), g.Data()
		if len(w) != len(gv) {
			panic(&dl.Error{Op: op, Shapes: [][]int{v.Shape(), g.Shape()},
				Msg: "gradient of " + v.Name() + " has the wrong size"})
		}
		fn(v, w, gv)
	}
}

// registry maps Keras's optimizer names to constructors.
var registry = map[string]func() dl.Optimizer{
	"sgd":      func() dl.Optimizer { return SGD() },
	"adam":     func() dl.Optimizer { return Adam() },
	"rmsprop":  func() dl.Optimizer { return RMSprop() },
	"adagrad":  func() dl.Optimizer { return Adagrad() },
	"adadelta": func() dl.Optimizer { return Adadelta() },
}

func init() {
	for name, f := range registry {
		dl.RegisterOptimizer(name, f)
	}
}

// Get returns a new optimizer with TF 2.0's defaults by its Keras name, case-insensitive:
// "sgd", "adam", "rmsprop", "adagrad" or "adadelta", or any name given to
// dl.RegisterOptimizer, as tf.keras.optimizers.get does. It panics with a *dl.Error listing
// the known names for any other name. It is dl.GetOptimizer.
func Get(name string) dl.Optimizer { return dl.GetOptimizer(name) }

// Names returns the names Get accepts, sorted.
func Names() []string { return dl.OptimizerNames() }
