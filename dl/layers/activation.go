package layers

import (
	"fmt"

	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
)

// Activation is an element-wise function applied to a layer's output, usable as an option:
// layers.Dense(128, layers.ReLU). Activate makes a layer of one (Keras's Activation layer).
type Activation int

// The activations. Linear (the default) applies nothing; Softmax normalises the last axis
// into probabilities.
const (
	Linear Activation = iota
	ReLU
	Sigmoid
	Tanh
	Softmax
)

func (a Activation) apply(c *config) { c.activation = a }

// String returns the Keras name of the activation, such as "relu".
func (a Activation) String() string {
	switch a {
	case Linear:
		return "linear"
	case ReLU:
		return "relu"
	case Sigmoid:
		return "sigmoid"
	case Tanh:
		return "tanh"
	case Softmax:
		return "softmax"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ActivationByName returns the activation Keras calls name ("relu", "softmax", …).
func ActivationByName(name string) (Activation, error) {
	for a := Linear; a <= Softmax; a++ {
		if a.String() == name {
			return a, nil
		}
	}
	return Linear, fmt.Errorf("layers: unknown activation %q (want linear, relu, sigmoid, tanh or softmax)", name)
}

// epilogue returns the activation an accel kernel fuses: softmax is applied afterwards.
func (a Activation) epilogue() accel.Activation {
	switch a {
	case ReLU:
		return accel.ReLU
	case Sigmoid:
		return accel.Sigmoid
	case Tanh:
		return accel.Tanh
	}
	return accel.Linear
}

// Call applies the activation to x with tensor operations (recording gradients).
func (a Activation) Call(x *dl.Tensor) *dl.Tensor {
	switch a {
	case ReLU:
		return x.ReLU()
	case Sigmoid:
		return x.Sigmoid()
	case Tanh:
		return x.Tanh()
	case Softmax:
		return x.Softmax()
	}
	return x
}

// backward writes into dst the gradient with respect to the activation's input, given its
// output y and the gradient dy with respect to that output; cols is the size of the last
// axis (for softmax). dst may alias dy.
func (a Activation) backward(y, dy, dst []float32, cols int) {
	switch a {
	case ReLU:
		accel.Default().ActivationBackward(accel.ReLU, y, dy[:len(y)], dst[:len(y)])
	case Sigmoid:
		for i, v := range y {
			dst[i] = dy[i] * v * (1 - v)
		}
	case Tanh:
		for i, v := range y {
			dst[i] = dy[i] * (1 - v*v)
		}
	case Softmax:
		dl.SoftmaxBackwardRows(len(y)/cols, cols, y, dy, dst)
	default:
		copy(dst, dy)
	}
}
