package optimizers

import (
	"math"

	"godl.dev/godl/dl"
)

// AdamOptimizer is Adam (Kingma & Ba), as TF 2.0's tf.keras.optimizers.Adam computes it,
// with the "epsilon hat" of the paper's section 2 (ε added after the bias correction is
// folded into the rate). At step t = 1, 2, …:
//
//	lr_t ← lr·√(1-β2ᵗ)/(1-β1ᵗ)
//	m ← β1·m + (1-β1)·g
//	v ← β2·v + (1-β2)·g²
//	w ← w - lr_t·m/(√v + ε)
//
// m and v start at 0. Make one with Adam.
type AdamOptimizer struct {
	// LearningRate is lr (default 0.001).
	LearningRate float64
	// Beta1 is the decay of the first moment m (default 0.9).
	Beta1 float64
	// Beta2 is the decay of the second moment v (default 0.999).
	Beta2 float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64

	// Iterations counts the steps taken (Keras's optimizer.iterations): one per
	// ApplyGradients call, shared by all variables.
	Iterations int

	m, v slots
}

var _ dl.LearningRater = (*AdamOptimizer)(nil)

// Adam returns Adam with TF 2.0's defaults: learning rate 0.001, β1 0.9, β2 0.999, ε 1e-7.
func Adam() *AdamOptimizer {
	return &AdamOptimizer{LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Name returns "Adam".
func (o *AdamOptimizer) Name() string { return "Adam" }

// CurrentLearningRate returns LearningRate.
func (o *AdamOptimizer) CurrentLearningRate() float64 { return o.LearningRate }

// SetLearningRate sets LearningRate.
func (o *AdamOptimizer) SetLearningRate(lr float64) { o.LearningRate = lr }

// ApplyGradients takes one Adam step for every variable with a gradient (nil gradients are
// skipped) and counts one iteration. It panics if a gradient's size differs from its
// variable's.
func (o *AdamOptimizer) ApplyGradients(grads, vars []*dl.Tensor) {
	if o.m == nil {
		o.m, o.v = slots{}, slots{}
	}
	o.Iterations++
	t := float64(o.Iterations)
	lrT := float32(o.LearningRate * math.Sqrt(1-math.Pow(o.Beta2, t)) / (1 - math.Pow(o.Beta1, t)))
	b1, b2, eps := float32(o.Beta1), float32(o.Beta2), float32(o.Epsilon)
	pairs("Adam.ApplyGradients", grads, vars, func(v *dl.Tensor, w, g []float32) {
		m := o.m.get(v, len(w), 0)[:len(g)]
		s := o.v.get(v, len(w), 0)[:len(g)]
		w = w[:len(g)]
		for i, gi := range g {
			mi := b1*m[i] + (1-b1)*gi
			si := b2*s[i] + (1-b2)*gi*gi
			m[i], s[i] = mi, si
			w[i] -= lrT * mi / (sqrt32(si) + eps)
		}
	})
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
