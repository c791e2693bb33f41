package optimizers

import (
	"godl.dev/godl/dl"
)

// SGDOptimizer is stochastic gradient descent, with optional momentum and Nesterov momentum,
// as TF 2.0's tf.keras.optimizers.SGD computes it:
//
//	momentum 0:   w ← w - lr·g
//	momentum μ:   v ← μ·v - lr·g;  w ← w + v               (v starts at 0)
//	nesterov:     v ← μ·v - lr·g;  w ← w + μ·v - lr·g
//
// Make one with SGD or SGDMomentum.
type SGDOptimizer struct {
	// LearningRate is the step size (default 0.01).
	LearningRate float64
	// Momentum is μ, the decay of the velocity (default 0: plain SGD).
	Momentum float64
	// Nesterov selects Nesterov momentum (default false).
	Nesterov bool

	velocity slots
}

var (
	_ dl.PlainSGD      = (*SGDOptimizer)(nil)
	_ dl.LearningRater = (*SGDOptimizer)(nil)
)

// SGD returns stochastic gradient descent with Keras's defaults: learning rate 0.01, no
// momentum.
func SGD() *SGDOptimizer { return &SGDOptimizer{LearningRate: 0.01} }

// SGDWithRate returns stochastic gradient descent with the given learning rate.
func SGDWithRate(lr float64) *SGDOptimizer { return &SGDOptimizer{LearningRate: lr} }

// SGDMomentum returns SGD with learning rate 0.01 and the given momentum, Nesterov's when
// nesterov is true: SGD(momentum=0.9, nesterov=True) in Keras is SGDMomentum(0.9, true).
func SGDMomentum(momentum float64, nesterov bool) *SGDOptimizer {
	return &SGDOptimizer{LearningRate: 0.01, Momentum: momentum, Nesterov: nesterov}
}

// PlainSGDRate returns the learning rate, and whether the update is plain SGD (no
// momentum), which models may fuse into their layers' backward passes (see dl.PlainSGD).
func (o *SGDOptimizer) PlainSGDRate() (float64, bool) { return o.LearningRate, o.Momentum == 0 }

// CurrentLearningRate returns LearningRate.
func (o *SGDOptimizer) CurrentLearningRate() float64 { return o.LearningRate }

// SetLearningRate sets LearningRate.
func (o *SGDOptimizer) SetLearningRate(lr float64) { o.LearningRate = lr }

// Name returns "SGD".
func (o *SGDOptimizer) Name() string { return "SGD" }

// ApplyGradients updates each vars[i] in place from grads[i]; nil gradients are skipped.
// It panics if a gradient's size differs from its variable's.
func (o *SGDOptimizer) ApplyGradients(grads, vars []*dl.Tensor) {
	lr := float32(o.LearningRate)
	if o.Momentum == 0 {
		pairs("SGD.ApplyGradients", grads, vars, func(_ *dl.Tensor, w, g []float32) { axpy(-lr, g, w) })
		return
	}
	if o.velocity == nil {
		o.velocity = slots{}
	}
	mu := float32(o.Momentum)
	pairs("SGD.ApplyGradients", grads, vars, func(v *dl.Tensor, w, g []float32) {
		vel := o.velocity.get(v, len(w), 0)
		vel = vel[:len(g)]
		w = w[:len(g)]
		if o.Nesterov {
			for i, gi := range g {
				vi := mu*vel[i] - lr*gi
				vel[i] = vi
				w[i] += mu*vi - lr*gi
			}
			return
		}
		for i, gi := range g {
			vi := mu*vel[i] - lr*gi
			vel[i] = vi
			w[i] += vi
		}
	})
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
