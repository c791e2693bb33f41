package optimizers

import (
	"godl.dev/godl/dl"
)

// RMSpropOptimizer is RMSprop, as TF 2.0's tf.keras.optimizers.RMSprop computes it:
//
//	s ← ρ·s + (1-ρ)·g²                          (s starts at 0)
//	centered:  c ← ρ·c + (1-ρ)·g;  s' = s - c²   (otherwise s' = s)
//	momentum 0:  w ← w - lr·g/(√s' + ε)
//	momentum μ:  m ← μ·m + lr·g/√(s' + ε);  w ← w - m
//
// (TF adds ε outside the square root without momentum and inside it with momentum; both
// are reproduced.) Make one with RMSprop.
type RMSpropOptimizer struct {
	// LearningRate is lr (default 0.001).
	LearningRate float64
	// Rho is ρ, the decay of the mean square (default 0.9).
	Rho float64
	// Momentum is μ (default 0).
	Momentum float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64
	// Centered divides by an estimate of the variance instead of the mean square (default
	// false).
	Centered bool

	ms, mg, mom slots
}

var _ dl.LearningRater = (*RMSpropOptimizer)(nil)

// RMSprop returns RMSprop with TF 2.0's defaults: learning rate 0.001, ρ 0.9, no momentum,
// ε 1e-7, not centered.
func RMSprop() *RMSpropOptimizer {
	return &RMSpropOptimizer{LearningRate: 0.001, Rho: 0.9, Epsilon: 1e-7}
}

// Name returns "RMSprop".
func (o *RMSpropOptimizer) Name() string { return "RMSprop" }

// CurrentLearningRate returns LearningRate.
func (o *RMSpropOptimizer) CurrentLearningRate() float64 { return o.LearningRate }

// SetLearningRate sets LearningRate.
func (o *RMSpropOptimizer) SetLearningRate(lr float64) { o.LearningRate = lr }

// ApplyGradients takes one RMSprop step for every variable with a gradient (nil gradients
// are skipped). It panics if a gradient's size differs from its variable's.
func (o *RMSpropOptimizer) ApplyGradients(grads, vars []*dl.Tensor) {
	if o.ms == nil {
		o.ms, o.mg, o.mom = slots{}, slots{}, slots{}
	}
	lr, rho, mu, eps := float32(o.LearningRate), float32(o.Rho), float32(o.Momentum), float32(o.Epsilon)
	pairs("RMSprop.ApplyGradients", grads, vars, func(v *dl.Tensor, w, g []float32) {
		s := o.ms.get(v, len(w), 0)[:len(g)]
		var c, m []float32
		if o.Centered {
			c = o.mg.get(v, len(w), 0)[:len(g)]
		}
		if mu != 0 {
			m = o.mom.get(v, len(w), 0)[:len(g)]
		}
		w = w[:len(g)]
		for i, gi := range g {
			si := rho*s[i] + (1-rho)*gi*gi
			s[i] = si
			if c != nil {
				ci := rho*c[i] + (1-rho)*gi
				c[i] = ci
				si -= ci * ci
			}
			if m != nil {
				mi := mu*m[i] + lr*gi/sqrt32(si+eps)
				m[i] = mi
				w[i] -= mi
			} else {
				w[i] -= lr * gi / (sqrt32(si) + eps)
			}
		}
	})
}
