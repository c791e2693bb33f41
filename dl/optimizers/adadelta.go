package optimizers

import (
	"godl.dev/godl/dl"
)

// AdadeltaOptimizer is Adadelta (Zeiler), as TF 2.0's tf.keras.optimizers.Adadelta
// computes it:
//
//	a ← ρ·a + (1-ρ)·g²
//	u ← g·√(d + ε)/√(a + ε)
//	w ← w - lr·u
//	d ← ρ·d + (1-ρ)·u²
//
// a and d start at 0. Note TF 2.0's learning rate default is 0.001, not the paper's 1.
// Make one with Adadelta.
type AdadeltaOptimizer struct {
	// LearningRate is lr (default 0.001).
	LearningRate float64
	// Rho is ρ, the decay of both accumulators (default 0.95).
	Rho float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64

	acc, delta slots
}

var _ dl.LearningRater = (*AdadeltaOptimizer)(nil)

// Adadelta returns Adadelta with TF 2.0's defaults: learning rate 0.001, ρ 0.95, ε 1e-7.
func Adadelta() *AdadeltaOptimizer {
	return &AdadeltaOptimizer{LearningRate: 0.001, Rho: 0.95, Epsilon: 1e-7}
}

// Name returns "Adadelta".
func (o *AdadeltaOptimizer) Name() string { return "Adadelta" }

// CurrentLearningRate returns LearningRate.
func (o *AdadeltaOptimizer) CurrentLearningRate() float64 { return o.LearningRate }

// SetLearningRate sets LearningRate.
func (o *AdadeltaOptimizer) SetLearningRate(lr float64) { o.LearningRate = lr }

// ApplyGradients takes one Adadelta step for every variable with a gradient (nil gradients
// are skipped). It panics if a gradient's size differs from its variable's.
func (o *AdadeltaOptimizer) ApplyGradients(grads, vars []*dl.Tensor) {
	if o.acc == nil {
		o.acc, o.delta = slots{}, slots{}
	}
	lr, rho, eps := float32(o.LearningRate), float32(o.Rho), float32(o.Epsilon)
	pairs("Adadelta.ApplyGradients", grads, vars, func(v *dl.Tensor, w, g []float32) {
		a := o.acc.get(v, len(w), 0)[:len(g)]
		d := o.delta.get(v, len(w), 0)[:len(g)]
		w = w[:len(g)]
		for i, gi := range g {
			ai := rho*a[i] + (1-rho)*gi*gi
			u := gi * sqrt32(d[i]+eps) / sqrt32(ai+eps)
			a[i] = ai
			w[i] -= lr * u
			d[i] = rho*d[i] + (1-rho)*u*u
		}
	})
}
