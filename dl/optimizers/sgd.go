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

var _ dl.Optimizer = (*SGDOptimizer)(nil)

// SGD returns stochastic gradient descent with Keras's default learning rate 0.01.
func SGD() *SGDOptimizer { return &SGDOptimizer{LearningRate: 0.01} }

// SGDWithRate returns stochastic gradient descent with the given learning rate.
func SGDWithRate(lr float64) *SGDOptimizer { return &SGDOptimizer{LearningRate: lr} }

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
		for j, x := range gv {
			w[j] -= lr * x
		}
	}
}
