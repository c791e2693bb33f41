package optimizers

import (
	"godl.dev/godl/dl"
)

// AdagradOptimizer is Adagrad, as TF 2.0's tf.keras.optimizers.Adagrad computes it:
//
//	a ← a + g²                  (a starts at InitialAccumulator)
//	w ← w - lr·g/(√a + ε)
//
// Make one with Adagrad.
type AdagradOptimizer struct {
	// LearningRate is lr (default 0.001).
	LearningRate float64
	// InitialAccumulator is a's starting value (default 0.1).
	InitialAccumulator float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64

	acc slots
}

var _ dl.LearningRater = (*AdagradOptimizer)(nil)

// Adagrad returns Adagrad with TF 2.0's defaults: learning rate 0.001, initial accumulator
// 0.1, ε 1e-7.
func Adagrad() *AdagradOptimizer {
	return &AdagradOptimizer{LearningRate: 0.001, InitialAccumulator: 0.1, Epsilon: 1e-7}
}

// Name returns "Adagrad".
func (o *AdagradOptimizer) Name() string { return "Adagrad" }

// CurrentLearningRate returns LearningRate.
func (o *AdagradOptimizer) CurrentLearningRate() float64 { return o.LearningRate }

// SetLearningRate sets LearningRate.
func (o *AdagradOptimizer) SetLearningRate(lr float64) { o.LearningRate = lr }

// ApplyGradients takes one Adagrad step for every variable with a gradient (nil gradients
// are skipped). It panics if a gradient's size differs from its variable's.
func (o *AdagradOptimizer) ApplyGradients(grads, vars []*dl.Tensor) {
	if o.acc == nil {
		o.acc = slots{}
	}
	lr, eps := float32(o.LearningRate), float32(o.Epsilon)
	pairs("Adagrad.ApplyGradients", grads, vars, func(v *dl.Tensor, w, g []float32) {
		a := o.acc.get(v, len(w), float32(o.InitialAccumulator))[:len(g)]
		w = w[:len(g)]
		for i, gi := range g {
			ai := a[i] + gi*gi
			a[i] = ai
			w[i] -= lr * gi / (sqrt32(ai) + eps)
		}
	})
}
