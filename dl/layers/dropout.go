package layers

import (
	"math/rand/v2"

	"godl.dev/godl/dl"
)

// DropoutLayer sets a random fraction of its inputs to zero during training and scales the
// others by 1/(1 - rate), so that the expected sum is unchanged, as keras.layers.Dropout. In
// inference it passes its input through. Make one with Dropout.
type DropoutLayer struct {
	base
	rate float64

	rng   *rand.Rand // drawn from dl.Rand at the first training call
	mask  []float32  // 0 or 1/(1-rate) per element of the last training Forward
	train bool       // the last Forward dropped
	y, dx outBuf
}

var (
	_ dl.Layer  = (*DropoutLayer)(nil)
	_ dl.Kernel = (*DropoutLayer)(nil)
)

// Dropout returns a dropout layer that zeroes each input with probability rate (0 ≤ rate <
// 1), as keras.layers.Dropout(rate). Its random draws come from dl's global source, so
// dl.SetSeed before training makes them reproducible. Options: Name, InputShape.
func Dropout(rate float64, opts ...Option) *DropoutLayer {
	l := &DropoutLayer{base: newBase("Dropout", newConfig(opts)), rate: rate}
	if !(rate >= 0 && rate < 1) {
		panic(&dl.Error{Op: "Dropout", Layer: l.name, Msg: "rate must be in [0, 1)"})
	}
	return l
}

// ClassName returns "Dropout".
func (l *DropoutLayer) ClassName() string { return "Dropout" }

// Rate returns the fraction of inputs dropped in training.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// Build does nothing: the layer has no weights.
func (l *DropoutLayer) Build(inputShape []int) {}

// OutputShape returns inputShape.
func (l *DropoutLayer) OutputShape(inputShape []int) []int { return append([]int(nil), inputShape...) }

// drawMask fills the first n mask entries for one training step.
func (l *DropoutLayer) drawMask(n int) []float32 {
	if l.rng == nil {
		l.rng = dl.Rand()
	}
	if cap(l.mask) < n {
		l.mask = make([]float32, n)
	}
	m := l.mask[:n]
	keep := float32(1 / (1 - l.rate))
	rate := float32(l.rate)
	for i := range m {
		if l.rng.Float32() >= rate {
			m[i] = keep
		} else {
			m[i] = 0
		}
	}
	return m
}

// Call returns x in inference, and x times a fresh random mask in training (with tensor
// operations, so the gradient is masked the same way).
func (l *DropoutLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	if !training || l.rate == 0 {
		return x
	}
	m := append([]float32(nil), l.drawMask(x.Size())...)
	return x.Mul(dl.FromFloat32(m, x.Shape()...))
}

// Forward is the compiled forward pass (see dl.Kernel): in inference it returns x itself.
func (l *DropoutLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	l.train = training && l.rate > 0
	if !l.train {
		return x
	}
	xv := x.Data()
	m := l.drawMask(len(xv))
	y := l.y.like(x)
	yv := y.Data()
	for i, v := range xv {
		yv[i] = v * m[i]
	}
	return y
}

// Backward masks dy as the last Forward masked x (in inference it returns dy itself).
func (l *DropoutLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	if !l.train {
		return dy
	}
	dx := l.dx.like(dy)
	gv, dv := dy.Data(), dx.Data()
	m := l.mask[:len(gv)]
	for i, v := range gv {
		dv[i] = v * m[i]
	}
	return dx
}
