package layers

import (
	"math"

	"godl.dev/godl/dl"
)

// ActivationLayer applies an activation function as a layer of its own, as
// keras.layers.Activation('relu'). Make one with Activate.
type ActivationLayer struct {
	base
	activation Activation

	cols  int // size of the last axis (softmax rows)
	y, dx outBuf
}

var (
	_ dl.Layer  = (*ActivationLayer)(nil)
	_ dl.Kernel = (*ActivationLayer)(nil)
)

// Activate returns a layer applying a, as keras.layers.Activation: layers.Activate(layers.ReLU)
// (the constructor cannot be called Activation, the name of the activations' type; for a
// Keras name string use ActivationByName). Its summary class is "Activation" and its
// automatic names "activation", "activation_1", …. Options: Name, InputShape.
func Activate(a Activation, opts ...Option) *ActivationLayer {
	l := &ActivationLayer{base: newBase("Activation", newConfig(opts)), activation: a}
	if a < Linear || a > Softmax {
		panic(&dl.Error{Op: "Activation", Layer: l.name, Msg: "unknown activation " + a.String()})
	}
	return l
}

// ClassName returns "Activation".
func (l *ActivationLayer) ClassName() string { return "Activation" }

// Activation returns the function the layer applies.
func (l *ActivationLayer) Activation() Activation { return l.activation }

// Build does nothing: the layer has no weights.
func (l *ActivationLayer) Build(inputShape []int) {}

// OutputShape returns inputShape.
func (l *ActivationLayer) OutputShape(inputShape []int) []int {
	return append([]int(nil), inputShape...)
}

// Call applies the activation with tensor operations.
func (l *ActivationLayer) Call(x *dl.Tensor, training bool) *dl.Tensor { return l.activation.Call(x) }

// Forward is the compiled forward pass (see dl.Kernel).
func (l *ActivationLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	if x.Rank() > 0 {
		l.cols = x.Dim(-1)
	}
	y := l.y.like(x)
	xv, yv := x.Data(), y.Data()
	switch l.activation {
	case ReLU:
		yv = yv[:len(xv)]
		for i, v := range xv {
			b := math.Float32bits(v)
			if int32(b) < 0 { // negative (or -0): an integer select, a conditional move
				b = 0
			}
			yv[i] = math.Float32frombits(b)
		}
	case Sigmoid:
		for i, v := range xv {
			yv[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case Tanh:
		for i, v := range xv {
			yv[i] = float32(math.Tanh(float64(v)))
		}
	case Softmax:
		if l.cols > 0 {
			dl.SoftmaxRows(len(xv)/l.cols, l.cols, xv, yv)
		}
	default:
		copy(yv, xv)
	}
	return y
}

// Backward computes the gradient through the activation from its output.
func (l *ActivationLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	dx := l.dx.like(dy)
	if l.cols > 0 {
		l.activation.backward(l.y.t.Data(), dy.Data(), dx.Data(), l.cols)
	}
	return dx
}
