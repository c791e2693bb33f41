// Package layers provides Keras's built-in layers for dl models: Dense, Conv2D, pooling
// (MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D), Flatten, Reshape, ZeroPadding2D,
// BatchNormalization, Dropout, Activate (Keras's Activation layer) and the merges Add and
// Concatenate, with their activations, weight initialisers and regularizers.
//
// Layers are configured by their constructor's arguments and options, as Keras's keyword
// arguments:
//
//	layers.Dense(128, layers.ReLU)
//	layers.Conv2D(6, 5, layers.Same, layers.ReLU, layers.InputShape(28, 28, 1))
//	layers.Dense(120, layers.KernelRegularizer(regularizers.L2(0.01)))
//	layers.MaxPooling2D(2)
//
// Their weights are created when the model learns the input shape. Every layer implements
// dl.Layer (Call, through tensor operations and autodiff) and a compiled fast path on reused
// buffers (dl.Kernel, or dl.MergeKernel for the merges), which models use for training.
// Every layer can be frozen (dl.TrainableLayer) and describes its configuration
// (dl.ConfigLayer), from which dl.LayerFromConfig rebuilds it.
package layers

import (
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/regularizers"
)

// Option configures a layer, as a Keras keyword argument does. Activations, paddings and
// the functions below are options.
type Option interface {
	apply(c *config)
}

type config struct {
	name       string
	activation Activation
	padding    dl.Padding
	strides    [2]int
	kernel     [2]int
	inputShape []int
	kernelInit Initializer
	biasInit   Initializer
	noBias     bool

	kernelReg, biasReg regularizers.Regularizer
	momentum, epsilon  float64 // BatchNormalization; 0 means the default
	axis               *int    // BatchNormalization, Concatenate
}

type optionFunc func(c *config)

func (f optionFunc) apply(c *config) { f(c) }

func newConfig(opts []Option) *config {
	c := &config{padding: dl.Valid, kernelInit: GlorotUniform, biasInit: Zeros}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

// Name sets the layer's name instead of the automatic one ("dense_2").
func Name(name string) Option { return optionFunc(func(c *config) { c.name = name }) }

// Strides sets the step of a convolution or pooling window (default 1 for Conv2D, the pool
// size for pooling).
func Strides(h, w int) Option { return optionFunc(func(c *config) { c.strides = [2]int{h, w} }) }

// KernelSize sets a non-square convolution window, overriding Conv2D's kernelSize.
func KernelSize(h, w int) Option { return optionFunc(func(c *config) { c.kernel = [2]int{h, w} }) }

// InputShape declares the per-sample input shape (without the batch axis) of a model's
// first layer, as Keras's input_shape: the model is then built at once and Summary works
// before Fit.
func InputShape(dims ...int) Option {
	s := append([]int(nil), dims...)
	return optionFunc(func(c *config) { c.inputShape = s })
}

// KernelInitializer sets how the kernel weights are initialised (default GlorotUniform).
func KernelInitializer(init Initializer) Option {
	return optionFunc(func(c *config) { c.kernelInit = init })
}

// BiasInitializer sets how the bias is initialised (default Zeros).
func BiasInitializer(init Initializer) Option {
	return optionFunc(func(c *config) { c.biasInit = init })
}

// UseBias sets whether the layer adds a bias (default true).
func UseBias(on bool) Option { return optionFunc(func(c *config) { c.noBias = !on }) }

// Padding is a convolution or pooling padding mode, usable as an option.
type Padding dl.Padding

// The padding modes: Same keeps the spatial size (at stride 1), Valid (the default) uses
// only windows that fit.
const (
	Same  = Padding(dl.Same)
	Valid = Padding(dl.Valid)
)

func (p Padding) apply(c *config) { c.padding = dl.Padding(p) }

// base holds what every built-in layer has: a name, an optional declared input shape, and
// its variables.
type base struct {
	name       string
	inputShape []int
	weights    []*dl.Tensor
	frozen     bool         // SetTrainable(false)
	fixed      []*dl.Tensor // weights that are never trainable (batch normalization's moving statistics)
}

func newBase(class string, c *config) base {
	name := c.name
	if name == "" {
		name = dl.UniqueName(dl.SnakeCase(class))
	}
	return base{name: name, inputShape: c.inputShape}
}

// Name returns the layer's name.
func (b *base) Name() string { return b.name }

// Weights returns the layer's variables (nil before Build).
func (b *base) Weights() []*dl.Tensor { return b.weights }

// InputShape returns the per-sample input shape declared with the InputShape option, or nil.
func (b *base) InputShape() []int { return b.inputShape }

// shapeErr panics with a dl error naming the layer.
func shapeErr(layer, op string, shapes [][]int, msg string) {
	panic(&dl.Error{Op: op, Layer: layer, Shapes: shapes, Msg: msg})
}

// outBuf is a layer-owned output or gradient buffer: get resizes it for a batch without
// allocating unless the buffer must grow or the shape changed since the last call.
type outBuf struct {
	buf []float32
	t   *dl.Tensor
}

func (o *outBuf) get(shape ...int) *dl.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if cap(o.buf) < n {
		o.buf = make([]float32, n)
		o.t = nil
	}
	if o.t == nil || !o.t.HasShape(shape...) {
		// Copy the shape so that only this slow path allocates: shape itself stays on the
		// caller's stack.
		s := append([]int(nil), shape...)
		o.t = dl.FromFloat32(o.buf[:n], s...)
	}
	return o.t
}
