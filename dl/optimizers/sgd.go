// Package optimizers provides the optimizers that update a dl model's weights from their
// gradients, with TensorFlow 2.0's defaults.
package optimizers

import (
	"godl.dev/godl/dl"
)

// SGDOptimizer is plain stochastic gradient descent: w ← w - lr·g. Make one with SGD.
type SGDOptimizer struct {
	// LearningRate is the step size (default 0.01).
	LearningRate float64
}

var _ dl.PlainSGD = (*SGDOptimizer)(nil)

// SGD returns stochastic gradient descent with Keras's default learning rate 0.01.
func SGD() *SGDOptimizer { return &SGDOptimizer{LearningRate: 0.01} }

// SGDWithRate returns stochastic gradient descent with the given learning rate.
func SGDWithRate(lr float64) *SGDOptimizer { return &SGDOptimizer{LearningRate: lr} }

// PlainSGDRate returns the learning rate: the update is plain SGD, which models may fuse
// into their layers' backward passes (see dl.PlainSGD).
func (o *SGDOptimizer) PlainSGDRate() (float64, bool) { return o.LearningRate, true }

// Name returns "SGD".
func (o *SGDOptimizer) Name() string { return "SGD" }

// ApplyGradients sets vars[i] -= LearningRate·grads[i] in place; nil gradients are skipped.
// It panics if a gradient's size differs from its variable's.
func (o *SGDOptimizer) ApplyGradients(grads, vars []*dl.Tensor) {
	if len(grads) != len(vars) {
		panic(&dl.Error{Op: "SGD.ApplyGradients", Msg: "needs one gradient per variable"})
	}
	lr := float32(o.LearningRate)
	for i, v := range vars {
		g := grads[i]
		if g == nil {
			continue
		}
		w, gv := v.Data(), g.Data()
		if len(w) != len(gv) {
			panic(&dl.Error{Op: "SGD.ApplyGradients", Shapes: [][]int{v.Shape(), g.Shape()},
				Msg: "gradient of " + v.Name() + " has the wrong size"})
		}
		axpy(-lr, gv, w)
	}
}

// axpy computes y += a·x, unrolled by four.
func axpy(a float32, x, y []float32) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		y[i] += a * x[i]
		y[i+1] += a * x[i+1]
		y[i+2] += a * x[i+2]
		y[i+3] += a * x[i+3]
	}
	for ; i < len(x); i++ {
		y[i] += a * x[i]
	}
}
